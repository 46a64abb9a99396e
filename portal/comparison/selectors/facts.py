"""The peer group's units and what is known of each (offering, stored level, SV1 and AH3), in a fixed
number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, Value, When

from compliance.models import RequirementResult, UnitResult
from compliance.services import today as local_today
from servicelevel.models import CatalogueService, CatalogueTemplate, Decision
from units.models import CareUnit, Offering

from .shapes import AH3, SV1, Scope


def group_queryset(scope: Scope):
    """Every equivalent unit of the scope, whoever may see it (counts only leave for the peers)."""
    group = CareUnit.objects.filter(active=True, has_contact_card=True, unit_type=scope.unit_type)
    if scope.vardomrade_id:
        group = group.filter(vardomrade_id=scope.vardomrade_id)
    else:
        group = group.filter(forvaltning_id=scope.forvaltning_id)
    if scope.booking_system:
        group = group.filter(booking_system=scope.booking_system)
    return group


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
    sv1: str = ""  # stored status
    ah3: str = ""


@dataclass
class GroupFacts:
    units: dict[int, PeerUnitFacts]
    services: list[dict]  # id, code, name, in_profile
    templates: list[dict]

    @classmethod
    def load(cls, group, scope: Scope, results_date, unit_ids) -> GroupFacts:
        units = {unit_id: PeerUnitFacts() for unit_id in unit_ids}
        group_ids = group.values("id")  # a subquery, not a list of 2,000 ids
        # Offerings as they are registered now: they have no history of their own.
        for o in Offering.objects.filter(unit_id__in=group_ids).values_list(
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

        if results_date is not None:
            decision = Decision.in_force(results_date)

            def status(code):
                return Subquery(
                    RequirementResult.objects.filter(
                        unit_result=OuterRef("pk"), requirement__code=code
                    ).values("status")[:1]
                )

            for r in (
                UnitResult.objects.filter(as_of=results_date, decision=decision, unit_id__in=group_ids)
                .annotate(sv1=status(SV1), ah3=status(AH3))
                .values(
                    "unit_id", "booking_level", "booking_level_with_exemptions", "response_time", "sv1", "ah3"
                )
            ):
                facts = units.get(r["unit_id"])
                if facts is None:
                    continue
                response = r["response_time"] or {}
                facts.has_result = True
                facts.level = r["booking_level"]
                facts.level_with_exemptions = r["booking_level_with_exemptions"]
                facts.in_time = response.get("in_time") or 0
                facts.assessed = response.get("assessed") or 0
                facts.sv1 = r["sv1"] or ""
                facts.ah3 = r["ah3"] or ""
        return cls(units=units, services=services, templates=templates)
