"""/konto/api-nycklar/ in a real browser: a unit manager creates a token (shown once), it reads their units
through the API, the page lists it and revokes it; axe finds no WCAG 2.1 AA violation. Screenshots:
test-artifacts/screenshots/api-tokens-*.png."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_create_use_and_revoke_a_token(page, demo_users):
    page.goto("/konto/api-nycklar/")
    login_as(page, "enhetschef")
    expect(page.get_by_role("heading", level=1)).to_have_text("API-nycklar")
    expect(page.get_by_text("Du har inga API-nycklar.")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "api-tokens-empty")

    page.get_by_label("Namn").fill("Enhetens uppföljning")
    page.get_by_label("Giltig i antal dagar").fill("30")
    page.get_by_role("button", name="Skapa nyckel").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Nyckeln ”Enhetens uppföljning” är skapad")).to_be_visible()
    secret = page.get_by_label("Nyckel", exact=True).input_value()
    assert secret.startswith("slp_")
    assert_no_axe_violations(page)
    screenshot(page, "api-tokens-created")

    answer = Client().get("/api/v1/units/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 2  # the unit manager's two units, no others

    page.goto("/konto/api-nycklar/")
    table = page.get_by_role("table", name="Dina API-nycklar")
    expect(table).to_contain_text("Enhetens uppföljning")
    expect(table).to_contain_text("Giltig")
    assert secret not in page.content()  # shown once
    page.get_by_role("button", name="Återkalla nyckeln Enhetens uppföljning").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Nyckeln ”Enhetens uppföljning” är återkallad.")).to_be_visible()
    expect(table).to_contain_text("Återkallad")
    assert_no_axe_violations(page)
    screenshot(page, "api-tokens-revoked")
    assert Client().get("/api/v1/units/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_the_api_docs_render_from_vendored_files(page):
    """Redoc's bundle names one image of its own on cdn.redoc.ly (its logo); the portal's CSP refuses it,
    so nothing is loaded from another host."""
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name="Servicenivåportalen API")).to_be_visible(timeout=15000)
    expect(
        page.get_by_role("heading", name="Enheterna personen får se, med resultaten per datum")
    ).to_be_visible()
    screenshot(page, "api-docs")
    origin = page.url.split("/api/")[0]
    assert loaded and [url for url in loaded if not url.startswith((origin, "blob:", "data:"))] == []
