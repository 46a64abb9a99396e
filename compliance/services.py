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


def evaluate(as_of: datetime.date, unit_ids=None) -> Evaluation:
    """Judge the units active on `as_of` (all, or `unit_ids`), on the facts that held then."""
    context = load_context(as_of)
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
        result = evaluate(as_of, unit_ids)
        store_results(
            as_of=as_of,
            decision=result.context.decision,
            evaluations=result.units,
            current_period=result.context.current_period.code if result.context.current_period else None,
            month=result.context.evaluation_month,
            scope=unit_ids,
        )
    return result
