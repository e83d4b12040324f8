"""The validation queue as a validator who also enters values sees it, at desktop and phone
width: the row they shaped says why they may not validate it and has no «Validar» button nor
checkbox; a colleague's row keeps them. A return without a reason brings a summary at the top
that takes focus and links to the row. Axe finds no serious or critical violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group

from indicators import services
from tests.factories import PASSWORD, VIEWPORTS, click_and_load, enter_value, make_staff

pytestmark = pytest.mark.browser

REFUSAL = (
    "Usted participó en este valor: debe validarlo otra persona de la oficina de planeamiento."
)


@pytest.fixture
def queue(plan_tx, django_user_model):
    """doble.dgc (registrar of DGC and validator) entered OE3.1 2016, returned it and a
    colleague re-sent it; V1.2 2016 is the colleague's alone."""
    both = make_staff(django_user_model, "doble.dgc", "registrador", "DGC")
    both.groups.add(Group.objects.get(name="validador"))
    colleague = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    own = enter_value(both, submit=True)
    own = services.do_return(user=both, item=own, reason="Revisar", expected_version=own.version)
    own = services.do_submit(user=colleague, item=own, expected_version=own.version)
    other = enter_value(colleague, "V1.2", 2016, 9, 10, submit=True)
    return {"own": own, "other": other}


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} [{v['impact']}]: {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_own_row_says_why_with_no_validate_button(queue, browser, live_server, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill("doble.dgc")
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Ingresar").click()
        page.goto(f"{live_server.url}/validacion/")
        own = page.locator(f"tr[data-pk='{queue['own'].pk}']")
        other = page.locator(f"tr[data-pk='{queue['other'].pk}']")
        own.get_by_text(REFUSAL).scroll_into_view_if_needed()
        assert own.get_by_text(REFUSAL).is_visible()
        assert own.get_by_role("button", name="Validar").count() == 0
        assert own.get_by_role("checkbox").count() == 0
        assert own.get_by_role("button", name="Devolver").count() == 1  # returning stays
        assert other.get_by_role("button", name="Validar").count() == 1
        assert REFUSAL not in other.inner_text()
        assert (
            page.evaluate("document.documentElement.scrollWidth")
            <= VIEWPORTS[viewport]["width"] + 1
        )
        problems = serious(page)

        # A return without its reason: nothing stored, a summary at the top takes focus.
        click_and_load(page, own.get_by_role("button", name="Devolver"))
        summary = page.locator("#error-summary")
        assert "No se guardó nada: 1 fila con problemas" in summary.inner_text()
        assert page.evaluate("document.activeElement.id") == "error-summary"
        link = summary.get_by_role("link", name="OE3.1 2016")
        assert link.get_attribute("href") == f"#fila-{queue['own'].pk}"
        problems += serious(page)
    finally:
        context.close()
    assert not problems, problems
    queue["own"].refresh_from_db()
    assert queue["own"].state == "submitted"
