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
from .models import UnitResult
from .writer import store_results


@dataclass
class Evaluation:
    context: Context
    units: list[UnitEvaluation]


def today() -> datetime.date:
    return timezone.localdate()


def evaluate(as_of: datetime.date, unit_ids=None) -> Evaluation:
    """Judge the active units (all, or `unit_ids`) on `as_of`, from the facts as they are now."""
    context = load_context(as_of)
    facts = load_units(context, unit_ids)
    return Evaluation(context, [evaluate_unit(f, context.rulebook, as_of) for f in facts])


class PastResultsExist(Exception):
    """Refused: the results of a past date are stored, and a recompute would judge it on today's facts."""

    def __init__(self, as_of: datetime.date):
        self.as_of = as_of
        super().__init__(
            f"Resultaten per {as_of} är redan sparade och datumet har passerat. En ny beräkning skulle "
            "skriva över dem med dagens uppgifter (utbud och roller sparas inte per datum)."
        )


def recompute(
    *,
    as_of: datetime.date | None = None,
    unit_ids=None,
    force: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> Evaluation:
    """Evaluate and store the results for `as_of` (default today).

    One transaction that takes the recompute lock before reading any fact: recomputes run one at a time,
    each reads what was committed before it got the lock, so a later one (an import's, requested on its
    commit) can never be overwritten by an earlier one's older view, and two never store the same rows at
    once. `on_wait` is called if another recompute is running.

    A past date (before today) whose results are stored is refused unless `force`: offerings, roles and
    other facts are not kept per date, so its stored judgement would be replaced by one made from today's
    facts. The nightly close of the day that has just ended is the one expected rewrite (it forces). A past
    date with nothing stored may be computed."""
    as_of = as_of or today()
    with transaction.atomic():
        locks.hold(locks.RECOMPUTE, on_wait=on_wait)
        if not force and as_of < today() and _has_results(as_of, unit_ids):
            raise PastResultsExist(as_of)
        result = evaluate(as_of, unit_ids)
        store_results(
            as_of=as_of,
            decision=result.context.decision,
            evaluations=result.units,
            current_period=result.context.current_period.code if result.context.current_period else None,
            month=result.context.evaluation_month,
        )
    return result


def _has_results(as_of: datetime.date, unit_ids) -> bool:
    stored = UnitResult.objects.filter(as_of=as_of)
    if unit_ids is not None:
        stored = stored.filter(unit_id__in=list(unit_ids))
    return stored.exists()
