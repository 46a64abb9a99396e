"""Evaluate and recompute: the entry points views, commands and tasks call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

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
    """Judge the active units (all, or `unit_ids`) on `as_of`, from the facts as they are now."""
    context = load_context(as_of)
    facts = load_units(context, unit_ids)
    return Evaluation(context, [evaluate_unit(f, context.rulebook, as_of) for f in facts])


def recompute(*, as_of: datetime.date | None = None, unit_ids=None) -> Evaluation:
    """Evaluate and store the results for `as_of` (default today)."""
    as_of = as_of or today()
    result = evaluate(as_of, unit_ids)
    store_results(
        as_of=as_of,
        decision=result.context.decision,
        evaluations=result.units,
        current_period=result.context.current_period.code if result.context.current_period else None,
        month=result.context.evaluation_month,
    )
    return result
