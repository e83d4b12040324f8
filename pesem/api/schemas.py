"""What the read API (pesem/api/routes.py) answers, field by field: the OpenAPI schema at
/api/v1/openapi.json is generated from these classes.

Rows arrive already decided by pesem/api/selectors.py (which states a caller sees, which
narrative fields are public): these classes only name and type the fields, and write
decimals as text.

Decimals (values, numerators, targets, achievement percents) are JSON **strings** in plain
notation, with the stored precision and no trailing zeros: "0.69", "1800", "103.896104". A
JSON number would pass through binary floating point in most clients and could change the
published figure; a string keeps it exact. Missing data ("sin dato") is null, never "0".
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import PlainSerializer, StringConstraints, WithJsonSchema

from indicators import progress
from indicators.models import ActionReport, Indicator, Target

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
# Codes of the plan (OE1.1, V5.2, NAC.2, 3.3.1, DGC): letters, digits, dot, dash, underscore.
CODE_PATTERN = r"^[A-Za-z0-9._-]{1,20}$"


def plain_decimal(value: Decimal) -> str:
    """0.690000 -> "0.69", 1800.000000 -> "1800": the value as stored, without exponent."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


DecimalText = Annotated[
    Decimal,
    PlainSerializer(plain_decimal, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DECIMAL_PATTERN,
            "description": "Número decimal exacto escrito como texto (punto decimal).",
            "examples": ["0.69", "1800"],
        }
    ),
]

# "action": an action's indicator (a PEI's AEI; Indicator.Level).
Level = Literal["objective", "action", "variable", "national"]
Light = Literal["green", "yellow", "red", "grey"]
TrajectoryStatus = Literal["achieved", "on_track", "off_track", "unknown"]
# "returned" is a draft the planning office sent back with a reason (return_reason).
State = Literal["draft", "returned", "submitted", "validated"]

# --- Spanish labels of the codes -----------------------------------------------------------
# Each code field keeps its code (filters use it) and gets a `<field>_label` beside it, the
# same words the CSVs and pages use (progress.LIGHT_LABELS, the models' choices).

LEVEL_LABELS = {str(k): str(v) for k, v in Indicator.Level.choices}
DIRECTION_LABELS = {str(k): str(v) for k, v in Indicator.Direction.choices}
KIND_LABELS = {str(k): str(v) for k, v in Target.Kind.choices}
EXECUTION_LABELS = {str(k): str(v) for k, v in ActionReport.Progress.choices}
LIGHT_LABELS = {str(k): v for k, v in progress.LIGHT_LABELS.items()}
TRAJECTORY_LABELS = {str(k): v for k, v in progress.TRAJECTORY_LABELS.items()}
STATE_LABELS = {
    "draft": "borrador",
    "returned": "devuelto",
    "submitted": "enviado",
    "validated": "validado",
}


def _label(labels: dict[str, str], description: str) -> Any:
    """A `<field>_label` field: one of the labels, documented with each code's word."""
    pairs = "; ".join(f"«{code}»: {label}" for code, label in labels.items())
    return Field(..., description=f"{description} en palabras ({pairs}).")


def _labelled(labels: dict[str, str], code: object) -> str:
    return labels[str(code)]


# --- parameters ---------------------------------------------------------------------------

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=20)]
# Plan codes (PESEM-RREE, PEI-APCI): as CODE_PATTERN, longer.
PlanCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,40}$", max_length=40)]
ObjectiveNumber = Annotated[int, Field(ge=1, le=32767, description="Número del objetivo.")]
# Years the plan and its history can hold; anything else is refused before any query.
Year = Annotated[int, Field(ge=1900, le=2200, description="Año (AAAA).")]


class PageParams(Schema):
    limit: int = Field(100, ge=1, le=500, description="Filas por página (máximo 500).")
    offset: int = Field(0, ge=0, le=1_000_000, description="Filas que se saltan.")


class ActionFilters(Schema):
    objective: ObjectiveNumber | None = None
    directorate: Code | None = Field(None, description="Sigla de una dirección responsable.")


class IndicatorFilters(Schema):
    objective: ObjectiveNumber | None = None
    directorate: Code | None = Field(None, description="Sigla de la dirección responsable.")
    level: Level | None = None


class TargetFilters(IndicatorFilters):
    indicator: Code | None = Field(None, description="Código o alias del indicador.")
    year: Year | None = None
    kind: Literal["baseline", "target"] | None = None


class ValueFilters(IndicatorFilters):
    indicator: Code | None = Field(None, description="Código o alias del indicador.")
    year: Year | None = None
    state: State | None = Field(None, description="Estado; el público solo ve «validated».")


class StatusFilters(IndicatorFilters):
    indicator: Code | None = Field(None, description="Código o alias del indicador.")
    year: Year | None = Field(
        None, description="Año del plan; por omisión, el último con valores validados."
    )
    light: Light | None = Field(None, description="Semáforo.")


class ActionReportFilters(Schema):
    action: Code | None = Field(None, description="Código de la acción.")
    year: Year | None = None
    objective: ObjectiveNumber | None = None
    directorate: Code | None = Field(None, description="Sigla de la dirección que reporta.")
    state: State | None = None


# --- errors -------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(..., description="Motivo, en castellano.")


class ParamProblem(Schema):
    param: str = Field(..., description="Parámetro de la consulta o de la ruta.")
    problem: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[ParamProblem]


# --- pages --------------------------------------------------------------------------------


class PageBase(Schema):
    count: int = Field(..., description="Filas que cumplen los filtros, en todas las páginas.")
    next: str | None = Field(None, description="Dirección de la página siguiente, o null.")
    previous: str | None = Field(None, description="Dirección de la página anterior, o null.")


# --- plan and structure -------------------------------------------------------------------


class Period(Schema):
    start: int
    end: int


class PlanOut(Schema):
    name: str
    short_name: str
    sector: str
    period: Period
    vision: str
    desired_scenario: str = Field(..., description="Escenario apuesta.")


class EntityOut(Schema):
    code: str = Field(..., description="Código de la entidad (RREE).")
    name: str
    kind: Literal["sector", "pliego"] = Field(..., description="Sector o pliego.")
    sector: str | None = Field(
        ..., description="Código del sector de un pliego; null para un sector."
    )


class PlanSummaryOut(Schema):
    code: str = Field(..., description="Código del plan (PESEM-RREE).")
    type: Literal["PESEM", "PEI"] = Field(..., description="Tipo de plan.")
    name: str = Field(..., description="Nombre del plan en su versión vigente, o la última.")
    entity: EntityOut
    frequency: Literal["anual", "semestral"] = Field(..., description="Frecuencia de seguimiento.")


class PlanPage(PageBase):
    items: list[PlanSummaryOut]


class ResolutionOut(Schema):
    type: str = Field(..., description="Tipo (por ejemplo, «Resolución Ministerial»).")
    number: str
    date: date | None
    issuer: str = Field(..., description="Quién la emite; vacío si no se conoce.")
    ceplan_oficio: str = Field(..., description="Oficio de validación de CEPLAN, o vacío.")


class PlanVersionOut(Schema):
    id: int = Field(..., description="Identificador de la versión (parámetro `version`).")
    kind: Literal["nuevo", "actualizado", "ampliado", "modificado"]
    state: Literal["borrador", "vigente", "finalizado", "reemplazado"]
    name: str = Field(..., description="Nombre del plan en esta versión.")
    horizon_start: int
    horizon_end: int
    current: bool = Field(
        ..., description="Versión que muestran las páginas: la vigente, o si no la última."
    )
    resolution_known: bool = Field(
        ..., description="Falso si el documento no cita la resolución que aprueba la versión."
    )
    resolution: ResolutionOut | None = Field(
        ..., description="Resolución de aprobación; null si no se conoce o no se registró."
    )


class PlanDetailOut(PlanSummaryOut):
    versions: list[PlanVersionOut] = Field(..., description="Versiones, de la más antigua.")


class PlanTargetOut(Schema):
    period: str = Field(..., description="Año de la meta («2023»).")
    value: DecimalText


class TargetRevisionOut(Schema):
    period: str = Field(..., description="Año de la meta («2023»).")
    value: DecimalText
    previous_value: DecimalText | None = Field(
        ..., description="Meta con la que se calculaba antes de la revisión; null si no había."
    )
    reason: Literal["original", "ampliacion", "actualizacion", "modificacion", "correccion"]
    source: str = Field(
        ..., description="Tabla del documento para una meta original; vacío para una revisión."
    )
    resolution: ResolutionOut | None = Field(
        ..., description="Resolución que aprueba la revisión; null si no se conoce o no aplica."
    )
    approved_at: datetime | None = Field(..., description="Cuándo se aprobó; null: original.")


class PlanIndicatorOut(Schema):
    code: str
    name: str
    aggregation: Literal["ultimo", "suma", "promedio"] = Field(
        ..., description="Cómo se forma el valor del año a partir de los semestres."
    )
    targets: list[PlanTargetOut] = Field(
        ..., description="Meta de cada año en la versión pedida (la vigente si no se pide)."
    )
    revisions: list[TargetRevisionOut] = Field(
        ..., description="Las metas originales publicadas y las revisiones aprobadas."
    )


class PlanIndicatorPage(PageBase):
    items: list[PlanIndicatorOut]


class ArticulationOut(Schema):
    element_type: Literal["objetivo", "accion"] = Field(
        ..., description="Objetivo (OEI a OES) o acción (AEI a AES)."
    )
    plan: str = Field(..., description="Código del plan del elemento (un PEI).")
    element: str = Field(..., description="Código del elemento (OEI.01, AEI.01.01).")
    upper_plan: str = Field(..., description="Código del plan superior (el PESEM).")
    upper_element: str = Field(..., description="Código del elemento superior (OE4, 4.1).")


class ArticulationPage(PageBase):
    items: list[ArticulationOut]


class PlanIndicatorParams(Schema):
    version: int | None = Field(
        None, ge=1, description="Identificador de una versión del plan (`id` en /plans/{code})."
    )


Period = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}(-S[12])?$", max_length=7),
    Field(description="Periodo: un año («2023») o un semestre («2023-S1»)."),
]


class PlanPeriodParams(Schema):
    period: Period | None = Field(
        None,
        description="Año («2023») o semestre («2023-S1», solo en un plan semestral). Por "
        "omisión: en /values, todos; en /statuses, el último año con valores validados.",
    )


class DirectorateOut(Schema):
    code: str
    name: str = Field(..., description="Vacío cuando el documento no publica el nombre.")
    planning_office: bool


class DirectoratePage(PageBase):
    items: list[DirectorateOut]


class ActionOut(Schema):
    code: str
    name: str
    description: str
    objective: int = Field(..., description="Número del objetivo estratégico.")
    parent: str | None = Field(None, description="Acción principal de una subacción.")
    importance: int | None = Field(None, description="1 a 4 (Cuadro 6).")
    responsibles: list[str] = Field(..., description="Siglas de las direcciones responsables.")
    sub_actions: list[str]


class ActionPage(PageBase):
    items: list[ActionOut]


class ObjectiveOut(Schema):
    number: int
    code: str
    name: str
    description: str
    indicators: list[str] = Field(..., description="Códigos de sus indicadores.")
    actions: list[str] = Field(..., description="Códigos de sus acciones (sin subacciones).")


class ObjectivePage(PageBase):
    items: list[ObjectiveOut]


class ObjectiveDetailOut(ObjectiveOut):
    action_details: list[ActionOut] = Field(..., description="Acciones y subacciones.")


# --- indicators ---------------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    aliases: list[str] = Field(..., description="Otros códigos del mismo indicador (V5.2).")
    name: str
    level: Level
    level_label: str = _label(LEVEL_LABELS, "Nivel")
    objective: int | None = None
    variable: str | None = None
    articulated_objectives: list[int]
    responsible: str | None = Field(None, description="Dirección responsable del registro.")
    responsible_published: bool
    direction: Literal["ascending", "descending"]
    direction_label: str = _label(DIRECTION_LABELS, "Sentido esperado")
    direction_published: bool
    unit: str
    scale: DecimalText
    definition: str
    numerator: str
    denominator: str
    data_source: str
    status_note: str
    current_value: DecimalText | None = None

    @staticmethod
    def resolve_level_label(obj: dict[str, Any]) -> str:
        return _labelled(LEVEL_LABELS, obj["level"])

    @staticmethod
    def resolve_direction_label(obj: dict[str, Any]) -> str:
        return _labelled(DIRECTION_LABELS, obj["direction"])


class IndicatorPage(PageBase):
    items: list[IndicatorOut]


class TargetOut(Schema):
    indicator: str
    kind: Literal["baseline", "target"]
    kind_label: str = _label(KIND_LABELS, "Tipo")
    year: int | None = None
    year_inferred: bool = Field(
        False, description="El documento no dice el año: lo dedujo el sistema («año inferido»)."
    )
    value: DecimalText
    published_text: str
    source: str = Field(..., description="Tabla que lo publica, u «Oficina de planeamiento».")
    note: str

    @staticmethod
    def resolve_kind_label(obj: dict[str, Any]) -> str:
        return _labelled(KIND_LABELS, obj["kind"])


class TargetPage(PageBase):
    items: list[TargetOut]


class IndicatorDetailOut(IndicatorOut):
    targets: list[TargetOut] = Field(..., description="Líneas de base y metas por fuente.")
    flags: list[str] = Field(..., description="Observaciones de calidad del dato.")


class ValueOut(Schema):
    id: int
    indicator: str
    year: int
    period: str = Field(
        "", description="El periodo: el año («2024») o, en un plan semestral, «2024-S1»."
    )
    value: DecimalText | None = None
    numerator: DecimalText | None = None
    denominator: DecimalText | None = None
    published_text: str
    source: str
    origin: Literal["plan", "user"]
    state: State
    state_label: str = _label(STATE_LABELS, "Estado")
    preliminary: bool = Field(
        False, description="Enviado y aún no validado: cifra preliminar (con sesión o token)."
    )
    note: str | None = Field(None, description="Público solo si la oficina lo publica.")
    analysis: str | None = Field(None, description="Público solo si la oficina lo publica.")
    measures: str | None = Field(None, description="Público solo si la oficina lo publica.")
    return_reason: str | None = Field(None, description="Solo usuarios autorizados.")
    submitted_by: str | None = Field(None, description="Solo usuarios autorizados.")
    submitted_at: datetime | None = None
    validated_by: str | None = Field(None, description="Solo usuarios autorizados.")
    validated_at: datetime | None = None
    evidence_url: str | None = Field(
        None,
        description="Solo la oficina de planeamiento, los administradores y los registradores "
        "y el director de la dirección responsable del indicador.",
    )
    evidence_file: str | None = Field(
        None,
        description="Dirección de descarga (con sesión); los mismos lectores que `evidence_url`.",
    )

    @staticmethod
    def resolve_state_label(obj: dict[str, Any]) -> str:
        return _labelled(STATE_LABELS, obj["state"])


class ValuePage(PageBase):
    items: list[ValueOut]


class ActionReportOut(Schema):
    id: int
    action: str
    directorate: str
    year: int
    state: State
    state_label: str = _label(STATE_LABELS, "Estado")
    preliminary: bool = Field(
        False, description="Enviado y aún no validado: preliminar (con sesión o token)."
    )
    execution: Literal["not_started", "in_progress", "done"]
    execution_label: str = _label(EXECUTION_LABELS, "Situación")
    percent: DecimalText
    description: str | None = Field(None, description="Público solo si la oficina lo publica.")
    return_reason: str | None = Field(None, description="Solo usuarios autorizados.")
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    validated_by: str | None = None
    validated_at: datetime | None = None

    @staticmethod
    def resolve_state_label(obj: dict[str, Any]) -> str:
        return _labelled(STATE_LABELS, obj["state"])

    @staticmethod
    def resolve_execution_label(obj: dict[str, Any]) -> str:
        return _labelled(EXECUTION_LABELS, obj["execution"])


class ActionReportPage(PageBase):
    items: list[ActionReportOut]


class StatusOut(Schema):
    indicator: str
    objective: int | None = None
    responsible: str | None = None
    level: Level
    level_label: str = _label(LEVEL_LABELS, "Nivel")
    year: int
    period: str = Field(
        "", description="El periodo: el año («2024») o, en un plan semestral, «2024-S1»."
    )
    reading: str = Field(
        "",
        description="En un semestre: cómo se lee su avance frente a la meta del año (según la "
        "agregación del indicador).",
    )
    value: DecimalText | None = Field(None, description="Valor validado del año.")
    target: DecimalText | None = Field(None, description="Meta del año (oficial o interpolada).")
    target_interpolated: bool
    achievement: DecimalText | None = Field(
        None, description="Porcentaje de cumplimiento; null si no es calculable."
    )
    achievement_note: str
    light: Light
    light_label: str = _label(LIGHT_LABELS, "Semáforo")
    trajectory: TrajectoryStatus
    trajectory_label: str = _label(TRAJECTORY_LABELS, "Trayectoria")
    latest_year: int | None = None
    latest_value: DecimalText | None = None
    preliminary: DecimalText | None = Field(
        None,
        description="Valor enviado aún no validado: solo para usuarios autorizados a verlo; "
        "null para el público.",
    )

    @staticmethod
    def resolve_level_label(obj: dict[str, Any]) -> str:
        return _labelled(LEVEL_LABELS, obj["level"])

    @staticmethod
    def resolve_light_label(obj: dict[str, Any]) -> str:
        return _labelled(LIGHT_LABELS, obj["light"])

    @staticmethod
    def resolve_trajectory_label(obj: dict[str, Any]) -> str:
        return _labelled(TRAJECTORY_LABELS, obj["trajectory"])


class StatusPage(PageBase):
    items: list[StatusOut]
