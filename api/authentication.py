"""`Authorization: Bearer <token>` for DRF: the token's user is the request's user, with the same rights
as on the pages (units/permissions.py); the token itself is `request.auth`."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from . import tokens


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Ange nyckeln som ”Authorization: Bearer <nyckel>”.")
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Nyckeln är ogiltig.") from None
        token = tokens.active_token(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Nyckeln är ogiltig, har gått ut eller har återkallats.")
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword  # a 401 (not 403) with WWW-Authenticate: Bearer
