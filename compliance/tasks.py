"""Celery tasks. Thin: they take ids or dates, call a service, and can run twice without harm.

Debounce: an import or an edit adds its units to a pending set in Redis and schedules one
`recompute_pending` a few seconds later, unless one is already scheduled; that run takes the whole set at
once. A request that arrives while a run is under way finds nothing scheduled (the run cleared the flag
when it took the set) and schedules the next run; a run that fails puts what it took back. Without a
broker (embedded default) the recompute runs in-process straight away.

Overlapping runs (two workers, the nightly run beside an import's) are safe: `services.recompute` takes
the recompute lock, so they run one after the other, each on the facts committed before it started.
"""

from __future__ import annotations

import datetime
import logging

from celery import current_app, shared_task
from django.conf import settings

from . import services

# The PDF task is defined in compliance/reports.py beside its body (asking for a report queues it without
# importing this module); named here so the worker's autodiscovery registers it.
from .reports import render_report  # noqa: F401

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 5
RETRY_SECONDS = 60
PENDING_UNITS = "servicelevel:recompute:units"
PENDING_ALL = "servicelevel:recompute:all"
SCHEDULED = "servicelevel:recompute:scheduled"


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def request_recompute(unit_ids) -> None:
    """Bring today's results up to date for `unit_ids` (None = every unit)."""
    if unit_ids is not None and not unit_ids:
        return
    if current_app.conf.task_always_eager or not settings.REDIS_URL:
        recompute_units.delay(sorted(unit_ids) if unit_ids is not None else None)
        return
    _add_pending(_redis(), unit_ids, countdown=DEBOUNCE_SECONDS)


def _add_pending(client, unit_ids, *, countdown: int) -> None:
    if unit_ids is None:
        client.set(PENDING_ALL, 1)
    else:
        client.sadd(PENDING_UNITS, *unit_ids)
    # Only the first request in a quiet spell schedules the run; later ones join its pending set.
    if client.set(SCHEDULED, 1, nx=True, ex=countdown + 300):
        recompute_pending.apply_async(countdown=countdown)


@shared_task
def recompute_pending() -> int:
    """Take every pending unit at once and recompute them for today."""
    client = _redis()
    with client.pipeline() as pipe:  # MULTI/EXEC: take and clear in one step
        pipe.smembers(PENDING_UNITS)
        pipe.get(PENDING_ALL)
        pipe.delete(PENDING_UNITS, PENDING_ALL, SCHEDULED)
        members, everything, _ = pipe.execute()
    if not everything and not members:
        return 0
    unit_ids = None if everything else sorted(int(m) for m in members)
    try:
        return recompute_units(unit_ids)
    except Exception:
        # The requests are no longer in Redis: put them back and try again a little later (not at once: a
        # lasting fault would otherwise spin), or they would be lost until the nightly run.
        _add_pending(client, unit_ids, countdown=RETRY_SECONDS)
        raise


@shared_task
def recompute_units(unit_ids: list[int] | None, as_of: str | None = None) -> int:
    """Recompute and store results for these units (None = all) on `as_of` (ISO date, default today)."""
    day = datetime.date.fromisoformat(as_of) if as_of else None
    result = services.recompute(as_of=day, unit_ids=unit_ids)
    return len(result.units)


@shared_task
def run_recompute_job(job_id: int) -> int:
    """A correction's stored dates, judged again (compliance/corrections.py)."""
    from . import corrections

    return corrections.run(job_id)


@shared_task
def nightly_recompute() -> int:
    """Just after midnight: store the final results of the day that just ended (the history the dashboards
    show; evaluated at its end, 24:00, which has now passed) and fresh results for the new day."""
    today = services.today()
    # Yesterday's results were stored during the day; now its end has passed and they are made final.
    services.recompute(as_of=today - datetime.timedelta(days=1))
    return len(services.recompute(as_of=today).units)
