"""No 500 from input: random text, NUL characters, non-ASCII digits and stray
quotes in every GET parameter of the main pages and in the fields of the main forms get a page
or a Spanish refusal (4xx), never a server error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import enter_value, ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,  # nothing written to the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

NASTY = [
    "",
    "\x00",
    "2016\x00",
    "²",
    "١٢٣",
    "٢٠١٦",
    "２０１６",
    "-1",
    "99999999999999999999999",
    '"',
    "'",
    "=1+1",
    "<script>",
    "1,020,000.50",
    "1e400",
    "NaN",
    "\u202e",
]
text = st.one_of(st.text(max_size=40), st.sampled_from(NASTY))


def params(*names: str):
    """Any subset of the parameters, each with random or nasty text."""
    return st.fixed_dictionaries({}, optional={name: text for name in names})


@pytest.fixture
def staff(client, validator):
    client.force_login(validator)  # the planning office sees every page
    return client


def assert_answered(response) -> None:
    assert response.status_code < 500, response.status_code


TABLERO = ("anio", "year", "objective", "responsible", "level", "light", "sort", "page", "_export")


@FUZZ
@given(query=params(*TABLERO))
@example(query={"anio": "١٢٣"})
@example(query={"anio": "²", "_export": "csv"})
@example(query={"_export": "foo"})
@example(query={"responsible": "\x00", "objective": "\x00", "page": "\x00"})
def test_tablero_answers_any_query(staff, query):
    assert_answered(staff.get(reverse("home"), query))


PAGES = [
    ("objective_detail", [1]),
    ("indicator_detail", ["OE2.1"]),
    ("directorates", []),
    ("directorate_detail", ["DGC"]),
    ("report", []),
    ("pending", []),
    ("validation_queue", []),
    ("import_upload", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
@FUZZ
@given(query=params("anio", "year", "direccion", "page"))
@example(query={"anio": "²"})
@example(query={"anio": "١٢٣"})
@example(query={"anio": "99999999999999999999999"})
@example(query={"direccion": "\x00"})
def test_year_pages_answer_any_query(staff, name, args, query):
    assert_answered(staff.get(reverse(name, args=args), query))


@FUZZ
@given(query=params("q"))
@example(query={"q": "\x00"})
@example(query={"q": "(*+?[\\"})
def test_actor_search_answers_any_query(staff, query):
    assert_answered(staff.get(reverse("actors"), query))


@FUZZ
@given(form=params("numerator", "denominator", "note", "version", "evidence_url", "submit"))
@example(form={"numerator": "130", "denominator": "1000000", "note": "a\x00b"})
@example(form={"numerator": "١٣٠", "denominator": "²"})
@example(form={"numerator": "1", "denominator": "2", "version": "99999999999999999999"})
def test_value_entry_answers_any_post(client, registrar_dgc, form):
    client.force_login(registrar_dgc)
    url = reverse("value_entry", args=["OE3.1", 2016])
    assert_answered(ok(client.post(url, form)))


@pytest.fixture
def validated_2016(registrar_dgc, validator):
    """A validated value, so imports also meet the refusal of validated rows."""
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["OE3.1", "NAC.3", "2016", "2017", "²", "١٢٣", "130", "1,000,000", '"']),
)
csv_rows = st.lists(st.lists(cell, min_size=0, max_size=7), max_size=6)


@FUZZ
@given(
    rows=csv_rows,
    header=st.booleans(),
    name=st.sampled_from(["v.csv", "v.txt", "v.xlsx", "v.pdf"]),
    status=text,
)
@example(
    rows=[["NAC.3", "2016", "", "", "938178", "a\x00b"]], header=True, name="v.csv", status="draft"
)
@example(rows=[["NAC.3", '"sin cerrar']], header=True, name="v.csv", status="submitted")
@example(rows=[["OE3.1", "2016", "1", "2", "", ""]], header=True, name="v.csv", status="submitted")
@example(rows=[["x" * 200_000]], header=True, name="v.csv", status="draft")
def test_import_upload_answers_any_file(
    client, validator, validated_2016, settings, tmp_path, rows, header, name, status
):
    settings.MEDIA_ROOT = tmp_path  # pending imports land in a throwaway folder
    client.force_login(validator)
    lines = [",".join(r) for r in rows]
    if header:
        lines.insert(0, "indicator,year,numerator,denominator,value,note")
    content = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    response = ok(
        client.post(
            reverse("import_upload"), {"file": SimpleUploadedFile(name, content), "status": status}
        )
    )
    assert_answered(response)
    assert_answered(ok(client.post(reverse("import_confirm")), 302))


@FUZZ
@given(content=st.binary(max_size=2000), name=st.sampled_from(["v.csv", "v.xlsx"]))
@example(content=b"PK\x03\x04" + b"\x00" * 100, name="v.xlsx")
@example(content=b"\xff\xfe\x00", name="v.csv")
def test_import_upload_answers_any_bytes(client, validator, settings, tmp_path, content, name):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(validator)
    response = ok(
        client.post(
            reverse("import_upload"), {"file": SimpleUploadedFile(name, content), "status": "draft"}
        )
    )
    assert_answered(response)
