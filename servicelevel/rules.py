"""Rules about the rulebook's own records that span more than one row: written once, used by the model's
`clean()` (admin, portal forms, services) and by the importers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable


def overlapping_period(
    start: datetime.date, end: datetime.date, others: Iterable[tuple[str, datetime.date, datetime.date]]
) -> tuple[str, datetime.date, datetime.date] | None:
    """The first of `others` (code, start, end) whose range shares a day with start..end (both inclusive)."""
    for code, other_start, other_end in others:
        if start <= other_end and other_start <= end:
            return code, other_start, other_end
    return None


def overlap_message(code: str, start: datetime.date, end: datetime.date, where: str = "i portalen") -> str:
    return f"perioden överlappar {code} ({start}–{end}) {where}"


def end_before_start_message(start: datetime.date, end: datetime.date) -> str:
    return f"slutdatum {end} är före startdatum {start}"
