"""The portal's own login and logout (/konto/…) and the lockout after repeated failures (django-axes).

Django's LoginView and AuthenticationForm do the work; this module only names the templates, says
"Du är utloggad" after a logout, renders axes' lockout page in Swedish, and lets authentication without
a request (the test client's `login()`, scripts) past the lockout check — axes needs a request to know
whom to lock, and no person at a login form is ever without one.
"""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    # A logged-in person who opens the login page (a bookmark) goes on to the start page.
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView); the login page then says the logout happened."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "Du är utloggad.")
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


def locked_out(request, original_response=None, credentials=None):
    """axes' AXES_LOCKOUT_CALLABLE: a Swedish page, 429 Too Many Requests, in the portal's layout."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def client_ip(request) -> str:
    """axes' AXES_CLIENT_IP_CALLABLE: the address a lockout counts failures for. Behind the proxy
    (DJANGO_BEHIND_PROXY) every request comes from the proxy, so the client is the last address the proxy
    added to X-Forwarded-For — the rightmost, the only one a client cannot write itself."""
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER:  # set exactly when the portal runs behind its proxy
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")
