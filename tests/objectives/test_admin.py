"""Administrators edit the whole plan in Django admin; nobody else gets in."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# django-axes registers read-only logs (no add form); every other model is ours or auth.
MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label != "axes"), key=lambda m: m._meta.label
)
# Changed only through the workflow's pages (or written by the system: the mail outbox, the
# calendar set at /calendario/): admin shows them, without an add form.
WORKFLOW = {
    "indicators.IndicatorValue",
    "indicators.ActionReport",
    "indicators.Target",
    "indicators.TargetRevision",
    "indicators.OutboundMail",
    "indicators.ReportingDeadline",
    "indicators.ReportConclusion",
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_superuser_opens_changelist_add_and_change_forms(client, superuser, model):
    client.force_login(superuser)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    # (The portal settings, a single row, open their form instead of a list.)
    assert client.get(changelist, follow=True).status_code == 200
    assert client.get(changelist, {"q": "Perú"}, follow=True).status_code == 200
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if opts.label in WORKFLOW else 200)
    obj = model.objects.first()
    if obj is not None:  # user tables start empty; every plan table is loaded
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200


def test_plan_models_are_all_registered():
    labels = {m._meta.label for m in MODELS}
    assert {
        "objectives.Plan",
        "objectives.Directorate",
        "objectives.Component",
        "objectives.Subcomponent",
        "objectives.Trend",
        "objectives.StrategicVariable",
        "objectives.VariableGroup",
        "objectives.Scenario",
        "objectives.RiskOpportunity",
        "objectives.StrategicObjective",
        "objectives.StrategicAction",
        "objectives.NationalObjective",
        "objectives.NationalSpecificObjective",
        "objectives.PipTypology",
        "objectives.SourceDefect",
        "indicators.Indicator",
        "indicators.IndicatorValue",
        "indicators.Target",
        "indicators.IndicatorFlag",
        "actors.Actor",
        "actors.ActorInfluence",
    } <= labels


def test_filters_by_objective_and_directorate(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:objectives_strategicaction_changelist")
    response = client.get(url, {"objective__id__exact": 3})
    assert response.status_code == 200
    assert "Consolidar a labor" in response.content.decode()
    assert "Fortalecer la defensa de la democracia" not in response.content.decode()


def test_administrator_edits_an_action(client, superuser):
    from objectives.models import StrategicAction

    client.force_login(superuser)
    action = StrategicAction.objects.get(code="2.3")
    url = reverse("admin:objectives_strategicaction_change", args=[action.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "importance": 3,
            "sub_actions-TOTAL_FORMS": 0,
            "sub_actions-INITIAL_FORMS": 0,
        }
    )
    # Responsibles are an inline in Cuadro 6's order (objectives.ActionResponsible).
    links = list(action.responsible_links.order_by("position"))
    data.update(
        {"responsible_links-TOTAL_FORMS": len(links), "responsible_links-INITIAL_FORMS": len(links)}
    )
    for n, link in enumerate(links):
        data.update(
            {
                f"responsible_links-{n}-id": link.pk,
                f"responsible_links-{n}-strategicaction": action.pk,
                f"responsible_links-{n}-position": link.position,
                f"responsible_links-{n}-directorate": link.directorate_id,
            }
        )
    data["objective"] = action.objective_id
    data.pop("parent", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    action.refresh_from_db()
    assert action.importance == 3


def test_user_without_staff_status_cannot_open_admin(client, plain_user):
    client.force_login(plain_user)
    response = client.get(reverse("admin:indicators_indicator_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_anonymous_cannot_open_admin(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_portal_settings_open_as_a_form_not_an_empty_list(client, superuser):
    from pesem.models import PortalSettings

    client.force_login(superuser)
    response = client.get("/admin/pesem/portalsettings/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/pesem/portalsettings/add/"
    page = client.get(response["Location"]).content.decode()
    assert 'name="publish_analysis"' in page
    PortalSettings.objects.create(pk=1)
    response = client.get("/admin/pesem/portalsettings/")
    assert response["Location"] == "/admin/pesem/portalsettings/1/change/"


def test_deadline_list_in_admin_points_to_the_calendar(client, superuser):
    client.force_login(superuser)
    page = ok(client.get("/admin/indicators/reportingdeadline/")).content.decode()
    assert 'href="/calendario/"' in page
    assert "31 de marzo del año siguiente" in page


def test_user_page_shows_the_directorate_before_the_permission_list(client, superuser, validator):
    client.force_login(superuser)
    page = ok(client.get(f"/admin/auth/user/{validator.pk}/change/")).content.decode()
    # The permission list is folded (a <details> fieldset) and the dates are not inputs.
    permissions = page.index('name="user_permissions"')
    assert page.rfind("<details", 0, permissions) > page.rfind("</details>", 0, permissions)
    assert 'name="last_login_0"' not in page and 'name="date_joined_0"' not in page
    assert 'name="profile-0-directorate"' in page
