"""SAML 2 sign-in (/saml2/…) through djangosaml2 and pysaml2, on Debian's xmlsec1.

Off unless SAML_SP_ENTITY_ID and one of SAML_IDP_METADATA_URL / SAML_IDP_METADATA_FILE are set (then
/saml2/ answers 404 and the login page offers nothing new). On, the portal is a service provider:

- `/saml2/metadata/` its metadata (entity id, the ACS URL, its certificate when it has a key);
- `/saml2/login/` sends the person to the IdP (HTTP-Redirect binding: no page with a script that the
  Content-Security-Policy would stop);
- `/saml2/acs/` takes the IdP's signed answer (HTTP-POST): pysaml2 checks the signatures with xmlsec1
  against the certificate in the IdP's metadata, the audience, the times and the recipient; an assertion
  that is not signed is refused (`want_assertions_signed`). The attributes then become the same claims
  dict as an OIDC ID token's and go to `identity.sign_in_from_claims`, which finds or creates the user by
  (IdP entity id, subject) and sets role and grants anew.

The subject is the HSA-id attribute (SAML_HSA_ID_ATTRIBUTE): a person's HSA-id does not change hands,
while a NameID may be transient (new at every sign-in). Only without that attribute is the NameID used,
and only a persistent one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import requests
import saml2
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from djangosaml2.middleware import SamlSessionMiddleware as _SamlSessionMiddleware
from saml2.config import SPConfig
from saml2.httpbase import ConnectionError as HttpConnectionError
from saml2.mdstore import SourceNotFound
from saml2.saml import NAMEID_FORMAT_PERSISTENT

from .audit import audit
from .security import client_ip

logger = logging.getLogger(__name__)

# Messages shown on the login page (Swedish, as every page).
REFUSED_RESPONSE = (
    "Inloggningen med SITHS eID (SAML) kunde inte godtas: svaret från identitetsleverantören var inte "
    "giltigt eller inte signerat. Försök igen, eller kontakta portalens förvaltning om det upprepas."
)
IDP_UNREACHABLE = (
    "Inloggning med SITHS eID (SAML) går inte just nu: identitetsleverantörens uppgifter kunde inte hämtas. "
    "Försök igen om en stund."
)
NO_SUBJECT = (
    "Inloggningen med SITHS eID (SAML) kunde inte godtas: identitetsleverantören skickade inget HSA-id "
    "för dig. Kontakta portalens förvaltning."
)
# How long a fetched IdP metadata is kept before it is read again (a key rollover reaches the portal
# within this time).
METADATA_SECONDS = 3600


def enabled() -> bool:
    return bool(
        settings.SAML_SP_ENTITY_ID and (settings.SAML_IDP_METADATA_URL or settings.SAML_IDP_METADATA_FILE)
    )


def both_doors() -> bool:
    """OIDC is configured too: the SAML button then says "(SAML)" to tell the two apart."""
    return bool(settings.OIDC_ISSUER)


def button_label() -> str:
    return "Logga in med SITHS eID (SAML)" if both_doors() else "Logga in med SITHS eID"


# --- configuration ---------------------------------------------------------------------------------


def _pem_file(pem: str, kind: str) -> str:
    """A PEM given in the environment as a file pysaml2 and xmlsec1 can read: written once per content
    into a folder only this process's user can read."""
    digest = hashlib.sha256(pem.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"servicelevel-saml-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / f"{kind}-{digest}.pem"
    if not target.exists():
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(pem.replace("\\n", "\n").strip() + "\n")
    return str(target)


def _key_and_cert() -> tuple[str, str]:
    key = settings.SAML_SP_KEY_FILE or (
        settings.SAML_SP_KEY_PEM and _pem_file(settings.SAML_SP_KEY_PEM, "key")
    )
    cert = settings.SAML_SP_CERT_FILE or (
        settings.SAML_SP_CERT_PEM and _pem_file(settings.SAML_SP_CERT_PEM, "cert")
    )
    if bool(key) != bool(cert):
        raise ImproperlyConfigured(
            "SAML: tjänstens nyckel och certifikat hör ihop — sätt både SAML_SP_KEY_FILE (eller "
            "SAML_SP_KEY_PEM) och SAML_SP_CERT_FILE (eller SAML_SP_CERT_PEM), eller ingen av dem."
        )
    return key or "", cert or ""


def acs_url() -> str:
    return f"{settings.PORTAL_URL}/saml2/acs/"


def config_dict() -> dict:
    """pysaml2's SP configuration, from the settings (and so from the environment) only."""
    xmlsec = settings.SAML_XMLSEC_BINARY or shutil.which("xmlsec1") or "/usr/bin/xmlsec1"
    metadata: dict = {}
    if settings.SAML_IDP_METADATA_FILE:
        metadata["local"] = [settings.SAML_IDP_METADATA_FILE]
    if settings.SAML_IDP_METADATA_URL:
        remote = {"url": settings.SAML_IDP_METADATA_URL}
        if settings.SAML_IDP_METADATA_CERT_FILE:
            remote["cert"] = settings.SAML_IDP_METADATA_CERT_FILE
        metadata["remote"] = [remote]
    key, cert = _key_and_cert()
    config = {
        "entityid": settings.SAML_SP_ENTITY_ID,
        "xmlsec_binary": xmlsec,
        "allow_unknown_attributes": True,
        "metadata": metadata,
        "service": {
            "sp": {
                "name": "Servicenivåportalen",
                "name_id_format": [NAMEID_FORMAT_PERSISTENT, saml2.saml.NAMEID_FORMAT_TRANSIENT],
                "endpoints": {"assertion_consumer_service": [(acs_url(), saml2.BINDING_HTTP_POST)]},
                # Signed assertions only: a Response signed around an unsigned assertion is not enough.
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": bool(key),
                "allow_unsolicited": False,
                "only_use_keys_in_metadata": True,
                "force_authn": False,
            }
        },
        "accepted_time_diff": 60,
        # Fetching the IdP's metadata waits at most this long (seconds) before the person is told.
        "http_client_timeout": 10,
    }
    if key:
        config["key_file"] = key
        config["cert_file"] = cert
        config["encryption_keypairs"] = [{"key_file": key, "cert_file": cert}]
    return config


_cache_lock = threading.Lock()
_cached: dict = {}


def config_loader(request=None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the SP configuration, its IdP metadata kept METADATA_SECONDS
    (djangosaml2 would otherwise load it, and fetch a remote one, at every request)."""
    if not enabled():
        raise Http404("SAML är inte konfigurerat.")
    wanted = config_dict()
    key = repr(sorted(wanted.items(), key=lambda item: item[0]))
    with _cache_lock:
        entry = _cached.get(key)
        if entry is None or time.monotonic() - entry[0] > METADATA_SECONDS:
            conf = SPConfig()
            conf.load(wanted)
            _cached.clear()
            _cached[key] = entry = (time.monotonic(), conf)
        return entry[1]


class SamlSessionMiddleware(_SamlSessionMiddleware):
    """djangosaml2's own session (the outstanding AuthnRequest ids, its own cookie, SameSite=None so the
    IdP's POST back carries it), only on /saml2/ and only when SAML is configured."""

    def process_request(self, request):
        if enabled() and request.path_info.startswith("/saml2/"):
            super().process_request(request)

    def process_response(self, request, response):
        if not hasattr(request, "saml_session"):
            return response
        return super().process_response(request, response)


# --- claims ----------------------------------------------------------------------------------------


def claim_names():
    from .identity import ClaimNames

    return ClaimNames(
        hsa_id=settings.SAML_HSA_ID_ATTRIBUTE,
        role=settings.SAML_ROLE_ATTRIBUTE,
        unit=settings.SAML_UNIT_ATTRIBUTE,
        provider=settings.SAML_PROVIDER_ATTRIBUTE,
    )


def claims_from_session_info(session_info: dict) -> tuple[str, str, dict]:
    """(issuer, subject, claims) from pysaml2's session info. The claims are the attributes by their
    names (each a list of values), read by identity.py through `claim_names()`. The subject is the HSA-id
    attribute, else a persistent NameID; PermissionDenied(NO_SUBJECT) without either."""
    from .identity import claim_values

    claims = {name: list(values) for name, values in (session_info.get("ava") or {}).items()}
    issuer = session_info.get("issuer") or ""
    hsa_ids = claim_values(claims, settings.SAML_HSA_ID_ATTRIBUTE)
    name_id = session_info.get("name_id")
    subject = hsa_ids[0] if hsa_ids else ""
    if not subject and name_id is not None and name_id.format == NAMEID_FORMAT_PERSISTENT:
        subject = (name_id.text or "").strip()
    if not issuer or not subject:
        raise PermissionDenied(NO_SUBJECT)
    return issuer, subject, claims


# --- views -----------------------------------------------------------------------------------------


class _OnlyWhenConfigured:
    config_loader_path = staticmethod(config_loader)

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("SAML är inte konfigurerat.")
        try:
            config_loader(request)
        except (SourceNotFound, HttpConnectionError, requests.RequestException) as unreachable:
            # The IdP's metadata could not be fetched (its server down, a wrong URL): nothing is cached,
            # the next request tries again.
            logger.warning("SAML: IdP metadata unreachable: %s", unreachable)
            return _login_page_with_error(request, IDP_UNREACHABLE, status=503)
        return super().dispatch(request, *args, **kwargs)


class LoginView(_OnlyWhenConfigured, saml_views.LoginView):
    pass


class MetadataView(_OnlyWhenConfigured, saml_views.MetadataView):
    pass


# The IdP's POST carries no CSRF token: the signed, solicited Response is what is checked. (The dispatch
# above hides djangosaml2's own csrf_exempt, so it is said again here.)
@method_decorator(csrf_exempt, name="dispatch")
class AssertionConsumerServiceView(_OnlyWhenConfigured, saml_views.AssertionConsumerServiceView):
    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        """Back to the login page with a Swedish message (403): the reason in the log and, for a
        response pysaml2 refused, in the audit trail; the person sees no SAML internals."""
        no_subject = isinstance(exception, PermissionDenied) and exception.args == (NO_SUBJECT,)
        audit(
            action="saml_response_refused",
            object_type="saml",
            actor_label="saml",
            detail={
                "reason": "no_subject" if no_subject else type(exception).__name__ if exception else "okänt",
                "text": str(exception)[:300],
                "address": client_ip(request),
            },
        )
        message = NO_SUBJECT if no_subject else REFUSED_RESPONSE
        return _login_page_with_error(request, message, status=403)

    def authenticate_user(
        self, request, session_info, attribute_mapping, create_unknown_user, assertion_info
    ):
        from .identity import SignInRefused, sign_in_from_claims

        issuer, subject, claims = claims_from_session_info(session_info)
        try:
            # Logs the person in on success (identity.py).
            user = sign_in_from_claims(
                request, issuer=issuer, subject=subject, claims=claims, names=claim_names()
            )
        except SignInRefused as refused:
            # identity.py has written the audit entry; the person reads its message.
            raise _Refused(refused.message) from refused
        saml_views._set_subject_id(request.saml_session, session_info["name_id"])
        return user

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except _Refused as refused:
            return _login_page_with_error(request, refused.message, status=403)


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _login_page_with_error(request, message: str, *, status: int):
    """The portal's login page, as a GET would show it, with the message on top."""
    from .accounts import LoginView as PortalLoginView

    messages.error(request, message)
    request.method = "GET"
    response = PortalLoginView.as_view()(request)
    response.render()
    response.status_code = status
    return response


urlpatterns = [
    path("login/", LoginView.as_view(), name="saml2_login"),
    path("acs/", AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("metadata/", MetadataView.as_view(), name="saml2_metadata"),
]
