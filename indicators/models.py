"""Indicators of the plan, their yearly values, baselines and targets, and the yearly
reports on strategic actions, with their validation workflow and history."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from indicators.progress import Aggregation
from objectives.models import (
    Directorate,
    NationalSpecificObjective,
    Plan,
    StrategicAction,
    StrategicObjective,
    StrategicVariable,
    only_one,
)


class WorkflowState(models.TextChoices):
    DRAFT = "draft", "borrador"
    SUBMITTED = "submitted", "enviado"
    VALIDATED = "validated", "validado"


class WorkflowItem(models.Model):
    """Fields shared by everything staff enter and the planning office validates.

    `version` grows on every write: a form carries the version it was read at, and a write
    against another version is refused (optimistic locking, see services.check_version)."""

    state = models.CharField(
        "estado", max_length=10, choices=WorkflowState.choices, default=WorkflowState.DRAFT
    )
    version = models.PositiveIntegerField("versión", default=1)
    evidence_url = models.URLField("medio de verificación (enlace)", max_length=500, blank=True)
    evidence_file = models.FileField(
        "medio de verificación (archivo)", upload_to="evidence/%Y/", blank=True, max_length=255
    )
    return_reason = models.TextField("motivo de devolución o reapertura", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modificado por",
    )
    updated_at = models.DateTimeField("modificado", auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enviado por",
    )
    submitted_at = models.DateTimeField("enviado", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validado por",
    )
    validated_at = models.DateTimeField("validado", null=True, blank=True)
    # Four eyes (indicators.authorship): who entered, imported, edited or sent the current
    # content since its last validation. A return or reopening keeps them; a validation clears.
    shaped_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", editable=False, verbose_name="autores"
    )

    class Meta:
        abstract = True

    @property
    def is_official(self) -> bool:
        return self.state == WorkflowState.VALIDATED


class Indicator(models.Model):
    class Level(models.TextChoices):
        OBJECTIVE = "objective", "objetivo estratégico"
        ACTION = "action", "acción estratégica"
        VARIABLE = "variable", "variable estratégica"
        NATIONAL = "national", "nacional"

    class Direction(models.TextChoices):
        ASCENDING = "ascending", "ascendente"
        DESCENDING = "descending", "descendente"

    # Its objective's plan, or the only plan (set on save): codes are unique within a plan.
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="indicators", verbose_name="plan"
    )
    code = models.CharField("código", max_length=20)
    alias = models.CharField(
        "código alterno",
        max_length=20,
        blank=True,
        db_index=True,
        help_text="El mismo indicador con otro código (p. ej. V5.2 para OE1.1).",
    )
    order = models.PositiveSmallIntegerField("orden", default=0)
    name = models.TextField("nombre")
    definition = models.TextField("definición", blank=True)
    numerator = models.TextField("numerador", blank=True)
    denominator = models.TextField("denominador", blank=True)
    numerator_definition = models.TextField("definición del numerador", blank=True)
    denominator_definition = models.TextField("definición del denominador", blank=True)
    scale = models.DecimalField("factor de escala", max_digits=12, decimal_places=2, default=1)
    unit = models.CharField("unidad", max_length=120, blank=True)
    direction = models.CharField(
        "sentido esperado", max_length=12, choices=Direction.choices, default=Direction.ASCENDING
    )
    direction_published = models.BooleanField(
        "sentido publicado en el documento",
        default=False,
        help_text="Falso cuando el documento no declara el sentido y el sistema lo asume.",
    )
    level = models.CharField("nivel", max_length=10, choices=Level.choices)
    aggregation = models.CharField(
        "tipo de agregación",
        max_length=10,
        choices=[
            (Aggregation.LAST.value, "último valor"),
            (Aggregation.SUM.value, "suma"),
            (Aggregation.MEAN.value, "promedio"),
        ],
        default=Aggregation.LAST.value,
        help_text="Cómo un plan semestral forma el valor del año a partir de sus semestres "
        "(indicators.progress.yearly_value).",
    )
    variable = models.ForeignKey(
        StrategicVariable,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="variable estratégica",
    )
    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="objetivo estratégico",
    )
    # An action's indicator (a PEI's AEI): the action; `objective` is then the action's.
    action = models.ForeignKey(
        StrategicAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="acción estratégica",
    )
    # The indicator whose series this one continues: a new plan's indicator after the old
    # plan's, or a new series after a change of unit or formula (its own code). Each keeps
    # its values; the indicator page links both ways.
    previous_series = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_series",
        verbose_name="serie anterior",
    )
    national_objective = models.ForeignKey(
        NationalSpecificObjective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="objetivo nacional específico",
    )
    articulated_objectives = models.ManyToManyField(
        StrategicObjective,
        blank=True,
        related_name="national_indicators",
        verbose_name="objetivos estratégicos articulados (Anexo 6)",
    )
    responsible = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="dirección responsable del registro",
    )
    responsible_published = models.BooleanField(
        "responsable publicado en el documento", default=False
    )
    data_source = models.TextField("fuente de datos", blank=True)
    status_note = models.CharField(
        "estado en el documento", max_length=120, blank=True, help_text="p. ej. «En construcción»"
    )
    current_value = models.DecimalField(
        "valor actual", max_digits=20, decimal_places=6, null=True, blank=True
    )
    current_value_published = models.CharField(
        "valor actual (tal como se publicó)", max_length=40, blank=True
    )
    current_value_source = models.CharField("fuente del valor actual", max_length=60, blank=True)
    plausible_min = models.DecimalField(
        "mínimo plausible", max_digits=20, decimal_places=6, null=True, blank=True
    )
    plausible_max = models.DecimalField(
        "máximo plausible",
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="p. ej. 1 para una proporción",
    )
    # How its numbers are shown everywhere (lib.numbers.format_for), and which
    # quantities are counts that only take whole numbers (checked by services.clean_value).
    decimals = models.PositiveSmallIntegerField(
        "decimales mostrados",
        default=2,
        validators=[MaxValueValidator(6)],
        help_text="Los que publica el documento (p. ej. 2 para 1.52, 0 para 938 178). "
        "Se usa en la grilla, la cola de validación, las páginas, los correos y el reporte.",
    )
    value_is_whole = models.BooleanField(
        "el valor es un número entero",
        default=False,
        help_text="Marque si el valor es un conteo (personas, puestos, reuniones, actividades).",
    )
    numerator_is_whole = models.BooleanField(
        "el numerador es un número entero",
        default=False,
        help_text="Marque si el numerador es un conteo (personas, puestos, reuniones, "
        "actividades).",
    )
    denominator_is_whole = models.BooleanField(
        "el denominador es un número entero",
        default=False,
        help_text="Marque si el denominador es un conteo (p. ej. peruanos en el exterior).",
    )

    class Meta:
        verbose_name = "indicador"
        verbose_name_plural = "indicadores"
        ordering = ["level", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="unique_indicator_code_per_plan",
                violation_error_message="El plan ya tiene un indicador con ese código.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:80]}"

    def save(self, *args, **kwargs):
        if self.objective_id is not None:
            self.plan_id = self.objective.plan_id
        elif self.plan_id is None:
            self.plan = only_one(Plan.objects.all(), "Indique el plan del indicador.")
        super().save(*args, **kwargs)

    @property
    def is_descending(self) -> bool:
        return self.direction == self.Direction.DESCENDING

    @property
    def is_ratio(self) -> bool:
        return bool(self.numerator and self.denominator)


class IndicatorValue(WorkflowItem):
    """The value of an indicator in a year: numerator and denominator where known, else the
    published ratio alone."""

    class Origin(models.TextChoices):
        PLAN = "plan", "documento del plan"
        USER = "user", "registrado por usuario"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name="indicador"
    )
    year = models.PositiveSmallIntegerField("año")
    numerator = models.DecimalField(
        "numerador", max_digits=18, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        "denominador", max_digits=18, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField("valor", max_digits=20, decimal_places=6, null=True, blank=True)
    published_text = models.CharField("valor tal como se publicó", max_length=40, blank=True)
    source = models.CharField("fuente", max_length=120, blank=True)
    note = models.TextField("nota", blank=True)
    origin = models.CharField("origen", max_length=6, choices=Origin.choices, default=Origin.USER)
    # The narrative CEPLAN's follow-up reports are made of, validated with the number.
    analysis = models.TextField("análisis del avance", blank=True)
    measures = models.TextField("medidas adoptadas o propuestas", blank=True)
    # Warnings the value tripped when it was saved (indicators.progress.entry_warnings), in
    # words, and why the registrar keeps it anyway; both shown to the validator.
    warnings = models.JSONField("advertencias", default=list, blank=True)
    justification = models.TextField("justificación de las advertencias", blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "valor anual"
        verbose_name_plural = "valores anuales"
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class SemesterValue(WorkflowItem):
    """The value of a semestral plan's indicator in one semester (S1, S2), entered in the
    unit's grid for the period and validated by the planning office (four eyes). Once its
    year's semesters are validated, the year's value (IndicatorValue) is theirs by the
    indicator's aggregation (indicators.progress.yearly_value): every yearly page, report and
    answer reads it as any other year's value."""

    class Semester(models.IntegerChoices):
        FIRST = 1, "primer semestre (S1)"
        SECOND = 2, "segundo semestre (S2)"

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="semester_values",
        verbose_name="indicador",
    )
    year = models.PositiveSmallIntegerField("año")
    semester = models.PositiveSmallIntegerField("semestre", choices=Semester.choices)
    value = models.DecimalField("valor", max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.TextField("nota", blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "valor semestral"
        verbose_name_plural = "valores semestrales"
        ordering = ["indicator", "year", "semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "semester"],
                name="unique_indicator_semester",
                violation_error_message="El indicador ya tiene un valor en ese semestre.",
            ),
            models.CheckConstraint(
                condition=models.Q(semester__in=[1, 2]),
                name="semester_is_one_or_two",
                violation_error_message="El semestre es 1 o 2.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"

    @property
    def period(self) -> str:
        """The period as the API and the grid's address write it: «2024-S1»."""
        return f"{self.year}-S{self.semester}"


class Target(models.Model):
    """A baseline or a target as published by one table. Two tables publishing different
    values for the same year are two rows; the conflict is flagged, never resolved silently."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "línea de base"
        TARGET = "target", "meta"

    # The source of the targets the planning office approved (TargetRevision), which the
    # source priority puts first.
    PLANNING_OFFICE_SOURCE = "Oficina de planeamiento"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name="indicador"
    )
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("año", null=True, blank=True)
    year_published = models.BooleanField(
        "año publicado en el documento",
        default=True,
        help_text="Falso cuando el documento no da el año y el sistema lo infiere "
        "(se muestra «año inferido»).",
    )
    value = models.DecimalField("valor", max_digits=20, decimal_places=6)
    published_text = models.CharField("valor tal como se publicó", max_length=40, blank=True)
    source = models.CharField("fuente", max_length=60)
    note = models.TextField("nota", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "línea de base o meta"
        verbose_name_plural = "líneas de base y metas"
        ordering = ["indicator", "kind", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "kind", "year", "source"], name="unique_target_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.get_kind_display()} {self.year or ''} ({self.source})"

    @property
    def year_inferred(self) -> bool:
        """A year the system dated (the document gives none): shown with «año inferido»."""
        return self.year is not None and not self.year_published


class TargetRevision(models.Model):
    """One revision of a yearly target, append-only: proposed with its reason, rationale and
    approving resolution, then approved or rejected by another person (four eyes). The
    document's published targets (Target rows) are the originals; an approved revision is
    the target the computations use from then on (the planning office's Target row)."""

    class Reason(models.TextChoices):
        ORIGINAL = "original", "original"
        EXTENSION = "ampliacion", "ampliación"
        UPDATE = "actualizacion", "actualización"
        MODIFICATION = "modificacion", "modificación"
        CORRECTION = "correccion", "corrección"

    class State(models.TextChoices):
        PROPOSED = "propuesta", "propuesta"
        APPROVED = "aprobada", "aprobada"
        REJECTED = "rechazada", "rechazada"

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="target_revisions",
        verbose_name="indicador",
    )
    year = models.PositiveSmallIntegerField("año")
    value = models.DecimalField("meta", max_digits=20, decimal_places=6)
    previous_value = models.DecimalField(
        "meta anterior", max_digits=20, decimal_places=6, null=True, blank=True
    )
    reason = models.CharField("motivo", max_length=16, choices=Reason.choices)
    rationale = models.TextField("sustento")
    resolution = models.ForeignKey(
        "objectives.Resolution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="target_revisions",
        verbose_name="resolución",
    )
    version = models.ForeignKey(
        "objectives.PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="target_revisions",
        verbose_name="versión del plan",
    )
    state = models.CharField("estado", max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="propuesta por",
    )
    proposed_at = models.DateTimeField("propuesta el")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="decidida por",
    )
    decided_at = models.DateTimeField("decidida el", null=True, blank=True)
    decision_note = models.TextField("motivo del rechazo", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "revisión de meta"
        verbose_name_plural = "revisiones de metas"
        ordering = ["indicator", "year", "proposed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolution__isnull=False) | models.Q(reason="correccion"),
                name="revision_has_resolution_unless_correction",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="revision_decided_by_another_person",
            ),
        ]

    # What a revision says never changes once stored; only its decision is written, once.
    FIXED = ("indicator_id", "year", "value", "reason", "rationale", "resolution_id")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value} ({self.get_reason_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*self.FIXED, "state").first()
            if stored is not None and (
                any(stored[f] != getattr(self, f) for f in self.FIXED)
                or stored["state"] != self.State.PROPOSED
            ):
                raise ValueError("Una revisión de meta no se modifica: proponga otra.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Una revisión de meta no se borra: queda en el historial.")


class IndicatorFlag(models.Model):
    """A data-quality finding about an indicator noted while reading the document (computed
    findings, such as target conflicts, are derived at read time and not stored)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="flags", verbose_name="indicador"
    )
    text = models.TextField("observación")
    source = models.CharField("fuente", max_length=60, blank=True)

    class Meta:
        verbose_name = "observación de calidad"
        verbose_name_plural = "observaciones de calidad"
        ordering = ["indicator", "id"]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.text[:80]}"


class ActionReport(WorkflowItem):
    """What a responsible directorate did on a strategic action in a year."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "no iniciada"
        IN_PROGRESS = "in_progress", "en ejecución"
        DONE = "done", "culminada"

    action = models.ForeignKey(
        StrategicAction,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name="acción estratégica",
    )
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, related_name="reports", verbose_name="dirección"
    )
    year = models.PositiveSmallIntegerField("año")
    execution = models.CharField(
        "situación", max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    percent = models.DecimalField("avance (%)", max_digits=5, decimal_places=2, default=0)
    description = models.TextField("qué se hizo", blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "reporte de acción estratégica"
        verbose_name_plural = "reportes de acciones estratégicas"
        ordering = ["action__objective__number", "action__order", "directorate__code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "directorate", "year"], name="unique_action_report"
            )
        ]

    def __str__(self) -> str:
        return f"AE {self.action.code} · {self.directorate.code} · {self.year}"


class ReportConclusion(WorkflowItem):
    """Section 4 of a year's monitoring report (conclusiones y recomendaciones), written by the
    planning office and validated by another of its members
    (indicators.workflow.conclusion_services).
    Only the validated text goes into the report's files."""

    # Each plan's report has its own (every row stored before plans were data is the PESEM's).
    plan = models.ForeignKey(
        "objectives.Plan",
        on_delete=models.CASCADE,
        related_name="conclusions",
        verbose_name="plan",
    )
    year = models.PositiveSmallIntegerField("año del reporte")
    conclusions = models.TextField("conclusiones", blank=True)
    recommendations = models.TextField("recomendaciones", blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "conclusiones del reporte de seguimiento"
        verbose_name_plural = "conclusiones de los reportes de seguimiento"
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="unique_conclusion_per_plan_year",
                violation_error_message="El reporte de ese año ya tiene sus conclusiones.",
            )
        ]

    def __str__(self) -> str:
        return f"Conclusiones y recomendaciones {self.year}"


class IndicatorYearStatus(models.Model):
    """Where an indicator stands in a year, as computed by indicators.progress: a stored copy
    so the tablero reads a page of rows and a few counts instead of recomputing every
    indicator on every request. Rebuilt by indicators.workflow.status.refresh after every write; the
    tablero falls back to computing live when a year's rows are missing."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="year_statuses", verbose_name="indicador"
    )
    year = models.PositiveSmallIntegerField("año")
    value = models.DecimalField("valor", max_digits=20, decimal_places=6, null=True)
    preliminary = models.DecimalField(
        "valor preliminar", max_digits=20, decimal_places=6, null=True
    )
    latest_year = models.PositiveSmallIntegerField("año del último valor", null=True)
    latest_value = models.DecimalField("último valor", max_digits=20, decimal_places=6, null=True)
    target = models.DecimalField("meta del año", max_digits=20, decimal_places=6, null=True)
    target_interpolated = models.BooleanField("meta interpolada", default=False)
    achievement = models.DecimalField("cumplimiento", max_digits=20, decimal_places=6, null=True)
    achievement_note = models.CharField("nota de cumplimiento", max_length=120, blank=True)
    light = models.CharField("semáforo", max_length=6)
    light_rank = models.PositiveSmallIntegerField("orden del semáforo")
    trajectory = models.CharField("trayectoria", max_length=10)
    flags = models.JSONField("observaciones", default=list)

    class Meta:
        verbose_name = "estado anual calculado"
        verbose_name_plural = "estados anuales calculados"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_status")
        ]
        indexes = [models.Index(fields=["year", "light"], name="status_year_light")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.light}"


class ReportingDeadline(models.Model):
    """The date by which a plan's period is due: a year's values and action reports, or a
    semestral plan's semester (S1, S2). A period without a row is due on its default date
    (indicators.deadlines: a year or its S2 on 31 March of the next year, an S1 on 31 July of
    its year)."""

    class Period(models.IntegerChoices):
        YEAR = 0, "año"
        FIRST = 1, "primer semestre (S1)"
        SECOND = 2, "segundo semestre (S2)"

    plan = models.ForeignKey(
        "objectives.Plan",
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name="plan",
    )
    year = models.PositiveSmallIntegerField("año del plan")
    semester = models.PositiveSmallIntegerField(
        "periodo", choices=Period.choices, default=Period.YEAR
    )
    due_date = models.DateField("fecha límite de reporte")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modificado por",
    )
    updated_at = models.DateTimeField("modificado", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "fecha límite de reporte"
        verbose_name_plural = "calendario de reporte"
        ordering = ["plan", "year", "semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "semester"],
                name="unique_deadline_per_plan_period",
                violation_error_message="El plan ya tiene una fecha límite para ese periodo.",
            )
        ]

    def __str__(self) -> str:
        period = f"{self.year}-S{self.semester}" if self.semester else str(self.year)
        return f"{period}: {self.due_date:%d/%m/%Y}"


class OutboundMail(models.Model):
    """The outbox: one row per event to tell someone about, written in the same transaction
    as the change that causes it (or by a mail command) and sent afterwards by
    `send_mail_outbox` (also at the end of every mail command). A row holds data (`data`:
    which item, which event, which day), not text: subject and body are rendered from
    templates/emails/ when the row is sent, from the data as it stands then, and stored on the
    row as sent. The unsent rows of one person that make one mail (all their returns and
    validations; their submission digest) are sent together as one mail. `dedupe_key`, when
    set, makes a mail at most once (e.g. one reminder per person and day)."""

    class Kind(models.TextChoices):
        RETURNED = "returned", "devuelto"
        VALIDATED = "validated", "validado"
        SUBMITTED = "submitted", "enviado para validación"
        REMINDER = "reminder", "recordatorio"
        BACKLOG = "backlog", "pendientes de validación"
        OVERDUE = "overdue", "resumen semanal de atrasos"

    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="destinatario",
    )
    to_email = models.EmailField("correo del destinatario", max_length=254)
    data = models.JSONField("datos", default=dict, blank=True)
    subject = models.CharField("asunto", max_length=200, blank=True)
    body = models.TextField("texto", blank=True)
    dedupe_key = models.CharField("clave única", max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    sent_at = models.DateTimeField("enviado", null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    last_error = models.TextField("último error", blank=True)
    skipped = models.BooleanField(
        "omitido",
        default=False,
        help_text="Al enviarlo ya no había nada que informar (p. ej. la cola quedó vacía).",
    )

    class Meta:
        verbose_name = "correo saliente"
        verbose_name_plural = "correos salientes"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email}: {self.subject}"
