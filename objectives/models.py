"""The plan's structure: plan, directorates, conceptual model, trends, variables, scenarios,
objectives and actions, national articulation and investment typologies.

Every row mirrors a table of the published PESEM; `source` fields name the table it came from.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def only_one(queryset: models.QuerySet, message: str) -> models.Model:
    """The one row of `queryset`, for a row saved without its plan or entity while only one
    exists (the PESEM, its sector); with several, the Spanish `message`."""
    rows = list(queryset[:2])
    if len(rows) != 1:
        raise ValidationError(message)
    return rows[0]


class Entity(models.Model):
    """A sector or one of its pliegos (entities); a sector has a PESEM, a pliego a PEI."""

    class Kind(models.TextChoices):
        SECTOR = "sector", "sector"
        PLIEGO = "pliego", "pliego"

    code = models.CharField("código", max_length=20, unique=True)
    name = models.CharField("nombre", max_length=255)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    sector = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pliegos",
        verbose_name="sector",
        limit_choices_to={"kind": "sector"},
        help_text="Sector al que pertenece un pliego; vacío para un sector.",
    )

    class Meta:
        verbose_name = "entidad"
        verbose_name_plural = "entidades"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="sector", sector__isnull=True))
                | (models.Q(kind="pliego", sector__isnull=False)),
                name="entity_sector_has_no_parent_pliego_has_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Plan(models.Model):
    class PlanType(models.TextChoices):
        PESEM = "PESEM", "PESEM (plan estratégico sectorial multianual)"
        PEI = "PEI", "PEI (plan estratégico institucional)"

    class Frequency(models.TextChoices):
        ANNUAL = "anual", "anual"
        SEMESTER = "semestral", "semestral"

    code = models.CharField("código", max_length=40, unique=True)
    plan_type = models.CharField("tipo de plan", max_length=8, choices=PlanType.choices)
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="plans", verbose_name="entidad"
    )
    frequency = models.CharField(
        "frecuencia de seguimiento",
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.ANNUAL,
    )
    name = models.CharField("nombre", max_length=255)
    short_name = models.CharField("nombre corto", max_length=60, unique=True)
    # The plan a PEI articulates to (its sector's PESEM); empty for a PESEM.
    upper_plan = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lower_plans",
        verbose_name="plan superior",
    )
    # The plan this one follows (a new PESEM after the old one, an entity's next PEI): its
    # approval leaves the one before reemplazado.
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name="plan anterior",
    )
    sector = models.CharField("sector", max_length=120)
    start_year = models.PositiveSmallIntegerField("año de inicio")
    end_year = models.PositiveSmallIntegerField("año de fin")
    vision = models.TextField("visión")
    desired_scenario = models.TextField("escenario apuesta")

    class Meta:
        verbose_name = "plan"
        verbose_name_plural = "planes"

    def __str__(self) -> str:
        return self.short_name

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Resolution(models.Model):
    """The resolution that approves a plan version. When the document does not cite it, the row
    says so (`known` False) instead of inventing a number."""

    resolution_type = models.CharField(
        "tipo", max_length=80, blank=True, help_text="Por ejemplo, «Resolución Ministerial»."
    )
    number = models.CharField("número", max_length=60, blank=True)
    date = models.DateField("fecha", null=True, blank=True)
    issuer = models.CharField("emisor", max_length=255, blank=True)
    ceplan_oficio = models.CharField(
        "oficio de CEPLAN",
        max_length=120,
        blank=True,
        help_text="Oficio de validación de CEPLAN que precede a la resolución de un PESEM.",
    )
    document = models.FileField("documento", upload_to="resolutions/", blank=True)
    known = models.BooleanField(
        "conocida",
        default=True,
        help_text="Falso si el documento del plan no cita la resolución: se guarda como "
        "desconocida y se señala.",
    )

    class Meta:
        verbose_name = "resolución"
        verbose_name_plural = "resoluciones"
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        if not self.known:
            return "Resolución desconocida"
        return f"{self.resolution_type} N° {self.number}".strip()


class PlanVersion(models.Model):
    """One version of a plan (CEPLAN's names): at most one is in force (vigente) at a time."""

    class Kind(models.TextChoices):
        NEW = "nuevo", "nuevo (horizonte nuevo)"
        UPDATED = "actualizado", "actualizado (mismo horizonte)"
        EXTENDED = "ampliado", "ampliado (horizonte extendido)"
        MODIFIED = "modificado", "modificado (logros revisados)"

    class State(models.TextChoices):
        DRAFT = "borrador", "borrador"
        IN_FORCE = "vigente", "vigente"
        FINISHED = "finalizado", "finalizado"
        REPLACED = "reemplazado", "reemplazado"
        DISCARDED = "descartado", "descartado (borrador no aprobado)"

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="versions", verbose_name="plan"
    )
    kind = models.CharField("tipo de versión", max_length=12, choices=Kind.choices)
    name = models.CharField("nombre del plan en esta versión", max_length=255)
    horizon_start = models.PositiveSmallIntegerField("inicio del horizonte")
    horizon_end = models.PositiveSmallIntegerField("fin del horizonte")
    state = models.CharField("estado", max_length=12, choices=State.choices, default=State.DRAFT)
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_versions",
        verbose_name="resolución de aprobación",
    )
    created_at = models.DateTimeField("creada", auto_now_add=True)
    # Four eyes for a version made in the application (an ampliación): who proposed it, and
    # who approved or discarded it and when; empty for a version loaded as approved.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposed_plan_versions",
        verbose_name="propuesta por",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_plan_versions",
        verbose_name="decidida por",
    )
    decided_at = models.DateTimeField("decidida el", null=True, blank=True)
    # An actualización's changes to the plan's elements (units, objectives, actions,
    # indicators), each {sheet, code, new, fields, before}: proposed with the version, applied
    # when it is approved (indicators.workflow.plan_elements), kept as its record.
    element_changes = models.JSONField("cambios de elementos", default=list, blank=True)

    class Meta:
        verbose_name = "versión de plan"
        verbose_name_plural = "versiones de plan"
        ordering = ["plan", "horizon_start", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(state="vigente"),
                name="one_vigente_version_per_plan",
                violation_error_message="Un plan tiene a lo más una versión vigente.",
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_end__gte=models.F("horizon_start")),
                name="plan_version_horizon_ordered",
                violation_error_message="El fin del horizonte no puede ser anterior a su inicio.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.plan.code} {self.horizon_start}-{self.horizon_end} "
            f"({self.get_kind_display().split(' ')[0]}, {self.state})"
        )

    @property
    def is_read_only(self) -> bool:
        return self.state != self.State.DRAFT


class Directorate(models.Model):
    """An organisational unit of an entity (a directorate, an office): responsible for
    actions and indicators, possibly in another entity's plan (APCI in the PESEM). Its
    code is unique within its entity: two entities may both have an «OPP»."""

    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name="entidad",
        help_text="Entidad a la que pertenece la unidad.",
    )
    code = models.CharField("sigla", max_length=12)
    name = models.CharField(
        "nombre",
        max_length=255,
        blank=True,
        help_text="Nombre completo cuando el documento lo publica.",
    )
    is_planning_office = models.BooleanField(
        "órgano de planeamiento",
        default=False,
        help_text="Órgano que valida la información (DEE, OPP).",
    )

    class Meta:
        verbose_name = "dirección u órgano"
        verbose_name_plural = "direcciones y órganos"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "code"],
                name="unique_unit_code_per_entity",
                violation_error_message="Esa sigla ya es de otra unidad de la entidad.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}" if self.name else self.code

    def save(self, *args, **kwargs):
        if self.entity_id is None:
            self.entity = only_one(Entity.objects.all(), "Indique la entidad de la unidad.")
        super().save(*args, **kwargs)


class Component(models.Model):
    number = models.PositiveSmallIntegerField("número", unique=True)
    name = models.CharField("nombre", max_length=255)
    definition = models.TextField("definición", blank=True)

    class Meta:
        verbose_name = "componente del modelo conceptual"
        verbose_name_plural = "componentes del modelo conceptual"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Subcomponent(models.Model):
    component = models.ForeignKey(
        Component,
        on_delete=models.CASCADE,
        related_name="subcomponents",
        verbose_name="componente",
    )
    code = models.CharField("código", max_length=10, unique=True)
    order = models.PositiveSmallIntegerField("orden", default=0)
    name = models.CharField("nombre", max_length=255)
    definition = models.TextField("definición", blank=True)

    class Meta:
        verbose_name = "subcomponente"
        verbose_name_plural = "subcomponentes"
        ordering = ["component__number", "order"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Trend(models.Model):
    number = models.PositiveSmallIntegerField("número", unique=True)
    name = models.TextField("tendencia")
    pertinence = models.PositiveSmallIntegerField("pertinencia")
    validity = models.PositiveSmallIntegerField("vigencia")
    evidence = models.PositiveSmallIntegerField("evidencia")
    published_score = models.DecimalField(
        "puntaje publicado", max_digits=4, decimal_places=2, null=True, blank=True
    )
    components = models.ManyToManyField(
        Component, related_name="trends", verbose_name="componentes impactados", blank=True
    )

    class Meta:
        verbose_name = "tendencia"
        verbose_name_plural = "tendencias"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"T{self.number}. {self.name[:80]}"

    @property
    def score(self) -> Decimal:
        # Cuadro 1's score is the mean of the three ratings, printed with two decimals.
        total = Decimal(self.pertinence + self.validity + self.evidence)
        return (total / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class VariableGroup(models.Model):
    code = models.CharField("código", max_length=4, unique=True)
    name = models.CharField("ámbito", max_length=120)

    class Meta:
        verbose_name = "grupo de variables"
        verbose_name_plural = "grupos de variables"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class StrategicVariable(models.Model):
    number = models.PositiveSmallIntegerField("número", unique=True)
    name = models.CharField("variable estratégica", max_length=255)
    definition = models.TextField("definición")
    groups = models.ManyToManyField(
        VariableGroup, related_name="variables", verbose_name="grupos", blank=True
    )

    class Meta:
        verbose_name = "variable estratégica"
        verbose_name_plural = "variables estratégicas"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def code(self) -> str:
        return f"V{self.number}"


class Scenario(models.Model):
    number = models.PositiveSmallIntegerField("número", unique=True)
    description = models.TextField("descripción")

    class Meta:
        verbose_name = "escenario exploratorio"
        verbose_name_plural = "escenarios exploratorios"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Escenario exploratorio N° {self.number}"


class ScenarioDirection(models.Model):
    class Direction(models.IntegerChoices):
        WORSENS = -1, "empeora"
        STAYS = 0, "se mantiene"
        IMPROVES = 1, "mejora"

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="directions", verbose_name="escenario"
    )
    group = models.ForeignKey(VariableGroup, on_delete=models.CASCADE, verbose_name="grupo")
    direction = models.SmallIntegerField("comportamiento", choices=Direction.choices)

    class Meta:
        verbose_name = "comportamiento de grupo"
        verbose_name_plural = "comportamientos de grupo"
        constraints = [
            models.UniqueConstraint(fields=["scenario", "group"], name="unique_scenario_group")
        ]

    def __str__(self) -> str:
        return f"{self.scenario} {self.group.code}: {self.direction}"


class RiskOpportunity(models.Model):
    class Kind(models.TextChoices):
        RISK = "risk", "riesgo"
        OPPORTUNITY = "opportunity", "oportunidad"

    kind = models.CharField("tipo", max_length=12, choices=Kind.choices)
    number = models.PositiveSmallIntegerField("número")
    text = models.TextField("texto")
    scenarios = models.ManyToManyField(
        Scenario, related_name="risks_opportunities", verbose_name="escenarios"
    )

    class Meta:
        verbose_name = "riesgo u oportunidad"
        verbose_name_plural = "riesgos y oportunidades"
        ordering = ["kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="unique_risk_opportunity")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().capitalize()} {self.number}"


class StrategicObjective(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name="plan"
    )
    number = models.PositiveSmallIntegerField("número")
    # Unique within its plan: the PESEM's OE1 and a PEI's OEI.01 (or its own OE1) coexist.
    code = models.CharField("código", max_length=20, help_text="Por omisión, OE y el número (OE1).")
    name = models.TextField("objetivo estratégico")
    description = models.TextField("descripción", blank=True)
    # Articulation: a PEI's objective (OEI) feeds one or more of the PESEM's (OES).
    upper_objectives = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="lower_objectives",
        verbose_name="objetivos del plan superior a los que se articula",
    )

    class Meta:
        verbose_name = "objetivo estratégico"
        verbose_name_plural = "objetivos estratégicos"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="unique_objective_number_per_plan",
                violation_error_message="El plan ya tiene un objetivo con ese número.",
            ),
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="unique_objective_code_per_plan",
                violation_error_message="El plan ya tiene un objetivo con ese código.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name[:90]}"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = f"OE{self.number}"
        super().save(*args, **kwargs)


class StrategicAction(models.Model):
    """An action of section V / Cuadro 6; sub-actions (e.g. 3.3.1) point to their parent."""

    IMPORTANCE_CHOICES = [
        (1, "1 – poco importante"),
        (2, "2 – medianamente importante"),
        (3, "3 – importante"),
        (4, "4 – muy importante"),
    ]

    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name="objetivo estratégico",
    )
    # Its objective's plan (set on save), so that codes are unique within a plan.
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="actions", verbose_name="plan", editable=False
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sub_actions",
        verbose_name="acción principal",
    )
    code = models.CharField("código", max_length=12)
    order = models.PositiveSmallIntegerField("orden", default=0)
    name = models.TextField("acción estratégica")
    description = models.TextField("descripción", blank=True)
    importance = models.PositiveSmallIntegerField(
        "importancia", choices=IMPORTANCE_CHOICES, null=True, blank=True
    )
    # Articulation: a PEI's action (AEI) feeds one or more of the PESEM's (AES).
    upper_actions = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="lower_actions",
        verbose_name="acciones del plan superior a las que se articula",
    )
    # In Cuadro 6's order (ActionResponsible.position). `action.responsibles.all()` is NOT in
    # that order by itself: read it through `responsibles_prefetch()` (or
    # `responsibles_in_order()`).
    responsibles = models.ManyToManyField(
        Directorate,
        related_name="actions",
        verbose_name="responsables",
        blank=True,
        through="ActionResponsible",
    )

    class Meta:
        verbose_name = "acción estratégica"
        verbose_name_plural = "acciones estratégicas"
        ordering = ["objective__number", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="unique_action_code_per_plan",
                violation_error_message="El plan ya tiene una acción con ese código.",
            )
        ]

    def __str__(self) -> str:
        return f"AE {self.code} {self.name[:80]}"

    def save(self, *args, **kwargs):
        self.plan_id = self.objective.plan_id
        super().save(*args, **kwargs)

    @property
    def is_sub_action(self) -> bool:
        return self.parent_id is not None

    def responsibles_in_order(self) -> list[Directorate]:
        """The responsible directorates as Cuadro 6 lists them ("DGA-DAO-DGE": DGA first).
        One query; where many actions are read, prefetch with `responsibles_prefetch()`
        and read `action.responsibles.all()` instead."""
        return list(self.responsibles.order_by(*RESPONSIBLE_ORDER))


class ActionResponsible(models.Model):
    """A responsible directorate of an action at its place in Cuadro 6's cell: the order is
    published (the first may lead), so it is kept, not sorted. The table is the one the plain
    many-to-many used (objectives 0003 kept its rows), hence the field name `strategicaction`."""

    strategicaction = models.ForeignKey(
        StrategicAction,
        on_delete=models.CASCADE,
        related_name="responsible_links",
        verbose_name="acción estratégica",
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.CASCADE,
        related_name="action_links",
        verbose_name="dirección u órgano",
    )
    position = models.PositiveSmallIntegerField(
        "posición",
        default=0,
        help_text="Lugar en la celda de responsables del Cuadro 6 (1 = primero).",
    )

    class Meta:
        db_table = "objectives_strategicaction_responsibles"
        verbose_name = "responsable"
        verbose_name_plural = "responsables (en el orden del Cuadro 6)"
        ordering = ["strategicaction", "position", "id"]
        unique_together = [("strategicaction", "directorate")]

    def __str__(self) -> str:
        return f"{self.strategicaction.code}: {self.position}. {self.directorate.code}"


# Directorates of an action in the published order; ties (never from load_plan) by code.
RESPONSIBLE_ORDER = ("action_links__position", "code")


def responsibles_prefetch(lookup: str = "responsibles") -> models.Prefetch:
    """Prefetch of StrategicAction.responsibles in Cuadro 6's order, in the one query a plain
    prefetch_related("responsibles") makes (the ordering reuses the through table's join)."""
    return models.Prefetch(lookup, queryset=Directorate.objects.order_by(*RESPONSIBLE_ORDER))


class NationalObjective(models.Model):
    name = models.TextField("objetivo nacional", unique=True)

    class Meta:
        verbose_name = "objetivo nacional"
        verbose_name_plural = "objetivos nacionales"

    def __str__(self) -> str:
        return self.name[:90]


class NationalSpecificObjective(models.Model):
    national_objective = models.ForeignKey(
        NationalObjective,
        on_delete=models.CASCADE,
        related_name="specific_objectives",
        verbose_name="objetivo nacional",
    )
    name = models.TextField("objetivo nacional específico", unique=True)

    class Meta:
        verbose_name = "objetivo nacional específico"
        verbose_name_plural = "objetivos nacionales específicos"

    def __str__(self) -> str:
        return self.name[:90]


class PipTypology(models.Model):
    number = models.PositiveSmallIntegerField("número", unique=True)
    name = models.CharField("tipología", max_length=255)
    objective = models.TextField("objetivo")
    result_indicator = models.TextField("indicador de resultado")
    components = models.JSONField("componentes de la tipología", default=list)

    class Meta:
        verbose_name = "tipología de proyecto de inversión pública"
        verbose_name_plural = "tipologías de proyectos de inversión pública"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Tipología {self.number:02d}: {self.name}"


class SourceDefect(models.Model):
    """A defect or ambiguity of the published document, recorded instead of silently fixed."""

    location = models.CharField("ubicación en el documento", max_length=120)
    text = models.TextField("observación")
    decision = models.TextField("lo que guarda el sistema", blank=True)

    class Meta:
        verbose_name = "observación del documento fuente"
        verbose_name_plural = "observaciones del documento fuente"
        ordering = ["location", "id"]

    def __str__(self) -> str:
        return f"{self.location}: {self.text[:80]}"


class Role(models.TextChoices):
    """Roles of domain.md; each is a Django group of the same name."""

    REGISTRAR = "registrador", "registrador"
    VALIDATOR = "validador", "validador (oficina de planeamiento)"
    DIRECTOR = "director", "director"
    ADMINISTRATOR = "administrador", "administrador"


class StaffProfile(models.Model):
    """The directorate a user works for; roles are Django groups (see Role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name="usuario",
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="dirección",
    )

    class Meta:
        verbose_name = "dirección del usuario"
        verbose_name_plural = "direcciones de los usuarios"

    def __str__(self) -> str:
        return f"{self.user} ({self.directorate.code})"
