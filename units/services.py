"""Services for the units app's facts: every change by the admin and the portal's forms goes through them
(files go through the importers, which share the models' rules). Each validates, saves only what changed,
audits old → new and tells the engine which units to judge again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from servicelevel.models import CatalogueChannel, CatalogueService, CatalogueTemplate
from servicelevel.signals import fact_changes
from servicelevel.writes import Saved, delete_fact, no_unit, save_fact, unit_of

from .models import AdminRole, BookingFigures, CareUnit, Forvaltning, Offering, Person, Provider, Vardomrade


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


def person_save(*, person: Person, actor) -> Saved:
    """A role holder's name: shown beside the id, never read by the engine."""
    return save_fact(person, actor=actor, touches=no_unit)


def person_delete(*, person: Person, actor) -> None:
    delete_fact(person, actor=actor, touches=no_unit)


def area_save(*, area: Vardomrade, actor) -> Saved:
    return save_fact(area, actor=actor, touches=no_unit)


def forvaltning_save(*, forvaltning: Forvaltning, actor) -> Saved:
    return save_fact(forvaltning, actor=actor, touches=no_unit)


def provider_save(*, provider: Provider, actor) -> Saved:
    return save_fact(provider, actor=actor, touches=no_unit)


# --- Replacing a unit's whole set (the portal's self-service forms) ------------------------------------
#
# A form shows the unit's whole offering (or role list) and submits the whole proposed set; these services
# turn that into the single-fact services above (each validates, audits old → new and notifies), inside one
# transaction and one `fact_changes()` block, so a submit is all-or-nothing and the engine is told once.


@dataclass(frozen=True)
class OfferingRow:
    """One proposed offering: regional rows name their catalogue entry, local rows only a code (name)."""

    kind: str  # Offering.Kind
    code: str
    variant: str  # Offering.Variant
    is_open: bool = True
    catalogue_service: CatalogueService | None = None
    catalogue_template: CatalogueTemplate | None = None
    catalogue_channel: CatalogueChannel | None = None


@dataclass(frozen=True)
class FactChange:
    """One change a replace made, for the confirmation message: `action` is added / changed / removed."""

    action: str
    kind: str
    code: str
    fields: tuple[str, ...] = ()


def offerings_replace(*, unit: CareUnit, rows: Iterable[OfferingRow], actor) -> list[FactChange]:
    """Make the unit's offering exactly `rows` (keyed by kind and code): remove what is not proposed, add
    what is new, change what differs. Raises ValidationError (nothing written) when any row breaks a rule."""
    wanted = {(r.kind, r.code): r for r in rows}
    changes: list[FactChange] = []
    with fact_changes(), transaction.atomic():
        current = {(o.kind, o.code): o for o in Offering.objects.select_for_update().filter(unit=unit)}
        for key, offering in sorted(current.items()):
            if key not in wanted:
                offering_delete(offering=offering, actor=actor)
                changes.append(FactChange("removed", *key))
        for key, row in sorted(wanted.items()):
            offering = current.get(key) or Offering(unit=unit, kind=row.kind, code=row.code)
            offering.variant = row.variant
            offering.is_open = row.is_open
            offering.catalogue_service = row.catalogue_service
            offering.catalogue_template = row.catalogue_template
            offering.catalogue_channel = row.catalogue_channel
            saved = offering_save(offering=offering, actor=actor)
            if saved.created:
                changes.append(FactChange("added", *key))
            elif saved.changed:
                changes.append(FactChange("changed", *key, tuple(sorted(saved.changes))))
    return changes


def admin_roles_replace(*, unit: CareUnit, rows: Iterable[tuple[str, str]], actor) -> list[FactChange]:
    """Make the unit's role holders exactly `rows` of (person_id, role). A role is its person and kind, so
    there is nothing to change in place: rows are added or removed. Each write touches every unit of the
    person (AR1 counts a local administrator's units region-wide), told once for the whole submit.

    Only the added rows are validated (`AdminRole.clean`: a person's HSA-id): a row kept as it is, or
    removed, may hold an id an earlier file brought in."""
    wanted = {(person.strip(), role) for person, role in rows}
    changes: list[FactChange] = []
    with fact_changes(), transaction.atomic():
        current = {(r.person_id, r.role): r for r in AdminRole.objects.select_for_update().filter(unit=unit)}
        for (person, role), held in sorted(current.items()):
            if (person, role) not in wanted:
                admin_role_delete(role=held, actor=actor)
                changes.append(FactChange("removed", role, person))
        for person, role in sorted(wanted - set(current)):
            admin_role_save(role=AdminRole(unit=unit, person_id=person, role=role), actor=actor)
            changes.append(FactChange("added", role, person))
    return changes
