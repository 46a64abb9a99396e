"""The unit on two dates side by side (/enheter/<hsa_id>/jamfor/): its attributes, its offerings and
role holders valid each day, and the stored results of each date. Eight queries (asserted in
tests/portal/test_unit_history.py), one more for the vårdgivare's names when either date has one."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from compliance.engine.types import STATUS_LABELS
from compliance.models import RequirementResult, UnitResult
from portal.units.selectors import level_label
from servicelevel.validity import valid_on
from units.history import units_on
from units.models import UNIT_FACT_FIELDS, AdminRole, CareUnit, Offering, Provider

from .words import CHANGED, NEW, REMOVED, label, offering_name, offering_text, role_name, unit_value


@dataclass(frozen=True)
class CompareRow:
    label: str
    before: str  # "" when the fact did not hold on the first date
    after: str
    difference: str  # "", CHANGED, NEW, REMOVED
    before_status: str = ""  # a stored requirement status (for the badge), else ""
    after_status: str = ""


@dataclass(frozen=True)
class Comparison:
    unit: CareUnit
    first: datetime.date
    second: datetime.date
    known_first: bool  # the unit's attributes are known on the date (a unit first imported later is not)
    known_second: bool
    attributes: list[CompareRow]
    offerings: list[CompareRow]
    roles: list[CompareRow]
    results: list[CompareRow]
    stored_first: bool  # results are stored for the unit on the date
    stored_second: bool

    @property
    def differences(self) -> int:
        rows = [*self.attributes, *self.offerings, *self.roles, *self.results]
        return sum(1 for r in rows if r.difference)


def _difference(before, after) -> str:
    if before == after:
        return ""
    if before is None:
        return NEW
    if after is None:
        return REMOVED
    return CHANGED


def compare_dates(unit: CareUnit, first: datetime.date, second: datetime.date) -> Comparison:
    """The unit on two dates: its attributes (units_on), its offerings and role holders valid each day,
    and its stored results. Eight queries (units_on twice, the offerings and the roles of both days, the
    two days' results and their requirements), and one more for the vårdgivare's names when either day
    has one."""
    on = {}
    for day in (first, second):
        found = units_on(day, [unit.pk])
        on[day] = found[0][2] if found else None
    provider_ids = {u.provider_id for u in on.values() if u is not None and u.provider_id}
    providers = Provider.objects.in_bulk(list(provider_ids)) if provider_ids else {}
    for u in on.values():  # the names read together (units_on reads förvaltning and vårdområde with them)
        if u is not None:
            u.provider = providers.get(u.provider_id) if u.provider_id else None

    def attribute(day, name):
        return unit_value(on[day], name) if on[day] is not None else None

    attributes = [
        _row(label(CareUnit, n), attribute(first, n), attribute(second, n)) for n in UNIT_FACT_FIELDS
    ]

    either = Q(valid_on(first)) | Q(valid_on(second))
    offerings = Offering.versions.filter(either, unit=unit).select_related(
        "catalogue_service", "catalogue_template", "catalogue_channel"
    )
    offered = _by_day(offerings, (first, second), key=lambda o: (o.kind, o.code))
    offering_rows = []
    for fact in sorted(set(offered[first]) | set(offered[second])):
        a, b = offered[first].get(fact), offered[second].get(fact)
        shown = a or b
        offering_rows.append(
            _row(
                offering_name(shown),
                offering_text(a) if a else None,
                offering_text(b) if b else None,
            )
        )
    roles = AdminRole.versions.filter(either, unit=unit).with_person_names()
    held = _by_day(roles, (first, second), key=lambda r: (r.get_role_display(), r.person_id))
    role_rows = []
    for fact in sorted(set(held[first]) | set(held[second])):
        a, b = held[first].get(fact), held[second].get(fact)
        role_rows.append(_row(role_name(a or b), "Innehar" if a else None, "Innehar" if b else None))

    results = {}
    for r in UnitResult.objects.filter(unit=unit, as_of__in=[first, second]).order_by("id"):
        results[r.as_of] = r  # the latest stored for the date (as the unit page reads it)
    statuses = defaultdict(dict)
    chosen = {r.pk: day for day, r in results.items()}
    requirement_rows = RequirementResult.objects.filter(
        unit_result__unit=unit, unit_result__as_of__in=[first, second]
    ).select_related("requirement")
    order = {}
    for rr in requirement_rows:
        day = chosen.get(rr.unit_result_id)
        if day is None:
            continue
        code = rr.requirement.code
        statuses[day][code] = rr.status
        order.setdefault(code, (rr.requirement.order, code, rr.requirement.name))
    result_rows = []
    if first in results or second in results:

        def level(day):
            r = results.get(day)
            return level_label(r.booking_level, r.booking_level_with_exemptions) if r else None

        both = first in results and second in results
        result_rows.append(_row("Tidbokningsnivå", level(first), level(second), judged=both))
        for _order, code, name in sorted(order.values()):
            a, b = statuses[first].get(code), statuses[second].get(code)
            row = _row(
                f"{code} {name}",
                STATUS_LABELS.get(a, a) if a else None,
                STATUS_LABELS.get(b, b) if b else None,
                judged=both,
            )
            result_rows.append(CompareRow(row.label, row.before, row.after, row.difference, a or "", b or ""))
    return Comparison(
        unit=unit,
        first=first,
        second=second,
        known_first=on[first] is not None,
        known_second=on[second] is not None,
        attributes=attributes,
        offerings=offering_rows,
        roles=role_rows,
        results=result_rows,
        stored_first=first in results,
        stored_second=second in results,
    )


def _row(label: str, before, after, *, judged: bool = True) -> CompareRow:
    """A row of the comparison (None: the fact did not hold on that date). `judged` False: a date has no
    stored results, so no difference is claimed for them."""
    return CompareRow(label, before or "", after or "", _difference(before, after) if judged else "")


def _by_day(rows, days, *, key) -> dict[datetime.date, dict]:
    """Versions of facts read for two days at once, split per day: {day: {fact: version}}."""
    out = {day: {} for day in days}
    for row in rows:
        for day in days:
            if row.valid_from <= day and (row.valid_to is None or day < row.valid_to):
                out[day][key(row)] = row
    return out
