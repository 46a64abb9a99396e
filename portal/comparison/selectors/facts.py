"""The peer group's units and what is known of each (offering, stored level, the stored status of the
version's response-time and base-offering requirements), in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, Value, When

from compliance.models import RequirementResult, UnitResult
from compliance.organisation import unit_held_id
from compliance.services import today as local_today
from servicelevel.models import CatalogueService, CatalogueTemplate, Decision, Requirement
from servicelevel.validity import valid_on
from units.history import fact_on
from units.models import CareUnit, Offering

from .shapes import BASE_OFFERING, RESPONSE_TIME, Scope


def group_queryset(scope: Scope, results_date: datetime.date | None = None):
    """Every equivalent unit of the scope, whoever may see it (counts only leave for the peers). On a
    stored date the scope's units are those that belonged to its förvaltning or vårdområde then (the
    organisation their result of that date kept, compliance/organisation.py; their own without one): a
    unit that moved since is compared with its peers of then — and equivalent by its facts of then (active,
    contact card, type, booking system: units/history.py `fact_on`)."""
    name, pk = (
        ("vardomrade", scope.vardomrade_id) if scope.vardomrade_id else ("forvaltning", scope.forvaltning_id)
    )
    wanted = {"active": True, "has_contact_card": True, "unit_type": scope.unit_type}
    if scope.booking_system:
        wanted["booking_system"] = scope.booking_system
    if results_date is None:
        return CareUnit.objects.filter(**wanted, **{f"{name}_id": pk})
    then = {f"{field}_then": fact_on(field, results_date) for field in wanted}
    return (
        CareUnit.objects.alias(area_then=unit_held_id(name, results_date), **then)
        .filter(area_then=pk)
        .filter(**{f"{field}_then": value for field, value in wanted.items()})
    )


@dataclass
class PeerUnitFacts:
    services: dict[int, bool] = field(default_factory=dict)  # catalogue service id → open
    templates: set[int] = field(default_factory=set)
    local: int = 0
    has_result: bool = False
    level: int | None = None
    level_with_exemptions: bool = False
    in_time: int = 0
    assessed: int = 0
    response: str = ""  # the stored status of the version's response-time requirement
    base: dict[int, str] = field(default_factory=dict)  # base-offering requirement id → stored status


@dataclass
class GroupFacts:
    units: dict[int, PeerUnitFacts]
    services: list[dict]  # id, code, name, in_profile
    templates: list[dict]
    # The version the rows follow (in force on the results date, or today) and its requirements: the rows
    # are about those with a level (the ladder) and those of kind response_time or base_offering.
    decision: Decision | None = None
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def response_requirement(self) -> Requirement | None:
        """The version's response-time requirement (a rulebook has at most one); None: no such row."""
        return next((r for r in self.requirements if r.kind == RESPONSE_TIME), None)

    @property
    def base_requirements(self) -> list[Requirement]:
        """The version's base-offering requirements, in its order (Skåne: one; Halland: channels and
        services)."""
        return [r for r in self.requirements if r.kind == BASE_OFFERING]

    @property
    def laddered(self) -> list[Requirement]:
        """The requirements of the version's ladder; none without a ladder (then no level row)."""
        if self.decision is None or not self.decision.ladder:
            return []
        return [r for r in self.requirements if r.level]

    @classmethod
    def load(cls, group, scope: Scope, results_date, unit_ids) -> GroupFacts:
        units = {unit_id: PeerUnitFacts() for unit_id in unit_ids}
        group_ids = group.values("id")  # a subquery, not a list of 2,000 ids
        # Offerings as they held on the results date (today's without one), as the peers are chosen.
        held = Offering.versions.filter(valid_on(results_date)) if results_date else Offering.objects
        for o in held.filter(unit_id__in=group_ids).values_list(
            "unit_id", "variant", "kind", "is_open", "catalogue_service_id", "catalogue_template_id"
        ):
            unit_id, variant, kind, is_open, service_id, template_id = o
            facts = units.get(unit_id)
            if facts is None:
                continue
            if variant == Offering.Variant.LOKAL:
                facts.local += 1
            elif kind == Offering.Kind.TJANST:
                facts.services[service_id] = is_open
            else:
                facts.templates.add(template_id)

        today = results_date or local_today()
        not_retired = Q(retired_on__isnull=True) | Q(retired_on__gt=today)
        # The base offering of the unit type under the version in force (its own profiles and catalogue).
        in_force = Decision.in_force(today)
        profile = (in_force.profiles.get(scope.unit_type) or {}).get("services", []) if in_force else []
        listed = in_force.catalogue if in_force else {}
        catalogue = [s["code"] for s in listed.get("services", ())]
        services = list(
            CatalogueService.objects.filter(not_retired, code__in=catalogue)
            .annotate(
                in_profile=Case(
                    When(code__in=profile, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
            .order_by("-in_profile", "name")
            .values("id", "code", "name", "in_profile")
        )
        templates = list(
            CatalogueTemplate.objects.filter(
                not_retired,
                code__in=[t["code"] for t in in_force.catalogue.get("templates", ())] if in_force else [],
            )
            .order_by("name")
            .values("id", "code", "name")
        )

        # The results date's version is `in_force` (the same date): its requirements, for the rows.
        requirements = (
            list(Requirement.objects.filter(decision=in_force).order_by("order", "code")) if in_force else []
        )
        loaded = cls(units, services, templates, in_force, requirements)
        response = loaded.response_requirement
        bases = loaded.base_requirements

        if results_date is not None and in_force is not None:

            def status(requirement):
                return Subquery(
                    RequirementResult.objects.filter(
                        unit_result=OuterRef("pk"), requirement_id=requirement.pk
                    ).values("status")[:1]
                )

            statuses = {f"base_{r.pk}": status(r) for r in bases}
            if response is not None:
                statuses["response"] = status(response)
            for r in (
                UnitResult.objects.filter(as_of=results_date, decision=in_force, unit_id__in=group_ids)
                .annotate(**statuses)
                .values(
                    "unit_id", "booking_level", "booking_level_with_exemptions", "response_time", *statuses
                )
            ):
                facts = units.get(r["unit_id"])
                if facts is None:
                    continue
                counts = r["response_time"] or {}
                facts.has_result = True
                facts.level = r["booking_level"]
                facts.level_with_exemptions = r["booking_level_with_exemptions"]
                facts.in_time = counts.get("in_time") or 0
                facts.assessed = counts.get("assessed") or 0
                facts.response = r.get("response") or ""
                facts.base = {b.pk: r[f"base_{b.pk}"] or "" for b in bases}
        return loaded
