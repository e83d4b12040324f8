"""The entry grid: a directorate's whole year on one page, one row per indicator it owes,
saved (and sent) in one transaction; the live preview it asks for while the registrar types;
withdrawing a submission. Views check access, call entry_rows.py (reads) or services.py (writes)
and render; the arithmetic is in progress.py."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from indicators import access, entry_rows, progress, services
from indicators.entry.grid_forms import NUMBER_FIELDS, GridRowForm, entry_initial
from indicators.models import ActionReport, Indicator, IndicatorValue, WorkflowState
from indicators.templatetags.pesem import percent
from lib import numbers
from objectives import plans
from objectives.models import Directorate, StrategicAction

PENDING_DIR = "evidencia-pendiente"
# The grid shows the year's drafts with their texts and evidence: nothing in it is for someone
# who may not read them, and the sent and validated values are on the indicators' pages.
GRID_REFUSED = (
    "La planilla de {code} muestra sus borradores: solo la ven los registradores y el director "
    "de la dirección, la oficina de planeamiento y los administradores. Los valores enviados "
    "(preliminares) y validados están en la página de cada indicador."
)


@dataclass
class GridRow:
    """A row of the page: the indicator's context, its form when it can be typed in, and
    what the typed (or stored) numbers give. `posted`: the browser sent the row's inputs
    (static/js/grid.js sends only the rows typed in; a row not sent keeps what is stored)."""

    entry: entry_rows.EntryRow
    form: GridRowForm | None
    preview: entry_rows.Preview | None
    can_withdraw: bool = False
    posted: bool = False

    @property
    def pending_name(self) -> str:
        key = self.form["pending_file"].value() if self.form else ""
        return PurePosixPath(key).name if key else ""

    @property
    def warnings(self) -> list[str]:
        """Live ones for a row being typed in; the stored ones (what the validator sees)
        for a row that is read only."""
        if self.form is not None:
            return list(self.preview.warnings) if self.preview else []
        return list(self.entry.item.warnings) if self.entry.item else []

    @property
    def show_justification(self) -> bool:
        if self.form is None:
            return False
        return bool(
            (self.preview and self.preview.warnings)
            or self.form["justification"].value()
            or self.form["justification"].errors
        )

    @property
    def problems(self) -> list[str]:
        """Every error of the row, each with its field's label, for the summary at the top."""
        if self.form is None or not self.form.is_bound:
            return []
        found = []
        for name, errors in self.form.errors.items():
            field = self.form.fields.get(name)
            for message in errors:
                found.append(f"{field.label}: {message}" if field is not None else message)
        return found


@dataclass(frozen=True)
class GridPage:
    """The rows of the grid shown at once: PAGE_SIZE at most, so a page is built quickly and
    its whole form fits Django's field and file limits even when every row is sent (nine
    fields and one file input a row), whatever the number of indicators."""

    number: int
    count: int
    total: int
    first: int  # position of the page's first row, from 1
    last: int
    labels: tuple[str, ...]  # each page's first and last code, for the page list

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    @property
    def choices(self) -> list[tuple[int, str]]:
        return list(enumerate(self.labels, start=1))


# Nine posted fields a row (version, kept file, two numbers or one, note, three texts, link)
# and one file input: 50 rows stay far below DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) and
# DATA_UPLOAD_MAX_NUMBER_FILES (100) without JavaScript too.
PAGE_SIZE = 50


def _page_number(raw: str | None) -> int:
    """?pagina=N: ASCII digits of a sane size ("²".isdigit() is true), else the first page."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 6:
        return max(int(raw), 1)
    return 1


def _paginate(order: list[tuple[int, str]], number: int) -> tuple[GridPage, list[int]]:
    """The page `number` (the last one if beyond it) of the ordered (pk, code) list."""
    chunks = [order[i : i + PAGE_SIZE] for i in range(0, len(order), PAGE_SIZE)] or [[]]
    number = min(number, len(chunks))
    chunk = chunks[number - 1]
    first = (number - 1) * PAGE_SIZE + 1 if chunk else 0
    page = GridPage(
        number=number,
        count=len(chunks),
        total=len(order),
        first=first,
        last=first + len(chunk) - 1 if chunk else 0,
        labels=tuple(f"{c[0][1]} – {c[-1][1]}" if c else "" for c in chunks),
    )
    return page, [pk for pk, _ in chunk]


_POSTED = re.compile(r"r([0-9]{1,12})-version")


def _posted_pks(data, known: set[int]) -> set[int]:
    """The directorate's rows whose inputs were sent (each row's hidden version field is sent
    with its other inputs, or not at all)."""
    found = set()
    for key in data:
        match = _POSTED.fullmatch(key)
        if match and int(match.group(1)) in known:
            found.add(int(match.group(1)))
    return found


# --- evidence chosen in an attempt that was refused ----------------------------------------


def _pending_key_pattern(user_pk: int) -> re.Pattern[str]:
    # A file name, never "." or "..": the key stays inside the user's own folder.
    return re.compile(rf"{PENDING_DIR}/{user_pk}/[0-9a-f]{{32}}/(?!\.\.?$)[^/\\]+")


def _stash(request: HttpRequest, upload: UploadedFile) -> str:
    """Keep an uploaded file in the configured storage (shared by every app server) until the
    grid is saved: the key goes back to the page in a hidden input."""
    name = default_storage.get_valid_name(PurePosixPath(upload.name or "").name or "archivo")
    return default_storage.save(
        f"{PENDING_DIR}/{request.user.pk}/{uuid.uuid4().hex}/{name}", upload
    )


def _pending_key(request: HttpRequest, key: str) -> str:
    """The key if it is one of this user's kept files and still there; "" otherwise."""
    if not key or not _pending_key_pattern(request.user.pk).fullmatch(key):
        return ""
    return key if default_storage.exists(key) else ""


# --- the page --------------------------------------------------------------------------------


def _directorate_year(code: str, year: int) -> tuple[Directorate, range]:
    years = services.plan_years()
    if year not in years:
        raise Http404("Año fuera del periodo del plan.")
    return get_object_or_404(Directorate, entity=plans.shown_entity(), code=code), years


def _actions(
    directorate: Directorate, year: int
) -> list[tuple[StrategicAction, ActionReport | None]]:
    """The directorate's strategic actions with the year's report (two queries)."""
    actions = (
        StrategicAction.objects.filter(responsibles=directorate, parent=None)
        .order_by("objective__number", "order")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=ActionReport.objects.filter(directorate=directorate, year=year),
                to_attr="year_reports",
            )
        )
    )
    return [(a, next(iter(a.year_reports), None)) for a in actions]


def _stored_preview(row: entry_rows.EntryRow) -> entry_rows.Preview | None:
    if row.item is None:
        return None
    return row.preview(
        numerator=row.item.numerator, denominator=row.item.denominator, value=row.item.value
    )


def _typed_preview(row: entry_rows.EntryRow, form: GridRowForm) -> entry_rows.Preview | None:
    typed = form.numbers()
    if all(v is None for v in typed.values()):
        return None
    return row.preview(**typed)


def _render(
    request, directorate, year, years, rows, can_edit, page, refused=False, *, semestral=False
):
    problem_rows = [r for r in rows if r.problems] if refused else []
    return render(
        request,
        "indicators/grid.html",
        {
            "directorate": directorate,
            "year": year,
            "years": years,
            "rows": rows,
            "can_edit": can_edit,
            "has_forms": any(r.form for r in rows),
            "actions": _actions(directorate, year),
            "page": page,
            "refused": refused,
            "problem_rows": problem_rows,
            "semestral": semestral,
        },
    )


def _rows(request, rows_read, can_edit, data=None, files=None, posted=()) -> list[GridRow]:
    rows = []
    for row in rows_read:
        form = None
        sent = data is not None and row.indicator.pk in posted
        if can_edit and row.editable:
            if sent:
                form = GridRowForm(data, files, row=row)
            else:
                form = GridRowForm(initial=entry_initial(row), row=row)
        can_withdraw = (
            row.item is not None
            and row.item.state == WorkflowState.SUBMITTED
            and row.item.submitted_by_id == request.user.pk
            and can_edit
        )
        rows.append(GridRow(row, form, _stored_preview(row), can_withdraw, posted=sent))
    return rows


def _grid_url(directorate: Directorate, year: int, page: GridPage) -> str:
    url = reverse("grid", args=[directorate.code, year])
    return f"{url}?pagina={page.number}" if page.number > 1 else url


@login_required
def grid(request, code: str, year: int):
    """A directorate's workspace: read by who may read its drafts (access.can_see_drafts_of:
    its registrars and director users, validators, administrators), 403 for anyone else; only
    its registrars get inputs, and only they may save (403 for a hand-made POST). A page shows
    PAGE_SIZE rows; a save stores the rows sent (grid.js sends those typed in) and sends the
    page's drafts."""
    directorate, years = _directorate_year(code, year)
    if not access.can_see_drafts_of(request.user, directorate.pk):
        raise PermissionDenied(GRID_REFUSED.format(code=directorate.code))
    # A semestral plan's year is made from its semesters: read here, typed per semester.
    semestral = services.shown_semestral_code()
    can_edit = access.is_registrar_of(request.user, directorate.pk) and semestral is None
    order = entry_rows.entry_order(directorate=directorate)
    raw_page = request.GET.get("pagina")
    page, pks = _paginate(order, _page_number(raw_page))
    if request.method != "POST":
        if raw_page is not None and (page.number == 1 or raw_page != str(page.number)):
            # One address a page (a page number out of range or odd goes to the page shown):
            # each address is a copy in the page cache.
            return redirect(_grid_url(directorate, year, page))
        rows_read = entry_rows.entry_rows(directorate=directorate, year=year, pks=pks)
        rows = _rows(request, rows_read, can_edit)
        return _render(
            request, directorate, year, years, rows, can_edit, page, semestral=bool(semestral)
        )

    access.require_registrar_of(request.user, directorate.pk)
    if semestral is not None:
        raise PermissionDenied(services.SEMESTRAL_YEAR.format(code=semestral))
    data = request.POST.copy()
    # The rows sent are saved even if they are no longer on this page (indicators added
    # meanwhile move the pages' limits).
    posted = _posted_pks(data, {pk for pk, _ in order})
    rows_read = entry_rows.entry_rows(directorate=directorate, year=year, pks=set(pks) | posted)
    rows = _rows(request, rows_read, can_edit, data=data, files=request.FILES, posted=posted)
    refused = _parse(request, rows)
    inputs, keys = _inputs(rows, submit="submit" in request.POST)
    submit = "submit" in request.POST
    try:
        saved = services.grid_save(
            user=request.user,
            directorate=directorate,
            year=year,
            rows=inputs,
            submit=submit,
            refused=refused,
        )
    except services.GridError as exc:
        _apply_row_errors(rows, exc.rows)
        return _render(request, directorate, year, years, rows, can_edit, page, refused=True)
    finally:
        for value in inputs:
            if value.evidence_file is not None:
                value.evidence_file.close()
    for key in keys:
        default_storage.delete(key)
    if not saved:
        messages.info(request, "No había nada que guardar.")
    elif submit:
        messages.success(request, f"Planilla {year}: {len(saved)} valor(es) enviados a validación.")
    else:
        messages.success(request, f"Planilla {year} guardada como borrador.")
    return redirect(_grid_url(directorate, year, page))


def _parse(request, rows: list[GridRow]) -> dict[str, dict[str, list[str]]]:
    """Parse every sent row's form; keep each chosen file (valid or not the rest of the row),
    so a refusal never makes the registrar choose it again. The problems found, by row code
    and field (empty when every row parsed)."""
    refused: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        form = row.form
        if form is None or not row.posted:
            continue
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        pending = form.data.get(form.add_prefix("pending_file"), "")
        key = _pending_key(request, pending)
        if pending and not key:
            form.add_error(
                None, "El archivo elegido antes ya no está disponible: elíjalo de nuevo."
            )
        upload = cleaned.get("evidence_file")
        if upload:
            if key:
                default_storage.delete(key)
            key = _stash(request, upload)
        form.data[form.add_prefix("pending_file")] = key
        form.cleaned_data["pending_file"] = key
        form.cleaned_data["evidence_file"] = None
        if form.errors:
            refused[row.entry.code] = {name: list(errors) for name, errors in form.errors.items()}
        row.preview = _typed_preview(row.entry, form)
    return refused


def _stored_input(row: entry_rows.EntryRow) -> services.ValueInput:
    """A stored draft as it is, for a row the browser did not send (to send it with the
    others)."""
    item = row.item
    ratio = row.indicator.is_ratio
    return services.ValueInput(
        indicator=row.indicator,
        numerator=item.numerator if ratio else None,
        denominator=item.denominator if ratio else None,
        value=None if ratio else item.value,
        note=item.note,
        analysis=item.analysis,
        measures=item.measures,
        justification=item.justification,
        evidence_url=item.evidence_url,
        expected_version=item.version,
    )


def _inputs(rows: list[GridRow], *, submit: bool) -> tuple[list[services.ValueInput], list[str]]:
    """What to save: every sent row with something typed, and every stored draft (to send it
    with the others; a draft not sent is saved as stored, so not written again); the kept
    evidence files, opened. A row whose number did not parse is left to the refusal (its
    number is unknown); the others are checked by the service, so every problem of every row
    is reported at once."""
    inputs, keys = [], []
    for row in rows:
        form = row.form
        if form is None:
            continue
        if not row.posted:
            if submit and row.entry.item is not None:
                inputs.append(_stored_input(row.entry))
            continue
        if any(name in form.errors for name in NUMBER_FIELDS):
            continue
        if not (form.touched() or row.entry.item is not None):
            continue
        data = form.cleaned_data
        key = data.get("pending_file") or ""
        evidence = None
        if key:
            keys.append(key)
            evidence = File(default_storage.open(key, "rb"), name=PurePosixPath(key).name)
        inputs.append(
            services.ValueInput(
                indicator=row.entry.indicator,
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                value=data.get("value"),
                note=data.get("note", ""),
                analysis=data.get("analysis", ""),
                measures=data.get("measures", ""),
                justification=data.get("justification", ""),
                evidence_url=data.get("evidence_url", ""),
                evidence_file=evidence,
                expected_version=data.get("version"),
            )
        )
    return inputs, keys


def _apply_row_errors(rows: list[GridRow], errors: dict[str, dict[str, list[str]]]) -> None:
    """Put the service's problems on their rows (those the form found already are there). A
    row the browser did not send (a stored draft sent with the others) is shown as stored,
    with its problems, and is sent with the next attempt."""
    for row in rows:
        if row.form is None or row.entry.code not in errors:
            continue
        if not row.form.is_bound:
            initial = entry_initial(row.entry)
            row.form = GridRowForm(
                {row.form.add_prefix(k): "" if v is None else v for k, v in initial.items()},
                row=row.entry,
            )
            row.form.is_valid()
            row.posted = True
        form = row.form
        for field, messages_ in errors[row.entry.code].items():
            name = field if field in form.fields else None
            known = form.errors.get(name or "__all__", [])
            for message in messages_:
                if message not in known:
                    form.add_error(name, message)


@login_required
@require_POST
def grid_withdraw(request, code: str, year: int, pk: int):
    """«Retirar envío» from the grid: the submitter takes a value back to draft."""
    directorate, _ = _directorate_year(code, year)
    item = get_object_or_404(
        IndicatorValue.objects.select_related("indicator"),
        pk=pk,
        year=year,
        indicator__responsible=directorate,
    )
    raw = request.POST.get("version", "")
    # ASCII digits only: "²".isdigit() is true and int("²") fails.
    version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None
    try:
        services.do_withdraw(user=request.user, item=item, expected_version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{services.item_label(item)}: envío retirado; vuelve a ser un borrador."
        )
    return redirect("grid", code=directorate.code, year=year)


# --- live preview --------------------------------------------------------------------------

PREVIEW_PARAMS = {
    "numerator": ("numerador", "Numerador", services.PART_LIMITS),
    "denominator": ("denominador", "Denominador", services.PART_LIMITS),
    "value": ("valor", "Valor", services.VALUE_LIMITS),
}


@login_required
@require_GET
def grid_preview(request):
    """What the typed numbers give, before saving: computed value, achievement, light and
    warnings, by entry_rows.preview, formatted the Peruvian way. JSON for static/js/grid.js.
    Read-only: everything it shows is on the indicator's page to any logged-in user."""
    indicator = get_object_or_404(
        Indicator, plan=plans.shown_plan(), code=request.GET.get("indicador", "")
    )
    raw_year = request.GET.get("anio", "")
    if (
        not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) <= 4)
        or int(raw_year) not in services.plan_years()
    ):
        raise Http404("Año fuera del periodo del plan.")
    row = entry_rows.entry_row(indicator=indicator, year=int(raw_year))
    parsed: dict[str, Decimal | None] = {}
    errors: dict[str, str] = {}
    for name, (param, label, limits) in PREVIEW_PARAMS.items():
        try:
            parsed[name] = services.parse_decimal(request.GET.get(param), label, **limits)
        except ValidationError as exc:
            parsed[name] = None
            errors[name] = exc.messages[0]
    return JsonResponse(preview_json(row, parsed, errors))


def preview_json(
    row: entry_rows.EntryRow, parsed: dict[str, Decimal | None], errors: dict[str, str]
) -> dict[str, object]:
    result = row.preview(**parsed)
    return {
        "value": row.show(result.value) if result.value is not None else "",
        "value_full": numbers.format_number(result.value, 4) if result.value is not None else "",
        "achievement": percent(result.achievement) if result.value is not None else "",
        "light": str(result.light),
        "light_label": progress.LIGHT_LABELS[result.light],
        "target": row.show(row.target.value) if row.target else progress.NO_TARGET,
        "target_label": row.target_label,
        "warnings": list(result.warnings),
        "error": result.error,
        "errors": errors,
    }
