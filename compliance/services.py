"""Evaluate and recompute: the entry points views, commands and tasks call."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from servicelevel import locks

from .engine import evaluate_unit
from .engine.types import UnitEvaluation
from .loader import Context, load_context, load_units
from .writer import store_results


@dataclass
class Evaluation:
    context: Context
    units: list[UnitEvaluation]


def today() -> datetime.date:
    return timezone.localdate()


def evaluate(as_of: datetime.date, unit_ids=None, rulebooks: dict | None = None) -> Evaluation:
    """Judge the units active on `as_of` (all, or `unit_ids`), on the facts that held then."""
    context = load_context(as_of, rulebooks)
    facts = load_units(context, unit_ids)
    return Evaluation(context, [evaluate_unit(f, context.rulebook, as_of) for f in facts])


def recompute(
    *,
    as_of: datetime.date | None = None,
    unit_ids=None,
    on_wait: Callable[[], None] | None = None,
) -> Evaluation:
    """Evaluate and store the results for `as_of` (default today), judged on the facts that held then.

    One transaction that takes the recompute lock before reading any fact: recomputes run one at a time,
    each reads what was committed before it got the lock, so a later one (an import's, requested on its
    commit) can never be overwritten by an earlier one's older view, and two never store the same rows at
    once. `on_wait` is called if another recompute is running.

    Any date may be recomputed: facts are kept over time (units/history.py), so a past date is judged on
    the facts valid then and gives the results stored for it, unless a correction since says otherwise.
    The stored results of the units asked for that are not judged on that date (not yet known, or
    inactive then) are removed."""
    as_of = as_of or today()
    with transaction.atomic():
        locks.hold(locks.RECOMPUTE, on_wait=on_wait)
        return _recompute_one(as_of, unit_ids)


def _recompute_one(as_of: datetime.date, unit_ids, cache: dict | None = None) -> Evaluation:
    """Evaluate and store one date; the caller holds the recompute lock. `cache` keeps each version's
    rulebook and requirement ids for the next date."""
    rulebooks = cache.setdefault("rulebooks", {}) if cache is not None else None
    result = evaluate(as_of, unit_ids, rulebooks)
    decision = result.context.decision
    ids = None
    if cache is not None:
        known = cache.setdefault("requirement_ids", {})
        ids = known.get(decision.pk) or known.setdefault(
            decision.pk, dict(decision.requirements.values_list("code", "id"))
        )
    store_results(
        as_of=as_of,
        decision=decision,
        evaluations=result.units,
        current_period=result.context.current_period.code if result.context.current_period else None,
        month=result.context.evaluation_month,
        scope=unit_ids,
        requirement_ids=ids,
    )
    return result


def recompute_dates(*, dates: list[datetime.date], unit_ids, chunk: int = 15, on_chunk=None) -> int:
    """Recompute many dates for the same units (a correction's stored dates): a chunk of dates per
    transaction and per hold of the recompute lock, each version's rulebook read once. `on_chunk(n)` hears
    after each commit how many dates it held (a progress bar). Returns the dates recomputed."""
    cache: dict = {}
    for start in range(0, len(dates), chunk):
        part = dates[start : start + chunk]
        with transaction.atomic():
            locks.hold(locks.RECOMPUTE)
            for day in part:
                _recompute_one(day, unit_ids, cache)
        if on_chunk is not None:
            on_chunk(len(part))
    return len(dates)
