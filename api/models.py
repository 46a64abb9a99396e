"""API tokens (docs/api.md): a person's key for `Authorization: Bearer <token>`, stored as the SHA-256 of
its random secret (the secret itself is shown once and never kept), with a scope, an expiry of at most a
year and a revocation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Läsa"
        WRITE = "write", "Läsa och importera"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="användare",
    )
    name = models.CharField("namn", max_length=100)
    # The first characters of the token, to tell tokens apart in a list; not enough to guess the rest.
    prefix = models.CharField("början", max_length=12)
    token_hash = models.CharField("kontrollsumma", max_length=64, unique=True, editable=False)
    scope = models.CharField("behörighet", max_length=5, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField("gäller till")
    revoked_at = models.DateTimeField("återkallad", null=True, blank=True)
    last_used_at = models.DateTimeField("senast använd", null=True, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)

    class Meta:
        verbose_name = "API-nyckel"
        verbose_name_plural = "API-nycklar"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def may_write(self) -> bool:
        return self.scope == self.Scope.WRITE
