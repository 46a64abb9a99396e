"""Svarstid (§2.3): outcome of a case at an instant, the evaluation month, and SV1."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from .text import month_name, pct
from .types import MET, NO_DATA, NOT_MET, Judgement, RequirementRule, ResponseCounts, UnitFacts

TWO_HOURS = datetime.timedelta(hours=2)


def outcome(
    *,
    deadline: datetime.datetime,
    first_response_at: datetime.datetime | None,
    delay_notified_at: datetime.datetime | None,
    now: datetime.datetime,
) -> str:
    """The case's outcome at `now`. Responses and notices stamped after `now` had not happened yet."""
    response = first_response_at if first_response_at is not None and first_response_at <= now else None
    notice = delay_notified_at if delay_notified_at is not None and delay_notified_at <= now else None
    if response is not None:
        if response <= deadline:
            return "in_time"
        if notice is not None and notice <= deadline:
            return "late_notified"
        return "late"
    return "overdue" if now > deadline else "pending"


def add_case(
    counts: ResponseCounts,
    *,
    received_at,
    deadline,
    first_response_at,
    delay_notified_at,
    now,
    two_hours=TWO_HOURS,
) -> str:
    """Count one case into `counts`; returns its outcome. `two_hours` is the stretch indicator's window:
    `stretch_hours` of the version in force on the receipt date (2 hours by default; the name stays).

    The instants may be datetimes or plain numbers on one scale (e.g. epoch microseconds, which the loader
    reads on PostgreSQL because they load far faster); `two_hours` must then be on the same scale."""
    result = outcome(
        deadline=deadline, first_response_at=first_response_at, delay_notified_at=delay_notified_at, now=now
    )
    setattr(counts, result, getattr(counts, result) + 1)
    if result in ("in_time", "late_notified", "late") and first_response_at - received_at <= two_hours:
        counts.within_2h += 1
    return result


def evaluation_month(as_of: datetime.date) -> str:
    """The latest calendar month that ended on or before the as-of date (its end, 24:00)."""
    if (as_of + datetime.timedelta(days=1)).month != as_of.month:
        return f"{as_of.year:04d}-{as_of.month:02d}"
    first = as_of.replace(day=1) - datetime.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """First day of the month and first day of the next."""
    year, number = map(int, month.split("-"))
    start = datetime.date(year, number, 1)
    end = datetime.date(year + number // 12, number % 12 + 1, 1)
    return start, end


def judge_response_time(counts: ResponseCounts, threshold: float | Decimal | str) -> Judgement:
    month = month_name(counts.month)
    if counts.assessed == 0:
        return Judgement(NO_DATA, f"Inga bedömda ärenden i {month}")
    limit = Fraction(Decimal(str(threshold)))
    share = Fraction(counts.in_time, counts.assessed)
    status = MET if share >= limit else NOT_MET
    extra = []
    if counts.late_notified:
        extra.append(f"{counts.late_notified} sena med besked i tid")
    if counts.late:
        extra.append(f"{counts.late} sena utan besked")
    if counts.overdue:
        extra.append(f"{counts.overdue} obesvarade efter fristen")
    detail = f" ({', '.join(extra)})" if extra else ""
    return Judgement(
        status,
        f"{counts.in_time} av {counts.assessed} bedömda ärenden ({pct(share)}) "
        f"besvarades i tid i {month}{detail}"
        f" — minst {pct(limit)} krävs",
        float(share),
    )


def month_counts(facts: UnitFacts, as_of: datetime.date) -> ResponseCounts:
    """The unit's outcomes in the evaluation month (none counted: an empty month)."""
    return facts.response or ResponseCounts(evaluation_month(as_of))


def response_time(facts: UnitFacts, rule: RequirementRule, _rulebook, as_of: datetime.date) -> Judgement:
    """The `response_time` kind: in the evaluation month, in_time / assessed ≥ threshold."""
    return judge_response_time(month_counts(facts, as_of), rule.parameters["threshold"])
