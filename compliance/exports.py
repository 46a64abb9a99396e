"""The export formats of spec/DATA_EXCHANGE.md. The engine computes; this only shapes."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db import connection
from django.db.models.functions import Collate

from servicelevel.spreadsheet import csv_writer

from .calendar import STOCKHOLM, end_of_day
from .engine.response_time import outcome
from .loader import EpochMicroseconds, epoch_microseconds
from .models import Case
from .services import Evaluation
from .writer import response_time_dict


def compliance_document(evaluation: Evaluation) -> dict:
    ctx = evaluation.context
    return {
        "as_of": ctx.as_of.isoformat(),
        "decision": ctx.decision.number,
        "decision_version": ctx.decision.version,
        "region": ctx.decision.region_code,
        "current_period": ctx.current_period.code if ctx.current_period else None,
        "evaluation_month": ctx.evaluation_month,
        "units": [unit_document(e) for e in evaluation.units],
    }


def unit_document(e, *, reasons: bool = False) -> dict:
    """One unit of `compliance_document`; with `reasons`, each requirement's Swedish reason and measured
    value too (the API's unit, api/views.py)."""
    return {
        "hsa_id": e.facts.hsa_id,
        "name": e.facts.name,
        "forvaltning": e.facts.forvaltning,
        "vardomrade": e.facts.vardomrade,
        "booking_level": e.booking_level,
        "booking_level_with_exemptions": e.booking_level_with_exemptions,
        "requirements": {
            code: {
                "status": r.status,
                "exemption_id": r.exemption_id,
                "exemption_unneeded": r.exemption_unneeded,
                **({"reason": r.reason, "value": r.value} if reasons else {}),
            }
            for code, r in e.requirements.items()
        },
        "response_time": response_time_dict(e.response_time),
    }


COMPLIANCE_CSV_COLUMNS = ["hsa_id", "requirement_code", "status", "exemption_id", "booking_level"]


def compliance_rows(evaluation: Evaluation) -> Iterator[list]:
    yield COMPLIANCE_CSV_COLUMNS
    for e in evaluation.units:
        level = "" if e.booking_level is None else e.booking_level
        for code, r in e.requirements.items():
            yield [e.facts.hsa_id, code, r.status, r.exemption_id or "", level]


CASE_COLUMNS = [
    "case_id",
    "unit_hsa_id",
    "received_at",
    "first_response_at",
    "delay_notified_at",
    "deadline",
    "outcome",
]


def by_code_point(field: str):
    """Order by the value's code points whatever the database's collation (SQLite compares so already);
    the export promises the order Python's sorted() gives."""
    return Collate(field, "C") if connection.vendor == "postgresql" else field


def local_iso(moment: datetime.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(STOCKHOLM).isoformat()


def local_iso_from_us(microseconds: int | None) -> str:
    """The same text as `local_iso`, from microseconds since the epoch."""
    if microseconds is None:
        return ""
    seconds, micro = divmod(microseconds, 1_000_000)
    return datetime.datetime.fromtimestamp(seconds, STOCKHOLM).replace(microsecond=micro).isoformat()


def case_rows(*, as_of: datetime.date, unit_ids=None, month: str | None = None) -> Iterator[list]:
    """Cases sorted by case_id with their outcome at the end of `as_of`, streamed."""
    now = end_of_day(as_of)
    cases = Case.objects.all()
    if unit_ids is not None:
        cases = cases.filter(unit_id__in=unit_ids)
    if month:
        cases = cases.received_in_month(month)
    instants = ("received_at", "first_response_at", "delay_notified_at", "deadline")
    show = local_iso
    if connection.vendor == "postgresql":
        # As in the loader: integers load in C, Django's timestamp loader in Python (most of the time here).
        cases = cases.annotate(**{f"{name}_us": EpochMicroseconds(name) for name in instants})
        instants, show, now = (
            tuple(f"{name}_us" for name in instants),
            local_iso_from_us,
            epoch_microseconds(now),
        )
    rows = cases.order_by(by_code_point("case_id")).values_list("case_id", "unit__hsa_id", *instants)
    yield CASE_COLUMNS
    for case_id, hsa_id, received, response, notice, deadline in rows.iterator(chunk_size=10000):
        result = outcome(deadline=deadline, first_response_at=response, delay_notified_at=notice, now=now)
        yield [case_id, hsa_id, show(received), show(response), show(notice), show(deadline), result]


def write_csv(rows: Iterator[list], stream) -> int:
    """Every CSV export goes out through the spreadsheet-safe writer: no text cell starts a formula."""
    writer = csv_writer(stream)
    n = -1
    for n, row in enumerate(rows):  # noqa: B007 - n counts data rows after the header
        writer.writerow(row)
    return max(n, 0)
