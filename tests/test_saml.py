"""SAML 2 sign-in (/saml2/…) against pysaml2 acting as the IdP (tests/saml_idp.py): the portal's real
AuthnRequest, the IdP's real signed Response posted to the ACS, checked with xmlsec1."""

import pytest
from django.test import Client

from servicelevel.models import AuditEntry

from . import saml_idp
from .saml_idp import HSA, PROVIDER, PURPOSE, UNIT

pytestmark = pytest.mark.django_db

LOGIN = "/konto/logga-in/"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saml")
    idp = saml_idp.IdP(folder, *saml_idp.key_pair(folder, "idp", "Test-IdP"))
    sp_key, sp_cert = saml_idp.key_pair(folder, "sp", "Servicenivåportalen")
    idp.write_metadata()
    return idp, sp_key, sp_cert


@pytest.fixture
def saml(settings, pki):
    idp, sp_key, sp_cert = pki
    settings.SAML_SP_ENTITY_ID = saml_idp.SP_ENTITY_ID
    settings.SAML_IDP_METADATA_FILE = idp.metadata_file
    settings.SAML_SP_KEY_FILE = sp_key
    settings.SAML_SP_CERT_FILE = sp_cert
    settings.PORTAL_URL = saml_idp.PORTAL_URL
    settings.OIDC_ISSUER = ""
    return idp


def sp_metadata(client) -> str:
    response = client.get("/saml2/metadata/")
    assert response.status_code == 200
    return response.content.decode()


def start(client) -> str:
    """The portal's redirect to the IdP (HTTP-Redirect binding, a signed AuthnRequest)."""
    response = client.get("/saml2/login/", {"next": "/enheter/"})
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(saml_idp.IDP_SSO_URL + "?SAMLRequest=")
    return response["Location"]


def attributes(purpose="enhetschef", units=("SE2321000032-E1",), providers=()) -> dict:
    found = {HSA: ["SE2321000032-P1"], PURPOSE: [purpose], UNIT: list(units)}
    if providers:
        found[PROVIDER] = list(providers)
    return found


def post_answer(client, idp, **kwargs):
    sign = {k: kwargs.pop(k) for k in ("sign_assertion", "sign_response", "tamper") if k in kwargs}
    data = idp.answer(sp_metadata(client), start(client), attributes(**kwargs), **sign)
    return client.post("/saml2/acs/", data)


def refused_with(response, words: str):
    assert response.status_code == 403
    html = response.content.decode()
    assert words in html, html
    assert "_auth_user_id" not in response.client.session


# --- off without settings --------------------------------------------------------------------------


def test_without_saml_settings_nothing_changes(client, settings):
    settings.SAML_SP_ENTITY_ID = ""
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = ""
    for path in ("/saml2/metadata/", "/saml2/login/", "/saml2/acs/"):
        assert client.get(path).status_code == 404
    html = client.get(LOGIN).content.decode()
    assert "SITHS" not in html and "/saml2/" not in html
    assert "saml_session" not in client.cookies


# --- metadata and the login page -------------------------------------------------------------------


def test_the_sp_metadata_names_the_entity_the_acs_and_the_certificate(client, saml, pki):
    xml = sp_metadata(client)
    assert f'entityID="{saml_idp.SP_ENTITY_ID}"' in xml
    assert f'Location="{saml_idp.ACS_URL}"' in xml
    assert 'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"' in xml
    assert 'WantAssertionsSigned="true"' in xml
    assert 'AuthnRequestsSigned="true"' in xml
    cert = open(pki[2]).read().split("-----")[2].replace("\n", "")
    assert cert[:60] in xml.replace("\n", "")


def test_the_login_page_offers_saml_with_the_oidc_label_when_it_is_the_only_door(client, saml):
    html = client.get(LOGIN).content.decode()
    assert 'href="/saml2/login/"' in html
    assert ">Logga in med SITHS eID</a>" in html


def test_with_oidc_too_the_saml_button_says_saml(client, saml, settings):
    settings.OIDC_ISSUER = "https://idp.test.example/oidc"
    html = client.get(LOGIN).content.decode()
    assert ">Logga in med SITHS eID (SAML)</a>" in html


def test_the_login_button_keeps_the_page_asked_for(client, saml):
    html = client.get(LOGIN, {"next": "/enheter/"}).content.decode()
    assert 'href="/saml2/login/?next=/enheter/"' in html


# --- refused answers -------------------------------------------------------------------------------


def test_an_unsigned_assertion_is_refused(client, saml):
    response = post_answer(client, saml, sign_assertion=False, sign_response=False)
    refused_with(response, "inte giltigt eller inte signerat")
    assert AuditEntry.objects.filter(action="saml_response_refused").exists()


def test_a_signed_response_around_an_unsigned_assertion_is_refused(client, saml):
    response = post_answer(client, saml, sign_assertion=False, sign_response=True)
    refused_with(response, "inte giltigt eller inte signerat")


def test_a_tampered_assertion_is_refused(client, saml):
    def another_unit(xml):
        assert "SE2321000032-E1" in xml
        return xml.replace("SE2321000032-E1", "SE2321000032-E9")

    response = post_answer(client, saml, tamper=another_unit)
    refused_with(response, "inte giltigt eller inte signerat")


def test_an_answer_signed_by_another_key_is_refused(client, saml, tmp_path):
    other = saml_idp.IdP(tmp_path, *saml_idp.key_pair(tmp_path, "other", "Fel IdP"))
    response = post_answer(client, other)
    refused_with(response, "inte giltigt eller inte signerat")


def test_an_answer_nobody_asked_for_is_refused(client, saml):
    data = saml.answer(sp_metadata(client), start(client), attributes())
    response = Client().post("/saml2/acs/", data)  # another browser: no outstanding request
    assert response.status_code == 403
    assert "_auth_user_id" not in response.client.session
