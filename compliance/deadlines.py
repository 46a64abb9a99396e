"""Keep the stored case deadlines true: computed at import, recomputed when a unit's same_day_contact or
the calendar changes. Idempotent: recomputing twice writes the same values."""

from __future__ import annotations

import datetime

from django.db import transaction

from servicelevel import locks

from .calendar import WorkingCalendar
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
    each unit's current same_day_contact. Returns the number of cases whose deadline changed."""
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
    rows = cases.values_list("id", "received_at", "deadline", "deadline_same_day", "unit__same_day_contact")
    for pk, received, old, old_rule, same_day in rows.iterator(chunk_size=BATCH):
        new = calendar.deadline(received, same_day_contact=same_day)
        if new != old or old_rule != same_day:
            batch.append(Case(id=pk, deadline=new, deadline_same_day=same_day))
            if len(batch) >= BATCH:
                changed += _flush(batch)
    changed += _flush(batch)
    return changed


def _flush(batch: list[Case]) -> int:
    n = len(batch)
    if n:
        Case.objects.bulk_update(batch, ["deadline", "deadline_same_day"])
        batch.clear()
    return n


def recompute_around(day: datetime.date) -> int:
    """After the calendar changed on `day`: only cases received in the weeks before it can be affected
    (a deadline is at most a couple of working days, plus holidays, after receipt)."""
    from .calendar import local_midnight

    return recompute_deadlines(
        received_from=local_midnight(day - datetime.timedelta(days=31)),
        received_until=local_midnight(day + datetime.timedelta(days=1)),
    )
