"""The portal's own login and logout (/konto/…) and the lockout after repeated failures (django-axes).

Django's LoginView and AuthenticationForm do the work; this module only names the templates, says
"Du är utloggad" after a logout, counts failures per username as well as per (username, address) with a
limit for each (LockoutHandler), renders axes' lockout page in Swedish, and lets authentication without
a request (the test client's `login()`, scripts) past the lockout check — axes needs a request to know
whom to lock, and no person at a login form is ever without one. The address counted is
`servicelevel.security.client_ip` (who may name another address is decided there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Max, Sum
from django.shortcuts import render


class LoginView(auth_views.LoginView):
    """The password form (DJANGO_LOCAL_LOGIN) and, with OIDC_ISSUER set, "Logga in med SITHS eID" above
    it. With the password form off its POST is refused (403) whatever it carries."""

    template_name = "registration/login.html"
    # A logged-in person who opens the login page (a bookmark) goes on to the start page.
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN:
            context = self.get_context_data(form=None, password_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from . import oidc, saml

        context = super().get_context_data(**kwargs)
        context["local_login"] = settings.LOCAL_LOGIN
        context["oidc_enabled"] = oidc.enabled()
        if saml.enabled():
            context["saml_label"] = saml.button_label()
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView); the login page then says the logout happened. A person who signed
    in through the OIDC provider is sent on to its end_session_endpoint (when it has one), so the
    provider's session ends too, and comes back to the login page."""

    def post(self, request, *args, **kwargs):
        from . import oidc

        id_token = request.session.get(oidc.ID_TOKEN_SESSION_KEY, "")
        response = super().post(request, *args, **kwargs)
        messages.success(request, "Du är utloggad.")
        provider_logout = oidc.end_session_url(request, id_token)
        if provider_logout:
            # A page that goes on to the provider (templates/registration/provider_logout.html says why).
            return render(request, "registration/provider_logout.html", {"url": provider_logout})
        return response


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check, first in AUTHENTICATION_BACKENDS; it authenticates nobody itself.

    axes refuses an `authenticate()` without a request with an exception. Every login form passes its
    request (the portal's, the admin's), so the only callers without one are the test client's
    `login()` and scripts; they are passed on to the other backends unchecked instead of crashing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@dataclass(frozen=True)
class GroupFailures:
    """The failures counted for one lockout group (e.g. ("username", "ip_address")) within the cool-off."""

    parameters: tuple[str, ...]
    failures: int
    limit: int
    last: datetime | None

    @property
    def reached(self) -> bool:
        return self.failures >= self.limit


@dataclass(frozen=True)
class Lock:
    """Why a login is refused and until when: `account_wide` when the account itself is locked (failures
    from many addresses), else only this username from this address."""

    account_wide: bool
    limit: int
    until: datetime | None


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit of its own per lockout group (settings.LOGIN_FAILURE_LIMITS):
    axes compares every group's failures with the one AXES_FAILURE_LIMIT, so each group's count is given
    to it on that scale — failures × AXES_FAILURE_LIMIT ÷ the group's limit, rounded down, which reaches
    AXES_FAILURE_LIMIT exactly when the group's own count reaches its own limit."""

    def failures_per_group(self, request, credentials=None) -> list[GroupFailures]:
        groups = get_lockout_parameters(request, credentials)
        counted = []
        for group, attempts in zip(groups, self.get_user_attempts(request, credentials), strict=True):
            parameters = (group,) if isinstance(group, str) else tuple(group)
            totals = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            limit = settings.LOGIN_FAILURE_LIMITS[parameters]
            counted.append(GroupFailures(parameters, totals["failures"] or 0, limit, totals["last"]))
        return counted

    def get_failures(self, request, credentials=None) -> int:
        scale = get_failure_limit(request, credentials)
        return max(
            (g.failures * scale // g.limit for g in self.failures_per_group(request, credentials)), default=0
        )

    def lock(self, request, credentials=None) -> Lock | None:
        """The lock in force, if any: the widest group that has reached its limit, and when it lifts at the
        latest (the cool-off after the last failure it counts; a failure meanwhile moves it)."""
        reached = [g for g in self.failures_per_group(request, credentials) if g.reached]
        if not reached:
            return None
        widest = min(reached, key=lambda g: len(g.parameters))
        cool_off = get_cool_off(request)
        lasts = [g.last for g in reached if g.last is not None]
        until = max(lasts) + cool_off if cool_off and lasts else None
        return Lock(account_wide="ip_address" not in widest.parameters, limit=widest.limit, until=until)


def locked_out(request, original_response=None, credentials=None):
    """axes' AXES_LOCKOUT_CALLABLE: a Swedish page, 429 Too Many Requests, in the portal's layout, saying
    whether the account or only this computer is locked and when to try again."""
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "lock": LockoutHandler().lock(request, credentials),
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
