"""Django admin is no path around the workflow: yearly values, action reports and
targets are read only there; every other admin write is audited with its user; nobody but a
superuser widens anybody's rights."""

import logging
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse

from indicators.models import ActionReport, Indicator, IndicatorValue, Target
from objectives.models import Directorate, SourceDefect, StrategicAction
from tests.factories import enter_value

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


# --- helpers ------------------------------------------------------------------------------


def _form_data(form) -> dict:
    """What a browser would post back for an unbound admin form, as rendered."""
    data = {}
    for bound in form:
        widget = getattr(bound.field.widget, "widget", bound.field.widget)  # admin wrappers
        value = bound.value()
        if isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{bound.html_name}_{i}"] = sub.format_value(part) or ""
        elif value is not None:
            data[bound.html_name] = widget.format_value(value)
            if data[bound.html_name] is None:
                data[bound.html_name] = ""
    return data


def admin_post_data(response) -> dict:
    """The whole change page (form and inlines) as it would be posted without changes."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def snapshot(item):
    item.refresh_from_db()
    fields = ["numerator", "denominator", "value", "state", "version", "validated_by_id"]
    return {f: getattr(item, f) for f in fields if hasattr(item, f)} | {
        "history": item.history.count()
    }


@pytest.fixture
def validated(registrar_dgc, validator):
    return enter_value(registrar_dgc, numerator=450, denominator=2_850_000, validator=validator)


@pytest.fixture
def report(registrar_dpe):
    return ActionReport.objects.create(
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        state="validated",
    )


# --- values, reports and targets: read only -------------------------------------------------


def test_superuser_cannot_change_a_validated_value_in_admin(client, superuser, validated):
    client.force_login(superuser)
    before = snapshot(validated)
    page = client.get(change_url(validated))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Solo lectura" in html
    assert reverse("indicator_detail", args=["OE3.1"]) in html  # where the change is made
    assert reverse("value_entry", args=["OE3.1", 2016]) in html
    assert not page.context["has_change_permission"]

    response = client.post(
        change_url(validated),
        {
            "numerator": "999",
            "denominator": "1000",
            "value": "99.9",
            "state": "draft",
            "validated_by": "",
            "version": "1",
            "updated_by": superuser.pk,
        },
    )
    assert response.status_code == 403
    assert snapshot(validated) == before


@pytest.mark.parametrize("kind", ["value", "report", "target"])
def test_no_add_or_delete_of_workflow_rows_in_admin(client, superuser, request, kind):
    item = {
        "value": lambda: request.getfixturevalue("validated"),
        "report": lambda: request.getfixturevalue("report"),
        "target": lambda: Target.objects.filter(indicator__code="OE3.1").first(),
    }[kind]()
    opts = item._meta
    client.force_login(superuser)
    before = snapshot(item)

    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.get(add).status_code == 403
    assert client.post(add, {"year": "2019"}).status_code == 403
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[item.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # The changelist offers no delete action, and posting it anyway deletes nothing.
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert "delete_selected" not in client.get(changelist).content.decode()
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"}
    )
    assert type(item).objects.filter(pk=item.pk).exists()
    assert snapshot(item) == before


def test_history_revert_in_admin_is_refused(client, superuser, validated):
    """simple_history's revert form would save the draft version back, unvalidated."""
    draft = validated.history.order_by("history_id").first()
    assert draft.state == "draft"
    before = snapshot(validated)
    client.force_login(superuser)
    url = reverse(
        "admin:indicators_indicatorvalue_simple_history", args=[validated.pk, draft.history_id]
    )
    assert client.get(url).status_code == 200  # the old version may be looked at
    assert client.post(url, {}).status_code == 403
    assert snapshot(validated) == before and validated.state == "validated"


def test_indicator_page_inlines_do_not_change_add_or_delete_values(client, superuser, validated):
    indicator = validated.indicator
    client.force_login(superuser)
    page = client.get(change_url(indicator))
    html = page.content.decode()
    assert reverse("indicator_detail", args=[indicator.code]) in html
    assert reverse("target_edit", args=[indicator.code]) in html
    data = admin_post_data(page)
    values = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "values")
    index = [form.instance.pk for form in values.formset.forms].index(validated.pk)
    data |= {
        f"values-{index}-numerator": "999",
        f"values-{index}-state": "draft",
        f"values-{index}-DELETE": "on",
    }
    # An extra row, as a hand-made POST would add it.
    total = int(data["values-TOTAL_FORMS"])
    data |= {
        "values-TOTAL_FORMS": str(total + 1),
        f"values-{total}-year": "2019",
        f"values-{total}-value": "1",
        f"values-{total}-indicator": str(indicator.pk),
    }
    count = IndicatorValue.objects.filter(indicator=indicator).count()
    before = snapshot(validated)
    data["name"] = indicator.name + " (revisado)"
    response = client.post(change_url(indicator), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    indicator.refresh_from_db()
    assert indicator.name.endswith("(revisado)")  # the indicator's own fields are editable
    assert snapshot(validated) == before
    assert IndicatorValue.objects.filter(indicator=indicator).count() == count


@pytest.mark.parametrize("parent", ["indicator", "action"])
def test_deleting_a_parent_would_take_workflow_rows_along_so_it_is_refused(
    client, superuser, validated, report, parent
):
    obj = validated.indicator if parent == "indicator" else report.action
    opts = obj._meta
    client.force_login(superuser)
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert IndicatorValue.objects.filter(pk=validated.pk).exists()
    assert ActionReport.objects.filter(pk=report.pk).exists()


# --- every other admin write is audited --------------------------------------------------


def audit_writes(caplog):
    return [r for r in caplog.records if r.name == "pesem.audit" and r.getMessage() == "write"]


def test_admin_change_add_and_delete_write_audit_lines_with_the_user(client, superuser, caplog):
    caplog.set_level(logging.INFO, logger="pesem.audit")
    client.force_login(superuser)

    dgc = Directorate.objects.get(code="DGC")
    page = client.get(change_url(dgc))
    data = admin_post_data(page) | {"name": "Dirección General de Comunidades Peruanas"}
    assert client.post(change_url(dgc), data).status_code == 302
    dgc.refresh_from_db()
    assert dgc.name == "Dirección General de Comunidades Peruanas"

    indicator = Indicator.objects.get(code="OE3.1")
    add = reverse("admin:indicators_indicatorflag_add")
    response = client.post(add, {"indicator": indicator.pk, "text": "Nota nueva", "source": "OPP"})
    assert response.status_code == 302

    defect = SourceDefect.objects.first()
    changelist = reverse("admin:objectives_sourcedefect_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [defect.pk], "post": "yes"}
    )
    assert not SourceDefect.objects.filter(pk=defect.pk).exists()

    lines = {(r.operation, r.what): r for r in audit_writes(caplog)}
    change = lines[("change", "directorate")]
    assert (change.user, change.via, change.id) == ("root", "admin", dgc.pk)
    assert "nombre" in str(change.changes).lower()
    assert lines[("add", "indicatorflag")].user == "root"
    assert lines[("delete", "sourcedefect")].id == defect.pk


def test_history_records_name_the_request_user():
    """simple_history takes the user of the request for any tracked row saved during it."""
    middleware = settings.MIDDLEWARE
    assert "simple_history.middleware.HistoryRequestMiddleware" in middleware
    assert middleware.index("simple_history.middleware.HistoryRequestMiddleware") > (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    )


# --- no escalation ------------------------------------------------------------------------


def test_administrator_cannot_make_themselves_superuser_or_grant_permissions(client, administrator):
    client.force_login(administrator)
    url = change_url(administrator)
    page = client.get(url)
    assert page.status_code == 200
    perm = Permission.objects.get(codename="delete_accessattempt")
    data = admin_post_data(page) | {
        "is_superuser": "on",
        "user_permissions": [str(perm.pk)],
        "first_name": "Ana",
    }
    assert client.post(url, data).status_code == 302
    administrator.refresh_from_db()
    assert administrator.first_name == "Ana"  # the form was saved...
    assert not administrator.is_superuser  # ...without the rights asked for
    assert not administrator.user_permissions.exists()


def test_superuser_can_grant_superuser_status(client, superuser, administrator):
    client.force_login(superuser)
    url = change_url(administrator)
    data = admin_post_data(client.get(url)) | {"is_superuser": "on"}
    assert client.post(url, data).status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_superuser


def test_administrator_cannot_change_a_superuser(client, administrator, superuser):
    client.force_login(administrator)
    url = change_url(superuser)
    assert client.get(url).status_code == 200  # may look
    assert client.post(url, {"username": "root2", "is_active": ""}).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.post(password, {"password1": "x", "password2": "x"}).status_code == 403
    delete = reverse("admin:auth_user_delete", args=[superuser.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.username == "root" and superuser.is_active
    assert superuser.check_password("clave-segura-1")


@pytest.mark.parametrize("group_name", ["administrador", "validador"])
def test_administrator_cannot_change_group_permissions(client, administrator, group_name):
    group = Group.objects.get(name=group_name)
    before = set(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.exclude(pk__in=before).first()
    client.force_login(administrator)
    url = change_url(group)
    data = admin_post_data(client.get(url)) | {
        "permissions": [str(pk) for pk in before | {extra.pk}],
        "name": "otro nombre",
    }
    client.post(url, data)
    group.refresh_from_db()
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert group.name == group_name  # role groups are named in code
    delete = reverse("admin:auth_group_delete", args=[group.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Group.objects.filter(name=group_name).exists()


def test_administrator_still_manages_users_and_their_roles(client, administrator):
    client.force_login(administrator)
    add = reverse("admin:auth_user_add")
    data = admin_post_data(client.get(add)) | {
        "username": "nuevo.dgc",
        "password1": "clave-segura-nueva-1",
        "password2": "clave-segura-nueva-1",
        "usable_password": "true",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = type(administrator).objects.get(username="nuevo.dgc")
    url = change_url(user)
    registrar = Group.objects.get(name="registrador")
    data = admin_post_data(client.get(url)) | {"groups": [str(registrar.pk)], "is_staff": "on"}
    assert client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert list(user.groups.all()) == [registrar] and user.is_staff
    assert client.get(reverse("admin:auth_group_add")).status_code == 200
