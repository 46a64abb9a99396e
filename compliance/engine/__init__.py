"""The pure compliance engine: facts + rulebook + as-of date → statuses, level, values and reasons.

No database access anywhere in this package; `compliance.loader` gathers the facts, `compliance.writer`
stores what comes out.
"""

from .evaluate import evaluate_unit, evaluation_month
from .types import Rulebook, UnitFacts

__all__ = ["Rulebook", "UnitFacts", "evaluate_unit", "evaluation_month"]
