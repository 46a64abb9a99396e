"""What every request and response passes through (docs/deployment.md, docs/frontend.md): who may speak
for another address, the headers every answer carries, the methods the portal answers, the sliding end
of a session, and the static files WhiteNoise serves.

One rule for addresses, used by Django and written once: a peer is a trusted proxy when its address is
in DJANGO_TRUSTED_PROXIES (settings.TRUSTED_PROXIES). Only a trusted proxy's X-Forwarded-For and
X-Forwarded-Proto are read; from anyone else they are removed before anything sees them. gunicorn reads
the same variable (gunicorn.conf.py).

The stdlib's `ipaddress` does the matching. django-ipware was considered: it is a best-effort guess over
some thirty headers whose rules have changed between major versions, where this needs one header, one
list of networks and the rule above.
"""

from __future__ import annotations

import ipaddress
import time
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponseNotAllowed
from whitenoise.middleware import WhiteNoiseMiddleware

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address | None:
    """An address as a proxy or a server writes it — `10.0.0.5`, `10.0.0.5:51234`, `2001:db8::1`,
    `[2001:db8::1]:443` — or None for anything else ("unknown", a name, garbage). An IPv4 address seen
    through an IPv6 socket (`::ffff:10.0.0.5`) is the IPv4 address."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy) for proxy in proxies)


def is_trusted_proxy(address: Address | None) -> bool:
    return address is not None and any(
        address in network for network in _networks(tuple(settings.TRUSTED_PROXIES))
    )


def client_ip(request) -> str:
    """The address a lockout counts failures for (axes' AXES_CLIENT_IP_CALLABLE): the connection's own
    address, unless that is a trusted proxy; then the rightmost address in X-Forwarded-For that is not
    itself a trusted proxy. Each proxy appends the address it saw, so what a client writes into the header
    lies to the left of that and is never reached. A part that is no address ends the walk (a broken
    proxy): the last good address counts, at worst the proxy's own."""
    remote = request.META.get("REMOTE_ADDR", "")
    client = parse_address(remote)
    if not is_trusted_proxy(client):
        return str(client) if client else remote
    for part in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not part.strip():
            continue
        hop = parse_address(part)
        if hop is None:
            break
        client = hop
        if not is_trusted_proxy(hop):
            break
    return str(client)


class ForwardedHeadersMiddleware:
    """First of all: the proxy's headers (X-Forwarded-For, -Proto, -Host, …, Forwarded) are removed from
    a request that does not come from a trusted proxy, so neither Django (SECURE_PROXY_SSL_HEADER: is this
    HTTPS?) nor the lockout (client_ip) nor any later reader can be told a story by the client itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(parse_address(request.META.get("REMOTE_ADDR", ""))):
            for key in [
                k for k in request.META if k.startswith("HTTP_X_FORWARDED_") or k == "HTTP_FORWARDED"
            ]:
                del request.META[key]
        return self.get_response(request)


def content_security_policy() -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in settings.SECURE_CSP.items())


def permissions_policy() -> str:
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
    )


class PolicyHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy (settings.SECURE_CSP, settings.PERMISSIONS_POLICY) on
    every response: pages, redirects, errors, refused methods and — being above WhiteNoise — static
    files. A response that already carries its own policy keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", permissions_policy())
        return response


ANSWERED_METHODS = ("GET", "HEAD", "POST")


class AnsweredMethodsMiddleware:
    """The portal answers GET, HEAD and POST; any other method (PUT, DELETE, PATCH, TRACE, OPTIONS, …) is
    405 with `Allow: GET, HEAD, POST` on every path — the admin's, the login's, a static file's, one that
    does not exist — before a view could treat it as a GET. A view that takes fewer methods says so with
    its own decorator (require_safe, require_POST) and answers those with its own Allow."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ANSWERED_METHODS:
            return HttpResponseNotAllowed(ANSWERED_METHODS)
        return self.get_response(request)


# A signed-in session ends SESSION_COOKIE_AGE (DJANGO_SESSION_HOURS) after its last request. Its end is
# moved forward at most once per this interval rather than on every request (SESSION_SAVE_EVERY_REQUEST):
# a page or an htmx poll every second would otherwise each write the session row.
SESSION_RENEWAL_INTERVAL = timedelta(minutes=5)
RENEWED_KEY = "_portal_renewed"


def mark_session_renewed(sender, request, user, **kwargs) -> None:
    """user_logged_in: a new session's end was just set (SESSION_COOKIE_AGE from now)."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_KEY] = int(time.time())


class SlidingSessionMiddleware:
    """After SessionMiddleware: a signed-in session is saved again (its end moved to SESSION_COOKIE_AGE
    from now, the cookie sent again with it) once SESSION_RENEWAL_INTERVAL has passed since it last was.
    Idle for SESSION_COOKIE_AGE, the session is over and the login page asks again. A signed-in session
    from before this rule (no mark yet) gets its end moved on its next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        renewed = request.session.get(RENEWED_KEY)
        signed_in = renewed is not None or SESSION_KEY in request.session
        now = int(time.time())
        if signed_in and (renewed is None or now - renewed >= SESSION_RENEWAL_INTERVAL.total_seconds()):
            request.session[RENEWED_KEY] = now
        return self.get_response(request)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise without the manifest: staticfiles.json maps every static file to its hashed name, which
    the server needs to write pages and nobody else needs to read. It is left out of the files served, so
    /static/staticfiles.json is a 404 like any other unknown path."""

    def add_files(self, root, prefix=None):
        super().add_files(root, prefix)
        from django.contrib.staticfiles.storage import staticfiles_storage

        manifest = getattr(staticfiles_storage, "manifest_name", None)
        if manifest:
            hidden = f"{self.static_prefix}{manifest}"
            for url in [url for url in self.files if url == hidden or url.startswith(hidden + ".")]:
                del self.files[url]
