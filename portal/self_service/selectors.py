"""Reads for the self-service pages: what a unit reports now, and the catalogue and periods to choose
from. A fixed number of queries each, whatever the number of units in the region."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from compliance.services import today
from servicelevel.models import (
    CatalogueChannel,
    CatalogueService,
    CatalogueTemplate,
    Decision,
    SchedulePeriod,
)
from units.models import AdminRole, BookingFigures, CareUnit, Offering, Person


@dataclass
class OfferingsPage:
    unit: CareUnit
    current: list[Offering]
    services: list[CatalogueService]
    templates: list[CatalogueTemplate]
    channels: list[CatalogueChannel] = field(default_factory=list)


def _offered(decision: Decision | None, name: str, day, stored: list[int]) -> Q:
    """The registry's entries of the version's list `name` not retired by `day`, and those the unit
    offers now (`stored`)."""
    codes = [e["code"] for e in ((decision.catalogue or {}).get(name, ()) if decision else ())]
    in_force = (Q(retired_on__isnull=True) | Q(retired_on__gt=day)) & Q(code__in=codes)
    return in_force | Q(pk__in=stored)


def offerings_page(unit: CareUnit) -> OfferingsPage:
    """The unit's offering rows and the catalogue of the version in force today (4 queries, a 5th for
    the channels when the version has any). The registry holds every code any version named: only the
    version's own entries are offered, so a Halland unit is not offered Skåne's services. A retired
    entry, or one the version no longer has, is still listed while the unit offers it, so the form can
    show it and the person can take it away."""
    current = list(Offering.objects.filter(unit=unit).order_by("kind", "code"))
    day = today()
    decision = Decision.in_force(day)
    stored = [o.catalogue_service_id for o in current if o.catalogue_service_id]
    services = CatalogueService.objects.filter(_offered(decision, "services", day, stored))
    stored = [o.catalogue_template_id for o in current if o.catalogue_template_id]
    templates = CatalogueTemplate.objects.filter(_offered(decision, "templates", day, stored))
    channels = []
    stored = [o.catalogue_channel_id for o in current if o.catalogue_channel_id]
    if stored or (decision and (decision.catalogue or {}).get("channels")):
        # Skåne's catalogue has no channels: its page reads and shows what it did before
        offered = _offered(decision, "channels", day, stored)
        channels = list(CatalogueChannel.objects.filter(offered).order_by("name"))
    return OfferingsPage(
        unit, current, list(services.order_by("name")), list(templates.order_by("name")), channels
    )


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
