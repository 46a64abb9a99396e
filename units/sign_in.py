"""A person's roles and object grants as their identity provider's claims give them at a sign-in.

Called by `servicelevel.identity.sign_in_from_claims` (through settings.SIGN_IN_RIGHTS: servicelevel sits
below units and names it only there). What the roles and grants then allow is units/permissions.py's.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from servicelevel.page_cache import changed

from .models import (
    CareUnit,
    CareUnitUserObjectPermission,
    Provider,
    ProviderUserObjectPermission,
    VardomradeUserObjectPermission,
)
from .permissions import Roles, ensure_groups, grant_provider, grant_units


def set_rights(user, *, roles: list[str], unit_ids: list[str], provider_ids: list[str]):
    """The user's role groups become exactly `roles` (of Roles.ALL), their object grants exactly the units
    and providers with these HSA-ids: every other unit, provider or vårdområde grant they held directly is
    removed. HSA-ids the portal does not know are ignored. Returns (unit HSA-ids, provider HSA-ids granted,
    unknown HSA-ids)."""
    ensure_groups()
    user.groups.remove(*Group.objects.filter(name__in=set(Roles.ALL) - set(roles)))
    user.groups.add(*Group.objects.filter(name__in=set(roles) & set(Roles.ALL)))
    user._portal_roles = None

    units = list(CareUnit.objects.filter(hsa_id__in=unit_ids))
    providers = list(Provider.objects.filter(hsa_id__in=provider_ids)) if provider_ids else []
    CareUnitUserObjectPermission.objects.filter(user=user).exclude(
        content_object__in=[u.pk for u in units]
    ).delete()
    ProviderUserObjectPermission.objects.filter(user=user).exclude(
        content_object__in=[p.pk for p in providers]
    ).delete()
    VardomradeUserObjectPermission.objects.filter(user=user).delete()
    if units:
        grant_units(user, units)
    for provider in providers:
        grant_provider(user, provider)
    changed()
    known = {u.hsa_id for u in units} | {p.hsa_id for p in providers}
    unknown = sorted((set(unit_ids) | set(provider_ids)) - known)
    return sorted(u.hsa_id for u in units), sorted(p.hsa_id for p in providers), unknown
