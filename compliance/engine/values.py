"""What each requirement's measured value is (a share, a count, weeks), collected from the judge modules
that declare it beside the judges measuring it, and the value in words with its unit.

The admin, the unit page, the scorecard PDF and the comparison all write a stored value through
`value_text`, so the same 0.5 reads "50 %" everywhere.
"""

from __future__ import annotations

from . import booking, offerings, response_time, roles
from .text import format_value

VALUE_KINDS: dict[str, str] = {
    **booking.VALUE_KINDS,
    **offerings.VALUE_KINDS,
    **response_time.VALUE_KINDS,
    **roles.VALUE_KINDS,
}


def value_kind(code: str) -> str | None:
    """The kind of the value the engine measures for `code`; None for a code it has no rule for."""
    return VALUE_KINDS.get(code)


def value_text(code: str, value) -> str:
    """A stored value of requirement `code` in words: '93,3 %', '3', '8,5 veckor', '–' for none."""
    return format_value(value_kind(code), value)
