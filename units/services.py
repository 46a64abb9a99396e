"""Services for the units app's facts: every change by the admin and the portal's forms goes through them
(files go through the importers, which share the models' rules). Each validates, saves only what changed,
audits old → new and tells the engine which units to judge again."""

from __future__ import annotations

from servicelevel.writes import Saved, delete_fact, no_unit, save_fact, unit_of

from .models import AdminRole, BookingFigures, CareUnit, Forvaltning, Offering, Provider, Vardomrade


def unit_save(*, unit: CareUnit, actor) -> Saved:
    """A unit's own facts. A change of `same_day_contact` also recomputes its cases' deadlines."""
    return save_fact(unit, actor=actor, touches=_the_unit, same_day_field="same_day_contact")


def _the_unit(before, after) -> set[int]:
    return {after.pk} if after is not None else {before.pk}


def offering_save(*, offering: Offering, actor) -> Saved:
    return save_fact(offering, actor=actor, touches=unit_of)


def offering_delete(*, offering: Offering, actor) -> None:
    delete_fact(offering, actor=actor, touches=unit_of)


def booking_figures_save(*, figures: BookingFigures, actor) -> Saved:
    return save_fact(figures, actor=actor, touches=unit_of)


def booking_figures_delete(*, figures: BookingFigures, actor) -> None:
    delete_fact(figures, actor=actor, touches=unit_of)


def admin_role_save(*, role: AdminRole, actor) -> Saved:
    return save_fact(role, actor=actor, touches=role_units)


def admin_role_delete(*, role: AdminRole, actor) -> None:
    delete_fact(role, actor=actor, touches=role_units)


def role_units(before, after) -> set[int]:
    """AR1 counts a local administrator's units region-wide: a change of one person's role at one unit can
    change the result at every unit where that person holds a role, so all of those are touched."""
    rows = [r for r in (before, after) if r is not None]
    persons = {r.person_id for r in rows}
    units = {r.unit_id for r in rows}
    return units | set(AdminRole.objects.filter(person_id__in=persons).values_list("unit_id", flat=True))


def area_save(*, area: Vardomrade, actor) -> Saved:
    return save_fact(area, actor=actor, touches=no_unit)


def forvaltning_save(*, forvaltning: Forvaltning, actor) -> Saved:
    return save_fact(forvaltning, actor=actor, touches=no_unit)


def provider_save(*, provider: Provider, actor) -> Saved:
    return save_fact(provider, actor=actor, touches=no_unit)
