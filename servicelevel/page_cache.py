"""The page cache: what a portal page computes from stored results, kept until something it shows changes.

`@cached_page` on a view (the dashboard, the unit list, a unit page, the comparison) keeps the HTML of the
page's own parts — the blocks `title`, `extra_head`, `as_of` and `content` of base.html, each wrapped in
`{% page_part %}` (servicelevel/templatetags/page_cache.py) — in Django's cache (Redis in production, the
process's memory on the embedded default). A second request with the same key skips the view and renders
base.html around the kept parts. Everything else on the page is the request's own every time: the header
with the user's name and the navigation, the messages, and every CSRF token (a form inside a kept part
holds a placeholder, replaced by the request's token as it is sent).

The key is the page's path and every query parameter, the user's id (nobody ever gets a page made for
someone else's rights), today's date (the default as-of date) and the *generation*: one value for the
whole portal, replaced (`bump`) whenever anything a cached page shows may have changed — results stored
(compliance/writer.py), a committed change through the write path or an import (`facts_changed` and every
audit entry, servicelevel/apps.py), any change of rights (units/receivers.py). A new generation makes
every kept page unreachable at once; they expire after DJANGO_PAGE_CACHE_SECONDS (the upper bound on how
long anything is kept; 0 turns the cache off). The generation is read before the page is computed, so a
page computed from facts older than a bump can only be kept under the generation before it.

Only GET requests for a full page are kept (an htmx request for a fragment goes to the view), and only a
200 response whose parts were all rendered. A cache that cannot be reached is skipped (logged), never an
error page.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

log = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
# The parts base.html wraps; a page is kept only when all of them were rendered through the view.
PARTS = ("title", "extra_head", "as_of", "content")


def seconds() -> int:
    return settings.PAGE_CACHE_SECONDS


# ------------------------------------------------------------------------------------------ generation


def generation() -> str:
    """The current generation (made on first use: a random value, so a lost key never brings back pages
    kept under an earlier one)."""
    current = cache.get(GENERATION_KEY)
    if current is None:
        made = uuid.uuid4().hex
        current = made if cache.add(GENERATION_KEY, made, None) else (cache.get(GENERATION_KEY) or made)
    return current


def bump() -> None:
    """Make every kept page unreachable."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # the write itself has been made; the pages fall back on their time limit
        log.exception("page cache: the generation could not be replaced")


def changed(**_signal) -> None:
    """Something a page shows changed: bump now, so a later read in the same transaction does not see
    a kept page, and again once the transaction commits, so a page computed meanwhile from the facts
    before the commit is not kept under the current generation. A receiver for any signal."""
    bump()
    transaction.on_commit(bump)


# ----------------------------------------------------------------------------------------------- keys


def page_key(request) -> str:
    """The path, every query parameter, the user, today and the generation (read first)."""
    raw = repr(
        (
            generation(),
            request.path,
            sorted(request.GET.lists()),
            request.user.pk,
            timezone.localdate().isoformat(),
        )
    )
    return "page-cache:page:" + hashlib.sha256(raw.encode()).hexdigest()


# ------------------------------------------------------------------------------ capture and replay


@dataclass
class Capture:
    """A page being computed: its parts as rendered, with a placeholder where a CSRF token was."""

    csrf: str = field(default_factory=lambda: f"page-cache-csrf-{uuid.uuid4().hex}")
    template: str = ""
    parts: dict[str, str] = field(default_factory=dict)

    def entry(self) -> dict | None:
        if not self.template or set(self.parts) != set(PARTS):
            return None
        return {"template": self.template, "csrf": self.csrf, "parts": self.parts}


@dataclass
class Replay:
    """A kept page being sent again."""

    entry: dict


def render_part(context, name: str, nodelist) -> str:
    """`{% page_part name %}…{% endpage_part %}`: the kept HTML of this part when the page is replayed,
    else the part rendered (and kept when the page is being captured). Outside a cached page, the part
    as it is."""
    state = getattr(getattr(context, "request", None), "page_cache", None)
    if isinstance(state, Replay):
        return _with_token(state.entry["parts"].get(name, ""), state.entry["csrf"], context)
    if not isinstance(state, Capture):
        return nodelist.render(context)
    with context.push(csrf_token=state.csrf):
        html = nodelist.render(context)
    state.parts[name] = html
    state.template = state.template or context.template.name
    return _with_token(html, state.csrf, context)


def _with_token(html: str, placeholder: str, context) -> str:
    if placeholder in html:
        html = html.replace(placeholder, str(context.get("csrf_token", "")))
    return mark_safe(html)


def cached_page(view):
    """Keep the page's parts (see the module's docstring). Put it inside `login_required`."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.headers.get("HX-Request") or seconds() <= 0:
            return view(request, *args, **kwargs)
        try:
            key = page_key(request)
            kept = cache.get(key)
        except Exception:
            log.exception("page cache: not reachable, the page is computed")
            return view(request, *args, **kwargs)
        if kept is not None:
            request.page_cache = Replay(kept)
            return render(request, kept["template"])
        capture = request.page_cache = Capture()
        response = view(request, *args, **kwargs)
        del request.page_cache
        entry = capture.entry()
        if response.status_code == 200 and not response.streaming and entry is not None:
            try:
                cache.set(key, entry, seconds())
            except Exception:
                log.exception("page cache: the page could not be kept")
        return response

    return wrapper


# --------------------------------------------------------------------------------------- the backend


class _ReusedClients(django_redis.RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per connection pool instead of making one per
    call: making one builds its table of response callbacks anew, which cost more than the round trip
    itself (0.7 against 0.25 ms a read here, three reads a kept page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache with `_ReusedClients` (settings.CACHES)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
