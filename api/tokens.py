"""Creating, finding and revoking API tokens: the one write path for `ApiToken`, audited."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from servicelevel.audit import audit

from .models import ApiToken

PREFIX = "slp_"  # marks a portal token in logs and secret scanners
MAX_DAYS = 365
DEFAULT_DAYS = 90


class TokenRefused(ValueError):
    """A token that may not be made (the message is Swedish)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    *, user, name: str, scope: str = ApiToken.Scope.READ, days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise TokenRefused("Ge nyckeln ett namn.")
    if scope not in ApiToken.Scope.values:
        raise TokenRefused("Behörigheten ska vara read eller write.")
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(f"En nyckel gäller i 1–{MAX_DAYS} dagar.")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=secret[:12],
            token_hash=digest(secret),
            scope=scope,
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        audit(
            action="apitoken_created",
            object_type="apitoken",
            object_id=token.pk,
            actor=user,
            detail={"name": token.name, "scope": scope, "expires_at": token.expires_at.isoformat()},
        )
    return token, secret


def revoke(*, token: ApiToken, actor) -> bool:
    """Revoke once; a second revoke changes nothing. Returns whether this call revoked it."""
    with transaction.atomic():
        claimed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if claimed:
            audit(
                action="apitoken_revoked",
                object_type="apitoken",
                object_id=token.pk,
                actor=actor,
                detail={"name": token.name},
            )
    return bool(claimed)


def active_token(secret: str) -> ApiToken | None:
    """The token with this secret if it is neither expired nor revoked and its user is active; its use
    is recorded as its "last used"."""
    if not secret.startswith(PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token


def tokens_of(user):
    return ApiToken.objects.filter(user=user)
