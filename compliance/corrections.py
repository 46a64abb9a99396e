"""Corrections reach back: a change of a unit's facts valid from a past date judges every stored date from
then on again, for the units it touches, leaving earlier dates as they were (docs/rules.md "Facts over
time"). The dashboard's trends and month-end results read the stored dates, so they follow.

A `RecomputeJob` records the work and its progress; it runs as a Celery task when a broker is configured,
in-process otherwise (the embedded default), after the change has committed.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import RecomputeJob, UnitResult
from .services import recompute_dates, today

log = logging.getLogger(__name__)


def stored_dates(unit_ids, since: datetime.date, until: datetime.date | None = None) -> list[datetime.date]:
    """The dates before today with stored results for these units (None: any), from `since` on."""
    stored = UnitResult.objects.filter(as_of__gte=since, as_of__lt=today())
    if until is not None:
        stored = stored.filter(as_of__lt=until)
    if unit_ids is not None:
        stored = stored.filter(unit_id__in=list(unit_ids))
    return sorted(set(stored.values_list("as_of", flat=True).distinct()))


def stored_dates_altered(altered: dict) -> list[datetime.date]:
    """The stored dates whose facts a change alters: per unit, its altered range (first, end exclusive)."""
    if not altered:
        return []
    since = min(start for start, _ in altered.values())
    rows = UnitResult.objects.filter(as_of__gte=since, as_of__lt=today(), unit_id__in=list(altered))
    dates = set()
    for unit_id, day in rows.values_list("unit_id", "as_of"):
        start, end = altered[unit_id]
        if start <= day and (end is None or day < end):
            dates.add(day)
    return sorted(dates)


def request(*, unit_ids, since: datetime.date) -> RecomputeJob | None:
    """Queue the recompute of every stored date from `since` for `unit_ids` (None: every unit); None when
    nothing stored lies there."""
    dates = stored_dates(unit_ids, since)
    if not dates:
        return None
    job = RecomputeJob.objects.create(
        since=since,
        unit_ids=sorted(unit_ids) if unit_ids is not None else None,
        dates_total=len(dates),
    )
    from .tasks import run_recompute_job

    transaction.on_commit(lambda: run_recompute_job.delay(job.pk))
    return job


def run(job_id: int) -> int:
    """Judge the job's stored dates again, oldest first, a chunk of dates per transaction (each under the
    recompute lock), counting progress after each. Returns the dates recomputed."""
    claimed = RecomputeJob.objects.filter(pk=job_id, status=RecomputeJob.Status.QUEUED).update(
        status=RecomputeJob.Status.RUNNING
    )
    if not claimed:
        return 0  # already run (a task delivered twice)
    job = RecomputeJob.objects.get(pk=job_id)
    dates = stored_dates(job.unit_ids, job.since)
    RecomputeJob.objects.filter(pk=job_id).update(dates_total=len(dates), dates_done=0)

    def done(n: int) -> None:
        RecomputeJob.objects.filter(pk=job_id).update(dates_done=F("dates_done") + n)

    try:
        recompute_dates(dates=dates, unit_ids=job.unit_ids, on_chunk=done)
    except Exception as exc:
        RecomputeJob.objects.filter(pk=job_id).update(
            status=RecomputeJob.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:500]
        )
        raise
    RecomputeJob.objects.filter(pk=job_id).update(status=RecomputeJob.Status.DONE, finished_at=timezone.now())
    return len(dates)
