"""Who may call what through the API: a valid token (401 otherwise), a write scope for writes, and the
role the page asks for (403 otherwise). Which units a token reads is units.permissions' visible_units."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from units.permissions import may_import, may_read_rulebook, roles


class HasToken(BasePermission):
    """Any active token of a person who holds a portal role."""

    message = "Kontot har ingen roll i portalen."

    def has_permission(self, request, view):
        user = request.user
        return bool(request.auth is not None and user.is_authenticated and (user.is_superuser or roles(user)))


class ReadsRulebook(HasToken):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and may_read_rulebook(request.user)


class ImportsFiles(HasToken):
    message = (
        "Import kräver en nyckel med behörigheten write och rollen Koncernstab kommunikation eller "
        "Hälso- och sjukvårdsstyrning."
    )

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.auth.may_write and may_import(request.user)


class ReadsImports(HasToken):
    """An import job's state: the roles that import (any scope: reading it is no write)."""

    message = "Importerna är för Koncernstab kommunikation och Hälso- och sjukvårdsstyrning."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and may_import(request.user)
