"""Services for the rulebook's records: every edit in the admin (and later the portal) goes through them.
Each validates, saves only what changed, audits old → new and has every unit judged again — a rulebook
change can move any unit's result."""

from __future__ import annotations

from .audit import audit
from .models import (
    BaseOfferingProfile,
    CatalogueService,
    CatalogueTemplate,
    Decision,
    Requirement,
    SchedulePeriod,
)
from .signals import notify_facts_changed
from .writes import Saved, delete_fact, every_unit, save_fact


def period_save(*, period: SchedulePeriod, actor) -> Saved:
    """Periods never overlap (`SchedulePeriod.clean`), so the admin refuses what PostgreSQL would."""
    return save_fact(period, actor=actor, touches=every_unit)


def period_delete(*, period: SchedulePeriod, actor) -> None:
    delete_fact(period, actor=actor, touches=every_unit)


def requirement_save(*, requirement: Requirement, actor) -> Saved:
    """Names and parameters (e.g. SV1's threshold). Code, group, level and trend are the decision's
    and are not edited here (the admin shows them read-only)."""
    return save_fact(requirement, actor=actor, touches=every_unit)


def decision_save(*, decision: Decision, actor) -> Saved:
    return save_fact(decision, actor=actor, touches=every_unit)


def catalogue_service_save(*, service: CatalogueService, actor) -> Saved:
    return save_fact(service, actor=actor, touches=every_unit)


def catalogue_template_save(*, template: CatalogueTemplate, actor) -> Saved:
    return save_fact(template, actor=actor, touches=every_unit)


def profile_services_set(*, profile: BaseOfferingProfile, services, actor) -> bool:
    """The base offering (basutbud) of a unit type: which regional services it requires. Returns whether
    anything changed."""
    before = set(profile.services.values_list("code", flat=True))
    after = {s.code for s in services}
    if profile.pk and before == after:
        return False
    profile.save()
    profile.services.set(services)
    audit(
        action="baseofferingprofile_changed",
        object_type="baseofferingprofile",
        object_id=profile.unit_type,
        actor=actor,
        detail={"changes": {"services": [sorted(before), sorted(after)]}},
    )
    notify_facts_changed(unit_ids=None)
    return True
