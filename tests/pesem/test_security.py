"""No path around the workflow: four eyes on validation, login lockout by the real client,
private pages, the Spanish CSRF page, no password reset pages, and charts that never render a
name typed in admin as HTML."""

import io
import json
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from actors import charts as actor_charts
from indicators import charts as indicator_charts
from indicators import services
from indicators.entry import importing
from indicators.models import Indicator, IndicatorValue, Target
from objectives.models import Directorate, StrategicAction
from pesem.middleware import PrivateCacheMiddleware, client_ip
from tests.factories import enter_value, make_staff, ok

pytestmark = pytest.mark.django_db

OWN_WORK = "Usted participó en"
PLAUSIBLE = {"numerator": 450, "denominator": 2_850_000}  # no warning to justify on submit


# --- four eyes ----------------------------------------------------------------------------


@pytest.fixture
def registrar_and_validator(django_user_model):
    """A DGC registrar who also holds the planning office's role."""
    user = make_staff(django_user_model, "doble.dgc", "registrador", "DGC")
    user.groups.add(Group.objects.get(name="validador"))
    return user


def test_who_submitted_a_value_cannot_validate_it(registrar_and_validator, validator):
    item = enter_value(registrar_and_validator, **PLAUSIBLE, submit=True)
    with pytest.raises(ValidationError, match=OWN_WORK):
        services.do_validate(user=registrar_and_validator, item=item, expected_version=item.version)
    item.refresh_from_db()
    assert (item.state, item.version, item.validated_by) == ("submitted", 2, None)

    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    assert item.state == "validated" and item.validated_by == validator


def test_who_entered_a_value_cannot_validate_it_even_if_another_submitted_it(
    registrar_and_validator, registrar_dgc
):
    item = enter_value(registrar_and_validator, **PLAUSIBLE)
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    with pytest.raises(ValidationError, match=OWN_WORK):
        services.do_validate(user=registrar_and_validator, item=item, expected_version=item.version)
    item.refresh_from_db()
    assert item.state == "submitted"


def test_returning_validating_or_reopening_a_value_is_not_entering_it(registrar_dgc, validator):
    item = enter_value(registrar_dgc, **PLAUSIBLE, submit=True)
    item = services.do_return(
        user=validator, item=item, reason="revisar el denominador", expected_version=item.version
    )
    item = services.value_save(
        user=registrar_dgc,
        indicator=item.indicator,
        year=item.year,
        numerator=D(460),
        denominator=D(2_850_000),
        expected_version=item.version,
    )
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    item = services.do_reopen(
        user=validator, item=item, reason="cifra corregida", expected_version=item.version
    )
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    assert item.state == "validated" and item.validated_by == validator


def test_who_submitted_a_report_cannot_validate_it(django_user_model, validator):
    user = make_staff(django_user_model, "doble.dpe", "registrador", "DPE")
    user.groups.add(Group.objects.get(name="validador"))
    report = services.report_save(
        user=user,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="Ferias en 12 OSE",
    )
    report = services.do_submit(user=user, item=report, expected_version=report.version)
    with pytest.raises(ValidationError, match=f"{OWN_WORK} este reporte"):
        services.do_validate(user=user, item=report, expected_version=report.version)
    report.refresh_from_db()
    assert report.state == "submitted" and report.validated_by is None
    report = services.do_validate(user=validator, item=report, expected_version=report.version)
    assert report.state == "validated"


def test_the_validate_button_on_ones_own_value_says_why_and_changes_nothing(
    client, registrar_and_validator
):
    item = enter_value(registrar_and_validator, **PLAUSIBLE, submit=True)
    client.force_login(registrar_and_validator)
    response = ok(
        client.post(
            reverse("value_transition", args=[item.pk, "validate"]),
            {"version": item.version},
            follow=True,
        )
    )
    assert "debe validarlo otra persona de la oficina de planeamiento" in (
        response.content.decode()
    )
    item.refresh_from_db()
    assert item.state == "submitted"


def test_an_import_by_a_user_is_never_validated_by_the_importer(
    tmp_path, django_user_model, validator
):
    path = tmp_path / "valores.csv"
    path.write_text("indicator,year,numerator,denominator,value,note\nOE3.1,2016,450,2850000,,\n")

    def run(*args):
        call_command("import_values", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())

    with pytest.raises(CommandError, match="Quien importa los valores no puede validarlos"):
        run("--status", "validated", "--user", validator.username)
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()

    run("--status", "submitted", "--user", validator.username)
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert item.state == "submitted" and item.submitted_by == validator
    with pytest.raises(ValidationError, match=OWN_WORK):
        services.do_validate(user=validator, item=item, expected_version=item.version)
    colleague = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    item = services.do_validate(user=colleague, item=item, expected_version=item.version)
    assert item.state == "validated" and item.validated_by == colleague


def test_the_import_page_does_not_validate_what_it_imports(client, validator):
    csv = "indicator,year,numerator,denominator,value,note\nOE3.1,2016,450,2850000,,\n"
    client.force_login(validator)
    upload = SimpleUploadedFile("valores.csv", csv.encode(), content_type="text/csv")
    response = ok(client.post(reverse("import_upload"), {"file": upload, "status": "validated"}))
    # The page no longer offers "validado"; a hand-made POST is refused by the form ...
    assert 'value="validated"' not in ok(client.get(reverse("import_upload"))).content.decode()
    assert "Escoja una opción válida" in response.content.decode()
    ok(client.post(reverse("import_confirm"), follow=True))
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()
    # ... and the service refuses it too, whatever the door.
    rows = importing.read_rows(csv.encode(), "valores.csv")
    plan = importing.plan_import(rows, user=validator)
    with pytest.raises(ValidationError, match="Quien importa los valores no puede validarlos"):
        importing.apply_import(plan, user=validator, status="validated")


# --- login lockout by the real client -------------------------------------------------------


@pytest.fixture
def directora(django_user_model):
    axes_reset()
    yield django_user_model.objects.create_user("directora", password="clave-segura-1")
    axes_reset()


def attempt(client, forwarded_for: str, password: str = "mala"):
    return client.post(
        reverse("login"),
        {"username": "directora", "password": password},
        headers={"x-forwarded-for": forwarded_for},
    )


def test_behind_one_proxy_the_lockout_is_per_user_and_real_client(directora, settings):
    settings.PESEM_PROXY_COUNT = 1
    attacker = Client()
    for _ in range(settings.PESEM_LOGIN_FAILURES - 1):
        assert attempt(attacker, "203.0.113.5").status_code == 200
    assert attempt(attacker, "203.0.113.5").status_code == 429
    # A prefix the client writes itself does not change who it is.
    assert attempt(attacker, "198.51.100.7, 203.0.113.5", "clave-segura-1").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}

    # The same user from another client is not locked out.
    assert attempt(Client(), "198.51.100.7", "clave-segura-1").status_code == 302
    # ...and the locked pair stays locked.
    assert attempt(Client(), "203.0.113.5", "clave-segura-1").status_code == 429


def test_without_a_proxy_x_forwarded_for_is_ignored(directora, settings):
    settings.PESEM_PROXY_COUNT = 0
    client = Client()
    for i in range(settings.PESEM_LOGIN_FAILURES - 1):
        assert attempt(client, f"203.0.113.{i}").status_code == 200  # a new "address" each time
    assert attempt(client, "198.51.100.7").status_code == 429
    assert attempt(client, "198.51.100.8", "clave-segura-1").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),  # fewer hops than proxies: not through ours
        (1, "", "10.0.0.1"),
        (1, "no-es-una-ip", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_counts_our_proxies_from_the_right(settings, count, forwarded_for, expected):
    settings.PESEM_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


# --- pages --------------------------------------------------------------------------------


def test_pages_of_a_logged_in_user_are_private_and_not_stored(client, plain_user):
    client.force_login(plain_user)
    cache_control = ok(client.get(reverse("plan")))["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_a_view_that_sets_its_own_cache_control_keeps_it(plain_user):
    def cacheable(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = RequestFactory().get("/")
    request.user = plain_user
    assert PrivateCacheMiddleware(cacheable)(request)["Cache-Control"] == "public, max-age=600"
    request.user = AnonymousUser()
    assert not PrivateCacheMiddleware(lambda r: HttpResponse("ok"))(request).has_header(
        "Cache-Control"
    )


def test_a_refused_form_gets_the_spanish_403_page(plain_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(plain_user)
    response = client.post(reverse("logout"))  # no CSRF token
    assert response.status_code == 403
    html = response.content.decode()
    assert "La sesión expiró o el formulario se envió desde otra página" in html
    assert "Acceso denegado" in html and "CSRF" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
        "/accounts/password_change/",
    ],
)
def test_password_reset_pages_do_not_exist(client, plain_user, path):
    assert client.get(path).status_code == 404
    client.force_login(plain_user)
    assert client.get(path).status_code == 404


def test_login_and_logout_remain(client):
    assert reverse("login") == "/accounts/login/" and reverse("logout") == "/accounts/logout/"
    assert client.get(reverse("login")).status_code == 200


# --- charts -------------------------------------------------------------------------------

EVIL = '<a href="https://evil">x</a>'


def test_names_typed_in_admin_reach_the_indicator_chart_escaped(client, plain_user):
    indicator = Indicator.objects.get(code="OE3.1")
    Indicator.objects.filter(pk=indicator.pk).update(name=EVIL, unit=EVIL)
    Target.objects.create(indicator=indicator, kind="target", year=2019, value=D(1), source=EVIL)
    client.force_login(plain_user)
    figure = ok(client.get(reverse("indicator_detail", args=["OE3.1"]))).context["figure"]
    text = json.dumps(figure, ensure_ascii=False)
    assert "&lt;a href=" in text  # title, axis title and the target's trace name
    assert text.count("&lt;a href=") >= 3
    assert "<a href" not in text


def test_codes_on_chart_axes_are_escaped():
    row = SimpleNamespace(
        directorate=SimpleNamespace(code="<b>X</b>"),
        action_progress=None,
        report_share=None,
        green_share=None,
    )
    text = json.dumps(indicator_charts.directorate_comparison_figure([row], year=2016))
    assert "&lt;b&gt;X" in text and "<b>" not in text
    counts = SimpleNamespace(variable=SimpleNamespace(code="<i>V1</i>"), on_count=1, from_count=2)
    text = json.dumps(actor_charts.variable_counts_figure([counts]))
    assert "&lt;i&gt;V1" in text and "<i>" not in text


@pytest.mark.parametrize("url", ["/direcciones/%00/", "/pendientes/?direccion=%00", "/?q=a%00b"])
def test_nul_in_the_address_is_a_400_not_a_500(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caracteres no permitidos" in response.content.decode()


def test_password_spraying_from_one_ip_is_throttled_across_accounts(django_user_model, settings):
    """A few passwords against many accounts stay under each user's limit; the IP's own,
    higher limit stops them, and only for that IP."""
    axes_reset()
    settings.PESEM_PROXY_COUNT = 1
    users = [f"persona{i}" for i in range(6)]
    for name in users:
        django_user_model.objects.create_user(name, password="clave-segura-1")
    sprayer = Client()
    statuses = []
    for round_ in range(4):  # 24 passwords: 4 per account, under the per-user limit of 5
        for name in users:
            response = sprayer.post(
                reverse("login"),
                {"username": name, "password": f"intento-{round_}"},
                headers={"x-forwarded-for": "203.0.113.9"},
            )
            statuses.append(response.status_code)
    assert statuses[: settings.PESEM_LOGIN_IP_FAILURES - 1] == [200] * (
        settings.PESEM_LOGIN_IP_FAILURES - 1
    )
    assert statuses[-1] == 429
    # The right password from the sprayed IP is refused too while the lockout lasts...
    response = Client().post(
        reverse("login"),
        {"username": "persona0", "password": "clave-segura-1"},
        headers={"x-forwarded-for": "203.0.113.9"},
    )
    assert response.status_code == 429
    # ...and another client of the same office logs in.
    response = Client().post(
        reverse("login"),
        {"username": "persona0", "password": "clave-segura-1"},
        headers={"x-forwarded-for": "198.51.100.20"},
    )
    assert response.status_code == 302
    axes_reset()


def test_a_password_shorter_than_12_is_refused_in_admin(superuser, client):
    """The README's 10-character demo password cannot be given to a real account."""
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nuevo.usuario",
            "password1": "pesem-demo",
            "password2": "pesem-demo",
            "usable_password": "true",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "al menos 12 caracteres" in response.content.decode()
    assert not superuser.__class__.objects.filter(username="nuevo.usuario").exists()
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nuevo.usuario",
            "password1": "una-clave-larga-2026",
            "password2": "una-clave-larga-2026",
            "usable_password": "true",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert superuser.__class__.objects.filter(username="nuevo.usuario").exists()
