"""Services for the units app's facts: every change by the admin and the portal's forms goes through them
(files go through the importers, which share the models' rules). Each validates, saves only what changed,
audits old → new and tells the engine which units to judge again."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from servicelevel.audit import audit
from servicelevel.models import CatalogueChannel, CatalogueService, CatalogueTemplate
from servicelevel.signals import fact_changes, notify_facts_changed
from servicelevel.validity import change_day, describe_altered, today
from servicelevel.writes import (
    Saved,
    delete_fact,
    describe,
    field_values,
    no_unit,
    plain,
    plain_changes,
    save_fact,
    unit_of,
)

from .history import UNIT_VALUES, Restated, restate_sets, restate_units, unit_spans
from .models import AdminRole, BookingFigures, CareUnit, Forvaltning, Offering, Person, Provider, Vardomrade


def unit_save(*, unit: CareUnit, actor, valid_from: datetime.date | None = None) -> Saved:
    """A unit's own facts, holding from `valid_from` (default today; a past date is a correction) until
    the unit's next recorded change. A new unit's first version holds from that date. A change of
    `same_day_contact` also recomputes its cases' deadlines from then on."""
    day = change_day(valid_from)
    if unit.pk is None:
        unit.valid_from = day
        return save_fact(unit, actor=actor, touches=_the_unit, extra={"valid_from": day.isoformat()})
    unit.full_clean()
    with transaction.atomic():
        stored = CareUnit.objects.select_for_update().get(pk=unit.pk)
        before_on_day = _unit_values_on(stored, day)
        values = tuple(getattr(unit, name) for name in UNIT_VALUES)
        result = restate_units([(stored, values, day)], actor=actor)
        # The hsa_id is who the unit is, not one of its versioned facts: it changes in place.
        identity = {} if stored.hsa_id == unit.hsa_id else {"hsa_id": (stored.hsa_id, unit.hsa_id)}
        if identity:
            stored.hsa_id = unit.hsa_id
            stored.save(update_fields=["hsa_id"])
        if not result.unit_ids and not identity:
            return Saved(unit)
        changes = {
            name: (old, new)
            for name, old, new in zip(UNIT_VALUES, before_on_day, values, strict=True)
            if old != new
        } | identity
        audit(
            action="careunit_changed",
            object_type="careunit",
            object_id=describe(stored),
            actor=actor,
            detail={"changes": plain_changes(changes), **_dates(result)},
        )
        # The caller's instance now reads as stored (a correction may end before a later change).
        for name in UNIT_VALUES:
            setattr(unit, name, getattr(stored, name))
        unit.valid_from = stored.valid_from
        notify_facts_changed(
            unit_ids={unit.pk} if result.unit_ids else set(),
            same_day_changed=result.same_day_changed,
            since=result.since,
        )
    return Saved(unit, changes=changes, unit_ids={unit.pk}, altered=result.altered)


def _unit_values_on(unit: CareUnit, day: datetime.date) -> tuple:
    spans = unit_spans(unit, unit.versions.all())
    return next((s.values for s in spans if s.holds_on(day)), tuple(getattr(unit, n) for n in UNIT_VALUES))


def _dates(result: Restated) -> dict:
    """The audit entry's dates: from when the change holds and, for a correction, which dates it alters."""
    start, end = next(iter(result.altered.values()), (None, None))
    detail = {"valid_from": start.isoformat()} if start else {}
    if start is not None and start < today():
        detail["correction"] = describe_altered((start, end))
    return detail


def _the_unit(before, after) -> set[int]:
    return {after.pk} if after is not None else {before.pk}


def _versioned_save(obj, *, actor, touches, valid_from, gone: bool = False) -> Saved:
    """Offerings and role holders: restate the one fact `obj` is (its model's KEY) from `valid_from`
    (default today) — with `obj`'s values, or as gone — until its next recorded change; audit old → new
    on that date and notify the units it touches from then on."""
    model = type(obj)
    label = model._meta.model_name
    day = change_day(valid_from)
    if not gone:
        obj.full_clean()
    key = tuple(getattr(obj, name) for name in model.KEY)
    with transaction.atomic():
        before = model.objects.filter(pk=obj.pk).first() if obj.pk else None
        wanted = {} if gone else {key: tuple(getattr(obj, name) for name in model.VALUES)}
        ended = None
        if before is not None:
            old_key = tuple(getattr(before, name) for name in model.KEY)
            if old_key != key:  # the row was edited into another fact: the old one ends
                ended = restate_sets(model, {}, {before.unit_id: day}, actor=actor, only_keys={old_key})
        result = restate_sets(model, wanted, {obj.unit_id: day}, actor=actor, only_keys={key})
        if ended is not None:
            result.merge(ended)
        if not result.unit_ids and before is not None and not gone and old_key == key:
            return Saved(obj)
        after = None if gone else model.objects.filter(**dict(zip(model.KEY, key, strict=True))).first()
        old, new = (field_values(before) if before else {}), (field_values(after) if after else {})
        changes = {
            k: (old.get(k), new.get(k))
            for k in {*old, *new} - {"valid_from", "valid_to", "recorded_at", "recorded_by_id"}
            if old.get(k) != new.get(k)
        }
        created = before is None and after is not None
        verb = "deleted" if gone else ("created" if created else "changed")
        audit(
            action=f"{label}_{verb}",
            object_type=label,
            object_id=describe(after or obj),
            actor=actor,
            # The unit's id at the top level whatever changed, so the unit's history finds the entry.
            detail=(
                {"changes": plain_changes(changes)} if not gone else {k: plain(v) for k, v in old.items()}
            )
            | {"unit_id": obj.unit_id}
            | _dates(result),
        )
        units = touches(before, after or obj)
        notify_facts_changed(unit_ids=units, since=result.since)
        if after is not None:
            obj.pk, obj.valid_from, obj.valid_to = after.pk, after.valid_from, after.valid_to
    return Saved(obj, created=created, changes=changes, unit_ids=units, altered=result.altered)


def offering_save(*, offering: Offering, actor, valid_from: datetime.date | None = None) -> Saved:
    return _versioned_save(offering, actor=actor, touches=unit_of, valid_from=valid_from)


def offering_delete(*, offering: Offering, actor, valid_from: datetime.date | None = None) -> Saved:
    return _versioned_save(offering, actor=actor, touches=unit_of, valid_from=valid_from, gone=True)


def booking_figures_save(*, figures: BookingFigures, actor) -> Saved:
    return save_fact(figures, actor=actor, touches=unit_of)


def booking_figures_delete(*, figures: BookingFigures, actor) -> None:
    delete_fact(figures, actor=actor, touches=unit_of)


def admin_role_save(*, role: AdminRole, actor, valid_from: datetime.date | None = None) -> Saved:
    return _versioned_save(role, actor=actor, touches=role_units, valid_from=valid_from)


def admin_role_delete(*, role: AdminRole, actor, valid_from: datetime.date | None = None) -> Saved:
    return _versioned_save(role, actor=actor, touches=role_units, valid_from=valid_from, gone=True)


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


class Replaced(list):
    """What a replace did: the list of its `FactChange`s (so a caller that reads a list still can) and
    `altered`, unit id → (first, end exclusive) of the dates the changes alter — for
    `servicelevel.validity.correction_text`, the form's message for a change from a past date."""

    def __init__(self, changes: Iterable[FactChange] = (), altered: dict | None = None):
        super().__init__(changes)
        self.altered = dict(altered or {})

    def note(self, saved: Saved) -> None:
        """Add the dates one save altered (a unit's earliest first date, its latest end)."""
        merged = Restated(altered=self.altered)
        for unit_id, altered in saved.altered.items():
            merged.note(unit_id, altered)
        self.altered = merged.altered


def offerings_replace(
    *, unit: CareUnit, rows: Iterable[OfferingRow], actor, valid_from: datetime.date | None = None
) -> Replaced:
    """Make the unit's offering exactly `rows` (keyed by kind and code) from `valid_from` (default today):
    remove what is not proposed, add what is new, change what differs. Raises ValidationError (nothing
    written) when any row breaks a rule."""
    wanted = {(r.kind, r.code): r for r in rows}
    changes = Replaced()
    with fact_changes(), transaction.atomic():
        current = {(o.kind, o.code): o for o in Offering.objects.select_for_update().filter(unit=unit)}
        for key, offering in sorted(current.items()):
            if key not in wanted:
                changes.note(offering_delete(offering=offering, actor=actor, valid_from=valid_from))
                changes.append(FactChange("removed", *key))
        for key, row in sorted(wanted.items()):
            offering = current.get(key) or Offering(unit=unit, kind=row.kind, code=row.code)
            offering.variant = row.variant
            offering.is_open = row.is_open
            offering.catalogue_service = row.catalogue_service
            offering.catalogue_template = row.catalogue_template
            offering.catalogue_channel = row.catalogue_channel
            saved = offering_save(offering=offering, actor=actor, valid_from=valid_from)
            changes.note(saved)
            if saved.created:
                changes.append(FactChange("added", *key))
            elif saved.changed:
                changes.append(FactChange("changed", *key, tuple(sorted(saved.changes))))
    return changes


def admin_roles_replace(
    *, unit: CareUnit, rows: Iterable[tuple[str, str]], actor, valid_from: datetime.date | None = None
) -> Replaced:
    """Make the unit's role holders exactly `rows` of (person_id, role). A role is its person and kind, so
    there is nothing to change in place: rows are added or removed. Each write touches every unit of the
    person (AR1 counts a local administrator's units region-wide), told once for the whole submit.

    Only the added rows are validated (`AdminRole.clean`: a person's HSA-id): a row kept as it is, or
    removed, may hold an id an earlier file brought in."""
    wanted = {(person.strip(), role) for person, role in rows}
    changes = Replaced()
    with fact_changes(), transaction.atomic():
        current = {(r.person_id, r.role): r for r in AdminRole.objects.select_for_update().filter(unit=unit)}
        for (person, role), held in sorted(current.items()):
            if (person, role) not in wanted:
                changes.note(admin_role_delete(role=held, actor=actor, valid_from=valid_from))
                changes.append(FactChange("removed", role, person))
        for person, role in sorted(wanted - set(current)):
            added = AdminRole(unit=unit, person_id=person, role=role)
            changes.note(admin_role_save(role=added, actor=actor, valid_from=valid_from))
            changes.append(FactChange("added", role, person))
    return changes
