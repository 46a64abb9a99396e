"""Keep the stored case deadlines true: computed at import, recomputed when a unit's same_day_contact, the
calendar or the rulebook versions change. Idempotent: recomputing twice writes the same values.

A deadline follows the `response_time` parameters of the version in force on the case's local receipt
date (`response_terms`): read once per import or recompute (a region has a handful of versions), never
once per case."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import JSONField, OuterRef, Subquery

from servicelevel import locks
from servicelevel.models import Decision, Requirement
from units.history import same_day_history, same_day_on

from .calendar import STOCKHOLM, ResponseTerms, TermsByDate, VersionTerms, WorkingCalendar, local_midnight
from .models import Case, region_calendar

BATCH = 5000


@transaction.atomic
def recompute_deadlines(
    *,
    unit_ids=None,
    received_from: datetime.datetime | None = None,
    received_until: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> int:
    """Recompute the deadline of every case of `unit_ids` (all units if None) received in the range, using
    the unit's same_day_contact that held on the case's local receipt date. Returns the number of cases
    whose deadline changed."""
    # A cases import rewrites the same rows in its file's order: take its lock first, so the two run one
    # after the other instead of deadlocking; then read the calendar and the cases as committed by then.
    locks.hold(locks.import_lock("cases"))
    calendar = calendar or region_calendar()
    cases = Case.objects.select_related(None)
    if unit_ids is not None:
        cases = cases.filter(unit_id__in=list(unit_ids))
    if received_from is not None:
        cases = cases.filter(received_at__gte=received_from)
    if received_until is not None:
        cases = cases.filter(received_at__lt=received_until)
    changed, batch = 0, []
    same_days = same_day_history(unit_ids)
    rows = cases.values_list("id", "received_at", "deadline", "deadline_same_day", "unit_id")
    for pk, received, old, old_rule, unit_id in rows.iterator(chunk_size=BATCH):
        rule = same_days[unit_id]
        same_day = rule if rule is True or rule is False else same_day_on(rule, local_date(received))
        new = calendar.deadline(received, same_day_contact=same_day)
        if new != old or old_rule != same_day:
            batch.append(Case(id=pk, deadline=new, deadline_same_day=same_day))
            if len(batch) >= BATCH:
                changed += _flush(batch)
    changed += _flush(batch)
    return changed


def versions_with_terms():
    """The region's versions, each annotated with `response_parameters` (its `response_time`
    requirement's parameters, or None): one query, whatever the number of versions."""
    parameters = Requirement.objects.filter(decision=OuterRef("pk"), kind="response_time").values(
        "parameters"
    )[:1]
    return Decision.of_region().annotate(response_parameters=Subquery(parameters, output_field=JSONField()))


def terms_of(versions) -> TermsByDate:
    """The versions read by `versions_with_terms` as the calendar's terms by receipt date."""
    return TermsByDate(
        VersionTerms(v.in_force_from, v.in_force_until, v.pk, ResponseTerms.of(v.response_parameters))
        for v in versions
    )


def response_terms() -> TermsByDate:
    """The deadline terms of every version of the region (one query)."""
    return terms_of(versions_with_terms().only("id", "in_force_from", "in_force_until"))


def recompute_for_version(decision: Decision) -> int:
    """After a version was loaded: only cases received on or after its first day can change (a later
    version's days keep their terms), unless it is now the region's earliest, which also judges every
    earlier date."""
    if Case._meta.db_table not in connection.introspection.table_names():
        return 0  # `migrate servicelevel` alone loads the shipped files before this app's tables exist
    earlier = Decision.of_region().filter(in_force_from__lt=decision.in_force_from).exists()
    start = local_midnight(decision.in_force_from) if earlier else None
    return recompute_deadlines(received_from=start)


def _flush(batch: list[Case]) -> int:
    n = len(batch)
    if n:
        Case.objects.bulk_update(batch, ["deadline", "deadline_same_day"])
        batch.clear()
    return n


def recompute_around(day: datetime.date) -> int:
    """After the calendar changed on `day`: only cases received in the weeks before it can be affected
    (a deadline is at most `working_days` working days, plus holidays, after receipt: a month for the
    default two, and about two calendar days per working day beyond that)."""
    longest = max(
        (max(v.terms.working_days, -(-v.terms.same_day_hours // 24)) for v in response_terms().versions),
        default=2,
    )
    return recompute_deadlines(
        received_from=local_midnight(day - datetime.timedelta(days=31 + 2 * max(0, longest - 2))),
        received_until=local_midnight(day + datetime.timedelta(days=1)),
    )


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()
