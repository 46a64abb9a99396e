"""Requests per token (API_THROTTLE_RATE, e.g. "600/min"), counted in Django's cache (Redis with
REDIS_URL); over the rate a 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.API_THROTTLE_RATE or None

    def allow_request(self, request, view):
        self.rate = self.get_rate()  # read per request, so a changed setting applies at once
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None:
            return None  # no token: refused with 401 before anything is counted
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
