"""Signing in with SITHS eID over SAML 2 in a real browser: the login page's button, the portal's signed
AuthnRequest to an IdP (pysaml2's IdP Server behind a small HTTP server in this process, tests/saml_idp.py),
the IdP's page posting its signed Response back to the ACS, and the person lands with the role and the
unit of the attributes."""

import html
import http.server
import threading
import urllib.request

import pytest
from playwright.sync_api import expect

from servicelevel.models import ClaimRoleRule
from tests import saml_idp
from tests.factories import CareUnitFactory
from units.permissions import Roles

from .conftest import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def saml_idp_server(tmp_path, live_server, settings):
    """An IdP on the same host as the live server (another port: the same site, so the portal's SAML
    cookie, SameSite=Lax over plain HTTP here, comes back with the IdP's POST)."""
    host = live_server.url.split("//", 1)[1].rsplit(":", 1)[0]
    answers: dict = {}

    class SingleSignOn(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            sp_metadata = urllib.request.urlopen(f"{live_server.url}/saml2/metadata/").read().decode()
            data = idp.answer(
                sp_metadata,
                self.path,
                answers["attributes"],
                acs_url=f"{live_server.url}/saml2/acs/",
                sp_entity_id=settings.SAML_SP_ENTITY_ID,
            )
            fields = "".join(
                f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                for name, value in data.items()
            )
            page = (
                '<!doctype html><html lang="sv"><title>Test-IdP</title><main><h1>Test-IdP</h1>'
                f'<form method="post" action="{live_server.url}/saml2/acs/">{fields}'
                "<button>Skicka till portalen</button></form></main></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, 0), SingleSignOn)
    idp = saml_idp.IdP(
        tmp_path,
        *saml_idp.key_pair(tmp_path, "idp", "Test-IdP"),
        sso_url=f"http://{host}:{server.server_port}/sso",
    )
    idp.write_metadata()
    sp_key, sp_cert = saml_idp.key_pair(tmp_path, "sp", "Servicenivåportalen")
    settings.PORTAL_URL = live_server.url
    settings.SAML_SP_ENTITY_ID = f"{live_server.url}/saml2/metadata/"
    settings.SAML_IDP_METADATA_FILE = idp.metadata_file
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = sp_key, sp_cert
    settings.SAML_SESSION_COOKIE_SAMESITE = "Lax"
    settings.OIDC_ISSUER = ""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield answers
    server.shutdown()
    server.server_close()


def test_saml_sign_in_in_a_browser(page, live_server, saml_idp_server):
    ClaimRoleRule.objects.create(claim_value="enhetschef", role=Roles.VERKSAMHETSCHEF)
    unit = CareUnitFactory(name="Vårdcentralen Signerad")
    saml_idp_server["attributes"] = {
        saml_idp.HSA: ["SE2321000032-P7"],
        saml_idp.PURPOSE: ["enhetschef"],
        saml_idp.UNIT: [unit.hsa_id],
    }

    page.goto("/konto/logga-in/")
    saml = page.get_by_role("link", name="Logga in med SITHS eID")
    expect(saml).to_be_visible()
    assert_no_axe_violations(page)

    saml.click()
    expect(page.get_by_role("heading", name="Test-IdP")).to_be_visible()
    page.get_by_role("button", name="Skicka till portalen").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Inloggad som")).to_be_visible()
    page.goto(f"/enheter/{unit.hsa_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vårdcentralen Signerad")
