"""`ensure_demo_users` (make run) gives each demo account its PESEM unit, even when another
entity has units of the same code (the made-up PEI's «OPP» and «DGC»)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import load_example_pei

pytestmark = pytest.mark.django_db


def test_demo_accounts_get_the_pesem_units_beside_another_entitys(settings):
    settings.DEBUG = True
    load_example_pei()
    call_command("ensure_demo_users", stdout=io.StringIO())
    users = get_user_model().objects.select_related("profile__directorate__entity")
    units = {
        u.username: (u.profile.directorate.code, u.profile.directorate.entity.code)
        for u in users.filter(username__in=["validador.opp", "registrador.dgc"])
    }
    assert units == {"validador.opp": ("OPP", "RREE"), "registrador.dgc": ("DGC", "RREE")}
