"""SAML 2 sign-in (/saml2/…) against pysaml2 acting as the IdP (tests/saml_idp.py): the portal's real
AuthnRequest, the IdP's real signed Response posted to the ACS, checked with xmlsec1."""

import pytest
from django.test import Client

from servicelevel.identity import REFUSED_NO_ROLE
from servicelevel.models import AuditEntry, ClaimRoleRule, SignInIdentity
from units.permissions import Roles, roles, visible_units

from . import factories as f
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
    ClaimRoleRule.objects.create(claim_value="enhetschef", role=Roles.VERKSAMHETSCHEF)
    ClaimRoleRule.objects.create(claim_value="privat", role=Roles.VARDGIVARE)
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
    options = ("sign_assertion", "sign_response", "encrypt_assertion", "tamper")
    sign = {k: kwargs.pop(k) for k in options if k in kwargs}
    data = idp.answer(sp_metadata(client), start(client), attributes(**kwargs), **sign)
    return client.post("/saml2/acs/", data)


def refused_with(response, words: str, reason: str = ""):
    assert response.status_code == 403
    if reason:
        assert (
            AuditEntry.objects.filter(action="saml_response_refused").latest("pk").detail["reason"] == reason
        )
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
    with open(pki[2]) as pem:
        cert = pem.read().split("-----")[2].replace("\n", "")
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
    refused_with(response, "inte giltigt eller inte signerat", "SignatureError")
    assert AuditEntry.objects.get(action="saml_response_refused").detail["address"] == "127.0.0.1"


def test_a_signed_response_around_an_unsigned_assertion_is_refused(client, saml):
    response = post_answer(client, saml, sign_assertion=False, sign_response=True)
    refused_with(response, "inte giltigt eller inte signerat", "SignatureError")


def test_a_tampered_assertion_is_refused(client, saml):
    def another_unit(xml):
        assert "SE2321000032-E1" in xml
        return xml.replace("SE2321000032-E1", "SE2321000032-E9")

    response = post_answer(client, saml, tamper=another_unit)
    refused_with(response, "inte giltigt eller inte signerat", "SignatureError")


def test_an_answer_signed_by_another_key_is_refused(client, saml, tmp_path):
    other = saml_idp.IdP(tmp_path, *saml_idp.key_pair(tmp_path, "other", "Fel IdP"))
    response = post_answer(client, other)
    refused_with(response, "inte giltigt eller inte signerat", "SignatureError")


def test_an_answer_nobody_asked_for_is_refused(client, saml):
    data = saml.answer(sp_metadata(client), start(client), attributes())
    response = Client().post("/saml2/acs/", data)  # another browser: no outstanding request
    assert response.status_code == 403
    assert "_auth_user_id" not in response.client.session


# --- signed answers --------------------------------------------------------------------------------


def signed_in_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_a_signed_answer_signs_in_with_the_role_and_units_of_the_attributes(client, saml):
    mine, other = f.CareUnitFactory(hsa_id="SE2321000032-E1"), f.CareUnitFactory(hsa_id="SE2321000032-E2")
    response = post_answer(client, saml, units=[mine.hsa_id])
    assert response.status_code == 302 and response["Location"] == "/enheter/"
    user = signed_in_user(client)
    assert roles(user) == {Roles.VERKSAMHETSCHEF}
    assert set(visible_units(user)) == {mine}
    assert other not in visible_units(user)
    identity = SignInIdentity.objects.get(user=user)
    # Found by the IdP's entity id and the HSA-id attribute, never the transient NameID.
    assert (identity.issuer, identity.subject) == (saml_idp.IDP_ENTITY_ID, "SE2321000032-P1")
    assert user.username == "SE2321000032-P1"
    assert client.get("/enheter/").status_code == 200


def test_the_idps_post_needs_no_csrf_token(saml):
    """A browser's POST from the IdP's page has no CSRF token of the portal's (the test client's default
    skips the check; this one makes it)."""
    client = Client(enforce_csrf_checks=True)
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    assert post_answer(client, saml).status_code == 302
    assert "_auth_user_id" in client.session


def test_the_next_sign_in_takes_the_attributes_anew(client, saml):
    first, second = f.CareUnitFactory(hsa_id="SE2321000032-E1"), f.CareUnitFactory(hsa_id="SE2321000032-E2")
    post_answer(client, saml, units=[first.hsa_id])
    user = signed_in_user(client)
    again = Client()
    assert post_answer(again, saml, units=[second.hsa_id]).status_code == 302
    assert signed_in_user(again) == user
    assert set(visible_units(user)) == {second}
    assert SignInIdentity.objects.count() == 1


def test_a_provider_attribute_grants_the_providers_units(client, saml):
    provider = f.ProviderFactory(hsa_id="SE2321000032-V1")
    unit = f.CareUnitFactory(provider=provider)
    f.CareUnitFactory()
    assert (
        post_answer(client, saml, purpose="privat", units=(), providers=[provider.hsa_id]).status_code == 302
    )
    user = signed_in_user(client)
    assert roles(user) == {Roles.VARDGIVARE}
    assert set(visible_units(user)) == {unit}


def test_an_attribute_that_maps_to_no_role_is_refused_in_swedish_and_audited(client, saml):
    response = post_answer(client, saml, purpose="städning")
    refused_with(response, REFUSED_NO_ROLE)
    entry = AuditEntry.objects.get(action="sign_in_refused")
    assert entry.detail["issuer"] == saml_idp.IDP_ENTITY_ID and entry.detail["role_values"] == ["städning"]
    assert not SignInIdentity.objects.exists()


def test_the_role_attribute_name_is_a_setting(client, saml, settings):
    settings.SAML_ROLE_ATTRIBUTE = "urn:sambi:names:attribute:systemRole"
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    # The IdP still sends commissionPurpose: no role under the configured name.
    refused_with(post_answer(client, saml), REFUSED_NO_ROLE)


def test_an_answer_without_hsa_id_and_with_a_transient_name_id_is_refused(client, saml, settings):
    settings.SAML_HSA_ID_ATTRIBUTE = "urn:sambi:names:attribute:saknas"
    refused_with(post_answer(client, saml), "inget HSA-id", "no_subject")
    assert not SignInIdentity.objects.exists()


def test_a_replayed_answer_is_refused(client, saml):
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    data = saml.answer(sp_metadata(client), start(client), attributes())
    assert client.post("/saml2/acs/", data).status_code == 302
    client.post("/konto/logga-ut/")
    refused_with(client.post("/saml2/acs/", data), "inte giltigt eller inte signerat")


# --- configuration ---------------------------------------------------------------------------------


def test_half_a_saml_configuration_stops_startup_in_swedish():
    from .test_settings import load

    ran = load(DJANGO_SECRET_KEY="x", SAML_SP_ENTITY_ID=saml_idp.SP_ENTITY_ID)
    assert ran.returncode != 0 and "SAML kräver både SAML_SP_ENTITY_ID" in ran.stderr
    ran = load(
        DJANGO_SECRET_KEY="x", SAML_SP_ENTITY_ID=saml_idp.SP_ENTITY_ID, SAML_IDP_METADATA_FILE="/x.xml"
    )
    assert ran.returncode == 0, ran.stderr


def test_the_key_and_certificate_may_be_given_as_pem_in_the_environment(client, saml, settings, pki):
    with open(pki[1]) as key, open(pki[2]) as cert:
        settings.SAML_SP_KEY_PEM, settings.SAML_SP_CERT_PEM = key.read(), cert.read()
    settings.SAML_SP_KEY_FILE = settings.SAML_SP_CERT_FILE = ""
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    assert 'AuthnRequestsSigned="true"' in sp_metadata(client)
    assert post_answer(client, saml).status_code == 302


def test_a_key_without_its_certificate_is_a_configuration_error(client, saml, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SAML_SP_CERT_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="nyckel och certifikat hör ihop"):
        client.get("/saml2/metadata/")


def test_the_idp_metadata_may_be_fetched_from_a_url(client, saml, settings, pki):
    """SAML_IDP_METADATA_URL: fetched over HTTP from a real server (here one on the loopback)."""
    import http.server
    import threading
    from pathlib import Path

    metadata = Path(pki[0].metadata_file).read_bytes()

    class Metadata(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.end_headers()
            self.wfile.write(metadata)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.SAML_IDP_METADATA_FILE = ""
        settings.SAML_IDP_METADATA_URL = f"http://127.0.0.1:{server.server_port}/metadata.xml"
        f.CareUnitFactory(hsa_id="SE2321000032-E1")
        assert post_answer(client, saml).status_code == 302
    finally:
        server.shutdown()
        server.server_close()


def test_with_the_password_form_off_saml_is_the_way_in(client, saml, settings):
    settings.LOCAL_LOGIN = False
    html = client.get(LOGIN).content.decode()
    assert ">Logga in med SITHS eID</a>" in html and 'name="password"' not in html
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    assert post_answer(client, saml).status_code == 302


def test_an_idp_whose_metadata_cannot_be_fetched_gives_a_swedish_page(client, saml, settings):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = f"http://127.0.0.1:{port}/metadata.xml"
    response = client.get("/saml2/login/")
    assert response.status_code == 503
    assert "identitetsleverantörens uppgifter kunde inte hämtas" in response.content.decode()


def test_an_encrypted_signed_assertion_is_decrypted_with_the_portals_key(client, saml):
    unit = f.CareUnitFactory(hsa_id="SE2321000032-E1")

    def encrypted(xml):
        assert "EncryptedAssertion" in xml and "SE2321000032-E1" not in xml
        return xml

    response = post_answer(client, saml, encrypt_assertion=True, tamper=encrypted)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(visible_units(signed_in_user(client))) == {unit}


def test_an_unsafe_next_is_not_followed_after_the_sign_in(client, saml):
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    redirect = client.get("/saml2/login/", {"next": "https://evil.example/"})["Location"]
    data = saml.answer(sp_metadata(client), redirect, attributes())
    data["RelayState"] = "https://evil.example/"  # and none slipped in at the IdP either
    response = client.post("/saml2/acs/", data)
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_answer_posted_too_late_is_refused(client, saml):
    import datetime

    import time_machine

    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    data = saml.answer(sp_metadata(client), start(client), attributes())
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=True):
        response = client.post("/saml2/acs/", data)
    refused_with(response, "inte giltigt eller inte signerat", "ResponseLifetimeExceed")


def test_sign_out_after_a_saml_sign_in_ends_the_portals_session(client, saml):
    f.CareUnitFactory(hsa_id="SE2321000032-E1")
    assert post_answer(client, saml).status_code == 302
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    assert client.get("/enheter/").status_code == 302
