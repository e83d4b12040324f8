"""The plan workbook (XLSX): the contract the planning office fills in, read with every
problem at once, and a plan written in it (docs/plan-data.md, "The plan workbook").

- The first row of each sheet is its headers; columns come in any order. Sheet and header
  names match ignoring case and accents (`Articulación` = `Articulacion`); cells are
  trimmed; numbers are numeric cells or text in the Peruvian format (lib.numbers).
- Every problem names its sheet, its row as the spreadsheet numbers it (header = row 1) and
  its column, in Spanish; one problem stores nothing.
- Today a workbook makes an ampliado or modificado version of a plan already loaded (its
  `codigo`): the element sheets may be absent, hold headers only or repeat the plan's rows
  (an identical row is no change, a different one an error) and `Metas` brings the targets.
  A new plan (nuevo) or an actualización is refused, saying so: loading a PEI needs codes
  scoped per plan, which the system does not have yet.

`read_book` reads the cells, `check_book` interprets them against the stored plan (a
Proposal for indicators.workflow.plan_services, or the problems), `plan_workbook` writes a
plan (or the empty template) in the same contract.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from indicators import services
from indicators.models import Indicator, Target
from indicators.workflow import plan_services, target_services
from lib import numbers, spreadsheets
from objectives.models import (
    Directorate,
    Plan,
    PlanVersion,
    Resolution,
    StrategicAction,
    StrategicObjective,
    responsibles_prefetch,
)

PLAN, UNITS, OBJECTIVES, ACTIONS, INDICATORS, TARGETS, LINKS = (
    "plan",
    "unidades",
    "objetivos",
    "acciones",
    "indicadores",
    "metas",
    "articulacion",
)
# Each sheet (its folded name): the name it is written with, its columns, the optional ones.
SHEETS: dict[str, tuple[str, list[str], list[str]]] = {
    PLAN: ("Plan", ["campo", "valor"], []),
    UNITS: ("Unidades", ["codigo", "nombre"], []),
    OBJECTIVES: ("Objetivos", ["codigo", "nombre"], []),
    ACTIONS: ("Acciones", ["codigo", "objetivo", "nombre", "responsables"], []),
    INDICATORS: (
        "Indicadores",
        [
            "codigo",
            "elemento",
            "nombre",
            "unidad_medida",
            "sentido",
            "agregacion",
            "formula",
            "fuente",
            "responsable",
            "linea_base_anio",
            "linea_base_valor",
            "decimales",
        ],
        [],
    ),
    TARGETS: ("Metas", ["indicador", "periodo", "valor"], ["justificacion"]),
    LINKS: ("Articulacion", ["elemento", "elemento_superior"], []),
}
PLAN_FIELDS = [
    "tipo",
    "codigo",
    "nombre",
    "entidad_codigo",
    "entidad_nombre",
    "horizonte_inicio",
    "horizonte_fin",
    "version",
    "resolucion_tipo",
    "resolucion_numero",
    "resolucion_fecha",
    "plan_superior",
    "periodicidad",
]
# May be blank in an ampliado or modificado workbook (the plan already has them).
BLANK_ALLOWED = {"entidad_codigo", "entidad_nombre", "plan_superior"}
MAX_ROWS = 20_000  # data rows of a sheet; a 300-indicator plan's ten years of targets: 3,000
MAX_COLUMNS = 64
# The columns whose cells are numbers (compared as numbers, not as text).
NUMBER_COLUMNS = {"linea_base_anio", "linea_base_valor", "decimales"}
# The columns compared without case or accents.
FOLDED_COLUMNS = {"sentido", "agregacion"}
DIRECTIONS = {"ascending": "ascendente", "descending": "descendente"}
NOT_YET = (
    "cargar un plan nuevo (nuevo) o una actualización (actualizado) desde un libro aún no "
    "está disponible; hoy un libro amplía (ampliado) o modifica (modificado) un plan ya "
    "cargado."
)

Row = tuple[int, dict[str, object]]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Hoja «{self.sheet}»"]
        if self.row is not None:
            where.append(f"fila {self.row}")
        if self.column:
            where.append(f"columna «{self.column}»")
        return ", ".join(where) + f": {self.message}"


@dataclass
class Book:
    """The cells of a workbook's known sheets, by folded sheet name: each data row with its
    spreadsheet number, its cells by column. An absent sheet has no entry."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(SHEETS[sheet][0], row, column, message))


@dataclass
class Loading:
    """A workbook checked against the stored plan: the version it proposes, or problems."""

    book: Book
    plan: Plan | None = None
    kind: str = ""
    proposal: plan_services.Proposal | None = None
    resolution_fields: dict[str, object] = field(default_factory=dict)
    unchanged: int = 0  # element and target rows identical to the plan's

    @property
    def problems(self) -> list[Problem]:
        return self.book.problems


def _cell(value: object) -> object:
    """A cell as read: text trimmed (an empty text is no value), the quote our own files put
    before formula-like text removed; numbers and dates as they are."""
    value = spreadsheets.unquote_cell(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _text(value: object) -> str:
    """A cell as text for comparing: whitespace folded; whole numbers without decimals."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_book(content: bytes) -> Book:
    """The known sheets' rows; problems of the file's shape (columns, formulas) in `problems`.
    Raises spreadsheets.UnreadableWorkbook for a file that cannot be opened at all."""
    spreadsheets.check_xlsx(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise spreadsheets.UnreadableWorkbook(spreadsheets.DAMAGED) from None
    book = Book()
    try:
        for sheet in workbook.worksheets:
            key = spreadsheets.fold(sheet.title)
            if key not in SHEETS:
                continue  # a sheet of notes: not read
            if key in book.rows:
                book.problem(key, None, None, "la hoja está dos veces en el libro.")
                continue
            book.rows[key] = _sheet_rows(book, key, sheet)
    except Exception as exc:  # the sheet's XML is parsed while iterating
        if isinstance(exc, spreadsheets.UnreadableWorkbook):
            raise
        raise spreadsheets.UnreadableWorkbook(spreadsheets.DAMAGED) from None
    finally:
        workbook.close()
    if PLAN not in book.rows:
        book.problem(PLAN, None, None, "falta la hoja Plan, con las columnas campo y valor.")
    return book


def _sheet_rows(book: Book, key: str, sheet) -> list[Row]:
    _, columns, optional = SHEETS[key]
    iterator = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)
    header = next(iterator, None)
    if header is None:
        return []  # an empty sheet: no rows
    names: list[str | None] = []
    for cell in header:
        shown = _cell(cell.value)
        folded = spreadsheets.fold(str(shown)) if shown is not None else None
        if folded is not None and folded not in columns + optional:
            book.problem(
                key,
                1,
                str(shown),
                f"no es una columna de esta hoja; sus columnas son {', '.join(columns)}"
                + (f" y, opcional, {', '.join(optional)}" if optional else "")
                + ".",
            )
            folded = None
        elif folded is not None and folded in names:
            book.problem(key, 1, str(shown), "la columna está dos veces.")
            folded = None
        names.append(folded)
    missing = [c for c in columns if c not in names]
    for column in missing:
        book.problem(key, 1, column, "falta la columna.")
    if missing:
        return []
    rows: list[Row] = []
    for number, cells in enumerate(iterator, start=2):
        if number - 1 > MAX_ROWS:
            book.problem(key, number, None, f"la hoja tiene más de {MAX_ROWS:,} filas.")
            break
        formulas = [c.coordinate for c in cells if getattr(c, "data_type", None) == "f"]
        values = {
            name: _cell(c.value) for name, c in zip(names, cells, strict=False) if name is not None
        }
        if not any(v is not None for v in values.values()):
            continue
        if formulas:
            book.problem(key, number, None, f"contiene fórmulas ({', '.join(formulas)}).")
            continue
        rows.append((number, values))
    return rows


# --- the plan as rows -------------------------------------------------------------------


def _formula(indicator: Indicator) -> str:
    """How the indicator is computed: numerator / denominator (× scale), else its definition."""
    if not indicator.is_ratio:
        return indicator.definition
    scale = "" if indicator.scale == 1 else f" × {numbers.format_for_input(indicator.scale, 0)}"
    return f"({indicator.numerator}) / ({indicator.denominator}){scale}"


def element_rows(plan: Plan) -> dict[str, dict[str, dict[str, object]]]:
    """The plan's units, objectives, actions and indicators as the workbook writes them, by
    sheet and code. The indicators are those of an objective or an action: the PESEM's
    variable and national indicators hang from neither (their targets are in `Metas`)."""
    objectives = list(StrategicObjective.objects.filter(plan=plan).order_by("number"))
    actions = list(
        StrategicAction.objects.filter(plan=plan)
        .select_related("objective")
        .prefetch_related(responsibles_prefetch())
    )
    indicators = list(
        Indicator.objects.filter(plan=plan, objective__isnull=False)
        .select_related("objective", "responsible")
        .prefetch_related("targets")
    )
    rows: dict[str, dict[str, dict[str, object]]] = {
        UNITS: {
            d.code: {"codigo": d.code, "nombre": d.name}
            for d in Directorate.objects.filter(entity=plan.entity)
        },
        OBJECTIVES: {o.code: {"codigo": o.code, "nombre": o.name} for o in objectives},
        ACTIONS: {
            a.code: {
                "codigo": a.code,
                "objetivo": a.objective.code,
                "nombre": a.name,
                "responsables": ", ".join(d.code for d in a.responsibles.all()),
            }
            for a in actions
        },
        INDICATORS: {},
    }
    for i in indicators:
        baseline = next((t for t in i.targets.all() if t.kind == Target.Kind.BASELINE), None)
        rows[INDICATORS][i.code] = {
            "codigo": i.code,
            "elemento": i.objective.code if i.objective else "",
            "nombre": i.name,
            "unidad_medida": i.unit,
            "sentido": DIRECTIONS[i.direction],
            "agregacion": i.aggregation,
            "formula": _formula(i),
            "fuente": i.data_source,
            "responsable": i.responsible.code if i.responsible else "",
            "linea_base_anio": baseline.year if baseline else None,
            "linea_base_valor": baseline.value if baseline else None,
            "decimales": i.decimals,
        }
    return rows


def _same(column: str, typed: object, stored: object) -> bool:
    if column in NUMBER_COLUMNS:
        try:
            a = numbers.parse_number(typed if not isinstance(typed, datetime.date) else None)
        except ValidationError:
            return False
        b = Decimal(str(stored)) if stored is not None else None
        return a == b
    if column in FOLDED_COLUMNS:
        return spreadsheets.fold(_text(typed)) == spreadsheets.fold(_text(stored))
    return _text(typed) == _text(stored)


# --- checking a workbook against the stored plan -----------------------------------------


def _plan_fields(book: Book) -> dict[str, tuple[int, object]]:
    fields: dict[str, tuple[int, object]] = {}
    for number, cells in book.rows.get(PLAN, []):
        name = spreadsheets.fold(_text(cells.get("campo")))
        if not name:
            book.problem(PLAN, number, "campo", "falta el nombre del campo.")
        elif name not in PLAN_FIELDS:
            book.problem(
                PLAN, number, "campo", f"«{cells.get('campo')}» no es un campo de la hoja Plan."
            )
        elif name in fields:
            book.problem(PLAN, number, "campo", f"el campo {name} está dos veces.")
        else:
            fields[name] = (number, cells.get("valor"))
    return fields


def _year(book: Book, sheet: str, number: int | None, column: str, value: object) -> int | None:
    text = _text(value)
    if text.isdigit() and len(text) == 4:
        return int(text)
    book.problem(sheet, number, column, f"escriba un año de cuatro cifras, no «{text}».")
    return None


def _date(book: Book, number: int | None, value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        book.problem(
            PLAN,
            number,
            "valor",
            f"resolucion_fecha: escriba la fecha como AAAA-MM-DD, no «{value}».",
        )
        return None


def check_book(book: Book, *, filename: str = "") -> Loading:
    """The workbook against the stored plan: the version it proposes (loading.proposal), or
    every problem at once. Reads only."""
    loading = Loading(book=book)
    if PLAN not in book.rows:
        return loading
    fields = _plan_fields(book)

    def value(name: str) -> tuple[int | None, object]:
        return fields.get(name, (None, None))

    for name in PLAN_FIELDS:
        if name not in BLANK_ALLOWED and value(name)[1] is None:
            book.problem(PLAN, value(name)[0], "valor", f"falta el valor del campo {name}.")
    number, kind = value("version")
    kind = spreadsheets.fold(_text(kind))
    if kind and kind not in PlanVersion.Kind.values:
        book.problem(
            PLAN, number, "valor", "version: escriba nuevo, actualizado, ampliado o modificado."
        )
        return loading
    if kind in (PlanVersion.Kind.NEW, PlanVersion.Kind.UPDATED):
        book.problem(PLAN, number, "valor", f"version {kind}: {NOT_YET}")
        return loading
    number, code = value("codigo")
    plan = Plan.objects.select_related("entity").filter(code=_text(code)).first()
    if code is not None and plan is None:
        known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
        book.problem(
            PLAN,
            number,
            "valor",
            f"codigo: no hay un plan {code}; una versión {kind or 'nueva'} se carga sobre un "
            f"plan ya cargado ({known or 'ninguno'}).",
        )
    if plan is None or not kind:
        return loading
    loading.plan, loading.kind = plan, kind
    _check_plan_fields(book, plan, kind, value)
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    _check_elements(loading, element_rows(plan))
    for number, _ in book.rows.get(LINKS, []):
        book.problem(
            LINKS,
            number,
            "elemento_superior",
            f"el plan {plan.code} no se articula a un plan superior: su hoja Articulacion va "
            "vacía.",
        )
    end_row, end = value("horizonte_fin")
    horizon_end = _year(book, PLAN, end_row, "valor", end) if end is not None else None
    # The targets' horizon: the plan's, or an ampliación's new one (a wrong horizonte_fin is
    # its own problem, not one more for each target row).
    reach = plan.end_year
    if kind == PlanVersion.Kind.EXTENDED and horizon_end and horizon_end > plan.end_year:
        reach = horizon_end
    targets, rationales = _check_targets(loading, indicators, reach)
    _, name = value("nombre")
    loading.resolution_fields = {
        "resolution_type": _text(value("resolucion_tipo")[1]),
        "number": _text(value("resolucion_numero")[1]),
        "date": _date(book, value("resolucion_fecha")[0], value("resolucion_fecha")[1])
        if value("resolucion_fecha")[1] is not None
        else None,
    }
    if book.problems:
        return loading
    resolution = target_services.resolution_typed(**loading.resolution_fields)
    proposal = plan_services.Proposal(
        plan=plan,
        kind=kind,
        horizon_end=horizon_end or plan.end_year,
        resolution=resolution,
        rationale=f"Carga del libro {filename or 'del plan'}",
        targets=targets,
        rationales=rationales,
        name=_text(name),
    )
    now = (
        plan_services.in_force(list(targets), plan.years)
        if kind == PlanVersion.Kind.MODIFIED
        else {}
    )
    for problem_field, texts in plan_services.version_errors(proposal, now).items():
        sheet = TARGETS if problem_field == "targets" else PLAN
        for text in texts:
            book.problem(sheet, None, None, text)
    if not book.problems:
        loading.proposal = proposal
    return loading


def _check_plan_fields(book: Book, plan: Plan, kind: str, value) -> None:
    """An ampliado or modificado workbook describes the plan it changes."""

    def differs(name: str, stored: object, message: str) -> None:
        number, typed = value(name)
        if typed is not None and spreadsheets.fold(_text(typed)) != spreadsheets.fold(
            _text(stored)
        ):
            book.problem(PLAN, number, "valor", f"{name}: {message}")

    differs("tipo", plan.plan_type, f"el plan {plan.code} es un {plan.plan_type}.")
    differs("periodicidad", plan.frequency, f"el plan {plan.code} se sigue {plan.frequency}.")
    differs("entidad_codigo", plan.entity.code, f"el plan es de la entidad {plan.entity.code}.")
    differs("plan_superior", "", f"el plan {plan.code} no se articula a un plan superior.")
    number, start = value("horizonte_inicio")
    if start is not None:
        year = _year(book, PLAN, number, "valor", start)
        if year is not None and year != plan.start_year:
            book.problem(
                PLAN,
                number,
                "valor",
                f"horizonte_inicio: el horizonte del plan empieza en {plan.start_year}.",
            )
    number, end = value("horizonte_fin")
    if end is not None and _text(end).isdigit():
        year = int(_text(end))
        if kind == PlanVersion.Kind.EXTENDED and year <= plan.end_year:
            book.problem(
                PLAN,
                number,
                "valor",
                f"horizonte_fin: una ampliación extiende el horizonte más allá de {plan.end_year}.",
            )
        if kind == PlanVersion.Kind.MODIFIED and year != plan.end_year:
            book.problem(
                PLAN,
                number,
                "valor",
                f"horizonte_fin: una modificación no cambia el horizonte ({plan.start_year}-"
                f"{plan.end_year}); extenderlo es una ampliación.",
            )


def _named(kind: str) -> str:
    return plan_services.KINDS[kind][1]


def _short(value: object, size: int = 80) -> str:
    text = _text(value) or "(vacío)"
    return text if len(text) <= size else text[: size - 1] + "…"


def _check_elements(loading: Loading, stored: Mapping[str, Mapping[str, dict]]) -> None:
    """Element rows may repeat the plan's (no change); a new or different row is an error:
    an ampliación or a modificación changes no objective, action, indicator or unit."""
    book = loading.book
    for sheet in (UNITS, OBJECTIVES, ACTIONS, INDICATORS):
        columns = SHEETS[sheet][1]
        for number, cells in book.rows.get(sheet, []):
            code = _text(cells.get("codigo"))
            current = stored[sheet].get(code)
            if current is None:
                book.problem(
                    sheet,
                    number,
                    "codigo",
                    f"{code or '(vacío)'} no está en el plan: una {_named(loading.kind)} no "
                    "añade elementos.",
                )
                continue
            different = [c for c in columns if not _same(c, cells.get(c), current[c])]
            if different:
                book.problem(
                    sheet,
                    number,
                    different[0],
                    f"{code} difiere del plan, que dice «{_short(current[different[0]])}»: "
                    f"una {_named(loading.kind)} no cambia objetivos, acciones, indicadores "
                    "ni unidades.",
                )
            else:
                loading.unchanged += 1


def _check_targets(
    loading: Loading, indicators: Mapping[str, Indicator], horizon_end: int
) -> tuple[dict[Indicator, dict[int, Decimal]], dict[tuple[int, int], str]]:
    """`Metas`: yearly targets. An ampliado workbook adds the years after the old horizon
    (a row of an earlier year identical to the target in force is no change); a modificado
    one revises years inside it, each with its justificacion."""
    book, plan, kind = loading.book, loading.plan, loading.kind
    assert plan is not None
    targets: dict[Indicator, dict[int, Decimal]] = {}
    rationales: dict[tuple[int, int], str] = {}
    rows = book.rows.get(TARGETS, [])
    codes = {_text(cells.get("indicador")) for _, cells in rows}
    now = plan_services.in_force([indicators[c] for c in codes if c in indicators], plan.years)
    seen: dict[tuple[str, int], int] = {}
    for number, cells in rows:
        code = _text(cells.get("indicador"))
        indicator = indicators.get(code)
        if indicator is None:
            book.problem(
                TARGETS, number, "indicador", f"{code or '(vacío)'} no es un indicador del plan."
            )
        period = _text(cells.get("periodo"))
        if "S" in period.upper():
            book.problem(
                TARGETS,
                number,
                "periodo",
                f"«{period}»: las metas son anuales; escriba el año (por ejemplo, 2023).",
            )
            continue
        year = _year(book, TARGETS, number, "periodo", cells.get("periodo"))
        try:
            target = services.parse_decimal(cells.get("valor"), "valor", **services.VALUE_LIMITS)
        except ValidationError as exc:
            book.problem(TARGETS, number, "valor", exc.messages[0].removeprefix("valor: "))
            target = None
        else:
            if target is None:
                book.problem(TARGETS, number, "valor", "falta la meta.")
        if indicator is None or year is None or target is None:
            continue
        if (code, year) in seen:
            book.problem(
                TARGETS, number, "periodo", f"{code} {year} ya está en la fila {seen[code, year]}."
            )
            continue
        seen[code, year] = number
        if year < plan.start_year or year > horizon_end:
            book.problem(
                TARGETS,
                number,
                "periodo",
                f"{year} está fuera del horizonte {plan.start_year}-{horizon_end}.",
            )
            continue
        in_force = now.get((indicator.pk, year))
        if year <= plan.end_year and kind == PlanVersion.Kind.EXTENDED:
            if in_force is not None and not in_force.interpolated and in_force.value == target:
                loading.unchanged += 1
                continue
            book.problem(
                TARGETS,
                number,
                "valor",
                f"{code} {year}: la meta vigente es "
                f"{numbers.format_for(indicator, in_force.value) if in_force else 'ninguna'}; "
                "cambiar la meta de un año que ya está en el plan necesita una versión "
                "modificado.",
            )
            continue
        justification = _text(cells.get("justificacion"))
        if kind == PlanVersion.Kind.MODIFIED:
            if in_force is not None and in_force.value == target:
                loading.unchanged += 1
                continue
            if not justification:
                book.problem(
                    TARGETS,
                    number,
                    "justificacion",
                    f"{code} {year}: una meta modificada lleva su justificación.",
                )
                continue
        targets.setdefault(indicator, {})[year] = target
        if justification:
            rationales[(indicator.pk, year)] = justification
    return targets, rationales


# --- writing ------------------------------------------------------------------------------


def plan_workbook(plan: Plan | None) -> bytes:
    """The workbook of `plan` as it stands (the version in force, its elements and the
    targets in force of every year, interpolated ones left out), or the empty template
    (None): the Plan sheet's fields with blank values and every sheet's headers."""
    sheets: dict[str, list[list[object]]] = {
        SHEETS[key][0]: [SHEETS[key][1] + SHEETS[key][2]] for key in SHEETS
    }
    plan_sheet = sheets[SHEETS[PLAN][0]]
    if plan is None:
        plan_sheet += [[name, None] for name in PLAN_FIELDS]
        return spreadsheets.xlsx_bytes(sheets)
    current = (
        plan.versions.filter(state=PlanVersion.State.IN_FORCE).select_related("resolution").first()
        or plan.versions.select_related("resolution").last()
    )
    resolution: Resolution | None = current.resolution if current else None
    known = resolution is not None and resolution.known
    values: dict[str, object] = {
        "tipo": plan.plan_type,
        "codigo": plan.code,
        "nombre": current.name if current else plan.name,
        "entidad_codigo": plan.entity.code,
        "entidad_nombre": plan.entity.name,
        "horizonte_inicio": plan.start_year,
        "horizonte_fin": plan.end_year,
        "version": current.kind if current else PlanVersion.Kind.NEW,
        "resolucion_tipo": resolution.resolution_type if known else None,
        "resolucion_numero": resolution.number if known else None,
        "resolucion_fecha": resolution.date.isoformat() if known and resolution.date else None,
        "plan_superior": None,
        "periodicidad": plan.frequency,
    }
    plan_sheet += [[name, values[name]] for name in PLAN_FIELDS]
    for key, rows in element_rows(plan).items():
        columns = SHEETS[key][1]
        sheets[SHEETS[key][0]] += [[row[c] for c in columns] for row in rows.values()]
    indicators = list(Indicator.objects.filter(plan=plan))
    now = plan_services.in_force(indicators, plan.years)
    sheets[SHEETS[TARGETS][0]] += [
        [i.code, year, target.value, None]
        for i in indicators
        for year in plan.years
        if (target := now.get((i.pk, year))) is not None and not target.interpolated
    ]
    return spreadsheets.xlsx_bytes(sheets)
