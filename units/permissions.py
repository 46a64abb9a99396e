"""Who may see and change what — the one module views, selectors, exports and reports ask.

Roles are groups (DESIGN.md: Roles and permissions):

| role | sees | may change |
|---|---|---|
| Koncernstab kommunikation | every unit | any unit's facts (support), imports, rulebook, first approval |
| Hälso- och sjukvårdsstyrning | every unit | imports, targets, second approval; not a unit's own facts |
| Ledning | every unit | nothing (read-only: 403 on any change) |
| Verksamhetschef | units granted to them, directly or through a vårdområde | those units' facts |
| Vårdgivare | units granted directly, or every unit of a provider granted to them | those units' facts |

Object rights are django-guardian's direct foreign-key tables on `CareUnit`, `Vardomrade` and `Provider`
(to the user or to one of the user's groups). Views never call guardian: they call `unit_for_user`, which
answers 404 for a unit the user may not see and 403 for a change the user may not make.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm

from servicelevel.page_cache import changed

from .models import (
    CareUnit,
    CareUnitGroupObjectPermission,
    CareUnitUserObjectPermission,
    Forvaltning,
    Provider,
    ProviderGroupObjectPermission,
    ProviderUserObjectPermission,
    Vardomrade,
    VardomradeGroupObjectPermission,
    VardomradeUserObjectPermission,
)


class Roles:
    KONCERNSTAB = "Koncernstab kommunikation"
    HS_STYRNING = "Hälso- och sjukvårdsstyrning"
    LEDNING = "Ledning"
    VERKSAMHETSCHEF = "Verksamhetschef"
    VARDGIVARE = "Vårdgivare"

    REGION_WIDE = (KONCERNSTAB, HS_STYRNING, LEDNING)
    ALL = (KONCERNSTAB, HS_STYRNING, LEDNING, VERKSAMHETSCHEF, VARDGIVARE)
    # Who may change a unit's own facts beyond their granted units: Koncernstab supports every unit.
    CHANGE_ANY_UNIT = (KONCERNSTAB,)
    IMPORT = (KONCERNSTAB, HS_STYRNING)


def ensure_groups() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in Roles.ALL}


def roles(user) -> frozenset[str]:
    """The user's role names, read once per user object (a request keeps its user)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Roles.ALL).values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def sees_everything(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles(user) & set(Roles.REGION_WIDE)))


def is_read_only(user) -> bool:
    """Ledning (and a user with no role) change nothing."""
    if user.is_superuser:
        return False
    return not (roles(user) - {Roles.LEDNING})


def may_import(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles(user) & set(Roles.IMPORT)))


def _granted(model_user, model_group, user, codename: str):
    """Object ids granted to the user or to one of the user's groups (a subquery, not a list)."""
    direct = model_user.objects.filter(user=user, permission__codename=codename).values("content_object_id")
    through_group = model_group.objects.filter(
        group__in=user.groups.all(), permission__codename=codename
    ).values("content_object_id")
    return direct, through_group


def visible_units(user) -> QuerySet[CareUnit]:
    """Every unit the user may see; an empty queryset for an outsider."""
    if sees_everything(user):
        return CareUnit.objects.all()
    if not user.is_authenticated:
        return CareUnit.objects.none()
    return CareUnit.objects.filter(_grants(user, "view"))


def changeable_units(user) -> QuerySet[CareUnit]:
    """Every unit whose own facts (offerings, booking figures, roles) the user may change."""
    if not user.is_authenticated or is_read_only(user):
        return CareUnit.objects.none()
    if user.is_superuser or roles(user) & set(Roles.CHANGE_ANY_UNIT):
        return CareUnit.objects.all()
    if roles(user) & set(Roles.REGION_WIDE):
        return CareUnit.objects.none()  # HS-styrning sees everything but reports for no unit
    return CareUnit.objects.filter(_grants(user, "change"))


def _grants(user, action: str) -> Q:
    units = _granted(CareUnitUserObjectPermission, CareUnitGroupObjectPermission, user, f"{action}_careunit")
    areas = _granted(
        VardomradeUserObjectPermission, VardomradeGroupObjectPermission, user, f"{action}_vardomrade"
    )
    providers = _granted(
        ProviderUserObjectPermission, ProviderGroupObjectPermission, user, f"{action}_provider"
    )
    q = Q()
    for ids in units:
        q |= Q(id__in=ids)
    for ids in areas:
        q |= Q(vardomrade_id__in=ids)
    for ids in providers:
        q |= Q(provider_id__in=ids)
    return q


def unit_for_user(user, hsa_id: str, *, change: bool = False) -> CareUnit:
    """The unit with this HSA-id if the user may see it (else 404 — an outsider learns nothing, not even
    that it exists); with `change`, 403 when the user may see but not change it."""
    unit = (
        visible_units(user)
        .select_related("forvaltning", "vardomrade", "provider")
        .filter(hsa_id=hsa_id)
        .first()
    )
    if unit is None:
        raise Http404("Enheten finns inte eller så saknar du behörighet till den.")
    if change and not may_change_unit(user, unit):
        raise PermissionDenied("Du kan se enheten men inte ändra dess uppgifter.")
    return unit


def may_change_unit(user, unit: CareUnit) -> bool:
    return changeable_units(user).filter(pk=unit.pk).exists()


def approval_body(user) -> str | None:
    """The body whose decision on an exemption this user may give: "koncernstab" (first approval) for
    Koncernstab kommunikation, "hs_styrning" (second) for Hälso- och sjukvårdsstyrning, else None. (The
    values are `exemptions.models.ExemptionApproval.Body`'s.)"""
    if not user.is_authenticated:
        return None
    held = roles(user)
    if Roles.KONCERNSTAB in held:
        return "koncernstab"
    if Roles.HS_STYRNING in held:
        return "hs_styrning"
    return None


def may_keep_capabilities(user) -> bool:
    """Whether the user keeps the table of what each booking system supports (/avsteg/system/): Koncernstab
    kommunikation, who prepares the common decisions; the other region-wide roles read it."""
    return user.is_authenticated and (user.is_superuser or approval_body(user) == "koncernstab")


# Who drafts, publishes and uploads the region's rulebook versions (/regelverk/); every role reads them.
RULEBOOK_KEEPERS = (Roles.KONCERNSTAB,)


def may_read_rulebook(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles(user)))


def may_keep_rulebook(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles(user) & set(RULEBOOK_KEEPERS)))


def may_keep_sign_in_rules(user) -> bool:
    """Who keeps the rules that map an identity provider's role claim to the roles (/inloggning/rollregler/,
    servicelevel/identity.py): Koncernstab kommunikation."""
    return user.is_authenticated and (user.is_superuser or Roles.KONCERNSTAB in roles(user))


def visible_forvaltningar(user) -> QuerySet[Forvaltning]:
    return Forvaltning.objects.filter(id__in=visible_units(user).values("forvaltning_id"))


def visible_areas(user) -> QuerySet[Vardomrade]:
    return Vardomrade.objects.filter(id__in=visible_units(user).values("vardomrade_id"))


def visible_providers(user) -> QuerySet[Provider]:
    return Provider.objects.filter(id__in=visible_units(user).values("provider_id"))


def grant_units(user, units) -> None:
    """Let a unit manager or provider see and report for these units."""
    for codename in ("view_careunit", "change_careunit"):
        assign_perm(f"units.{codename}", user, units)
    changed()  # guardian grants a list of objects by bulk_create, which sends no post_save (receivers.py)


def grant_area(user, area: Vardomrade) -> None:
    """A unit manager for a whole vårdområde: every unit in it, now and later."""
    for codename in ("view_vardomrade", "change_vardomrade"):
        assign_perm(f"units.{codename}", user, area)


def grant_provider(user, provider: Provider) -> None:
    """A private provider's user: every unit of the provider, including units a later import creates."""
    for codename in ("view_provider", "change_provider"):
        assign_perm(f"units.{codename}", user, provider)


# --- The action plan (handlingsplan, docs/actionplan.md) ---------------------------------------------------

# Who owns the plan: targets, regional activities, every activity and phase-out plan.
PLAN_ROLES = (Roles.KONCERNSTAB, Roles.HS_STYRNING)
# Who answers the obstacle reports (hinder) the vårdområden send Koncernkontoret.
ANSWER_OBSTACLES = (Roles.KONCERNSTAB,)


def may_plan_regionally(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles(user) & set(PLAN_ROLES)))


def may_answer_obstacles(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles(user) & set(ANSWER_OBSTACLES)))


def changeable_areas(user) -> QuerySet[Vardomrade]:
    """The vårdområden the user reports for: the areas of the units whose facts the user may change."""
    return Vardomrade.objects.filter(id__in=changeable_units(user).values("vardomrade_id"))


def area_for_user(user, area_id, *, change: bool = False) -> Vardomrade:
    """A vårdområde with one of the user's visible units (else 404); with `change`, 403 unless the user
    plans regionally or may change one of its units (a unit manager reporting for their own area)."""
    area = visible_areas(user).select_related("forvaltning").filter(pk=area_id).first()
    if area is None:
        raise Http404("Vårdområdet finns inte eller så saknar du behörighet till det.")
    if change and not (may_plan_regionally(user) or changeable_areas(user).filter(pk=area.pk).exists()):
        raise PermissionDenied("Du kan se vårdområdet men inte ändra något för det.")
    return area


def forvaltning_for_user(user, forvaltning_id) -> Forvaltning:
    """A förvaltning with one of the user's visible units, else 404."""
    forvaltning = visible_forvaltningar(user).filter(pk=forvaltning_id).first()
    if forvaltning is None:
        raise Http404("Förvaltningen finns inte eller så saknar du behörighet till den.")
    return forvaltning


# --- Who is told (e-mail reminders, exemptions/reminders.py) -----------------------------------------------


def unit_managers(unit: CareUnit) -> QuerySet:
    """Active users who keep this unit's facts through a grant — on the unit, its vårdområde or its
    provider, to themselves or to one of their groups — in the roles that report for units (unit managers
    and providers; Koncernstab's support right over every unit does not make them its manager)."""
    from django.contrib.auth import get_user_model

    def holders(model_user, model_group, obj_id, codename):
        return Q(
            id__in=model_user.objects.filter(content_object_id=obj_id, permission__codename=codename).values(
                "user_id"
            )
        ) | Q(
            groups__in=model_group.objects.filter(
                content_object_id=obj_id, permission__codename=codename
            ).values("group_id")
        )

    q = holders(CareUnitUserObjectPermission, CareUnitGroupObjectPermission, unit.pk, "change_careunit")
    if unit.vardomrade_id:
        q |= holders(
            VardomradeUserObjectPermission,
            VardomradeGroupObjectPermission,
            unit.vardomrade_id,
            "change_vardomrade",
        )
    if unit.provider_id:
        q |= holders(
            ProviderUserObjectPermission, ProviderGroupObjectPermission, unit.provider_id, "change_provider"
        )
    return (
        get_user_model()
        .objects.filter(q)
        # A second filter(): its own join on the groups, so a grant to one group and the role from
        # another both count.
        .filter(is_active=True, groups__name__in=(Roles.VERKSAMHETSCHEF, Roles.VARDGIVARE))
        .distinct()
    )


def approvers(body: str | None = None) -> QuerySet:
    """Active users who decide on exemptions: Koncernstab kommunikation ("koncernstab", the first
    approval), Hälso- och sjukvårdsstyrning ("hs_styrning", the second), or both when `body` is None."""
    from django.contrib.auth import get_user_model

    names = {"koncernstab": (Roles.KONCERNSTAB,), "hs_styrning": (Roles.HS_STYRNING,)}.get(
        body or "", (Roles.KONCERNSTAB, Roles.HS_STYRNING)
    )
    return get_user_model().objects.filter(is_active=True, groups__name__in=names).distinct()
