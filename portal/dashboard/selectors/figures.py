"""What the dashboard reads from the stored results alone — levels, statuses per row and requirement,
response time and local administrators per month — cached for region-wide readers until results are
stored again."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FloatField, IntegerField, Max, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Round

from compliance.engine.response_time import evaluation_month, month_bounds
from compliance.engine.types import NOT_MET
from compliance.models import RequirementResult, UnitResult
from compliance.organisation import held_id, held_name
from servicelevel.models import Decision, Requirement

from .board import (
    MONTHS_SHOWN,
    AdminsMonth,
    Dashboard,
    HeatRow,
    ResponseMonth,
    StatusCounts,
    Visible,
    level_counts,
    seen_results,
)

# ------------------------------------------------------------------------------------------ the results

# What is read from the stored results alone (levels, statuses, the trends): the same for every region-wide
# user, and unchanged until results are stored again. Kept in Django's cache, keyed by the newest stored
# result's id: storing results (for any date) deletes and inserts rows, so the newest id changes and the
# next page reads afresh. CACHE_SECONDS bounds what could otherwise outlive a change that inserts nothing
# (a unit deleted with its results). Users who see only some units always read afresh (their rights may
# change at any time, and their reads are over few units).
CACHE_SECONDS = 600
RESULT_FIGURES = ("levels", "units", "computed_at", "rows", "totals", "months", "admins")


def figures_key(board: Dashboard) -> str:
    return (
        f"portal:dashboard:{board.decision.pk}:{board.as_of.shown.isoformat()}:{board.scope.level}:"
        f"{next(iter(board.scope.params.values()), '')}:{board.results_version}"
    )


def cached_figures(board: Dashboard) -> dict | None:
    """The cached figures for this page, if results were not stored since (one query: the newest id)."""
    board.results_version = UnitResult.objects.aggregate(newest=Max("id"))["newest"]
    return cache.get(figures_key(board))


def result_figures(board: Dashboard, visible: Visible, local_admins: Requirement | None) -> dict:
    day, decision, scope = board.as_of.shown, board.decision, board.scope
    month_dates, month_ends = _trend_dates(decision, day)
    _read_levels(board, visible, day)
    _read_statuses(board, visible, day)
    board.months = _response_months(visible, scope, decision, month_dates)
    board.admins = _local_admins(visible, scope, decision, month_ends, local_admins)
    return {name: getattr(board, name) for name in RESULT_FIGURES}


# ------------------------------------------------------------------------------------- the shown date


def _read_levels(board: Dashboard, visible: Visible, day: datetime.date) -> None:
    """Units per (level, with exemptions): one GROUP BY over the shown date's unit results."""
    rows = (
        UnitResult.objects.filter(as_of=day, decision=board.decision)
        .filter(seen_results(visible, board.scope))
        .values("booking_level", "booking_level_with_exemptions")
        .annotate(n=Count("id"), computed=Max("computed_at"))
        .order_by()
    )
    counts, computed = {}, []
    for row in rows:
        key = (row["booking_level"], bool(row["booking_level_with_exemptions"]))
        counts[key] = counts.get(key, 0) + row["n"]
        computed.append(row["computed"])
    # A version without a ladder has no levels to count (every stored level is None), only units.
    board.levels = level_counts(counts, board.levels_shown) if board.levels_shown else []
    board.units = sum(counts.values())
    board.computed_at = max(computed, default=None)


def _kept(name: str) -> dict:
    """A row's key and label: the förvaltning or vårdområde the result kept (where its unit belonged on
    the date), on RequirementResult."""
    paths = {"result": "unit_result__", "unit": "unit_result__unit__"}
    return {"row_key": held_id(name, **paths), "row_label": held_name(name, **paths)}


def _row_fields(level: str) -> dict:
    """scope level → the row's key, label (and HSA-id, for unit rows) on RequirementResult."""
    if level == "region":
        return _kept("forvaltning")
    if level == "forvaltning":
        return _kept("vardomrade")
    return {
        "row_key": F("unit_result__unit_id"),
        "row_label": F("unit_result__unit__name"),
        "row_hsa_id": F("unit_result__unit__hsa_id"),
    }


def _read_statuses(board: Dashboard, visible: Visible, day: datetime.date) -> None:
    """Statuses counted per (row, requirement, status) in one GROUP BY over the shown date's requirement
    results (at most rows × requirements × 5 groups); the scope's totals per requirement are their sums."""
    rows = (
        RequirementResult.objects.filter(unit_result__as_of=day, unit_result__decision=board.decision)
        .filter(seen_results(visible, board.scope, "unit_result__"))
        .values("requirement_id", "status", **_row_fields(board.scope.level))
        .annotate(n=Count("id"))
        .order_by()
    )
    heat: dict[int, HeatRow] = {}
    totals: dict[int, StatusCounts] = defaultdict(StatusCounts)
    for row in rows:
        key = row["row_key"]
        if key not in heat:
            heat[key] = HeatRow(
                key,
                row["row_label"],
                row.get("row_hsa_id", ""),
                opens=visible.opens(board.scope.level, key),
            )
        heat[key].cells[row["requirement_id"]].add(row["status"], row["n"])
        totals[row["requirement_id"]].add(row["status"], row["n"])
    for row in heat.values():
        row.cells = dict(row.cells)  # a plain dict from here on (the cache pickles it)
    board.rows = sorted(heat.values(), key=lambda r: (r.label.casefold(), r.hsa_id))
    board.totals = dict(totals)


# --------------------------------------------------------------------------------------------- trends


def last_months(day: datetime.date, count: int) -> list[str]:
    """`count` calendar months ending with the month of `day`, oldest first ("2026-10")."""
    year, month = day.year, day.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _judging_window(month: str) -> tuple[datetime.date, datetime.date]:
    """The as-of dates whose evaluation month is `month`, by the engine's own rule (evaluation_month):
    some days from the month's last day to the next month's last day, tried one by one."""
    start, _ = month_bounds(month)
    candidates = [start + datetime.timedelta(days=d) for d in range(63)]
    judging = [d for d in candidates if evaluation_month(d) == month]
    return judging[0], judging[-1]


def _trend_dates(decision: Decision, day: datetime.date) -> tuple[dict[str, datetime.date | None], ...]:
    """For each of the last twelve evaluation months, the latest stored date (≤ `day`) that judged it; for
    each of the last twelve calendar months, its latest stored date (≤ `day`).

    One query of 24 scalar subqueries, each the newest `as_of` in a date range of the (decision, as_of)
    index — written as SQL because building 24 ORM subqueries cost more than running them."""
    eval_months = last_months(_month_date(evaluation_month(day)), MONTHS_SHOWN)
    calendar_months = last_months(day, MONTHS_SHOWN)
    meta = UnitResult._meta
    table = connection.ops.quote_name(meta.db_table)
    as_of, decision_id, month_column = (
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("as_of", "decision", "evaluation_month")
    )
    newest = f"(SELECT MAX({as_of}) FROM {table} WHERE {decision_id} = %s AND {as_of} BETWEEN %s AND %s"
    parts, params = [], []
    for month in eval_months:
        first, last = _judging_window(month)
        parts.append(f"{newest} AND {month_column} = %s)")
        params += [decision.pk, first, min(last, day), month]
    for month in calendar_months:
        first, following = month_bounds(month)
        parts.append(f"{newest})")
        params += [decision.pk, first, min(following - datetime.timedelta(days=1), day)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        found = [_as_date(value) for value in cursor.fetchone()]
    return (
        dict(zip(eval_months, found[:MONTHS_SHOWN], strict=True)),
        dict(zip(calendar_months, found[MONTHS_SHOWN:], strict=True)),
    )


def _as_date(value) -> datetime.date | None:
    """A date from a raw cursor: PostgreSQL gives a date, SQLite the ISO text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _month_date(month: str) -> datetime.date:
    return month_bounds(month)[0]


def _figure(key: str) -> Cast:
    """An integer from the stored response_time JSON."""
    return Cast(KT(f"response_time__{key}"), IntegerField())


def _response_months(visible, scope, decision, dates: dict[str, datetime.date | None]) -> list[ResponseMonth]:
    """The stored response-time figures summed per month over the scope's units (one GROUP BY as_of).

    The JSON stores outcome counts and `share_within_2h` (rounded to four decimals), not the count within
    two hours; that count is share × answered, rounded — exact while a unit answers fewer than 5,000 cases
    a month. A stored `within_2h` count, where present, is used as it is."""
    wanted = [d for d in dates.values() if d is not None]
    answered = _figure("in_time") + _figure("late_notified") + _figure("late")
    within_2h = Coalesce(
        Cast(KT("response_time__within_2h"), FloatField()),
        Round(Cast(KT("response_time__share_within_2h"), FloatField()) * answered),
        output_field=FloatField(),
    )
    sums = (
        {
            row["as_of"]: row
            for row in UnitResult.objects.filter(
                decision=decision, as_of__in=wanted, response_time__isnull=False
            )
            .filter(seen_results(visible, scope))
            .values("as_of")
            .annotate(
                assessed=Sum(_figure("assessed")),
                in_time=Sum(_figure("in_time")),
                answered=Sum(answered),
                within_2h=Sum(within_2h),
                units=Count("id"),
            )
            .order_by()
        }
        if wanted
        else {}
    )
    months = []
    for month, as_of in dates.items():
        row = sums.get(as_of)
        if row is None:
            months.append(ResponseMonth(month, as_of))
            continue
        months.append(
            ResponseMonth(
                month,
                as_of,
                assessed=row["assessed"] or 0,
                in_time=row["in_time"] or 0,
                answered=row["answered"] or 0,
                within_2h=round(row["within_2h"] or 0),
                units=row["units"],
            )
        )
    return months


def _local_admins(visible, scope, decision, dates, local_admins: Requirement | None) -> list[AdminsMonth]:
    """The local-administrator requirement's stored value summed per month-end date (one GROUP BY over
    those dates' results of it); no query when the version has no such requirement."""
    wanted = [d for d in dates.values() if d is not None]
    sums = {}
    if local_admins is not None and wanted:
        sums = {
            row["unit_result__as_of"]: row
            for row in RequirementResult.objects.filter(
                requirement_id=local_admins.id, unit_result__as_of__in=wanted, unit_result__decision=decision
            )
            .filter(seen_results(visible, scope, "unit_result__"))
            .values("unit_result__as_of")
            .annotate(total=Sum("value"), units=Count("id"), not_met=Count("id", filter=Q(status=NOT_MET)))
            .order_by()
        }
    out = []
    for month, as_of in dates.items():
        row = sums.get(as_of)
        total = round(row["total"] or 0) if row else None
        out.append(
            AdminsMonth(month, as_of, total, row["units"], row["not_met"])
            if row
            else AdminsMonth(month, as_of, None)
        )
    return out
