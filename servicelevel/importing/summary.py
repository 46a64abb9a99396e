"""An import's outcome in words: the command line's line, and the same counts in Swedish for the portal.

The command line prints `booking: 1 created, 0 updated, 0 unchanged` (`Counts.__str__`): that line is the
data-exchange spec's contract, read by scripts, and stays as it is. Everything a person reads in the portal
— the import page after a check or an import, the list of imports, the audit trail — says it in Swedish,
written here once: `booking: 1 ny, 0 ändrade, 0 oförändrade`.

What is stored: an audit entry of an import keeps the counts as numbers (`detail["counts"]`) beside the
command line's words (`detail["summary"]`, for older readers); an import job keeps the command line's
summary line, as `import_data` would print it. Entries written before the counts were kept, and every job,
are read back from that line (`parse_counts`), so old and new say the same in Swedish.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from .base import Counts

# Thousands with a no-break space, so that "20 000" never breaks across two lines of a table cell.
NBSP = "\u00a0"


def number(n: int) -> str:
    return f"{n:,}".replace(",", NBSP)


def _counted(n: int, one: str, more: str) -> str:
    """ "1 ny", "0 nya", "2 nya": Swedish takes the plural for every number but one."""
    return f"{number(n)} {one if n == 1 else more}"


def counts_in_swedish(counts: Counts) -> str:
    """`1 ny, 0 ändrade, 0 oförändrade` and, when rows were removed, ` (2 borttagna)` — the same counts as
    `str(counts)`, the command line's `1 created, 0 updated, 0 unchanged (2 deleted)`. The words agree
    with "rad" and "post" (common gender), which is what every kind's rows are."""
    text = ", ".join(
        (
            _counted(counts.created, "ny", "nya"),
            _counted(counts.updated, "ändrad", "ändrade"),
            _counted(counts.unchanged, "oförändrad", "oförändrade"),
        )
    )
    if counts.deleted:
        text += f" ({_counted(counts.deleted, 'borttagen', 'borttagna')})"
    return text


def summary_in_swedish(kind: str, counts: Counts) -> str:
    """`booking: 1 ny, 0 ändrade, 0 oförändrade`: the kind's name (as in the kind's menu and the command)
    and its counts."""
    return f"{kind}: {counts_in_swedish(counts)}"


_COUNTS = re.compile(
    r"(?P<created>[0-9]+) created, (?P<updated>[0-9]+) updated, (?P<unchanged>[0-9]+) unchanged"
    r"(?: \((?P<deleted>[0-9]+) deleted\))?"
)
_LINE = re.compile(r"(?:(?P<kind>[a-z_]+): )?(?P<counts>.*)", re.DOTALL)


def parse_counts(text: str) -> Counts | None:
    """The counts of the command line's words (`1 created, 0 updated, 0 unchanged (2 deleted)`), or None
    for any other text."""
    match = _COUNTS.fullmatch(text.strip())
    if match is None:
        return None
    deleted = match["deleted"]
    return Counts(
        created=int(match["created"]),
        updated=int(match["updated"]),
        unchanged=int(match["unchanged"]),
        deleted=int(deleted) if deleted is not None else None,
    )


def line_in_swedish(line: str) -> str:
    """The command line's summary line (`units: 12 created, 3 updated, 40 unchanged`, as an import job
    keeps it) in Swedish; a text that is not such a line is shown as it is. A correction's words after the
    counts (`; gäller från 2026-10-01 (rättelse: …)`, ImportReport.dates) are Swedish already and kept."""
    head, sep, dates = line.strip().partition("; ")
    match = _LINE.fullmatch(head)
    counts = parse_counts(match["counts"]) if match else None
    if counts is None:
        return line
    words = summary_in_swedish(match["kind"], counts) if match["kind"] else counts_in_swedish(counts)
    return words + sep + dates


def audit_detail(*, rows: int, counts: Counts) -> dict[str, Any]:
    """What an import's audit entry keeps: the rows read, the counts as numbers, and the command line's
    words (older readers of the trail read `summary`)."""
    return {"rows": rows, "counts": asdict(counts), "summary": str(counts)}


def import_detail_text(detail: dict) -> str:
    """An import's audit entry in Swedish: `3 rader: 2 nya, 1 ändrad, 0 oförändrade`. Entries written
    before the counts were kept as numbers are read from their English `summary`; a summary that is
    neither is shown as it is."""
    rows = detail.get("rows")
    stored = detail.get("counts")
    if isinstance(stored, dict):
        outcome = counts_in_swedish(Counts(**stored))
    else:
        summary = str(detail.get("summary", ""))
        counts = parse_counts(summary)
        outcome = counts_in_swedish(counts) if counts is not None else summary
    # A file kept over time: its correction's words (from when, which stored dates), else nothing more.
    dates = detail.get("correction")
    outcome = f"{outcome}; {dates}" if isinstance(dates, str) and dates else outcome
    if not isinstance(rows, int):
        return outcome
    return f"{_counted(rows, 'rad', 'rader')}: {outcome}"
