"""A requirement's measured value in words, with its unit, from the kind of the requirement
(compliance/engine/kinds.py says what each kind measures).

The admin, the unit page, the scorecard PDF and the comparison all write a stored value through
`value_text`, so the same 0.5 reads "50 %" everywhere.
"""

from __future__ import annotations

from .kinds import value_kind_of
from .text import format_value


def value_text(requirement, value) -> str:
    """A stored value of a requirement (anything with `kind` and `parameters`: the rulebook's stored
    requirement or the engine's rule) in words: '93,3 %', '3', '8,5 veckor', '–' for none."""
    return format_value(value_kind_of(requirement.kind, requirement.parameters or {}), value)
