"""Sign-in with SITHS eID over OpenID Connect, against a real provider in a process of its own
(tests/oidc_provider/server.py: RS256-signed ID tokens from its JWKS, PKCE and nonce required)."""

from urllib.parse import parse_qs, quote, urlparse

import pytest
import requests

from servicelevel import oidc
from servicelevel.identity import REFUSED_NO_ROLE
from servicelevel.models import AuditEntry, ClaimRoleRule, SignInIdentity
from tests.factories import CareUnitFactory, UserFactory
from tests.oidc_provider.fixtures import oidc_provider_fixture, register_client, set_claims  # noqa: F401
from units.permissions import Roles, roles, visible_units

CALLBACK = "http://testserver/konto/oidc/callback/"


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    client_id, client_secret = register_client(oidc_provider, CALLBACK)
    settings.OIDC_ISSUER = oidc_provider.url
    settings.OIDC_CLIENT_ID = client_id
    settings.OIDC_CLIENT_SECRET = client_secret
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_UNIT_CLAIM = "commissionUnitHsaId"
    settings.OIDC_PROVIDER_CLAIM = "healthCareProviderHsaId"
    ClaimRoleRule.objects.create(claim_value="enhetschef", role=Roles.VERKSAMHETSCHEF)
    ClaimRoleRule.objects.create(claim_value="styrning", role=Roles.HS_STYRNING)
    return settings


def to_provider(client, sub, provider, next_url=""):
    """The browser's part: the portal's start sends it to the provider, where the person signs in; the
    provider's answer (the callback URL with code and state) is returned, not yet followed."""
    start = client.get("/konto/oidc/logga-in/" + (f"?next={quote(next_url)}" if next_url else ""))
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlparse(authorize).query)
    assert authorize.startswith(f"{provider.url}/oauth2/authorize")
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith(CALLBACK)
    return answer.headers["Location"]


def sign_in(client, provider, sub, claims, *, mode=None, next_url=""):
    set_claims(provider, sub, claims)
    callback = to_provider(client, sub, provider, next_url)
    if mode:
        requests.post(
            f"{provider.url}/_test/next-id-token", json={"mode": mode}, timeout=5
        ).raise_for_status()
    return client.get(callback)


def signed_in_user(client):
    from django.contrib.auth import get_user

    user = get_user(client)
    return user if user.is_authenticated else None


def refused_with(response, client, text):
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"
    page = client.get("/konto/logga-in/")
    assert text in page.content.decode()
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_login_page_offers_siths_above_the_password_form(client, oidc_settings):
    html = client.get("/konto/logga-in/").content.decode()
    assert "Logga in med SITHS eID" in html
    assert html.index("Logga in med SITHS eID") < html.index('name="password"')


@pytest.mark.django_db
def test_no_siths_button_without_an_issuer(client, settings):
    settings.OIDC_ISSUER = ""
    assert "SITHS" not in client.get("/konto/logga-in/").content.decode()
    assert client.get("/konto/oidc/logga-in/").status_code == 404
    assert client.get("/konto/oidc/callback/").status_code == 404


@pytest.mark.django_db
def test_sign_in_lands_with_the_claims_role_and_units_and_a_claim_change_changes_them(
    client, oidc_settings, oidc_provider
):
    mine, other = CareUnitFactory(), CareUnitFactory()
    claims = {
        "employeeHsaId": "SE2321000016-EMP1",
        "groups": ["enhetschef"],
        "commissionUnitHsaId": [mine.hsa_id],
    }
    response = sign_in(client, oidc_provider, "person-1", claims, next_url=f"/enheter/{mine.hsa_id}/")
    assert response.status_code == 302 and response["Location"] == f"/enheter/{mine.hsa_id}/"
    user = signed_in_user(client)
    assert user.username == "SE2321000016-EMP1"
    assert SignInIdentity.objects.get(user=user).issuer == oidc_provider.url
    assert roles(user) == {Roles.VERKSAMHETSCHEF}
    assert set(visible_units(user)) == {mine}
    assert client.get(f"/enheter/{mine.hsa_id}/").status_code == 200
    assert client.get(f"/enheter/{other.hsa_id}/").status_code == 404

    # The person's commission moves to the other unit and they become HS-styrning: the next sign-in says so.
    client.post("/konto/logga-ut/")
    claims = {"employeeHsaId": "SE2321000016-EMP1", "groups": "styrning", "commissionUnitHsaId": other.hsa_id}
    sign_in(client, oidc_provider, "person-1", claims)
    again = signed_in_user(client)
    assert again.pk == user.pk
    assert roles(again) == {Roles.HS_STYRNING}
    assert list(
        again.careunituserobjectpermission_set.values_list("content_object__hsa_id", flat=True).distinct()
    ) == [other.hsa_id]
    assert AuditEntry.objects.filter(action="sign_in", actor=user).count() == 2


@pytest.mark.django_db
def test_a_claim_that_maps_to_no_role_is_refused(client, oidc_settings, oidc_provider):
    response = sign_in(client, oidc_provider, "person-2", {"groups": ["kock"]})
    refused_with(response, client, REFUSED_NO_ROLE)
    assert AuditEntry.objects.filter(action="sign_in_refused").exists()
    assert not SignInIdentity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "check"),
    [
        ("tampered", "bad_signature"),
        ("audience", "'aud'"),
        ("audience-azp", "'aud'"),
        ("expired", "expired_token"),
        ("issuer", "'iss'"),
        ("nonce", "'nonce'"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(client, oidc_settings, oidc_provider, mode, check, caplog):
    response = sign_in(client, oidc_provider, "person-3", {"groups": ["enhetschef"]}, mode=mode)
    refused_with(response, client, oidc.FAILED)
    assert check in caplog.text
    assert not SignInIdentity.objects.exists()
    assert not AuditEntry.objects.filter(action="sign_in").exists()


@pytest.mark.django_db
def test_a_replayed_state_is_refused(client, oidc_settings, oidc_provider, caplog):
    set_claims(oidc_provider, "person-4", {"groups": ["enhetschef"]})
    callback = to_provider(client, "person-4", oidc_provider)
    assert client.get(callback).status_code == 302 and signed_in_user(client) is not None
    client.post("/konto/logga-ut/")
    refused_with(client.get(callback), client, oidc.FAILED)
    assert "mismatching_state" in caplog.text


@pytest.mark.django_db
def test_a_state_from_another_browser_is_refused(client, oidc_settings, oidc_provider):
    from django.test import Client

    set_claims(oidc_provider, "person-5", {"groups": ["enhetschef"]})
    callback = to_provider(client, "person-5", oidc_provider)
    other = Client()
    refused_with(other.get(callback), other, oidc.FAILED)


@pytest.mark.django_db
def test_sign_out_ends_the_providers_session(client, oidc_settings, oidc_provider):
    import html as html_module
    import re

    sign_in(client, oidc_provider, "person-6", {"groups": ["enhetschef"]})
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 200
    page = response.content.decode()
    href = html_module.unescape(re.search(r'href="([^"]+)" id="logga-ut-idp"', page)[1])
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page)
    assert refresh and html_module.unescape(refresh[1]) == href
    target = urlparse(href)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc_provider.url}/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/konto/logga-in/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert signed_in_user(client) is None
    # The provider takes the hint it signed.
    assert requests.get(href, timeout=5).status_code == 200


@pytest.mark.django_db
def test_local_login_off_hides_the_form_and_refuses_its_post(client, oidc_settings):
    oidc_settings.LOCAL_LOGIN = False
    UserFactory(username="anna", password="hemligt-lösen-1")
    html = client.get("/konto/logga-in/").content.decode()
    assert 'name="password"' not in html and "Logga in med SITHS eID" in html
    response = client.post("/konto/logga-in/", {"username": "anna", "password": "hemligt-lösen-1"})
    assert response.status_code == 403
    assert "Inloggning med lösenord är avstängd" in response.content.decode()
    assert signed_in_user(client) is None
    assert not client.login(username="anna", password="hemligt-lösen-1")
