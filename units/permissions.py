"""Who may see and change which units — the one module views, selectors and exports ask.

Roles are groups (DESIGN.md: Roles and permissions). Region-wide roles see every unit; unit managers and
private providers see the units they hold object permissions on (guardian, direct foreign-key tables),
directly or through a vårdområde.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from guardian.shortcuts import assign_perm

from .models import CareUnit, CareUnitUserObjectPermission, VardomradeUserObjectPermission


class Roles:
    KONCERNSTAB = "Koncernstab kommunikation"
    HS_STYRNING = "Hälso- och sjukvårdsstyrning"
    LEDNING = "Ledning"
    VERKSAMHETSCHEF = "Verksamhetschef"
    VARDGIVARE = "Vårdgivare"

    REGION_WIDE = (KONCERNSTAB, HS_STYRNING, LEDNING)
    ALL = (KONCERNSTAB, HS_STYRNING, LEDNING, VERKSAMHETSCHEF, VARDGIVARE)


def ensure_groups() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in Roles.ALL}


def sees_everything(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=Roles.REGION_WIDE).exists()


def visible_units(user) -> QuerySet[CareUnit]:
    """Every unit the user may see; an empty queryset for an outsider."""
    if sees_everything(user):
        return CareUnit.objects.all()
    if not user.is_authenticated:
        return CareUnit.objects.none()
    direct = CareUnitUserObjectPermission.objects.filter(user=user, permission__codename="view_careunit")
    areas = VardomradeUserObjectPermission.objects.filter(user=user, permission__codename="view_vardomrade")
    return CareUnit.objects.filter(
        Q(id__in=direct.values("content_object_id")) | Q(vardomrade_id__in=areas.values("content_object_id"))
    )


def grant_units(user, units) -> None:
    """Let a unit manager or provider see and report for these units."""
    for codename in ("view_careunit", "change_careunit"):
        assign_perm(f"units.{codename}", user, units)
