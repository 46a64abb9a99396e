"""Sign-in with SITHS eID through the region's OpenID Connect provider (Inera's IdP or the region's own).

Authlib's Django client does the protocol: the authorization-code flow with PKCE (S256), `state` and
`nonce` kept in the session for one use, the code exchanged at the token endpoint with the client secret,
and the ID token verified against the provider's JWKS — signature, `iss` (the discovery document's
issuer), `aud` (OIDC_CLIENT_ID), `exp`/`iat` (within OIDC_CLOCK_LEEWAY_SECONDS) and `nonce`. The claims
then go to `identity.sign_in_from_claims`, which finds the person by (issuer, sub) and sets their rights.
Discovery (<OIDC_ISSUER>/.well-known/openid-configuration) and the JWKS are read at each sign-in, so a
provider's key rotation needs nothing here.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.jose.errors import JoseError
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from .identity import SignInRefused, sign_in_from_claims

logger = logging.getLogger(__name__)

ID_TOKEN_SESSION_KEY = "oidc_id_token"
NEXT_SESSION_KEY = "oidc_next"
FAILED = "Inloggningen med SITHS eID misslyckades. Försök igen, eller kontakta supporten om det upprepas."


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def client():
    """The provider as Authlib's client, from the settings in force (built per request: tests and a
    changed environment need no restart of a cached registry)."""
    oauth = OAuth()
    return oauth.register(
        name="oidc",
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        server_metadata_url=f"{settings.OIDC_ISSUER.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.OIDC_SCOPES, "code_challenge_method": "S256", "timeout": 10},
    )


def claims_options() -> dict:
    """What the ID token must say, checked besides its signature and nonce. Authlib checks `aud` only
    when told to (a token for another client with our client id in `azp` would pass without this)."""
    return {
        "iss": {"essential": True, "value": settings.OIDC_ISSUER},
        "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }


def callback_url(request) -> str:
    return request.build_absolute_uri(reverse("oidc_callback"))


@require_GET
def start(request):
    """/konto/oidc/logga-in/: off to the provider (the login page's "Logga in med SITHS eID")."""
    if not enabled():
        raise Http404("Inloggning med SITHS eID är inte påslagen.")
    wanted = request.GET.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        request.session[NEXT_SESSION_KEY] = wanted
    try:
        return client().authorize_redirect(request, callback_url(request))
    except Exception:  # the provider is unreachable or its discovery document is broken
        logger.exception("OIDC: could not start a sign-in at %s", settings.OIDC_ISSUER)
        messages.error(request, "Identitetsutfärdaren svarar inte just nu. Försök igen om en stund.")
        return redirect("login")


@require_GET
def callback(request):
    """/konto/oidc/callback/: the provider's answer. Refused (back to the login page with a Swedish
    message): an error from the provider, an unknown or replayed `state`, an ID token that fails any check,
    and a person whose claims give no role."""
    if not enabled():
        raise Http404("Inloggning med SITHS eID är inte påslagen.")
    try:
        token = client().authorize_access_token(
            request, claims_options=claims_options(), leeway=settings.OIDC_CLOCK_LEEWAY_SECONDS
        )
        claims = token.get("userinfo")
        if not claims:  # no ID token, or one that was never checked against a nonce
            raise OAuthError(description="no verified ID token")
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        logger.warning("OIDC: sign-in refused: %s", exc)
        messages.error(request, FAILED)
        return redirect("login")
    next_url = request.session.pop(NEXT_SESSION_KEY, "")
    try:
        sign_in_from_claims(request, issuer=claims["iss"], subject=claims["sub"], claims=dict(claims))
    except SignInRefused as refused:
        messages.error(request, refused.message)
        return redirect("login")
    request.session[ID_TOKEN_SESSION_KEY] = token["id_token"]
    return HttpResponseRedirect(next_url or settings.LOGIN_REDIRECT_URL)


def end_session_url(request, id_token: str) -> str | None:
    """Where to send the browser after the portal's logout so the provider's session ends too: its
    end_session_endpoint, when the discovery document names one (else None)."""
    if not enabled() or not id_token:
        return None
    try:
        endpoint = client().load_server_metadata().get("end_session_endpoint")
    except Exception:
        logger.exception("OIDC: could not read the discovery document for the logout")
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
