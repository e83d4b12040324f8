"""Import of yearly values from CSV or XLSX: all rows or none.

`read_rows` turns a file into numbered rows (or file-level errors), `plan_import` checks every
row and classifies it (new, changed, unchanged, empty), `apply_import` writes the plan in one
transaction. The command `import_values` and the planning office's page share these.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from indicators import access, services
from indicators.models import Indicator, IndicatorValue, WorkflowState

COLUMNS = ["indicator", "year", "numerator", "denominator", "value", "note"]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_NOTE = 2000


class ImportFileError(Exception):
    """The file cannot be read as a whole (encoding, format, columns, size)."""


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
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

    @property
    def label(self) -> str:
        return {"new": "nuevo", "changed": "cambia", "unchanged": "sin cambios", "empty": "vacío"}[
            self.kind
        ]


@dataclass
class ImportPlan:
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


# --- reading ------------------------------------------------------------------------------


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, object]]]:
    if not content:
        raise ImportFileError("El archivo está vacío.")
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            f"El archivo pesa {len(content) / 1024 / 1024:.1f} MB; el máximo es "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _read_csv(content)
    else:
        raise ImportFileError("Formato no admitido: use un archivo .csv (UTF-8) o .xlsx.")
    if not rows:
        raise ImportFileError("El archivo no tiene filas de datos debajo de la cabecera.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"El archivo tiene {len(rows)} filas; el máximo es {MAX_ROWS}.")
    return rows


def _check_header(header: list[str]) -> list[str]:
    names = [str(h or "").strip().lower() for h in header]
    while names and not names[-1]:
        names.pop()
    missing = [c for c in COLUMNS if c not in names]
    extra = [n or "(sin nombre)" for n in names if n not in COLUMNS]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        raise ImportFileError(
            "Las columnas deben separarse con comas (,), no con punto y coma ni tabuladores."
        )
    problems = []
    if missing:
        problems.append("faltan las columnas " + ", ".join(missing))
    if extra:
        problems.append("sobran las columnas " + ", ".join(extra))
    if len(set(names)) != len(names):
        problems.append("hay columnas repetidas")
    if problems:
        raise ImportFileError(
            "Cabecera incorrecta: "
            + "; ".join(problems)
            + ". Se esperan: "
            + ",".join(COLUMNS)
            + "."
        )
    return names


def _read_csv(content: bytes) -> list[tuple[int, dict[str, object]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "El archivo no está codificado en UTF-8. "
            "Guárdelo como «CSV UTF-8» y vuelva a intentarlo."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("El archivo está vacío.") from None
    names = _check_header(header)
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            rows.append((line, {"__error__": "tiene más celdas que columnas la cabecera."}))
            continue
        rows.append((line, dict(zip(names, cells, strict=False))))
    return rows


def _read_xlsx(content: bytes) -> list[tuple[int, dict[str, object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError("No se pudo leer el archivo XLSX (¿está dañado?).") from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows()
    try:
        header = [c.value for c in next(iterator)]
    except StopIteration:
        raise ImportFileError("El archivo está vacío.") from None
    names = _check_header(header)
    rows = []
    for line, cells in enumerate(iterator, start=2):
        values = [c.value for c in cells]
        if not any(v not in (None, "") for v in values):
            continue
        formulas = [
            c.coordinate
            for c in cells
            if getattr(c, "data_type", None) == "f"
            or (isinstance(c.value, str) and c.value.startswith("="))
        ]
        if formulas:
            rows.append(
                (
                    line,
                    {"__error__": "contiene fórmulas (" + ", ".join(formulas) + "); use valores."},
                )
            )
            continue
        rows.append((line, dict(zip(names, values, strict=False))))
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
    if isinstance(raw, float):
        raw = repr(raw)  # shortest exact text of an XLSX number
    return services.parse_decimal(raw, label, **limits)


def plan_import(rows: list[tuple[int, dict[str, object]]], *, user=None) -> ImportPlan:
    """Check every row; nothing is written. A user, when given, must be allowed each row."""
    result = ImportPlan()
    indicators: dict[str, Indicator] = {}
    for ind in Indicator.objects.select_related("responsible"):
        indicators[ind.code.upper()] = ind
        if ind.alias:
            indicators[ind.alias.upper()] = ind
    existing = {(v.indicator_id, v.year): v for v in IndicatorValue.objects.all()}
    years = services.plan_years()
    seen: dict[tuple[int, int], int] = {}
    is_validator = user is not None and access.is_validator(user)

    for line, row in rows:
        if "__error__" in row:
            result.errors.append(RowError(line, str(row["__error__"])))
            continue
        try:
            code = _text(row.get("indicator"))
            indicator = indicators.get(code.upper())
            if not code:
                raise ValidationError("falta el código del indicador.")
            if indicator is None:
                raise ValidationError(f"el indicador «{code}» no existe.")
            year_text = _text(row.get("year"))
            if not year_text.isdigit():
                raise ValidationError(f"el año «{year_text}» no es un año válido.")
            year = int(year_text)
            numerator = _number(row.get("numerator"), "numerator", services.PART_LIMITS)
            denominator = _number(row.get("denominator"), "denominator", services.PART_LIMITS)
            value = _number(row.get("value"), "value", services.VALUE_LIMITS)
            note = _text(row.get("note"))
            if len(note) > MAX_NOTE:
                raise ValidationError(f"la nota supera los {MAX_NOTE} caracteres.")
            key = (indicator.pk, year)
            if key in seen:
                raise ValidationError(
                    f"{indicator.code} {year} ya aparece en la fila {seen[key]} del archivo."
                )
            seen[key] = line
            if user is not None and not is_validator:
                access.require_registrar_of(user, indicator.responsible_id)
            current = existing.get(key)
            if numerator is None and denominator is None and value is None:
                services.check_year(year, years)
                result.changes.append(
                    RowChange(line, indicator, year, "empty", None, note, current)
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
            result.errors.append(
                RowError(line, "el indicador no es de su dirección: no puede importarlo.")
            )
            continue
        except ValidationError as exc:
            result.errors.append(RowError(line, _messages(exc)))
            continue
        if current is None:
            kind = "new"
        elif (current.numerator, current.denominator, current.value, current.note) == (
            clean.numerator,
            clean.denominator,
            clean.value,
            note,
        ):
            kind = "unchanged"
        else:
            kind = "changed"
            if current.state != WorkflowState.DRAFT and not is_validator and user is not None:
                result.errors.append(
                    RowError(
                        line,
                        f"{indicator.code} {year} está {current.get_state_display()}: "
                        "solo la oficina de planeamiento puede cambiarlo.",
                    )
                )
                continue
        result.changes.append(RowChange(line, indicator, year, kind, clean, note, current))
    return result


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# --- writing ------------------------------------------------------------------------------


@transaction.atomic
def apply_import(
    plan: ImportPlan, *, user=None, status: str = WorkflowState.DRAFT, reason: str = "importación"
) -> dict[str, int]:
    if plan.errors:
        raise ValidationError("La importación tiene filas con errores: no se importó nada.")
    if user is not None and status == WorkflowState.VALIDATED:
        access.require_validator(user)
    acting = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    written = 0
    for change in plan.changes:
        if change.kind not in {"new", "changed"}:
            continue
        item = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=change.indicator, year=change.year)
            .first()
        ) or IndicatorValue(indicator=change.indicator, year=change.year, version=0)
        item.numerator = change.clean.numerator
        item.denominator = change.clean.denominator
        item.value = change.clean.value
        item.note = change.note
        item.origin = IndicatorValue.Origin.USER
        item.source = "Importación de archivo"
        item.state = status
        item.return_reason = ""
        if status in {WorkflowState.SUBMITTED, WorkflowState.VALIDATED}:
            item.submitted_by, item.submitted_at = acting, now
        if status == WorkflowState.VALIDATED:
            item.validated_by, item.validated_at = acting, now
        services._save(item, acting, reason)
        written += 1
    return {
        "new": plan.count("new"),
        "changed": plan.count("changed"),
        "unchanged": plan.count("unchanged"),
        "empty": plan.count("empty"),
        "written": written,
    }


# --- the planner's template ---------------------------------------------------------------


def template_xlsx(year: int) -> bytes:
    """One row per indicator for `year`, current values filled in; re-imports cleanly."""
    from openpyxl import Workbook

    values = {v.indicator_id: v for v in IndicatorValue.objects.filter(year=year)}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Valores {year}"
    sheet.append(COLUMNS)
    for ind in Indicator.objects.order_by("level", "order", "code"):
        v = values.get(ind.pk)
        sheet.append(
            [
                ind.code,
                year,
                float(v.numerator) if v and v.numerator is not None else None,
                float(v.denominator) if v and v.denominator is not None else None,
                float(v.value) if v and v.value is not None and not ind.is_ratio else None,
                v.note if v else None,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
