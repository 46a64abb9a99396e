"""Reads for the self-service pages: what a unit reports now, and the catalogue and periods to choose
from. A fixed number of queries each, whatever the number of units in the region."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from compliance.services import today
from servicelevel.models import CatalogueService, CatalogueTemplate, SchedulePeriod
from units.models import AdminRole, BookingFigures, CareUnit, Offering, Person


@dataclass
class OfferingsPage:
    unit: CareUnit
    current: list[Offering]
    services: list[CatalogueService]
    templates: list[CatalogueTemplate]


def offerings_page(unit: CareUnit) -> OfferingsPage:
    """The unit's offering rows and the catalogue in force (3 queries). A retired catalogue entry is
    still listed while the unit offers it, so the form can show it and the person can take it away."""
    current = list(Offering.objects.filter(unit=unit).order_by("kind", "code"))
    day = today()
    in_force = Q(retired_on__isnull=True) | Q(retired_on__gt=day)
    services = CatalogueService.objects.filter(
        in_force | Q(pk__in=[o.catalogue_service_id for o in current if o.catalogue_service_id])
    )
    templates = CatalogueTemplate.objects.filter(
        in_force | Q(pk__in=[o.catalogue_template_id for o in current if o.catalogue_template_id])
    )
    return OfferingsPage(unit, current, list(services.order_by("name")), list(templates.order_by("name")))


@dataclass
class BookingPage:
    unit: CareUnit
    periods: list[SchedulePeriod]  # newest first
    period: SchedulePeriod | None  # the period shown (None: no period exists yet)
    current_code: str | None  # the period in force today
    figures: BookingFigures  # stored, or a new unsaved row for the period
    stored: bool
    notice: str = ""


def booking_page(unit: CareUnit, period_code: str | None) -> BookingPage:
    """The figures of one period (`?period=KOD`; default the period in force today) — 2 queries."""
    periods = list(SchedulePeriod.objects.order_by("-start_date"))
    day = today()
    current = next((p for p in periods if p.start_date <= day), None)
    notice = ""
    period = current or (periods[-1] if periods else None)
    if period_code:
        chosen = next((p for p in periods if p.code == period_code), None)
        if chosen is None:
            notice = (
                f"Perioden ”{period_code[:20]}” finns inte; sidan visar {period.code if period else '–'}."
            )
        else:
            period = chosen
    stored = BookingFigures.objects.filter(unit=unit, period=period).first() if period is not None else None
    return BookingPage(
        unit=unit,
        periods=periods,
        period=period,
        current_code=current.code if current else None,
        figures=stored or BookingFigures(unit=unit, period=period),
        stored=stored is not None,
        notice=notice,
    )


def unit_roles(unit: CareUnit) -> list[AdminRole]:
    """The unit's role holders, each with the person's known name (`person_label`) — 1 query."""
    return list(AdminRole.objects.filter(unit=unit).with_person_names().order_by("role", "person_id"))


def person_names(current: list[AdminRole], person_ids: set[str]) -> dict[str, str]:
    """The known names of the persons on a roles page: the unit's holders' came with them; a person typed
    in a new row is looked up (1 query, only when there is one)."""
    names = {r.person_id: r.person_name for r in current if r.person_name}
    typed = person_ids - {r.person_id for r in current}
    if typed:
        names.update(Person.objects.filter(person_id__in=sorted(typed)).values_list("person_id", "name"))
    return names
