"""The unit page's late and overdue cases of an evaluation month, and their CSV: the export's stream
(`compliance.exports.case_rows`, the engine's outcome rule), filtered."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from compliance.engine.response_time import month_bounds
from compliance.exports import case_rows
from servicelevel.dates import in_bounds
from units.models import CareUnit

OUTCOME_LABELS = {
    "in_time": "I tid",
    "late_notified": "Sent, besked i tid",
    "late": "Sent, utan besked",
    "overdue": "Obesvarat efter fristen",
    "pending": "Inom fristen",
}
LISTED_OUTCOMES = ("late_notified", "late", "overdue")
CASES_SHOWN = 100  # on the page; the CSV has every one


@dataclass(frozen=True)
class CaseLine:
    case_id: str
    received_at: str
    deadline: str
    first_response_at: str
    delay_notified_at: str
    outcome: str
    outcome_label: str


def valid_month(text: str) -> str | None:
    """`YYYY-MM` if the text is one, in the years of the date rule (servicelevel.dates), else None."""
    try:
        start, _ = month_bounds(text)
    except (ValueError, AttributeError):
        return None
    return text if len(text) == 7 and text[4] == "-" and in_bounds(start) else None


def late_case_rows(unit: CareUnit, *, day: datetime.date, month: str) -> Iterator[list]:
    """The month's late, late-notified and overdue cases of the unit with their outcome at the end of
    `day` — the export's stream (`compliance.exports.case_rows`, the engine's outcome rule), filtered.
    Ids and instants only: cases hold no personal data."""
    rows = case_rows(as_of=day, unit_ids=[unit.id], month=month)
    next(rows)  # the export's own header
    for case_id, _hsa, received, response, notice, deadline, outcome in rows:
        if outcome in LISTED_OUTCOMES:
            yield [case_id, received, deadline, response, notice, outcome]


CASES_CSV_HEADER = ["ärende-id", "inkommet", "svarsfrist", "första svar", "besked om försening", "utfall"]


def late_cases_csv_rows(unit: CareUnit, *, day: datetime.date, month: str) -> Iterator[list]:
    yield CASES_CSV_HEADER
    for row in late_case_rows(unit, day=day, month=month):
        yield [*row[:5], OUTCOME_LABELS[row[5]]]


def _local(iso: str) -> str:
    """'2026-10-07T10:00:00+02:00' → '2026-10-07 10:00' (already local time; the page shows minutes)."""
    return iso[:16].replace("T", " ") if iso else "–"


def late_cases(unit: CareUnit, *, day: datetime.date, month: str, limit: int) -> tuple[list[CaseLine], int]:
    """The first `limit` listed cases (by case id) and how many there are."""
    lines, total = [], 0
    for case_id, received, deadline, response, notice, outcome in late_case_rows(unit, day=day, month=month):
        total += 1
        if total <= limit:
            lines.append(
                CaseLine(
                    case_id=case_id,
                    received_at=_local(received),
                    deadline=_local(deadline),
                    first_response_at=_local(response),
                    delay_notified_at=_local(notice),
                    outcome=outcome,
                    outcome_label=OUTCOME_LABELS[outcome],
                )
            )
    return lines, total
