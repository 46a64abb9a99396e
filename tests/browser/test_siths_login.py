"""Signing in with SITHS eID in a real browser: the login page's button (axe), the provider's own sign-in
page (tests/oidc_provider/server.py, a real OpenID provider in a process of its own) and back, with the role
and the unit the claims give."""

import re

import pytest
from playwright.sync_api import expect

from servicelevel.models import ClaimRoleRule
from tests.factories import CareUnitFactory
from tests.oidc_provider.fixtures import oidc_provider_fixture, register_client, set_claims  # noqa: F401
from units.permissions import Roles

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_siths_sign_in_in_a_browser(page, live_server, oidc_provider, settings):
    client_id, secret = register_client(oidc_provider, f"{live_server.url}/konto/oidc/callback/")
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = (
        oidc_provider.url,
        client_id,
        secret,
    )
    settings.OIDC_ROLE_CLAIM, settings.OIDC_UNIT_CLAIM = "groups", "commissionUnitHsaId"
    ClaimRoleRule.objects.create(claim_value="enhetschef", role=Roles.VERKSAMHETSCHEF)
    unit = CareUnitFactory(name="Vårdcentralen Bläddra")
    set_claims(
        oidc_provider,
        "browser-person",
        {
            "given_name": "Britt",
            "family_name": "Bläddrare",
            "groups": ["enhetschef"],
            "commissionUnitHsaId": unit.hsa_id,
        },
    )

    page.goto("/konto/logga-in/")
    siths = page.get_by_role("link", name="Logga in med SITHS eID")
    expect(siths).to_be_visible()
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "login-siths")

    siths.click()
    expect(page).to_have_url(re.compile(re.escape(oidc_provider.url) + r"/oauth2/authorize\?"))
    page.locator('input[name="sub"]').fill("browser-person")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Inloggad som Britt Bläddrare")).to_be_visible()
    page.goto(f"/enheter/{unit.hsa_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vårdcentralen Bläddra")

    # Signing out ends the provider's session too: the portal's logout goes on to its end_session page.
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(re.escape(oidc_provider.url) + r"/oauth2/end_session\?"))
    expect(page.get_by_role("button", name="End session")).to_be_visible()


def test_koncernstab_adds_and_removes_a_role_rule_in_the_browser(page, demo_users, settings):
    settings.OIDC_ROLE_CLAIM = "groups"
    page.goto("/inloggning/rollregler/")
    login_as(page, "koncernstab")
    expect(page).to_have_url(re.compile(r"/inloggning/rollregler/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rollregler för inloggning")
    page.get_by_label("Värde i anspråket").fill("servicenivaportalen-ledning")
    page.get_by_label("Ger rollen").select_option(Roles.LEDNING)
    page.get_by_role("button", name="Lägg till").click()
    row = page.get_by_role("row").filter(has_text="servicenivaportalen-ledning")
    expect(row).to_contain_text(Roles.LEDNING)
    assert_no_axe_violations(page)
    screenshot(page, "sign-in-rules")
    row.get_by_role("button", name="Ta bort regeln servicenivaportalen-ledning → Ledning").click()
    expect(page.get_by_text("Inga regler ännu")).to_be_visible()
