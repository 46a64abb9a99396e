"""A unit's facts over time (docs/rules.md "Facts over time"): its attributes, its offerings and its role
holders restated from a date, for the services and the importers alike.

A unit's attributes: the unit row holds the version that holds now (from `CareUnit.valid_from`), earlier
versions are `CareUnitVersion` rows. Offerings and roles: one row per version, the current ones with an
empty `valid_to`. Each change is `servicelevel.validity.restate` of one fact from a date; the first facts
an import brings about a unit without a date of their own hold from the beginning (nothing earlier is
known, and dates before them are judged on them, as before facts were kept over time).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from servicelevel.validity import (
    BEGINNING,
    Plan,
    Span,
    altered_from,
    overlap,
    refuse_future,
    restate,
    spans_of,
    today,
    valid_on,
)

from .models import UNIT_FACT_FIELDS, CareUnit, CareUnitVersion

# The unit row's span in a unit's list of spans (no version row has pk 0).
ROW = 0
UNIT_VALUES = tuple(CareUnit._meta.get_field(name).attname for name in UNIT_FACT_FIELDS)


def first_day(valid_from: datetime.date | None, *, known: bool) -> datetime.date:
    """From when a change holds: the date given; without one, today for a fact the portal already knows,
    the beginning for the first facts it learns about a unit."""
    if valid_from is not None:
        return refuse_future(valid_from)
    return today() if known else BEGINNING


@dataclass
class Restated:
    """What restating facts did, for the summary, the audit entry and the recompute it asks for."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    same_day_changed: set[int] = field(default_factory=set)  # units whose same-day contact changed
    altered: dict = field(default_factory=dict)  # unit id → (first, end exclusive) of its changed dates

    @property
    def unit_ids(self) -> set[int]:
        """The units whose facts changed on some date."""
        return set(self.altered)

    @property
    def since(self) -> datetime.date | None:
        """The earliest date whose facts changed."""
        return min((start for start, _ in self.altered.values()), default=None)

    def count(self, before, after) -> None:
        if before is None and after is None:
            return  # a fact that neither held nor holds on the date (it ended on it earlier)
        if before == after:
            self.unchanged += 1
        elif before is None:
            self.created += 1
        elif after is None:
            self.deleted += 1
        else:
            self.updated += 1

    def note(self, unit_id: int, altered: tuple[datetime.date, datetime.date | None]) -> None:
        start, end = altered
        old = self.altered.get(unit_id)
        if old is not None:
            start = min(start, old[0])
            end = None if end is None or old[1] is None else max(end, old[1])
        self.altered[unit_id] = (start, end)

    def merge(self, other: Restated) -> None:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        self.same_day_changed |= other.same_day_changed
        for unit_id, altered in other.altered.items():
            self.note(unit_id, altered)


def _value_on(spans: list[Span], day: datetime.date):
    return next((s.values for s in spans if s.holds_on(day)), None)


def units_on(as_of: datetime.date, unit_ids=None) -> list[tuple[int, str, object]]:
    """(id, hsa_id, attributes) of every unit as it was on `as_of` — the unit row where its current
    version already held, else its earlier version that held then; units not yet known on `as_of` are
    left out. Two queries. `attributes` has UnitFacts' fields (name, vardomrade, active …)."""
    current = CareUnit.objects.filter(valid_from__lte=as_of).select_related("forvaltning", "vardomrade")
    earlier = CareUnitVersion.objects.filter(valid_on(as_of)).select_related(
        "unit", "forvaltning", "vardomrade"
    )
    if unit_ids is not None:
        current = current.filter(id__in=list(unit_ids))
        earlier = earlier.filter(unit_id__in=list(unit_ids))
    found = {u.id: (u.id, u.hsa_id, u) for u in current.order_by()}
    for v in earlier.order_by():
        found[v.unit_id] = (v.unit_id, v.unit.hsa_id, v)
    # Sorted here, by code point: the database's collation (sv_SE, en_US…) may order "-" and case otherwise.
    return sorted(found.values(), key=lambda row: row[1])


def fact_on(name: str, day: datetime.date):
    """A query expression over CareUnit: the unit's attribute `name` as it held on `day` — its earlier
    version's where one held then, else the row's (for pages that filter units by the facts of a date)."""
    then = CareUnitVersion.objects.filter(valid_on(day), unit=OuterRef("pk")).values(name)[:1]
    return Coalesce(Subquery(then), F(name))


# --- A unit's attributes -------------------------------------------------------------------------------


def unit_spans(unit: CareUnit, history: Iterable[CareUnitVersion]) -> list[Span]:
    """Every version of the unit's attributes: its earlier versions and the row (pk ROW)."""
    row = Span(unit.valid_from, None, tuple(getattr(unit, name) for name in UNIT_VALUES), ROW)
    return sorted([*spans_of(history, UNIT_VALUES), row], key=lambda s: s.start)


def restate_units(
    changes: list[tuple[CareUnit, tuple, datetime.date]], *, actor=None, result: Restated | None = None
) -> Restated:
    """Restate stored units' attributes: (the unit as stored, its new values in UNIT_VALUES order, from
    which date). Writes the unit rows that change and their earlier versions; counts per unit."""
    result = result or Restated()
    history = defaultdict(list)
    for version in CareUnitVersion.objects.filter(unit_id__in=[u.pk for u, _, _ in changes]):
        history[version.unit_id].append(version)
    plan, rows = Plan(), []
    for unit, values, day in changes:
        before = unit_spans(unit, history[unit.pk])
        after = restate(before, day, values)
        result.count(_value_on(before, day), _value_on(after, day))
        altered = altered_from(before, after)
        if altered is None:
            continue
        problem = overlap(after)
        if problem:
            raise ValueError(f"versions overlap: {problem}")
        result.note(unit.pk, altered)
        same_day = UNIT_VALUES.index("same_day_contact")
        if {s.values[same_day] for s in before} != {s.values[same_day] for s in after} or any(
            _value_on(before, d)[same_day] != _value_on(after, d)[same_day] for d in _starts(before, after)
        ):
            result.same_day_changed.add(unit.pk)
        current = next(s for s in after if s.end is None)
        if (current.start, current.values) != (unit.valid_from, before[-1].values):
            unit.valid_from = current.start
            for name, value in zip(UNIT_VALUES, current.values, strict=True):
                setattr(unit, name, value)
            rows.append(unit)
        ended = [
            Span(s.start, s.end, s.values, None if s.pk == ROW else s.pk) for s in after if s.end is not None
        ]

        def make(span, unit=unit):
            return CareUnitVersion(unit=unit, recorded_by=actor)

        plan.add(unit.pk, history[unit.pk], ended, value_fields=UNIT_VALUES, make=make)
    plan.execute(CareUnitVersion, UNIT_VALUES)
    if rows:
        CareUnit.objects.bulk_update(rows, ["valid_from", *UNIT_VALUES], batch_size=2000)
    return result


def _starts(before: list[Span], after: list[Span]) -> list[datetime.date]:
    return sorted({s.start for s in [*before, *after]})


# --- Offerings and role holders: sets per unit ----------------------------------------------------------


def restate_sets(
    model,
    wanted: dict[tuple, tuple],
    day_of: dict[int, datetime.date],
    *,
    actor=None,
    only_keys: set[tuple] | None = None,
) -> Restated:
    """Make each unit's set of `model` facts (Offering, AdminRole: key `model.KEY`, values `model.VALUES`)
    exactly `wanted` (key → values) from its date in `day_of` (unit id → date) until each fact's next
    recorded change. With `only_keys`, only those facts are restated (one offering, one role)."""
    result = Restated()
    if not day_of:
        return result
    earliest = min(day_of.values())
    rows = defaultdict(list)
    stored = model.versions.filter(unit_id__in=list(day_of)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=earliest)
    )
    for row in stored.select_for_update():
        key = tuple(getattr(row, name) for name in model.KEY)
        if row.valid_to is None or row.valid_to >= day_of[row.unit_id]:
            rows[key].append(row)
    keys = set(wanted) | set(rows)
    if only_keys is not None:
        keys &= only_keys
    plan = Plan()
    for key in sorted(keys, key=str):
        unit_id = key[0]
        day = day_of[unit_id]
        before = spans_of(rows[key], model.VALUES)
        after = restate(before, day, wanted.get(key))
        result.count(_value_on(before, day), _value_on(after, day))

        def make(span, key=key):
            return model(**dict(zip(model.KEY, key, strict=True)), recorded_by=actor)

        plan.add(key, rows[key], after, value_fields=model.VALUES, make=make)
        if key in plan.altered:
            result.note(unit_id, plan.altered[key])
    plan.execute(model, model.VALUES)
    return result


# --- Same-day contact by date, for the case deadlines -------------------------------------------------

# A unit's same-day contact: one bool when every version agrees (nearly always), else the dates it
# changed on with the value from then, ((start, value), …) in date order.
SameDay = bool | tuple


def same_day_history(unit_ids=None) -> dict[int, SameDay]:
    """Every unit's same-day contact over time (two queries, whatever the number of units)."""
    units = CareUnit.objects.all()
    versions = CareUnitVersion.objects.all()
    if unit_ids is not None:
        units = units.filter(id__in=list(unit_ids))
        versions = versions.filter(unit_id__in=list(unit_ids))
    spans = defaultdict(list)
    for unit_id, start, value in versions.values_list("unit_id", "valid_from", "same_day_contact"):
        spans[unit_id].append((start, value))
    out: dict[int, SameDay] = {}
    for unit_id, start, value in units.values_list("id", "valid_from", "same_day_contact"):
        steps = sorted([*spans.get(unit_id, ()), (start, value)])
        values = {v for _, v in steps}
        out[unit_id] = value if len(values) == 1 else tuple(steps)
    return out


def same_day_on(rule: SameDay, day: datetime.date) -> bool:
    """The same-day contact that held on `day` (before a unit's first version: its first)."""
    if rule is True or rule is False:
        return rule
    value = rule[0][1]
    for start, then in rule:
        if start > day:
            break
        value = then
    return value
