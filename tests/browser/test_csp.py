"""The portal under its Content-Security-Policy in a real browser: the main pages, their htmx swaps and the
admin work as Koncernstab uses them, and the browser reports no policy violation, no console error and no
script error on the way (docs/frontend.md). Screenshots: test-artifacts/screenshots/csp-*.png."""

import re

import pytest
from playwright.sync_api import expect

from units.models import CareUnit

from . import test_reflow as reflow
from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

region = reflow.region  # the reflow test's demo region (a fixture), used here by name

# Every violation the browser reports, kept in the page (an init script runs before the page's own).
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || document.URL}:${e.lineNumber}`));
"""


@pytest.fixture
def watched(page):
    """The page, with a list that collects what went wrong in it: CSP violations, console errors and
    warnings (a refused script or an unknown Permissions-Policy feature is logged there), script errors."""
    problems = []
    page.add_init_script(LISTEN)

    def console(message):
        # The admin's pages name no icon, so the browser asks /favicon.ico itself: a 404 not of the CSP's.
        if message.type in ("error", "warning") and not message.location.get("url", "").endswith(
            "/favicon.ico"
        ):
            problems.append(f"console {message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return page, problems


def violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def test_the_main_pages_and_their_htmx_work_under_the_csp(watched, region):
    page, problems = watched
    page.goto("/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    found = []
    for template in reflow.KONCERNSTAB_PAGES:
        path = template.format(unit=region["koncernstab"].hsa_id)
        response = page.goto(path)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found += [f"{path}: {v}" for v in violations(page)]
    # htmx under script-src 'self': a filter change swaps the results in place and keeps the address.
    page.goto("/enheter/")
    page.get_by_label("Nivå", exact=True).select_option("0")
    expect(page).to_have_url(re.compile(r"niva=0"))
    expect(page.locator("#enheter-resultat [role=status]")).to_contain_text("matchar filtret")
    found += [f"/enheter/ (htmx): {v}" for v in violations(page)]
    assert found == [] and problems == [], "\n".join(found + problems)
    assert page.evaluate("typeof htmx") == "object"  # the vendored script ran
    assert_no_axe_violations(page)
    screenshot(page, "csp-unit-list-after-htmx")
    # And the policy holds: a script written into the page (as an injection would) does not run.
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = true'; document.body.append(s); }""")
    assert page.evaluate("window.__injected === undefined")
    assert [v for v in violations(page) if v.startswith("script-src")], violations(page)


def test_the_admin_works_under_the_csp(watched, region, demo_users):
    page, problems = watched
    # The admin's pages for the catalogue and units, with every model's rights (as in production).
    demo_users["koncernstab"].is_superuser = True
    demo_users["koncernstab"].save()
    page.goto("/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    unit = CareUnit.objects.order_by("name").first()
    found = []
    for path in ("/admin/", "/admin/units/careunit/", f"/admin/units/careunit/{unit.pk}/change/"):
        page.goto(path)
        expect(page.locator("#content h1").first).to_be_visible()
        found += [f"{path}: {v}" for v in violations(page)]
    # The change form's scripts run: its inlines offer "Lägg till ytterligare …" (admin/js/inlines.js).
    expect(page.locator(".add-row a").first).to_be_visible()
    assert found == [] and problems == [], "\n".join(found + problems)
    screenshot(page, "csp-admin-unit-change")
