"""Kept indicator pages follow the rule of indicators/access.py: a copy built for a reader
of
a directorate's drafts is never served to someone who may not read them, whatever else they
share (roles, directorate, staff flag)."""

from __future__ import annotations

import pytest

from tests.factories import enter_value, logged_in, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PAGE = "/indicadores/OE3.1/"  # DGC's indicator
DRAFT_NOTE = "Nota-borrador-ZWV"


@pytest.fixture
def draft(django_user_model):
    return enter_value(
        make_staff(django_user_model, "reg.dgc", "registrador", "DGC"), year=2018, note=DRAFT_NOTE
    )


def _seer_then_blind(seer, blind) -> None:
    first = seer.get(PAGE)
    assert DRAFT_NOTE in first.content.decode()
    assert seer.get(PAGE)["X-Page-Cache"] == "hit"
    served = blind.get(PAGE)
    assert served.status_code == 200
    assert "X-Page-Cache" not in served  # a copy of its own
    assert DRAFT_NOTE not in served.content.decode()


def test_a_superuser_copy_is_not_served_to_a_user_without_roles(django_user_model, draft):
    # Neither has roles, a directorate or the staff flag: only the superuser flag tells them
    # apart.
    root = django_user_model.objects.create_superuser("root", "root@example.org", "clave-1-r")
    root.is_staff = False
    root.save(update_fields=["is_staff"])
    plain = django_user_model.objects.create_user("lector", password="clave-segura-1")
    _seer_then_blind(logged_in(root), logged_in(plain))


def test_a_director_copy_is_not_served_to_the_director_of_another_directorate(
    django_user_model, draft
):
    _seer_then_blind(
        logged_in(make_staff(django_user_model, "dir.dgc", "director", "DGC")),
        logged_in(make_staff(django_user_model, "dir.dpe", "director", "DPE")),
    )


def test_blind_readers_share_one_copy_without_the_draft(django_user_model, draft):
    one, other = (make_staff(django_user_model, n, "registrador", "DPE") for n in "ab")
    first = logged_in(one).get(PAGE)
    assert DRAFT_NOTE not in first.content.decode()
    again = logged_in(other).get(PAGE)
    assert again["X-Page-Cache"] == "hit" and DRAFT_NOTE not in again.content.decode()
