"""Gather the facts of many units for one as-of date in a constant number of queries.

Queries (whatever the number of units): the region's versions (with their catalogue, profiles and
response-time parameters: the one in force, and the stretch of each receipt date), requirements, periods,
units (the rows, and the earlier versions that held on the as-of date), booking figures, and the
offerings, admin roles and local-admin unit counts that held on the as-of date,
exemptions, targets, and one streamed read of the evaluation month's cases.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BigIntegerField, Count, Func

from actionplan.models import Target
from exemptions.models import Exemption
from servicelevel.models import Decision, SchedulePeriod
from servicelevel.rulebook_file import RulebookFile
from servicelevel.rulebooks import file_of
from servicelevel.validity import valid_on
from units.history import units_on
from units.models import AdminRole, BookingFigures, Offering

from .calendar import TermsByDate, end_of_day, local_midnight
from .deadlines import terms_of, versions_with_terms
from .engine import types as t
from .engine.response_time import add_case, evaluation_month, month_bounds
from .models import Case


@dataclass
class Context:
    as_of: datetime.date
    decision: Decision
    rulebook: t.Rulebook
    current_period: t.Period | None
    previous_period: t.Period | None
    evaluation_month: str
    period_codes: dict[int, str]  # SchedulePeriod pk → code, for the current and previous period
    # The response-time terms by receipt date (the stretch indicator counts by the receipt date's version).
    terms: TermsByDate = field(default_factory=TermsByDate)


def load_rulebook(decision: Decision) -> t.Rulebook:
    """The stored version as the engine's rulebook (one query: its requirements)."""
    return engine_rulebook(file_of(decision))


def engine_rulebook(rulebook: RulebookFile) -> t.Rulebook:
    """A version — stored, or a file or draft not yet loaded — as the engine reads it: its requirements,
    its own profiles and the digital-contact codes of its own catalogue."""
    rules = tuple(
        t.RequirementRule(r.code, r.group, r.level, r.name, r.kind, dict(r.parameters), tuple(r.applies_if))
        for r in rulebook.requirements
    )
    return t.Rulebook(
        rulebook.decision.number,
        rules,
        {code: frozenset(p.services) for code, p in rulebook.profiles.items()},
        frozenset(s.code for s in rulebook.catalogue.services if s.digital_contact),
        ladder=rulebook.ladder.name if rulebook.ladder else None,
        channel_profiles={code: frozenset(p.channels) for code, p in rulebook.profiles.items()},
        version=rulebook.decision.version,
    )


def periods_for(as_of: datetime.date) -> list[SchedulePeriod]:
    """[current, previous]: current = latest start on or before the as-of date; previous = latest start
    before the current's (periods never overlap, so start dates are distinct)."""
    return list(SchedulePeriod.objects.filter(start_date__lte=as_of).order_by("-start_date")[:2])


def load_context(as_of: datetime.date, rulebooks: dict | None = None) -> Context:
    """The date's version, rulebook and periods. `rulebooks` (version pk → engine rulebook), when given,
    keeps each version's rulebook for the next date (a correction judges many dates in a row)."""
    # Every version of the region in one query (a handful): the one in force on the as-of date, picked
    # as Decision.in_force picks it, and each receipt date's response-time terms.
    versions = {v.pk: v for v in versions_with_terms()}
    terms = terms_of(versions.values())
    in_force = terms.version_on(as_of)
    decision = versions[in_force.order] if in_force is not None else None
    started = periods_for(as_of)
    periods = [t.Period(p.code, p.start_date, p.end_date) for p in started] + [None, None]
    if rulebooks is None:
        rulebook = load_rulebook(decision)
    else:
        rulebook = rulebooks.get(decision.pk) or rulebooks.setdefault(decision.pk, load_rulebook(decision))
    return Context(
        as_of,
        decision,
        rulebook,
        periods[0],
        periods[1],
        evaluation_month(as_of),
        {p.id: p.code for p in started},
        terms,
    )


def _figures(b: BookingFigures) -> t.BookingFigures:
    return t.BookingFigures(
        b.booked_total,
        b.booked_visible,
        b.booked_cancellable,
        b.booked_reschedulable,
        b.slots_total,
        b.slots_open_invitation,
        b.slots_citizen_bookable,
        b.lookahead_weeks,
    )


class EpochMicroseconds(Func):
    """PostgreSQL: a timestamptz as whole microseconds since 1970-01-01 UTC (NULL stays NULL)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def epoch_microseconds(moment: datetime.datetime) -> int:
    delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def response_counts(
    unit_ids, month: str, now: datetime.datetime, terms: TermsByDate | None = None
) -> dict[int, t.ResponseCounts]:
    """Outcome counts per unit for the cases received (local date) in `month`, streamed from the database.
    The stretch indicator counts answers within `stretch_hours` of the receipt date's version: one
    number for the month when no version starts inside it (the usual case), else looked up per case
    from the local midnights where the terms change."""
    counts: dict[int, t.ResponseCounts] = defaultdict(lambda: t.ResponseCounts(month))
    cases = Case.objects.received_in_month(month)
    if unit_ids is not None:
        cases = cases.filter(unit_id__in=unit_ids)
    fields = ("received_at", "deadline", "first_response_at", "delay_notified_at")
    runs = (terms or TermsByDate()).segments(*month_bounds(month))
    starts = [local_midnight(day) for day, _ in runs]
    stretches = [terms_.stretch for _, terms_ in runs]
    if connection.vendor == "postgresql":
        # A million timestamps through Django's Python-level timestamptz loader take seconds; the same
        # instants as integer microseconds since the epoch load in C and compare the same way.
        cases = cases.annotate(**{f"{name}_us": EpochMicroseconds(name) for name in fields})
        fields = tuple(f"{name}_us" for name in fields)
        now = epoch_microseconds(now)
        starts = [epoch_microseconds(moment) for moment in starts]
        stretches = [round(stretch.total_seconds() * 1_000_000) for stretch in stretches]
    rows = cases.values_list("unit_id", *fields)
    stretch, varying = stretches[0], len(starts) > 1
    for unit_id, received, deadline, response, notice in rows.iterator(chunk_size=20000):
        if varying:  # a version starts inside the month: the stretch of this case's receipt date
            stretch = stretches[bisect_right(starts, received) - 1]
        add_case(
            counts[unit_id],
            received_at=received,
            deadline=deadline,
            first_response_at=response,
            delay_notified_at=notice,
            now=now,
            two_hours=stretch,
        )
    return counts


def load_units(context: Context, unit_ids=None) -> list[t.UnitFacts]:
    """Facts for the units active on the as-of date (all, or those in `unit_ids`), sorted by HSA-id, each
    fact as it held on that date (units/history.py)."""
    units = [row for row in units_on(context.as_of, unit_ids) if row[2].active]
    ids = [unit_id for unit_id, _, _ in units]
    judged = set(ids)

    # With every unit wanted, the fact tables are read whole and cut here (cheaper than a list of 2,000
    # ids or a subquery over the units' versions).
    def of_units(queryset, field_name="unit_id"):
        return queryset.filter(**{f"{field_name}__in": ids}) if unit_ids is not None else queryset

    booking = {
        (b.unit_id, context.period_codes[b.period_id]): _figures(b)
        for b in of_units(BookingFigures.objects.filter(period_id__in=list(context.period_codes)))
        if b.unit_id in judged
    }
    offerings = defaultdict(list)
    held = Offering.versions.filter(valid_on(context.as_of))
    for o in of_units(held).only("unit_id", "kind", "code", "variant", "is_open"):
        offerings[o.unit_id].append(t.OfferingFact(o.kind, o.code, o.variant, o.is_open))
    local_admins, permission_admins = defaultdict(dict), defaultdict(set)
    roles_then = AdminRole.versions.filter(valid_on(context.as_of))
    roles = [r for r in of_units(roles_then).values_list("unit_id", "person_id", "role") if r[0] in judged]
    local_persons = {p for _, p, role in roles if role == AdminRole.Role.LOKAL_ADMINISTRATOR}
    breadth = (
        dict(
            roles_then.filter(role=AdminRole.Role.LOKAL_ADMINISTRATOR, person_id__in=list(local_persons))
            .values("person_id")
            .annotate(units=Count("unit_id", distinct=True))
            .values_list("person_id", "units")
        )
        if local_persons
        else {}
    )
    for unit_id, person, role in roles:
        if role == AdminRole.Role.LOKAL_ADMINISTRATOR:
            local_admins[unit_id][person] = breadth[person]
        else:
            permission_admins[unit_id].add(person)
    exemptions = defaultdict(list)
    for e in of_units(Exemption.objects.covering(context.as_of)).values_list(
        "unit_id", "exemption_id", "requirement__code", "status", "valid_from", "valid_until", "ended_on"
    ):
        if e[0] in judged:
            exemptions[e[0]].append(t.ExemptionFact(*e[1:]))
    targets = defaultdict(dict)
    if context.current_period:
        for area, code, share in Target.objects.filter(period__code=context.current_period.code).values_list(
            "vardomrade_id", "requirement__code", "target_share"
        ):
            targets[area][code] = share
    counts = response_counts(
        ids if unit_ids is not None else None,
        context.evaluation_month,
        end_of_day(context.as_of),
        context.terms,
    )
    current = context.current_period.code if context.current_period else None
    previous = context.previous_period.code if context.previous_period else None
    return [
        t.UnitFacts(
            unit_id=unit_id,
            hsa_id=hsa_id,
            unit_type=u.unit_type,
            profile=u.profile,
            booking_system=u.booking_system,
            has_contact_card=u.has_contact_card,
            same_day_contact=u.same_day_contact,
            current_period=context.current_period,
            previous_period=context.previous_period,
            booking_current=booking.get((unit_id, current)),
            booking_previous=booking.get((unit_id, previous)),
            offerings=tuple(offerings[unit_id]),
            local_admins=local_admins[unit_id],
            permission_admins=frozenset(permission_admins[unit_id]),
            response=counts.get(unit_id) or t.ResponseCounts(context.evaluation_month),
            exemptions=tuple(exemptions[unit_id]),
            targets=targets[u.vardomrade_id],
            name=u.name,
            forvaltning=u.forvaltning.name,
            vardomrade=u.vardomrade.name,
            forvaltning_id=u.forvaltning_id,
            vardomrade_id=u.vardomrade_id,
            provider_id=u.provider_id,
        )
        for unit_id, hsa_id, u in units
    ]
