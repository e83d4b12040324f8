"""The plan workbook (XLSX): the contract the planning office fills in, read with every
problem at once, and a plan written in it (docs/plan-data.md, "The plan workbook").

- The first row of each sheet is its headers; columns come in any order. Sheet and header
  names match ignoring case and accents (`Articulación` = `Articulacion`); cells are
  trimmed; numbers are numeric cells or text in the Peruvian format (lib.numbers).
- Every problem names its sheet, its row as the spreadsheet numbers it (header = row 1) and
  its column, in Spanish; one problem stores nothing.
- A workbook loads a new plan (nuevo: create_plan), or makes an ampliado or modificado
  version of a plan already loaded (its `codigo`): the element sheets may be absent, hold
  headers only or repeat the plan's rows (an identical row is no change, a different one an
  error) and `Metas` brings the targets. An actualizado one may also rename elements and add
  new ones (with a new indicator's targets), within the same horizon; a change of an
  indicator's unit or formula starts a new series, so it needs a new code.

`read_book` reads the cells, `check_book` interprets them against the stored plan (a
Proposal for indicators.workflow.plan_services, or the problems), `plan_workbook` writes a
plan (or the empty template) in the same contract.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from indicators import services
from indicators.models import Indicator, Target
from indicators.workflow import plan_services, status, target_services
from lib import numbers, spreadsheets
from objectives import plans
from objectives.models import (
    ActionResponsible,
    Directorate,
    Entity,
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
        # The code of the indicator whose series this one continues (lineage): in a new
        # plan, one of the plan it follows; in an actualización, one of the same plan.
        ["serie_anterior"],
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
MAX_BYTES = 5 * 1024 * 1024  # a workbook's file, checked before it is read
MAX_ROWS = 20_000  # data rows of a sheet; a 300-indicator plan's ten years of targets: 3,000
MAX_COLUMNS = 64
# The columns whose cells are numbers (compared as numbers, not as text).
NUMBER_COLUMNS = {"linea_base_anio", "linea_base_valor", "decimales"}
# The columns compared without case or accents.
FOLDED_COLUMNS = {"sentido", "agregacion"}
DIRECTIONS = {"ascending": "ascendente", "descending": "descendente"}
# The source the targets of a plan loaded from a workbook are stored with.
WORKBOOK_SOURCE = "Libro del plan"
AGGREGATIONS = {"ultimo", "suma", "promedio"}
REVISED = {PlanVersion.Kind.MODIFIED: "modificada", PlanVersion.Kind.UPDATED: "actualizada"}

Row = tuple[int, dict[str, object]]
audit = logging.getLogger("pesem.audit")


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
    new_plan: NewPlan | None = None  # a nuevo workbook, checked (create_plan stores it)
    # The proposal's targets that change something (plan_services.changes): its preview.
    found: list[plan_services.TargetChange] = field(default_factory=list)
    # An actualización's changes to the elements (indicators.workflow.plan_elements).
    elements: list[dict] = field(default_factory=list)

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


def check_size(size: int) -> None:
    """Refuse a file over MAX_BYTES before anything reads it (the command and the page)."""
    if size > MAX_BYTES:
        raise spreadsheets.UnreadableWorkbook(
            f"El archivo pesa más de {MAX_BYTES // 1024 // 1024} MB: no se leyó."
        )


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
        .select_related("objective", "action", "responsible")
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
            # An action's indicator hangs from the action (the workbook's `elemento`).
            "elemento": i.action.code if i.action else i.objective.code if i.objective else "",
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
    if kind == PlanVersion.Kind.NEW:
        loading.kind = kind
        _check_new(loading, value)
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
    if kind == PlanVersion.Kind.UPDATED:
        _check_updates(loading, element_rows(plan))
    else:
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
        elements=tuple(loading.elements),
    )
    now = plan_services.in_force(list(targets), plan.years) if kind in plan_services.WITHIN else {}
    for problem_field, texts in plan_services.version_errors(proposal, now).items():
        sheet = TARGETS if problem_field == "targets" else PLAN
        for text in texts:
            book.problem(sheet, None, None, text)
    if not book.problems:
        loading.proposal = proposal
        loading.found = plan_services.changes(kind, targets, now)
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
        if kind in plan_services.WITHIN and year != plan.end_year:
            book.problem(
                PLAN,
                number,
                "valor",
                f"horizonte_fin: una {_named(kind)} no cambia el horizonte ({plan.start_year}-"
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


UPDATE_REQUIRED = {
    UNITS: ["nombre"],
    OBJECTIVES: ["nombre"],
    ACTIONS: ["objetivo", "nombre"],
    INDICATORS: ["elemento", "nombre", "sentido", "responsable"],
}
NEW_SERIES = {"unidad_medida", "formula"}
KEPT_BASELINE = {"linea_base_anio", "linea_base_valor"}


def _check_updates(loading: Loading, stored: Mapping[str, Mapping[str, dict]]) -> None:
    """An actualizado workbook: a row identical to the plan's is no change; a different one
    renames or re-describes its element (its code, so its values, stays); a new code adds an
    element. Every reference is checked against the plan and the workbook's new rows. An
    indicator's unit or formula is its series: changing it needs a new code, and its baseline
    stays (targets change in `Metas`)."""
    book = loading.book
    sheets = (UNITS, OBJECTIVES, ACTIONS, INDICATORS)
    new_codes: dict[str, set[str]] = {sheet: set() for sheet in sheets}
    for sheet in sheets:
        for _, cells in book.rows.get(sheet, []):
            code = _text(cells.get("codigo"))
            if code and code not in stored[sheet]:
                new_codes[sheet].add(code)
    known = {sheet: set(stored[sheet]) | new_codes[sheet] for sheet in sheets}

    def refer(sheet: str, number: int, column: str, code: str, within: tuple[str, ...]) -> bool:
        if any(code in known[w] for w in within):
            return True
        what = {UNITS: "una unidad", OBJECTIVES: "un objetivo", ACTIONS: "una acción"}
        names = " ni ".join(what[w] for w in within)
        book.problem(sheet, number, column, f"{code} no es {names} del plan ni del libro.")
        return False

    series = set(Indicator.objects.filter(plan=loading.plan).values_list("code", flat=True))
    for sheet in sheets:
        for number, cells in book.rows.get(sheet, []):
            columns = SHEETS[sheet][1]
            code = _text(cells.get("codigo"))
            if not code:
                book.problem(sheet, number, "codigo", "falta el código.")
                continue
            current = stored[sheet].get(code)
            typed = {c: _text(cells.get(c)) for c in columns}
            previous = _text(cells.get("serie_anterior")) if sheet == INDICATORS else ""
            if previous and current is None:
                columns = [*columns, "serie_anterior"]  # this row's: a new series' link
                typed["serie_anterior"] = previous
                if previous not in series:
                    book.problem(
                        sheet,
                        number,
                        "serie_anterior",
                        f"{previous} no es un indicador del plan {loading.plan.code}.",
                    )
            if current is None:
                changed = [c for c in columns if c != "codigo" and typed[c]]
                missing = [c for c in UPDATE_REQUIRED[sheet] if not typed[c]]
                for column in missing:
                    book.problem(sheet, number, column, f"{code} es nuevo: falta su {column}.")
            else:
                changed = [c for c in columns if not _same(c, cells.get(c), current[c])]
                if not changed:
                    loading.unchanged += 1
                    continue
                missing = []
                if sheet == INDICATORS:
                    for column in changed:
                        if column in NEW_SERIES:
                            book.problem(
                                sheet,
                                number,
                                column,
                                f"{code}: cambiar la unidad de medida o la fórmula inicia una "
                                "serie nueva; escríbalo como un indicador nuevo, con su propio "
                                "código (la serie anterior conserva sus valores).",
                            )
                        elif column in KEPT_BASELINE:
                            book.problem(
                                sheet,
                                number,
                                column,
                                f"{code}: la línea de base no cambia en una actualización.",
                            )
            fields: dict[str, object] = {}
            ok = not missing
            for column in changed:
                value = typed[column]
                if column == "objetivo":
                    ok &= refer(sheet, number, column, value, (OBJECTIVES,))
                elif column == "elemento":
                    ok &= refer(sheet, number, column, value, (OBJECTIVES, ACTIONS))
                elif column == "responsable":
                    ok &= refer(sheet, number, column, value, (UNITS,))
                elif column == "responsables":
                    codes = [c.strip() for c in value.split(",") if c.strip()]
                    ok &= all([refer(sheet, number, column, c, (UNITS,)) for c in codes])
                    value = ", ".join(codes)
                elif column == "sentido":
                    value = spreadsheets.fold(value)
                    if value not in DIRECTIONS.values():
                        book.problem(sheet, number, column, "escriba ascendente o descendente.")
                        ok = False
                elif column == "agregacion":
                    value = spreadsheets.fold(value)
                    if value not in AGGREGATIONS:
                        book.problem(sheet, number, column, "escriba ultimo, suma o promedio.")
                        ok = False
                elif column in NUMBER_COLUMNS:
                    try:
                        parsed = numbers.parse_number(value)
                    except ValidationError as exc:
                        book.problem(sheet, number, column, exc.messages[0])
                        ok = False
                        continue
                    if column != "linea_base_valor" and parsed is not None:
                        parsed = Decimal(int(parsed))
                    value = "" if parsed is None else str(parsed)
                fields[column] = value
            if ok and not (
                current is not None and sheet == INDICATORS and NEW_SERIES & set(changed)
            ):
                loading.elements.append(
                    {
                        "sheet": sheet,
                        "code": code,
                        "new": current is None,
                        "fields": fields,
                        "before": {c: _text(current[c]) for c in changed} if current else {},
                    }
                )


def _target_cells(book: Book, number: int, cells: dict) -> tuple[int | None, Decimal | None] | None:
    """A `Metas` row's year and value (None where the cell is wrong, with its problem); None
    for a semester, which a target never is."""
    period = _text(cells.get("periodo"))
    if "S" in period.upper():
        book.problem(
            TARGETS,
            number,
            "periodo",
            f"«{period}»: las metas son anuales; escriba el año (por ejemplo, 2023).",
        )
        return None
    year = _year(book, TARGETS, number, "periodo", cells.get("periodo"))
    try:
        target = services.parse_decimal(cells.get("valor"), "valor", **services.VALUE_LIMITS)
    except ValidationError as exc:
        book.problem(TARGETS, number, "valor", exc.messages[0].removeprefix("valor: "))
        return year, None
    if target is None:
        book.problem(TARGETS, number, "valor", "falta la meta.")
    return year, target


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
    added = {
        change["code"]: change
        for change in loading.elements
        if change["sheet"] == INDICATORS and change["new"]
    }
    for number, cells in rows:
        code = _text(cells.get("indicador"))
        indicator = indicators.get(code)
        if indicator is None and code in added:
            # A new indicator of an actualización: its targets come with it (original ones).
            read = _target_cells(book, number, cells)
            if read is None or read[0] is None or read[1] is None:
                continue
            if not plan.start_year <= read[0] <= plan.end_year:
                book.problem(
                    TARGETS,
                    number,
                    "periodo",
                    f"{read[0]} está fuera del horizonte {plan.start_year}-{plan.end_year}.",
                )
                continue
            added[code]["fields"].setdefault("metas", []).append([read[0], str(read[1])])
            continue
        if indicator is None:
            book.problem(
                TARGETS, number, "indicador", f"{code or '(vacío)'} no es un indicador del plan."
            )
        read = _target_cells(book, number, cells)
        if read is None:
            continue
        year, target = read
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
        if kind in plan_services.WITHIN:
            if in_force is not None and in_force.value == target:
                loading.unchanged += 1
                continue
            if not justification:
                book.problem(
                    TARGETS,
                    number,
                    "justificacion",
                    f"{code} {year}: una meta {REVISED[kind]} lleva su justificación.",
                )
                continue
        targets.setdefault(indicator, {})[year] = target
        if justification:
            rationales[(indicator.pk, year)] = justification
    return targets, rationales


# --- a new plan ---------------------------------------------------------------------------


@dataclass
class NewPlan:
    """A nuevo workbook's plan, checked: its rows as read, by sheet."""

    fields: dict[str, object]
    upper: Plan | None
    units: list[dict[str, object]]
    objectives: list[dict[str, object]]
    actions: list[dict[str, object]]
    indicators: list[dict[str, object]]
    targets: list[tuple[str, int, Decimal]]
    links: list[tuple[str, str]]
    # The plan it follows: the entity's latest plan of the same type (lineage).
    predecessor: Plan | None = None


def _codes(book: Book, sheet: str, required: Iterable[str] = ("codigo", "nombre")) -> list[dict]:
    """A sheet's rows with every required cell and each code once."""
    rows, seen = [], {}
    for number, cells in book.rows.get(sheet, []):
        missing = [c for c in required if cells.get(c) is None]
        for column in missing:
            book.problem(sheet, number, column, "falta el valor.")
        code = _text(cells.get("codigo"))
        if code and code in seen:
            book.problem(sheet, number, "codigo", f"{code} ya está en la fila {seen[code]}.")
            continue
        if not missing:
            seen[code] = number
            rows.append(
                {
                    "_row": number,
                    **{k: _text(v) if k not in NUMBER_COLUMNS else v for k, v in cells.items()},
                    "codigo": code,
                }
            )
    return rows


def _check_new(loading: Loading, value) -> None:
    """A new plan (a PEI articulated to its sector's PESEM, or a PESEM): every sheet checked
    against the others and against the upper plan."""
    book = loading.book
    fields = {name: value(name)[1] for name in PLAN_FIELDS}
    row = {name: value(name)[0] for name in PLAN_FIELDS}
    code = _text(fields["codigo"])
    if code and Plan.objects.filter(code=code).exists():
        book.problem(
            PLAN,
            row["codigo"],
            "valor",
            f"codigo: el plan {code} ya está cargado; para extenderlo o revisar sus metas use "
            "version ampliado o modificado.",
        )
        return
    plan_type = _text(fields["tipo"]).upper()
    if plan_type and plan_type not in Plan.PlanType.values:
        book.problem(PLAN, row["tipo"], "valor", "tipo: escriba PESEM o PEI.")
    frequency = spreadsheets.fold(_text(fields["periodicidad"]))
    if frequency and frequency not in Plan.Frequency.values:
        book.problem(PLAN, row["periodicidad"], "valor", "periodicidad: escriba anual o semestral.")
    for name in ("entidad_codigo", "entidad_nombre"):
        if fields[name] is None:
            book.problem(PLAN, row[name], "valor", f"falta el valor del campo {name}.")
    start = (
        _year(book, PLAN, row["horizonte_inicio"], "valor", fields["horizonte_inicio"])
        if fields["horizonte_inicio"] is not None
        else None
    )
    end = (
        _year(book, PLAN, row["horizonte_fin"], "valor", fields["horizonte_fin"])
        if fields["horizonte_fin"] is not None
        else None
    )
    if start and end and end < start:
        book.problem(
            PLAN, row["horizonte_fin"], "valor", "horizonte_fin: es anterior a horizonte_inicio."
        )
    upper = None
    upper_code = _text(fields["plan_superior"])
    if upper_code:
        upper = Plan.objects.filter(code=upper_code).first()
        if upper is None:
            book.problem(
                PLAN, row["plan_superior"], "valor", f"plan_superior: no hay un plan {upper_code}."
            )
    elif plan_type == Plan.PlanType.PEI:
        book.problem(
            PLAN,
            row["plan_superior"],
            "valor",
            "plan_superior: un PEI se articula al PESEM de su sector; escriba su código.",
        )
    units = _codes(book, UNITS)
    objectives = _codes(book, OBJECTIVES)
    actions = _codes(book, ACTIONS, ("codigo", "objetivo", "nombre"))
    indicators = _codes(
        book, INDICATORS, ("codigo", "elemento", "nombre", "sentido", "responsable")
    )
    unit_codes = {u["codigo"] for u in units}
    objective_codes = {o["codigo"] for o in objectives}
    action_codes = {a["codigo"] for a in actions}
    for a in actions:
        if a["objetivo"] not in objective_codes:
            book.problem(
                ACTIONS, a["_row"], "objetivo", f"{a['objetivo']} no está en la hoja Objetivos."
            )
        for unit in [u.strip() for u in a.get("responsables", "").split(",") if u.strip()]:
            if unit not in unit_codes:
                book.problem(
                    ACTIONS, a["_row"], "responsables", f"{unit} no está en la hoja Unidades."
                )
    for i in indicators:
        if i["elemento"] not in objective_codes | action_codes:
            book.problem(
                INDICATORS,
                i["_row"],
                "elemento",
                f"{i['elemento']} no es un objetivo ni una acción del libro.",
            )
        if spreadsheets.fold(i["sentido"]) not in DIRECTIONS.values():
            book.problem(INDICATORS, i["_row"], "sentido", "escriba ascendente o descendente.")
        if i.get("agregacion") and spreadsheets.fold(i["agregacion"]) not in AGGREGATIONS:
            book.problem(INDICATORS, i["_row"], "agregacion", "escriba ultimo, suma o promedio.")
        if i["responsable"] not in unit_codes:
            book.problem(
                INDICATORS,
                i["_row"],
                "responsable",
                f"{i['responsable']} no está en la hoja Unidades.",
            )
        for column in ("linea_base_anio", "linea_base_valor", "decimales"):
            try:
                parsed = numbers.parse_number(i.get(column))
            except ValidationError as exc:
                book.problem(INDICATORS, i["_row"], column, exc.messages[0])
                continue
            i[column] = parsed
        if (i.get("linea_base_anio") is None) != (i.get("linea_base_valor") is None):
            book.problem(
                INDICATORS, i["_row"], "linea_base_valor", "la línea de base lleva año y valor."
            )
        if i.get("decimales") is not None and not (
            0 <= i["decimales"] <= 6 and i["decimales"] == int(i["decimales"])
        ):
            book.problem(INDICATORS, i["_row"], "decimales", "escriba un número entero de 0 a 6.")
    indicator_codes = {i["codigo"] for i in indicators}
    targets: list[tuple[str, int, Decimal]] = []
    seen: dict[tuple[str, int], int] = {}
    for number, cells in book.rows.get(TARGETS, []):
        indicator = _text(cells.get("indicador"))
        if indicator not in indicator_codes:
            book.problem(
                TARGETS,
                number,
                "indicador",
                f"{indicator or '(vacío)'} no está en la hoja Indicadores.",
            )
        read = _target_cells(book, number, cells)
        if read is None:
            continue
        year, target = read
        if year is None or target is None or indicator not in indicator_codes:
            continue
        if start and end and not start <= year <= end:
            book.problem(
                TARGETS, number, "periodo", f"{year} está fuera del horizonte {start}-{end}."
            )
            continue
        if (indicator, year) in seen:
            book.problem(
                TARGETS,
                number,
                "periodo",
                f"{indicator} {year} ya está en la fila {seen[indicator, year]}.",
            )
            continue
        seen[indicator, year] = number
        targets.append((indicator, year, target))
    links: list[tuple[str, str]] = []
    upper_objectives = set(upper.objectives.values_list("code", flat=True)) if upper else set()
    upper_actions = set(upper.actions.values_list("code", flat=True)) if upper else set()
    for number, cells in book.rows.get(LINKS, []):
        element, above = _text(cells.get("elemento")), _text(cells.get("elemento_superior"))
        if upper is None:
            book.problem(
                LINKS, number, "elemento_superior", "sin plan_superior no hay a qué articularse."
            )
            continue
        if element in objective_codes:
            if above not in upper_objectives:
                book.problem(
                    LINKS,
                    number,
                    "elemento_superior",
                    f"{above or '(vacío)'} no es un objetivo del {upper.code}.",
                )
                continue
        elif element in action_codes:
            if above not in upper_actions:
                book.problem(
                    LINKS,
                    number,
                    "elemento_superior",
                    f"{above or '(vacío)'} no es una acción del {upper.code}.",
                )
                continue
        else:
            book.problem(
                LINKS,
                number,
                "elemento",
                f"{element or '(vacío)'} no es un objetivo ni una acción del libro.",
            )
            continue
        links.append((element, above))
    date = (
        _date(book, row["resolucion_fecha"], fields["resolucion_fecha"])
        if fields["resolucion_fecha"] is not None
        else None
    )
    loading.resolution_fields = {
        "resolution_type": _text(fields["resolucion_tipo"]),
        "number": _text(fields["resolucion_numero"]),
        "date": date,
    }
    predecessor = (
        Plan.objects.filter(entity__code=_text(fields["entidad_codigo"]), plan_type=plan_type)
        .order_by("-start_year", "-pk")
        .first()
    )
    _check_series(book, indicators, predecessor)
    if book.problems:
        return
    fields.update(
        codigo=code,
        tipo=plan_type,
        periodicidad=frequency,
        horizonte_inicio=start,
        horizonte_fin=end,
    )
    loading.new_plan = NewPlan(
        fields, upper, units, objectives, actions, indicators, targets, links, predecessor
    )


def _check_series(book: Book, rows: list[dict], plan: Plan | None) -> None:
    """Each `serie_anterior` names an indicator of `plan` (the plan a new one follows, or the
    plan an actualización changes)."""
    known = set(plan.indicators.values_list("code", flat=True)) if plan else set()
    for row in rows:
        previous = _text(row.get("serie_anterior"))
        if not previous or previous in known:
            continue
        where = (
            f"un indicador del plan {plan.code}"
            if plan
            else "de ningún plan anterior de la entidad (no tiene otro plan de ese tipo)"
        )
        book.problem(INDICATORS, row.get("_row"), "serie_anterior", f"{previous} no es {where}.")


@transaction.atomic
def create_plan(loading: Loading, user=None, *, proposed_by=None) -> Plan:
    """Store a checked nuevo workbook: its entity (a pliego of the upper plan's sector) and
    units, objectives, actions with their responsibles, indicators with baseline and targets
    (source «Libro del plan»), the articulation to the upper plan, and its version nuevo.
    The command's plan is approved by its resolution (vigente); the page's (`proposed_by`)
    is a borrador until another person of the planning office approves it
    (plan_services.version_decide: four eyes)."""
    new = loading.new_plan
    assert new is not None
    f = new.fields
    sector = None
    if new.upper is not None:
        sector = (
            new.upper.entity
            if new.upper.entity.kind == Entity.Kind.SECTOR
            else new.upper.entity.sector
        )
    entity, _ = Entity.objects.get_or_create(
        code=_text(f["entidad_codigo"]),
        defaults={
            "name": _text(f["entidad_nombre"]),
            "kind": Entity.Kind.PLIEGO if sector else Entity.Kind.SECTOR,
            "sector": sector,
        },
    )
    plan = Plan.objects.create(
        code=f["codigo"],
        plan_type=f["tipo"],
        entity=entity,
        frequency=f["periodicidad"],
        name=_text(f["nombre"]),
        short_name=f["codigo"][:60],
        sector=sector.name if sector else entity.name,
        start_year=f["horizonte_inicio"],
        end_year=f["horizonte_fin"],
        vision="",
        desired_scenario="",
        upper_plan=new.upper,
        predecessor=new.predecessor,
    )
    resolution = target_services.resolution_record(**loading.resolution_fields)
    PlanVersion.objects.create(
        plan=plan,
        kind=PlanVersion.Kind.NEW,
        name=plan.name,
        horizon_start=plan.start_year,
        horizon_end=plan.end_year,
        state=PlanVersion.State.IN_FORCE if proposed_by is None else PlanVersion.State.DRAFT,
        resolution=resolution,
        proposed_by=proposed_by,
        decided_by=user if proposed_by is None else None,
        decided_at=timezone.now() if proposed_by is None else None,
    )
    units = {}
    for u in new.units:
        units[u["codigo"]], _ = Directorate.objects.get_or_create(
            entity=entity, code=u["codigo"], defaults={"name": u["nombre"]}
        )
    objectives = {
        o["codigo"]: StrategicObjective.objects.create(
            plan=plan, number=n, code=o["codigo"], name=o["nombre"]
        )
        for n, o in enumerate(new.objectives, start=1)
    }
    actions = {}
    for n, a in enumerate(new.actions, start=1):
        action = StrategicAction.objects.create(
            objective=objectives[a["objetivo"]], code=a["codigo"], name=a["nombre"], order=n
        )
        for position, unit in enumerate(
            [c.strip() for c in a.get("responsables", "").split(",") if c.strip()], start=1
        ):
            ActionResponsible.objects.create(
                strategicaction=action, directorate=units[unit], position=position
            )
        actions[a["codigo"]] = action
    directions = {label: value for value, label in DIRECTIONS.items()}
    indicators = {}
    with status.suspended():
        for n, i in enumerate(new.indicators, start=1):
            action = actions.get(i["elemento"])
            indicator = Indicator.objects.create(
                plan=plan,
                code=i["codigo"],
                order=n,
                name=i["nombre"],
                definition=i.get("formula", ""),
                unit=i.get("unidad_medida", ""),
                direction=directions[spreadsheets.fold(i["sentido"])],
                direction_published=True,
                aggregation=spreadsheets.fold(i.get("agregacion") or "ultimo"),
                level=Indicator.Level.ACTION if action else Indicator.Level.OBJECTIVE,
                objective=action.objective if action else objectives[i["elemento"]],
                action=action,
                responsible=units[i["responsable"]],
                responsible_published=True,
                data_source=i.get("fuente", ""),
                decimals=int(i["decimales"]) if i.get("decimales") is not None else 2,
                previous_series=(
                    new.predecessor.indicators.get(code=i["serie_anterior"])
                    if i.get("serie_anterior") and new.predecessor
                    else None
                ),
            )
            if i.get("linea_base_anio") is not None:
                Target.objects.create(
                    indicator=indicator,
                    kind=Target.Kind.BASELINE,
                    year=int(i["linea_base_anio"]),
                    value=i["linea_base_valor"],
                    source=WORKBOOK_SOURCE,
                )
            indicators[i["codigo"]] = indicator
        for code, year, value in new.targets:
            Target.objects.create(
                indicator=indicators[code],
                kind=Target.Kind.TARGET,
                year=year,
                value=value,
                source=WORKBOOK_SOURCE,
            )
    for element, above in new.links:
        if element in objectives:
            objectives[element].upper_objectives.add(
                new.upper.objectives.get(code=above)  # type: ignore[union-attr]
            )
        else:
            actions[element].upper_actions.add(
                new.upper.actions.get(code=above)  # type: ignore[union-attr]
            )
    if proposed_by is None:
        # Approved by its resolution: the plan it follows is replaced now.
        plan_services.retire_predecessor(plan)
    status.refresh([i.pk for i in indicators.values()])
    actor = user or proposed_by
    audit.info(
        "write",
        extra={
            "user": actor.get_username() if actor else None,
            "what": "plan",
            "action": "load_workbook" if proposed_by is None else "propose_workbook",
            "plan": plan.code,
            "indicators": len(indicators),
            "targets": len(new.targets),
            "links": len(new.links),
        },
    )
    return plan


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
    # The version its pages show (the vigente one, else the latest).
    current = plans.current_version(plan)
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
