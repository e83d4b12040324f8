"""The yearly monitoring report (reporte de seguimiento) as CEPLAN structures it:

1. Resumen ejecutivo: objectives and indicators by light, coverage, lights that changed;
2. Avance por objetivo estratégico sectorial y acción estratégica sectorial: per objective its
   indicators (baseline, target, value, achievement, light, trajectory, chart, the narrative
   of validated values) and its actions, once each, with every responsible directorate;
3. Conclusiones y recomendaciones: the planning office's validated text (ReportConclusion),
   and who prepared and who approved it (the conclusions' sending and validation);
Anexo. Observaciones de calidad de datos: the indicators' flags, internal notes about the
   source document ("parece copiada de la fila vecina", "se asume ascendente"). The page
   always shows them; the files carry them only when asked for (`annex`).

Three variants of the files (PreparedReport.Variant): internal (the default), internal with
the annex, and public (the portal's: validated figures only, no annex, no preliminary value or
unvalidated action report, narrative only as the portal publishes it (pesem.published.reads), and
offices instead of people in "Elaborado por / Aprobado por").

One read (`monitoring_report`) for the page, the PDF (pesem.report.pdf) and the XLSX
(pesem.report.xlsx), so all three show the same rows and the same figures: every number is
formatted here, once, with its indicator's precision (lib.numbers.format_for).
It reads the stored yearly statuses, so no arithmetic of the plan happens here (that is
indicators.progress); nine queries whatever the plan's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.safestring import SafeString

from indicators import deadlines, progress, selectors
from indicators.models import (
    ActionReport,
    IndicatorValue,
    IndicatorYearStatus,
    ReportConclusion,
    WorkflowState,
)
from lib import charts as chart_scale
from lib import numbers
from objectives import plans
from objectives.models import (
    Directorate,
    Plan,
    PlanVersion,
    StrategicAction,
    StrategicObjective,
    responsibles_prefetch,
)
from pesem.published.reads import narrative as published_narrative
from pesem.report import charts as report_charts

DEFAULT_MINISTRY = "Ministerio de Relaciones Exteriores"
SECTION_TITLES = (
    "1. Resumen ejecutivo",
    "2. Avance por objetivo estratégico sectorial y acción estratégica sectorial",
    "3. Conclusiones y recomendaciones",
)
# A PEI's report names its objectives and actions as CEPLAN does: institucionales.
INSTITUTIONAL_SECTION_TITLES = (
    SECTION_TITLES[0],
    "2. Avance por objetivo estratégico institucional y acción estratégica institucional",
    SECTION_TITLES[2],
)
ANNEX_TITLE = "Anexo. Observaciones de calidad de datos"
ANNEX_NOTE = (
    "Notas internas de la oficina de planeamiento sobre el documento fuente y la calidad de "
    "los datos (por ejemplo, metas que parecen copiadas de una fila vecina o sentidos no "
    "publicados que se asumen). No forman parte del reporte enviado salvo que se pida este "
    "anexo."
)
PREPARED_LABEL = "Elaborado por"
APPROVED_LABEL = "Aprobado por"
PENDING_SIGNOFF = "pendiente"
# Who wrote or approved the public report, when their directorate is not recorded.
PLANNING_OFFICE = "Oficina de planeamiento"
NO_CUTOFF = "sin datos validados"
# How the PDF and the XLSX colour a light's cell, under its word (so greyscale still reads):
# light tints of the site's colours, dark text stays legible on each.
LIGHT_FILLS = {"green": "#a9d8b4", "yellow": "#ffe08a", "red": "#f2a9a3", "grey": "#d9dce1"}
INTERPOLATED = "interpolada"
OFFICIAL = "oficial"
OBJECTIVE_RULE = (
    "El semáforo de un objetivo es el de su indicador más rezagado (rojo si alguno está en "
    "rojo, luego amarillo, luego verde); gris si ninguno tiene valor validado y meta."
)
GREY_NOTE = "gris: sin valor validado o sin meta para el año"
CONCLUSION_PENDING = (
    "La oficina de planeamiento aún no ha validado las conclusiones y recomendaciones de este año."
)


def ministry_name() -> str:
    return getattr(settings, "PESEM_MINISTRY_NAME", "") or DEFAULT_MINISTRY


def local_date(moment: datetime | None, *, with_time: bool = False) -> str:
    """dd/mm/aaaa (and hh:mm) in Lima's time zone."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


LIGHT_LABELS = progress.LIGHT_LABELS


def light_label(light: progress.Light | str | None) -> str:
    return LIGHT_LABELS[progress.Light(light)] if light else progress.NO_VALUE


def _counts(lights: list[str]) -> dict[progress.Light, int]:
    return progress.light_counts(progress.Light(light) for light in lights)


def _counts_sentence(counts: dict[progress.Light, int]) -> str:
    parts = [f"{counts[light]} en {progress.LIGHT_LABELS[light]}" for light in progress.Light]
    return ", ".join(parts[:-1]) + " y " + parts[-1]


# --- rows ---------------------------------------------------------------------------------


@dataclass
class ReportRow:
    """An indicator in the year, with everything the three formats show, already worded."""

    status: IndicatorYearStatus
    baseline: progress.Point | None
    places: int
    value: IndicatorValue | None  # the year's value, whatever its state
    series: list[progress.Point]  # validated values up to the year
    targets: list[report_charts.ChartTarget]  # every year's target in force at the deadline
    previous_light: str | None  # None without a stored status for the year before
    years: range  # the plan's years (the chart's axis)
    public: bool = False  # the portal's report: no preliminary value
    published_analysis: bool = True  # narrative fields shown (pesem.published.reads.narrative)
    published_measures: bool = True

    @property
    def indicator(self):
        return self.status.indicator

    @property
    def light(self) -> progress.Light:
        return progress.Light(self.status.light)

    @property
    def light_label(self) -> str:
        return light_label(self.status.light)

    def show(self, value: Decimal | None) -> str:
        """A number of this indicator, with its precision, in Peruvian format."""
        return numbers.format_for(self.indicator, value)

    @property
    def baseline_text(self) -> str:
        if self.baseline is None:
            return progress.NO_VALUE
        year = selectors.baseline_year_text(self.indicator.targets.all())  # "2014, año inferido"
        return f"{self.show(self.baseline.value)} ({year})"

    @property
    def target_kind(self) -> str:
        if self.status.target is None:
            return progress.NO_TARGET
        return INTERPOLATED if self.status.target_interpolated else OFFICIAL

    @property
    def target_text(self) -> str:
        if self.status.target is None:
            return progress.NO_TARGET
        shown = self.show(self.status.target)
        return f"{shown} ({INTERPOLATED})" if self.status.target_interpolated else shown

    @property
    def has_value(self) -> bool:
        return self.status.value is not None

    @property
    def value_text(self) -> str:
        return self.show(self.status.value)

    @property
    def preliminary_text(self) -> str:
        if self.public or self.status.preliminary is None:
            return ""
        return self.show(self.status.preliminary)

    @property
    def achievement_text(self) -> str:
        if self.status.achievement is None:
            return self.status.achievement_note
        return f"{numbers.format_number(self.status.achievement, 1)} %"

    @property
    def trajectory_label(self) -> str:
        """The stored trajectory in words. "Meta final ya alcanzada" is said only of an
        indicator with a validated value in the year: the stored status may judge it from an
        older value (the document's 2012 figure), which the report's row does not show."""
        trajectory = progress.TrajectoryStatus(self.status.trajectory)
        if trajectory == progress.TrajectoryStatus.ACHIEVED and not self.has_value:
            return f"sin dato validado en {self.status.year}"
        return progress.TRAJECTORY_LABELS[trajectory]

    @property
    def validated_value(self) -> IndicatorValue | None:
        """The year's value when validated: only then is its narrative published."""
        if self.value is not None and self.value.state == WorkflowState.VALIDATED:
            return self.value
        return None

    @property
    def analysis(self) -> str:
        if not self.published_analysis or self.validated_value is None:
            return ""
        return self.validated_value.analysis.strip()

    @property
    def measures(self) -> str:
        if not self.published_measures or self.validated_value is None:
            return ""
        return self.validated_value.measures.strip()

    def _chart(self, *, placed: bool) -> SafeString:
        return report_charts.indicator_svg(
            code=self.indicator.code,
            unit=self.indicator.unit,
            years=self.years,
            series=[(p.year, p.value) for p in self.series],
            targets=self.targets,
            baseline=(self.baseline.year, self.baseline.value) if self.baseline else None,
            placed=placed,
            off_scale=self.off_scale_years,
        )

    @cached_property
    def off_scale_years(self) -> list[int]:
        """Years of the chart's values that would flatten the rest: the page's rule
        (lib.charts.off_scale_years with the flags' jump factor, as IndicatorFacts applies it)."""
        return chart_scale.off_scale_years(
            {p.year: p.value for p in self.series}, Decimal(str(settings.PESEM_JUMP_FACTOR))
        )

    @cached_property
    def chart(self) -> SafeString:
        return self._chart(placed=False)

    @cached_property
    def chart_pdf(self) -> SafeString:
        """The chart with its axis labels placed for DejaVu Sans (pesem.report.charts)."""
        return self._chart(placed=True)


@dataclass(frozen=True)
class ResponsibleProgress:
    """A responsible directorate of an action and its report of the year, if any."""

    directorate: Directorate
    report: ActionReport | None
    public: bool = False  # the portal's report: validated reports only
    published_description: bool = True

    @property
    def validated(self) -> bool:
        return self.report is not None and self.report.state == WorkflowState.VALIDATED

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else "sin reporte"

    @property
    def progress_text(self) -> str:
        """'en ejecución, 60 %'; a submitted report is marked preliminary, a draft is not
        shown (it is the directorate's work in progress)."""
        report = self.report
        if report is None:
            return "sin reporte"
        if self.public and not self.validated:
            return "sin reporte validado"
        if report.state == WorkflowState.DRAFT:
            return "sin reporte enviado"
        shown = f"{report.get_execution_display()}, {numbers.format_number(report.percent, 0)} %"
        return shown if self.validated else f"{shown} (preliminar, por validar)"

    @property
    def text(self) -> str:
        return f"{self.directorate.code}: {self.progress_text}"

    @property
    def description(self) -> str:
        if not self.published_description or not self.validated or self.report is None:
            return ""
        return self.report.description.strip()


@dataclass
class ActionLine:
    """A strategic action, once, with its responsible directorates in Cuadro 6's order."""

    action: StrategicAction
    responsibles: list[ResponsibleProgress]

    @property
    def code(self) -> str:
        return self.action.code

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def importance(self) -> int | None:
        return self.action.importance

    @property
    def responsible_codes(self) -> str:
        return ", ".join(r.directorate.code for r in self.responsibles)

    @property
    def progress_text(self) -> str:
        return "; ".join(r.text for r in self.responsibles) or "sin dirección responsable"

    @property
    def validated_count(self) -> int:
        return sum(1 for r in self.responsibles if r.validated)

    @property
    def validated_progress(self) -> Decimal | None:
        """Mean progress (percent) of the validated reports; None without any."""
        return progress.mean(
            [r.report.percent for r in self.responsibles if r.validated and r.report]
        )


@dataclass(frozen=True)
class ActionResponsibleRow:
    """One action and one of its responsible directorates (MonitoringReport.actions)."""

    objective: int
    code: str
    name: str
    importance: int | None
    directorate: str
    report: ActionReport | None


@dataclass
class ReportObjective:
    objective: StrategicObjective
    rows: list[ReportRow]
    actions: list[ActionLine]

    @property
    def code(self) -> str:
        return self.objective.code

    @property
    def counts(self) -> dict[progress.Light, int]:
        return _counts([r.status.light for r in self.rows])

    @property
    def light(self) -> progress.Light:
        return progress.objective_light([r.status.light for r in self.rows])

    @property
    def previous_light(self) -> progress.Light | None:
        previous = [r.previous_light for r in self.rows]
        if any(light is None for light in previous):
            return None
        return progress.objective_light([light for light in previous if light is not None])

    @property
    def with_value(self) -> int:
        return sum(1 for r in self.rows if r.has_value)

    @property
    def light_label(self) -> str:
        return light_label(self.light)

    @property
    def previous_light_label(self) -> str:
        return light_label(self.previous_light)

    @property
    def count_list(self) -> list[tuple[str, str, int]]:
        """(light, its label, how many of the objective's indicators), green first."""
        counts = self.counts
        return [(light.value, LIGHT_LABELS[light], counts[light]) for light in progress.Light]


@dataclass(frozen=True)
class LightChange:
    code: str
    name: str
    before: progress.Light
    after: progress.Light
    is_objective: bool

    @property
    def before_label(self) -> str:
        return light_label(self.before)

    @property
    def after_label(self) -> str:
        return light_label(self.after)


@dataclass(frozen=True)
class SignOff:
    """A line of the block "Elaborado por / Aprobado por": who (a person, or on the public
    report their office) and when, or "pendiente"."""

    label: str
    who: str
    when: str

    @property
    def pending(self) -> bool:
        return not self.who

    @property
    def text(self) -> str:
        if self.pending:
            return PENDING_SIGNOFF
        return f"{self.who}, {self.when}" if self.when else self.who


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def office_name(user) -> str:
    """The user's directorate ("Oficina General de Planeamiento (OPP)"), never the person."""
    try:
        directorate = user.profile.directorate
    except ObjectDoesNotExist:
        return PLANNING_OFFICE
    if directorate.name:
        return f"{directorate.name} ({directorate.code})"
    return directorate.code


@dataclass(frozen=True)
class SemesterLine:
    """A semestral plan's indicator in the year's report: its validated semesters, each read
    against the target of the year with the year's value so far (progress.semester_achievement),
    and how that is read for its aggregation."""

    code: str
    name: str
    s1: str
    s2: str
    year_value: str
    target: str
    progress_s1: str
    progress_s2: str
    reading: str


def _percent_text(found: progress.Achievement) -> str:
    if found.percent is None:
        return found.note or "sin dato"
    return f"{numbers.format_number(found.percent, 1)} %"


def semester_lines(rows: list[ReportRow], year: int) -> list[SemesterLine]:
    """Every indicator's semesters of the year (one query): validated values only."""
    found = selectors.validated_semesters([r.indicator.pk for r in rows], year)
    lines = []
    for row in rows:
        indicator = row.indicator
        values = found.get(indicator.pk, [None, None])
        target = row.status.target
        aggregation = progress.Aggregation(indicator.aggregation)

        progress_by_half = [
            _percent_text(
                progress.semester_achievement(
                    values, half, aggregation, target, indicator.direction
                )
            )
            for half in (1, 2)
        ]
        yearly = progress.yearly_value(values, aggregation)
        lines.append(
            SemesterLine(
                code=indicator.code,
                name=indicator.name,
                s1=row.show(values[0]) if values[0] is not None else "sin dato",
                s2=row.show(values[1]) if values[1] is not None else "sin dato",
                year_value=row.show(yearly) if yearly is not None else "sin dato",
                target=row.show(target) if target is not None else "sin meta",
                progress_s1=progress_by_half[0],
                progress_s2=progress_by_half[1],
                reading=progress.SEMESTER_READING[aggregation],
            )
        )
    return lines


SEMESTER_TITLE = "Avance por semestre"
SEMESTER_NOTE = (
    "El plan se sigue por semestre y sus metas son anuales: el avance de cada semestre se lee "
    "contra la meta de su año, con el valor del año hasta ese semestre según el tipo de "
    "agregación de cada indicador (último valor, suma o promedio). Solo cuentan semestres "
    "validados."
)


@dataclass
class MonitoringReport:
    year: int
    plan: Plan | None
    ministry: str
    objectives: list[ReportObjective]
    conclusion: ReportConclusion | None
    cutoff: datetime | None
    has_validated: bool  # any validated value in the year
    annex: bool = False  # the files carry the annex of data-quality notes
    public: bool = False  # the portal's report (offices instead of people)
    # The plan's version in force when the year is read: its name is the report's.
    version: PlanVersion | None = None
    # A semestral plan's indicators by semester (empty for a yearly plan: the PESEM).
    semesters: list[SemesterLine] = field(default_factory=list)
    semester_title = SEMESTER_TITLE
    semester_note = SEMESTER_NOTE

    annex_title = ANNEX_TITLE
    annex_note = ANNEX_NOTE
    objective_rule = OBJECTIVE_RULE
    grey_note = GREY_NOTE
    conclusion_pending = CONCLUSION_PENDING

    @property
    def institutional(self) -> bool:
        """A PEI's report: objectives and actions are institucionales, not sectoriales."""
        return self.plan is not None and self.plan.plan_type == Plan.PlanType.PEI

    @property
    def section_titles(self) -> tuple[str, ...]:
        return INSTITUTIONAL_SECTION_TITLES if self.institutional else SECTION_TITLES

    @property
    def scope_word(self) -> str:
        """«sectoriales» for the PESEM's objectives and actions, «institucionales» for a PEI's."""
        return "institucionales" if self.institutional else "sectoriales"

    @property
    def plan_name(self) -> str:
        """The plan's name as the version in force when the year was read has it: a version
        approved later that renames the plan leaves a past year's report as it was."""
        if self.version is not None and self.version.name:
            return self.version.name
        return self.plan.name if self.plan else ""

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def rows(self) -> list[ReportRow]:
        return [r for o in self.objectives for r in o.rows]

    # 1. Resumen ejecutivo

    @property
    def counts(self) -> dict[progress.Light, int]:
        """Indicators by light."""
        return _counts([r.status.light for r in self.rows])

    @property
    def light_headers(self) -> list[str]:
        return [LIGHT_LABELS[light].capitalize() for light in progress.Light]

    @property
    def objective_counts(self) -> dict[progress.Light, int]:
        return progress.light_counts(o.light for o in self.objectives)

    @property
    def objective_sentence(self) -> str:
        return (
            f"En {self.year}, de los {len(self.objectives)} objetivos estratégicos "
            f"{self.scope_word}: {_counts_sentence(self.objective_counts)}."
        )

    @property
    def indicator_sentence(self) -> str:
        return (
            f"De sus {len(self.rows)} indicadores: {_counts_sentence(self.counts)} ({GREY_NOTE})."
        )

    @property
    def with_value(self) -> int:
        return sum(1 for r in self.rows if r.has_value)

    @property
    def coverage_text(self) -> str:
        return f"{self.with_value} de {len(self.rows)} indicadores con dato validado en {self.year}"

    @property
    def has_previous(self) -> bool:
        return bool(self.rows) and all(r.previous_light is not None for r in self.rows)

    @property
    def changes(self) -> list[LightChange]:
        """Lights that changed since the year before: objectives first, then indicators."""
        found = []
        for o in self.objectives:
            before = o.previous_light
            if before is not None and before != o.light:
                found.append(LightChange(o.code, o.objective.name, before, o.light, True))
        for r in self.rows:
            if r.previous_light is not None and r.previous_light != r.status.light:
                found.append(
                    LightChange(
                        r.indicator.code,
                        r.indicator.name,
                        progress.Light(r.previous_light),
                        r.light,
                        False,
                    )
                )
        return found

    @property
    def cutoff_text(self) -> str:
        if not self.has_validated:
            return NO_CUTOFF
        return local_date(self.cutoff) or "sin fecha de validación registrada"

    # 2. actions, one row per action and responsible directorate, in Cuadro 6's order

    @property
    def actions(self) -> list[ActionResponsibleRow]:
        return [
            ActionResponsibleRow(
                objective=o.objective.number,
                code=line.code,
                name=line.name,
                importance=line.importance,
                directorate=r.directorate.code,
                report=r.report,
            )
            for o in self.objectives
            for line in o.actions
            for r in line.responsibles
        ]

    # 3. Observaciones de calidad de datos

    @property
    def flags(self) -> list[tuple[str, str]]:
        return [(r.indicator.code, f) for r in self.rows for f in r.status.flags]

    # 4. Conclusiones y recomendaciones

    @property
    def validated_conclusion(self) -> ReportConclusion | None:
        """The only text the report's files carry."""
        c = self.conclusion
        return c if c is not None and c.state == WorkflowState.VALIDATED else None

    @property
    def signoffs(self) -> list[SignOff]:
        """Elaborado por: who sent the conclusions (submitted or validated); aprobado por:
        who validated them. Each "pendiente" until that step is done; on the public report
        the person's office stands for the person."""
        c = self.conclusion
        sent = c is not None and c.state in (WorkflowState.SUBMITTED, WorkflowState.VALIDATED)
        approved = c is not None and c.state == WorkflowState.VALIDATED
        name = office_name if self.public else person_name

        def line(label: str, done: bool, user, moment) -> SignOff:
            if not done or user is None:
                return SignOff(label, "", "")
            return SignOff(label, name(user), local_date(moment))

        return [
            line(PREPARED_LABEL, sent, c and c.submitted_by, c and c.submitted_at),
            line(APPROVED_LABEL, approved, c and c.validated_by, c and c.validated_at),
        ]


def _chart_targets(
    stored: dict[int, tuple[Decimal | None, Decimal | None, bool, str]],
    in_force: selectors.IndicatorFacts | None,
) -> list[report_charts.ChartTarget]:
    """The target of every year the chart draws: as stored (each year's own), or, when a
    revision approved after the report's year changed some, as approved at its deadline."""
    if in_force is None:
        return [
            report_charts.ChartTarget(y, target, interpolated)
            for y, (_, target, interpolated, _) in sorted(stored.items())
            if target is not None
        ]
    targets = []
    for y in sorted(stored):
        target = in_force.target_for(y)
        if target is not None:
            value = target.value.quantize(progress.STORED_QUANTUM)  # as a status stores it
            targets.append(report_charts.ChartTarget(y, value, target.interpolated))
    return targets


def monitoring_report(*, year: int, annex: bool = False, public: bool = False) -> MonitoringReport:
    """The report of `year`. Twelve queries whatever the plan's size: when the year is read
    (the plan's approved versions, the year's deadline), the year's statuses with their
    indicators, their baselines and targets, their approved target revisions, their values,
    the version in force then, every year's stored
    statuses (charts, the year before), objectives with the plan, the year's action reports,
    actions and their responsibles, the conclusions with who sent and validated them (and
    their directorates); the public report reads what the portal publishes too.

    `annex`: the files carry the data-quality notes (never with `public`). `public`: the
    portal's report (see the module's docstring)."""
    # What the portal publishes is decided by its read layer (pesem.published.reads), here as there.
    published = published_narrative() if public else None
    statuses = list(
        IndicatorYearStatus.objects.filter(
            year=year, indicator__plan=plans.shown_plan(), indicator__objective__isnull=False
        )
        .select_related("indicator")
        .prefetch_related(
            "indicator__targets", selectors.approved_revisions_prefetch("indicator__")
        )
    )
    # The year's report prints the targets in force at the year's deadline, as its stored
    # statuses do (indicators.workflow.status); later revisions leave it as it was.
    closes = deadlines.read_at([year])[year]
    # The published order of every list (objective, variable, national; natural codes).
    statuses.sort(key=lambda s: selectors.list_order(s.indicator))
    # The same indicators as `statuses`, selected the same way (no list of ids in the SQL).
    values: dict[int, list[IndicatorValue]] = {}
    for v in IndicatorValue.objects.filter(
        indicator__plan=plans.shown_plan(), indicator__objective__isnull=False
    ).only(
        "indicator_id",
        "year",
        "value",
        "state",
        "published_text",
        "analysis",
        "measures",
        "validated_at",
    ):
        values.setdefault(v.indicator_id, []).append(v)
    every_year: dict[int, dict[int, tuple[Decimal | None, Decimal | None, bool, str]]] = {}
    for indicator_id, stored_year, *stored in (
        IndicatorYearStatus.objects.filter(
            indicator__plan=plans.shown_plan(), indicator__objective__isnull=False
        )
        .order_by("year")
        .values_list("indicator_id", "year", "value", "target", "target_interpolated", "light")
    ):
        every_year.setdefault(indicator_id, {})[stored_year] = tuple(stored)
    # The plan comes with the objectives (one query for both); a plan without objectives is
    # read on its own.
    objective_list = list(
        StrategicObjective.objects.filter(plan=plans.shown_plan()).select_related("plan__entity")
    )
    plan = (
        objective_list[0].plan
        if objective_list
        else Plan.objects.filter(code=plans.shown_code()).first()
    )
    # The horizon of the version in force then: an ampliación approved later leaves a past
    # year's report (its years, its charts) as it was.
    version = plans.version_at(plan, closes) if plan else None
    if version is not None:
        years = range(version.horizon_start, version.horizon_end + 1)
    else:
        years = plan.years if plan else range(year, year + 1)
    by_objective: dict[int, list[ReportRow]] = {}
    validated_at: list[datetime] = []
    has_validated = False
    for s in statuses:
        targets = list(s.indicator.targets.all())
        own_values = values.get(s.indicator_id, [])
        stored = every_year.get(s.indicator_id, {})
        year_value = next((v for v in own_values if v.year == year), None)
        if year_value is not None and year_value.state == WorkflowState.VALIDATED:
            has_validated = True
            if year_value.validated_at is not None:
                validated_at.append(year_value.validated_at)
        previous = stored.get(year - 1)
        row = ReportRow(
            status=s,
            baseline=selectors.baseline_point(targets),
            places=max(numbers.display_places(s.indicator, v) for v in (s.value, s.preliminary)),
            value=year_value,
            series=[
                progress.Point(y, value)
                for y, (value, _, _, _) in sorted(stored.items())
                if value is not None and y <= year
            ],
            targets=_chart_targets(
                {y: t for y, t in stored.items() if y < years.stop},
                selectors.targets_as_approved_at(s.indicator, closes),
            ),
            previous_light=previous[3] if previous else None,
            years=years,
            public=public,
            published_analysis=published is None or published.analysis,
            published_measures=published is None or published.measures,
        )
        by_objective.setdefault(s.indicator.objective_id, []).append(row)
    reports = {
        (r.action_id, r.directorate_id): r
        for r in ActionReport.objects.filter(year=year, action__plan=plans.shown_plan())
    }
    actions: dict[int, list[ActionLine]] = {}
    for action in (
        StrategicAction.objects.filter(plan=plans.shown_plan(), parent=None)
        .prefetch_related(responsibles_prefetch())
        .order_by("objective__number", "order")
    ):
        actions.setdefault(action.objective_id, []).append(
            ActionLine(
                action,
                [
                    ResponsibleProgress(
                        d,
                        reports.get((action.pk, d.pk)),
                        public=public,
                        published_description=(published is None or published.report_description),
                    )
                    for d in action.responsibles.all()
                ],
            )
        )
    objectives = [
        ReportObjective(o, by_objective.get(o.pk, []), actions.get(o.pk, []))
        for o in objective_list
    ]
    semesters = (
        semester_lines([r for o in objectives for r in o.rows], year)
        if plan is not None and plan.frequency == Plan.Frequency.SEMESTER
        else []
    )
    return MonitoringReport(
        year=year,
        plan=plan,
        # A PEI's report is its entity's; the PESEM's, the ministry's (as configured).
        ministry=(
            plan.entity.name
            if plan is not None and plan.plan_type == Plan.PlanType.PEI
            else ministry_name()
        ),
        objectives=objectives,
        conclusion=ReportConclusion.objects.select_related(
            "submitted_by__profile__directorate", "validated_by__profile__directorate"
        )
        .filter(plan=plans.shown_plan(), year=year)
        .first(),
        cutoff=max(validated_at, default=None),
        has_validated=has_validated,
        annex=annex and not public,
        public=public,
        version=version,
        semesters=semesters,
    )
