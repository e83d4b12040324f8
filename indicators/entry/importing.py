"""Import of yearly values from CSV or XLSX: all rows or none.

`read_rows` turns a file into numbered rows (or file-level errors), `plan_import` checks every
row and classifies it (new, changed, unchanged, empty), `apply_import` writes the plan in one
transaction. The command `import_values` and the planning office's page share these.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from indicators import access, authorship, entry_rows, progress, selectors, services
from indicators.mail import notifications
from indicators.models import Indicator, IndicatorValue, WorkflowState
from lib import spreadsheets
from objectives import plans
from objectives.models import Directorate

COLUMNS = ["indicator", "year", "numerator", "denominator", "value", "note"]
# Optional: the justification of a value that trips the grid's warnings (indicators.entry_rows);
# required, as in the grid, for a value sent to validation.
OPTIONAL_COLUMNS = ["justification"]
# A file may name its columns in Spanish instead; rows are read by the English name, messages
# name the column as the file does. Compared without case or accents (año = Año = ano), and
# `anio` is accepted for keyboards without ñ.
SPANISH_COLUMNS = ["indicador", "año", "numerador", "denominador", "valor", "nota"]
COLUMN_NAMES = {
    **{name: name for name in COLUMNS},
    "indicador": "indicator",
    "ano": "year",
    "anio": "year",
    "numerador": "numerator",
    "denominador": "denominator",
    "valor": "value",
    "nota": "note",
    "justification": "justification",
    "justificacion": "justification",
}
# Columns the year's template adds for reading only (name, unit, target, ...) end with this
# mark; the import skips them whatever they hold.
REFERENCE_MARK = "(no se importa)"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000  # data rows, empty ones included; reading stops past it
MAX_NOTE = 2000
# An XLSX is a zip, checked before it is opened (lib.spreadsheets.check_xlsx).
MAX_XLSX_UNPACKED = spreadsheets.MAX_XLSX_UNPACKED
MAX_COLUMNS = 64  # cells read per XLSX row, whatever the sheet declares
# Control characters: PostgreSQL refuses NUL in text, XLSX cannot hold the others.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ImportFileError(Exception):
    """The file cannot be read as a whole (encoding, format, columns, size)."""


class Rows(list[tuple[int, dict[str, object]]]):
    """The numbered rows `read_rows` gives, and the sheet they were read from (XLSX only)."""

    sheet: str = ""


@dataclass
class RowError:
    line: int
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        if self.sheet:
            return f"Hoja «{self.sheet}», fila {self.line}: {self.message}"
        return f"Fila {self.line}: {self.message}"


@dataclass
class RowChange:
    line: int
    indicator: Indicator
    year: int
    kind: str  # "new", "changed", "unchanged", "empty"
    clean: services.CleanValue | None
    note: str
    existing: IndicatorValue | None
    # None when the file has no justification column: the stored one is kept.
    justification: str | None = None
    # The indicator's context for the year with the row's value as its item: the preview
    # shows its numbers, target, achievement and light as the grid does (indicators.entry_rows).
    context: entry_rows.EntryRow | None = None
    warnings: tuple[str, ...] = ()

    @property
    def current_text(self) -> str:
        """The stored value, with the indicator's precision."""
        if self.existing is None or self.context is None:
            return progress.NO_VALUE
        return self.context.show(self.existing.value)

    @property
    def writes(self) -> bool:
        return self.kind in {"new", "changed"}

    @property
    def justification_text(self) -> str:
        if self.justification is not None:
            return self.justification
        return self.existing.justification if self.existing else ""

    @property
    def label(self) -> str:
        return {"new": "nuevo", "changed": "cambia", "unchanged": "sin cambios", "empty": "vacío"}[
            self.kind
        ]

    @property
    def version(self) -> int:
        """The stored value's version when the file was checked; 0 when there was none."""
        return self.existing.version if self.existing else 0

    @property
    def state_label(self) -> str:
        """The stored value's state as the preview shows it: nuevo, borrador, devuelto, ..."""
        if self.existing is None:
            return "nuevo"
        if self.existing.state == WorkflowState.DRAFT and self.existing.return_reason:
            return "devuelto"
        return self.existing.get_state_display()

    @property
    def changed_by(self) -> str:
        """Who last changed the stored value (full name, else user name)."""
        if self.existing is None:
            return ""
        user = self.existing.updated_by
        if user is None:
            if self.existing.origin == IndicatorValue.Origin.PLAN:
                return "documento del plan"
            return "sin registro"
        return user.get_full_name() or user.get_username()


@dataclass
class ImportPlan:
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def written(self) -> int:
        """Rows the import writes (new or changed): the importer is their author."""
        return sum(1 for c in self.changes if c.writes)

    @property
    def warned(self) -> int:
        return sum(1 for c in self.changes if c.writes and c.warnings)

    def versions(self) -> dict[tuple[str, int], int]:
        """(indicator code, year) -> version of the stored value (0: none) for every row, as
        seen when the plan was made; apply_import refuses the file if any has moved."""
        return {(c.indicator.code, c.year): c.version for c in self.changes}


# --- reading ------------------------------------------------------------------------------


def check_size(size: int) -> None:
    """Refuse a file over MAX_BYTES before anything reads it."""
    if size > MAX_BYTES:
        raise ImportFileError(
            f"El archivo pesa {size / 1024 / 1024:.1f} MB; el máximo es "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )


def read_rows(content: bytes, filename: str) -> Rows:
    if not content:
        raise ImportFileError("El archivo está vacío.")
    check_size(len(content))
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _read_csv(content)
    else:
        raise ImportFileError("Formato no admitido: use un archivo .csv (UTF-8) o .xlsx.")
    if not rows:
        raise ImportFileError("El archivo no tiene filas de datos debajo de la cabecera.")
    return rows


def _check_row_limit(line: int) -> None:
    """Line 1 is the header; rows are counted whether empty or not."""
    if line - 1 > MAX_ROWS:
        raise ImportFileError(
            f"El archivo tiene más de {MAX_ROWS:,} filas (contando las vacías); "
            f"el máximo es {MAX_ROWS:,}. Divídalo en varios archivos."
        )


def _column(name: str) -> str | None:
    """The column (English name) a header name stands for, if any."""
    return COLUMN_NAMES.get(spreadsheets.fold(name))


def _is_reference(name: str) -> bool:
    return spreadsheets.fold(name).endswith(spreadsheets.fold(REFERENCE_MARK))


def _check_header(header: list[object]) -> list[str]:
    """The header's names as the file spells them (lowercased), each a known column in
    English or Spanish, or a reference column (REFERENCE_MARK) that the import skips."""
    names = [str(h or "").strip().lower() for h in header]
    while names and not names[-1]:
        names.pop()
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        raise ImportFileError(
            "Las columnas deben separarse con comas (,), no con punto y coma ni tabuladores."
        )
    data = [n for n in names if not _is_reference(n)]
    found = [_column(n) for n in data]
    # Name what is missing in the file's own language.
    english = COLUMNS + OPTIONAL_COLUMNS
    folded = [spreadsheets.fold(n) for n in data]
    spanish = any(n in COLUMN_NAMES and n not in english for n in folded)
    expected = SPANISH_COLUMNS if spanish else COLUMNS
    missing = [shown for c, shown in zip(COLUMNS, expected, strict=True) if c not in found]
    extra = [n or "(sin nombre)" for n, c in zip(data, found, strict=True) if c is None]
    problems = []
    if missing:
        problems.append("faltan las columnas " + ", ".join(missing))
    if extra:
        problems.append("sobran las columnas " + ", ".join(extra))
    known = [c for c in found if c is not None]
    if len(set(known)) != len(known):
        problems.append("hay columnas repetidas")
    if problems:
        raise ImportFileError(
            "Cabecera incorrecta: "
            + "; ".join(problems)
            + ". Se esperan: "
            + ",".join(SPANISH_COLUMNS)
            + " (o en inglés: "
            + ",".join(COLUMNS)
            + "), y si hace falta justificación; las columnas de referencia, marcadas «"
            + REFERENCE_MARK
            + "», se ignoran."
        )
    return names


def _csv_problem(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger" in message:
        return f"una celda supera los {csv.field_size_limit():,} caracteres"
    if "end of data" in message:
        return 'hay una comilla (") sin cerrar'
    return 'las comillas (") están mal ubicadas'


def _read_csv(content: bytes) -> Rows:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "El archivo no está codificado en UTF-8. "
            "Guárdelo como «CSV UTF-8» y vuelva a intentarlo."
        ) from None
    # strict: an unterminated or stray quote is an error, not a silently merged row.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = Rows()
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError("El archivo está vacío.")
        names = _check_header(list(header))
        for line, cells in enumerate(reader, start=2):
            _check_row_limit(line)
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                rows.append((line, {"__error__": "tiene más celdas que columnas la cabecera."}))
                continue
            values = [spreadsheets.unquote_cell(c) for c in cells]
            rows.append((line, dict(zip(names, values, strict=False))))
    except csv.Error as exc:
        raise ImportFileError(
            f"El CSV está mal formado en la línea {reader.line_num} del archivo: "
            f"{_csv_problem(exc)}."
        ) from None
    return rows


def _read_xlsx(content: bytes) -> Rows:
    try:
        spreadsheets.check_xlsx(content)
    except spreadsheets.UnreadableWorkbook as exc:
        raise ImportFileError(str(exc)) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(spreadsheets.DAMAGED) from None
    rows = Rows()
    try:
        rows.sheet = workbook.worksheets[0].title
        # Bounded whatever the sheet declares: at most one row past the limit, MAX_COLUMNS
        # cells per row; rows the sheet skips come back empty and are counted.
        iterator = workbook.worksheets[0].iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)
        header = next(iterator, None)
        if header is None:
            raise ImportFileError("El archivo está vacío.")
        names = _check_header([c.value for c in header])
        for line, cells in enumerate(iterator, start=2):
            _check_row_limit(line)
            values = [spreadsheets.unquote_cell(c.value) for c in cells]
            if not any(v not in (None, "") for v in values):
                continue
            # A text cell starting with "=" is text (our template writes notes so); only real
            # formula cells are refused.
            formulas = [c.coordinate for c in cells if getattr(c, "data_type", None) == "f"]
            if formulas:
                rows.append(
                    (
                        line,
                        {
                            "__error__": "contiene fórmulas ("
                            + ", ".join(formulas)
                            + "); use valores."
                        },
                    )
                )
                continue
            rows.append((line, dict(zip(names, values, strict=False))))
    except ImportFileError:
        raise
    except Exception:  # the sheet's XML is parsed while iterating: damage shows up here
        raise ImportFileError(spreadsheets.DAMAGED) from None
    finally:
        workbook.close()
    return rows


# --- checking -----------------------------------------------------------------------------


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _number(raw: object, label: str, limits: dict) -> Decimal | None:
    """A CSV text (1,020,000.50) or an XLSX int/float cell; floats are read through their
    shortest text, so 0.1 is Decimal('0.1') (lib.numbers.parse_number)."""
    return services.parse_decimal(raw, label, **limits)


def _cells(row: dict[str, object]) -> dict[str, tuple[object, str]]:
    """{column (English name): (the row's cell, the column's name as the file spells it)}."""
    cells: dict[str, tuple[object, str]] = {c: (None, c) for c in COLUMNS + OPTIONAL_COLUMNS}
    for name, raw in row.items():
        column = None if _is_reference(name) else _column(name)
        if column is not None:
            cells[column] = (raw, name)
    return cells


def _checked_text(raw: object, label: str) -> str:
    text = _text(raw)
    if len(text) > MAX_NOTE:
        raise ValidationError(f"la {label} supera los {MAX_NOTE} caracteres.")
    if FORBIDDEN_CHARACTERS.search(text):
        raise ValidationError(
            f"la {label} contiene caracteres no permitidos (caracteres de control, como NUL)."
        )
    return text


def _has_column(row: dict[str, object], column: str) -> bool:
    return any(not _is_reference(name) and _column(name) == column for name in row)


def _foreign(indicator: Indicator, own: Directorate | None) -> str:
    """Why a registrar may not import an indicator of another directorate."""
    owner = indicator.responsible.code if indicator.responsible else "ninguna dirección"
    mine = f" ({own.code})" if own else ""
    return (
        f"{indicator.code} está a cargo de {owner}, no de su dirección{mine}: no puede "
        "importarlo. Quite la fila o pida a la oficina de planeamiento que la importe."
    )


def needs_justification(change: RowChange, status: str) -> bool:
    """As in the grid: a value with warnings is sent to validation only with a justification."""
    return (
        status == WorkflowState.SUBMITTED
        and change.writes
        and bool(change.warnings)
        and not change.justification_text.strip()
    )


def _justification_missing(change: RowChange) -> str:
    return (
        f"{change.indicator.code} {change.year} tiene advertencias ("
        + "; ".join(change.warnings)
        + "): escriba una justificación en la columna «justificación» para enviarlo, o "
        "impórtelo como borrador."
    )


def plan_import(
    rows: list[tuple[int, dict[str, object]]], *, user=None, status: str = WorkflowState.DRAFT
) -> ImportPlan:
    """Check every row; nothing is written. A user, when given, must be allowed each row: the
    planning office any, a registrar only their directorate's. Each value is judged as the
    grid judges it (indicators.entry_rows): warnings, and with `status` submitted a justification
    for a value that has any."""
    result = ImportPlan()
    sheet = getattr(rows, "sheet", "")
    semestral = services.shown_semestral_code()
    if semestral is not None:
        result.errors.append(RowError(1, services.SEMESTRAL_YEAR.format(code=semestral), sheet))
        return result
    indicators: dict[str, Indicator] = {}
    # The codes of the plan the pages show (another plan may use the same codes).
    for ind in Indicator.objects.filter(plan=plans.shown_plan()).select_related("responsible"):
        indicators[ind.code.upper()] = ind
        if ind.alias:
            indicators[ind.alias.upper()] = ind
    existing = {
        (v.indicator_id, v.year): v for v in IndicatorValue.objects.select_related("updated_by")
    }
    years = services.plan_years()
    seen: dict[tuple[int, int], int] = {}
    is_validator = user is not None and access.is_validator(user)
    own = access.directorate_of(user) if user is not None and not is_validator else None

    for line, row in rows:
        if "__error__" in row:
            result.errors.append(RowError(line, str(row["__error__"]), sheet))
            continue
        try:
            cells = _cells(row)
            code = _text(cells["indicator"][0])
            indicator = indicators.get(code.upper())
            if not code:
                raise ValidationError("falta el código del indicador.")
            if indicator is None:
                raise ValidationError(f"el indicador «{code}» no existe.")
            if user is not None and not is_validator:
                access.require_registrar_of(user, indicator.responsible_id)
            year_text = _text(cells["year"][0])
            if not (year_text.isascii() and year_text.isdigit()):  # not "²" nor "٢٠١٦"
                raise ValidationError(f"el año «{year_text}» no es un año válido.")
            year = int(year_text)
            numerator = _number(*cells["numerator"], services.PART_LIMITS)
            denominator = _number(*cells["denominator"], services.PART_LIMITS)
            value = _number(*cells["value"], services.VALUE_LIMITS)
            note = _checked_text(cells["note"][0], "nota")
            justification = (
                _checked_text(cells["justification"][0], "justificación")
                if _has_column(row, "justification")
                else None
            )
            key = (indicator.pk, year)
            if key in seen:
                raise ValidationError(
                    f"{indicator.code} {year} ya aparece en la fila {seen[key]} del archivo."
                )
            seen[key] = line
            current = existing.get(key)
            if numerator is None and denominator is None and value is None:
                services.check_year(year, years)
                result.changes.append(
                    RowChange(line, indicator, year, "empty", None, note, current, justification)
                )
                continue
            clean = services.clean_value(
                indicator,
                year,
                numerator=numerator,
                denominator=denominator,
                value=value,
                years=years,
            )
        except PermissionDenied:
            result.errors.append(RowError(line, _foreign(indicator, own), sheet))
            continue
        except ValidationError as exc:
            result.errors.append(RowError(line, _messages(exc), sheet))
            continue
        if current is None:
            kind = "new"
        elif (current.numerator, current.denominator, current.value, current.note) == (
            clean.numerator,
            clean.denominator,
            clean.value,
            note,
        ) and justification in (None, current.justification):
            kind = "unchanged"
        else:
            kind = "changed"
            if current.state == WorkflowState.VALIDATED:
                # Never overwritten silently, not even by the planning office.
                result.errors.append(
                    RowError(
                        line,
                        f"El valor de {indicator.code} {year} está validado: reábralo con un "
                        "motivo antes de importarlo.",
                        sheet,
                    )
                )
                continue
            if current.state != WorkflowState.DRAFT and not is_validator and user is not None:
                result.errors.append(
                    RowError(
                        line,
                        f"{indicator.code} {year} está {current.get_state_display()}: "
                        "solo la oficina de planeamiento puede cambiarlo.",
                        sheet,
                    )
                )
                continue
        result.changes.append(
            RowChange(line, indicator, year, kind, clean, note, current, justification)
        )
    _judge(result, status, sheet)
    return result


def _judge(result: ImportPlan, status: str, sheet: str) -> None:
    """Give each row its indicator's context for the year (five queries in all) and the grid's
    warnings for its value; refuse, as the grid does, a value sent with warnings and no
    justification."""
    contexts = entry_rows.year_rows(keys={(c.indicator.pk, c.year) for c in result.changes})
    refused = []
    for change in result.changes:
        context = contexts[(change.indicator.pk, change.year)]
        if change.clean is None:
            change.context = context
            continue
        change.context = replace(
            context,
            item=IndicatorValue(
                indicator=change.indicator,
                year=change.year,
                numerator=change.clean.numerator,
                denominator=change.clean.denominator,
                value=change.clean.value,
            ),
        )
        change.warnings = tuple(context.warnings_for(change.clean.value))
        if needs_justification(change, status):
            refused.append(change)
            result.errors.append(RowError(change.line, _justification_missing(change), sheet))
    if refused:
        dropped = {id(c) for c in refused}
        result.changes = [c for c in result.changes if id(c) not in dropped]
        result.errors.sort(key=lambda e: e.line)


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# --- writing ------------------------------------------------------------------------------


def _check_versions(expected: dict[tuple[str, int], int]) -> None:
    """Every value the file touches is where the preview saw it; the rows stay locked until
    the import's transaction ends, so nobody changes them in between."""
    if not expected:
        return
    codes = {code for code, _ in expected}
    years = {year for _, year in expected}
    current = {
        (code, year): version
        for code, year, version in IndicatorValue.objects.select_for_update(of=("self",))
        .filter(indicator__plan=plans.shown_plan(), indicator__code__in=codes, year__in=years)
        .values_list("indicator__code", "year", "version")
    }
    moved = [
        f"{code} {year}"
        for (code, year), version in expected.items()
        if current.get((code, year), 0) != version
    ]
    if moved:
        raise services.ConflictError(
            f"Otra persona modificó {', '.join(moved)} desde la vista previa: no se importó "
            "nada. Revise los valores actuales y suba el archivo de nuevo."
        )


@transaction.atomic
def apply_import(
    plan: ImportPlan,
    *,
    user=None,
    status: str = WorkflowState.DRAFT,
    reason: str = "importación",
    expected_versions: dict[tuple[str, int], int] | None = None,
) -> dict[str, int]:
    """Write the plan, or nothing. `expected_versions` are the stored versions the preview
    showed (ImportPlan.versions()); without them, those seen when the plan was made."""
    _check_versions(plan.versions() if expected_versions is None else expected_versions)
    if plan.errors:
        listed = " ".join(str(e) for e in plan.errors[:5])
        more = f" (y {len(plan.errors) - 5} más)" if len(plan.errors) > 5 else ""
        raise ValidationError(
            f"La importación tiene filas con errores: no se importó nada. {listed}{more}"
        )
    if user is not None and status == WorkflowState.VALIDATED:
        access.require_validator(user)
        # Four eyes (services.do_validate): the importer enters these values, so another person
        # validates them. Only an import without a user (the command without --user: records
        # kept outside the system, such as the published history) writes validated values.
        raise ValidationError(
            "Quien importa los valores no puede validarlos: impórtelos como «enviado» y otra "
            "persona de la oficina de planeamiento los validará."
        )
    unjustified = [c for c in plan.changes if needs_justification(c, status)]
    if unjustified:  # plan_import refuses them when it is given the status
        raise ValidationError(
            "La importación tiene filas con errores: no se importó nada. "
            + " ".join(str(RowError(c.line, _justification_missing(c))) for c in unjustified[:5])
        )
    acting = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    written = 0
    saved: list[IndicatorValue] = []
    for change in plan.changes:
        if change.kind not in {"new", "changed"}:
            continue
        item = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=change.indicator, year=change.year)
            .first()
        ) or IndicatorValue(indicator=change.indicator, year=change.year, version=0)
        if item.state == WorkflowState.VALIDATED and item.pk:
            raise ValidationError(  # plan_import refuses it; checked again under the lock
                f"El valor de {change.indicator.code} {change.year} está validado: reábralo con "
                "un motivo antes de importarlo. No se importó nada."
            )
        item.numerator = change.clean.numerator
        item.denominator = change.clean.denominator
        item.value = change.clean.value
        item.note = change.note
        if change.justification is not None:
            item.justification = change.justification
        item.warnings = list(change.warnings)  # as the grid stores them (services._store_value)
        item.origin = IndicatorValue.Origin.USER
        item.source = "Importación de archivo"
        item.state = status
        item.return_reason = ""
        if status in {WorkflowState.SUBMITTED, WorkflowState.VALIDATED}:
            item.submitted_by, item.submitted_at = acting, now
        if status == WorkflowState.VALIDATED:
            item.validated_by, item.validated_at = acting, now
        services.save_item(item, acting, reason)
        if status == WorkflowState.VALIDATED:
            authorship.clear(item)  # only the command without --user writes validated values
        else:
            authorship.record(item, acting)
        written += 1
        saved.append(item)
    notifications.submitted(saved, by=acting)  # one digest line per submitted value
    return {
        "new": plan.count("new"),
        "changed": plan.count("changed"),
        "unchanged": plan.count("unchanged"),
        "empty": plan.count("empty"),
        "written": written,
    }


# --- the planner's template ---------------------------------------------------------------


def _natural(code: str) -> list[object]:
    """A code's sort key with its numbers compared as numbers: V2.1 before V10.1."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", code))]


def _template_order(facts: selectors.IndicatorFacts) -> tuple[int, list[object]]:
    """By objective (a national indicator under the first objective it is articulated with;
    indicators of no objective last), then by code in natural order."""
    indicator = facts.indicator
    numbers = [o.number for o in indicator.articulated_objectives.all()]
    if indicator.objective is not None:
        numbers.append(indicator.objective.number)
    return (min(numbers) if numbers else 10**6, _natural(indicator.code))


# Template columns' widths in characters: code, year, numerator, denominator, value, note,
# justification, then the reference columns.
TEMPLATE_WIDTHS = [12, 8, 16, 16, 16, 40, 40, 60, 30, 12, 14, 14, 28]


def template_xlsx(year: int, directorate: Directorate | None = None) -> bytes:
    """One row per indicator for `year` (only `directorate`'s when given), current values
    filled in; re-imports cleanly. The header is in Spanish, bold and frozen; after the data
    columns come reference columns (REFERENCE_MARK) the import skips: name, unit, type,
    responsible directorate and the year's target. Notes are written as text, never as
    formulas (lib.spreadsheets)."""
    reference = [
        "nombre del indicador",
        "unidad",
        "tipo (razón o valor)",
        "dirección responsable",
        f"meta {year}",
        "fuente de la meta",
    ]
    rows: list[list[object]] = [
        SPANISH_COLUMNS + ["justificación"] + [f"{r} {REFERENCE_MARK}" for r in reference]
    ]
    queryset = selectors.indicator_queryset()
    if directorate is not None:
        queryset = queryset.filter(responsible=directorate)
    for facts in sorted(selectors.indicator_facts_list(queryset=queryset), key=_template_order):
        ind = facts.indicator
        v = next((v for v in facts.values if v.year == year), None)
        target = facts.target_for(year)
        if target is None:
            target_source = "sin meta"
        elif target.interpolated:
            target_source = "hito interpolado (no oficial)"
        else:
            target_source = target.source
        rows.append(
            [
                ind.code,
                year,
                float(v.numerator) if v and v.numerator is not None else None,
                float(v.denominator) if v and v.denominator is not None else None,
                float(v.value) if v and v.value is not None and not ind.is_ratio else None,
                v.note if v else None,
                v.justification if v else None,
                ind.name,
                ind.unit,
                "razón" if ind.is_ratio else "valor",
                ind.responsible.code if ind.responsible else "",
                float(target.value) if target else None,
                target_source,
            ]
        )
    title = f"Valores {year}" + (f" {directorate.code}" if directorate else "")
    header, *data = rows
    columns = list(map(spreadsheets.Column, header, TEMPLATE_WIDTHS))
    return spreadsheets.styled_xlsx([spreadsheets.TableSheet(title, columns, data)])
