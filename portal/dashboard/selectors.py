"""The region dashboard (`/`): the stored results of one as-of date, aggregated in the database.

Everything is read for `AsOf.shown` (and, for the trends, for earlier stored dates) and limited to the
units the user may see (`units.permissions.visible_units`), inside the page's scope (the region, one
förvaltning or one vårdområde). Nothing here judges: the engine's stored statuses, levels and
response-time figures are counted and summed with GROUP BY, never per unit in Python.

Queries, whatever the number of units (docs/dashboard.md lists them; the tests count them):
decision in force, its requirements, the trend dates (one query, scalar subqueries on the (decision,
as_of) index), levels, statuses per row × requirement, response time per month, local administrators
per month, exemptions ending, imports per kind, schedule periods, booking sums per period; for a user
who sees only some units, one more: their förvaltningar's levels as plain numbers. For a region-wide
user the figures read from the results alone are cached until results are stored again (one query, the
newest result's id, says whether they were).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, FloatField, IntegerField, Max, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Round
from django.http import Http404

from compliance.calendar import end_of_day
from compliance.engine.response_time import evaluation_month, month_bounds
from compliance.engine.types import EXEMPT, MET, NO_DATA, NOT_APPLICABLE, NOT_MET, STATUS_LABELS
from compliance.models import RequirementResult, UnitResult
from exemptions.models import Exemption
from exemptions.rules import ACTIVE_STATUSES, is_active
from portal.as_of import AsOf
from portal.units.selectors import decision_for, requirements_of
from servicelevel.importing import registry
from servicelevel.models import AuditEntry, Decision, Requirement, SchedulePeriod
from units.models import BookingFigures, Forvaltning, Vardomrade
from units.permissions import sees_everything, visible_areas, visible_forvaltningar, visible_units

MONTHS_SHOWN = 12  # response time and local administrators: the last twelve months
PERIODS_SHOWN = 6  # trends: the latest six schedule periods
EXEMPTION_DAYS = 30  # exemptions ending within this many days of the shown date
EXEMPTIONS_LISTED = 100  # on the page; more are counted, not listed
AR1 = "AR1-LOKAL-ADMIN"  # its stored value is the number of local administrators at the unit
STATUSES = tuple(STATUS_LABELS)  # met, not_met, exempt, not_applicable, no_data

# ------------------------------------------------------------------------------------------------ scope


@dataclass(frozen=True)
class Scope:
    """What the page covers: the region (both None), a förvaltning, or a vårdområde (with its
    förvaltning). Always inside what the user may see: a scope the user may not see is a 404."""

    forvaltning: Forvaltning | None = None
    vardomrade: Vardomrade | None = None

    @property
    def level(self) -> str:
        if self.vardomrade is not None:
            return "vardomrade"
        return "forvaltning" if self.forvaltning is not None else "region"

    @property
    def params(self) -> dict[str, int]:
        """The scope as the unit list's filter parameters (docs/dashboard.md)."""
        if self.vardomrade is not None:
            return {"vardomrade": self.vardomrade.pk}
        if self.forvaltning is not None:
            return {"forvaltning": self.forvaltning.pk}
        return {}

    def units(self, path: str) -> Q:
        """A filter on the unit reached by `path` (e.g. "unit__", "unit_result__unit__")."""
        if self.vardomrade is not None:
            return Q(**{f"{path}vardomrade_id": self.vardomrade.pk})
        if self.forvaltning is not None:
            return Q(**{f"{path}forvaltning_id": self.forvaltning.pk})
        return Q()


def scope_for(user, *, forvaltning: str = "", vardomrade: str = "") -> Scope:
    """The scope from `?forvaltning=` / `?vardomrade=` (a vårdområde wins: it names its förvaltning too).
    One query when a scope is asked for; 404 for an id that is no number or that the user may not see
    (a unit manager learns nothing, not even a name, of another förvaltning)."""
    if vardomrade:
        area = _visible_by_id(visible_areas(user).select_related("forvaltning"), vardomrade)
        return Scope(forvaltning=area.forvaltning, vardomrade=area)
    if forvaltning:
        return Scope(forvaltning=_visible_by_id(visible_forvaltningar(user), forvaltning))
    return Scope()


def _visible_by_id(queryset, text: str):
    if not text.isdigit():
        raise Http404("Ingen sådan förvaltning eller vårdområde.")
    found = queryset.filter(pk=int(text)).first()
    if found is None:
        raise Http404("Förvaltningen eller vårdområdet finns inte eller så saknar du behörighet.")
    return found


@dataclass(frozen=True)
class Visible:
    """The units the user may see: every unit (`ids` None), or these — read once per page, so each query
    filters on a plain list the planner can count (a subquery of OR-ed grants reads as "most units")."""

    ids: tuple[int, ...] | None
    forvaltning_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, user) -> Visible:
        if sees_everything(user):
            return cls(None)
        rows = list(visible_units(user).values_list("id", "forvaltning_id"))
        return cls(tuple(r[0] for r in rows), tuple(sorted({r[1] for r in rows})))


def _seen(visible: Visible, scope: Scope, path: str) -> Q:
    """The user's visible units inside the scope, as a filter on the unit reached by `path`."""
    q = scope.units(path)
    if visible.ids is not None:
        q &= Q(**{f"{path}id__in": visible.ids})
    return q


# ------------------------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class LevelCount:
    level: int | None  # None: no level (the TB requirements do not apply, or TB1 has no data)
    without_exemptions: int
    with_exemptions: int

    @property
    def total(self) -> int:
        return self.without_exemptions + self.with_exemptions


LEVELS = (0, 1, 2, 3, None)


def _levels(counts: dict[tuple[int | None, bool], int]) -> list[LevelCount]:
    return [LevelCount(lv, counts.get((lv, False), 0), counts.get((lv, True), 0)) for lv in LEVELS]


@dataclass
class StatusCounts:
    """How many units have each status on one requirement."""

    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, status: str) -> int:
        return self.counts.get(status, 0)

    def add(self, status: str, number: int) -> None:
        self.counts[status] = self.counts.get(status, 0) + number

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def met(self) -> int:
        return self[MET]

    @property
    def exempt(self) -> int:
        return self[EXEMPT]

    @property
    def no_data(self) -> int:
        return self[NO_DATA]

    @property
    def judged(self) -> int:
        """Units the requirement applies to: every status but `not_applicable`. The share met is
        met / judged; an exemption or missing data is not met."""
        return self.total - self[NOT_APPLICABLE]


@dataclass
class HeatRow:
    """One row of the heatmap: a förvaltning, a vårdområde or a unit, with its statuses per requirement."""

    key: int
    label: str
    hsa_id: str = ""  # unit rows only
    cells: dict[int, StatusCounts] = field(default_factory=lambda: defaultdict(StatusCounts))

    @property
    def units(self) -> int:
        return max((c.total for c in self.cells.values()), default=0)


@dataclass(frozen=True)
class ResponseMonth:
    """The response-time figures of one evaluation month, summed over units, from the latest stored date
    that judged that month (its figures are the most complete: later answers counted)."""

    month: str
    as_of: datetime.date | None  # None: no stored date judged this month
    assessed: int = 0
    in_time: int = 0
    answered: int = 0
    within_2h: int = 0
    units: int = 0

    @property
    def share_in_time(self) -> Fraction | None:
        return Fraction(self.in_time, self.assessed) if self.assessed else None

    @property
    def share_within_2h(self) -> Fraction | None:
        return Fraction(self.within_2h, self.answered) if self.answered else None


@dataclass(frozen=True)
class AdminsMonth:
    """Local administrators at the end of a calendar month: the sum of AR1's stored value (the number at
    each unit; a person at three units counts three times) on the month's latest stored date."""

    month: str
    as_of: datetime.date | None
    total: int | None
    units: int = 0
    not_met: int = 0  # units where AR1 is not met (a local administrator without a wider mandate)


@dataclass(frozen=True)
class ExemptionEnding:
    exemption_id: str
    hsa_id: str
    unit_name: str
    requirement_code: str
    requirement_name: str
    valid_until: datetime.date
    days_left: int


@dataclass(frozen=True)
class Import:
    kind: str
    latest: datetime.datetime | None


@dataclass(frozen=True)
class PeriodTrend:
    """The region's (or scope's) shares in one schedule period: sum of parts / sum of wholes."""

    code: str
    start_date: datetime.date
    end_date: datetime.date
    units: int = 0
    booked_total: int = 0
    booked_reschedulable: int = 0
    slots_total: int = 0
    slots_open_invitation: int = 0
    slots_citizen_bookable: int = 0

    @property
    def reschedulable(self) -> Fraction | None:
        return Fraction(self.booked_reschedulable, self.booked_total) if self.booked_total else None

    @property
    def open_invitation(self) -> Fraction | None:
        return Fraction(self.slots_open_invitation, self.slots_total) if self.slots_total else None

    @property
    def citizen_bookable(self) -> Fraction | None:
        return Fraction(self.slots_citizen_bookable, self.slots_total) if self.slots_total else None


@dataclass(frozen=True)
class Comparison:
    """A förvaltning's levels over all its units, as numbers only (for a user who sees some of them)."""

    name: str
    levels: list[LevelCount]

    @property
    def units(self) -> int:
        return sum(lv.total for lv in self.levels)


@dataclass
class Dashboard:
    as_of: AsOf
    scope: Scope
    region_wide: bool  # the user sees every unit
    decision: Decision | None = None
    requirements: list[Requirement] = field(default_factory=list)
    units: int = 0  # units with a stored result on the shown date, in scope
    computed_at: datetime.datetime | None = None  # the latest of those results' computation
    levels: list[LevelCount] = field(default_factory=list)
    rows: list[HeatRow] = field(default_factory=list)
    totals: dict[int, StatusCounts] = field(default_factory=dict)  # requirement id → counts in scope
    months: list[ResponseMonth] = field(default_factory=list)
    admins: list[AdminsMonth] = field(default_factory=list)
    exemptions: list[ExemptionEnding] = field(default_factory=list)
    exemptions_more: bool = False  # more than EXEMPTIONS_LISTED end in the window
    imports: list[Import] = field(default_factory=list)
    periods: list[PeriodTrend] = field(default_factory=list)
    comparison: list[Comparison] = field(default_factory=list)
    threshold: float | None = None  # SV1's threshold, for the response-time chart's reference line
    results_version: int | None = None  # the newest stored result's id: the cache key's version

    @property
    def row_kind(self) -> str:
        """What the heatmap's rows are: förvaltningar, vårdområden or units."""
        return {"region": "forvaltning", "forvaltning": "vardomrade", "vardomrade": "unit"}[self.scope.level]


def dashboard(user, as_of: AsOf, scope: Scope) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries (see the module's docstring)."""
    visible = Visible.of(user)
    board = Dashboard(as_of=as_of, scope=scope, region_wide=visible.ids is None)
    day = as_of.shown
    if day is None:
        return board
    board.decision = decision = decision_for(day)
    board.requirements = requirements_of(decision)
    by_code = {r.code: r for r in board.requirements}
    if "SV1-SVARSTID" in by_code:
        board.threshold = by_code["SV1-SVARSTID"].parameters.get("threshold")
    figures = _cached_figures(board) if board.region_wide else None
    if figures is None:
        figures = _result_figures(board, visible, by_code.get(AR1))
        if board.region_wide:
            cache.set(_figures_key(board), figures, CACHE_SECONDS)
    for name, value in figures.items():
        setattr(board, name, value)
    board.exemptions, board.exemptions_more = _exemptions_ending(visible, scope, day)
    board.imports = _imports(as_of.requested)
    board.periods = _periods(visible, scope, day)
    if not board.region_wide:
        board.comparison = _comparison(visible, scope, decision, day)
    return board


# ------------------------------------------------------------------------------------------ the results

# What is read from the stored results alone (levels, statuses, the trends): the same for every region-wide
# user, and unchanged until results are stored again. Kept in Django's cache, keyed by the newest stored
# result's id: storing results (for any date) deletes and inserts rows, so the newest id changes and the
# next page reads afresh. CACHE_SECONDS bounds what could otherwise outlive a change that inserts nothing
# (a unit deleted with its results). Users who see only some units always read afresh (their rights may
# change at any time, and their reads are over few units).
CACHE_SECONDS = 600
RESULT_FIGURES = ("levels", "units", "computed_at", "rows", "totals", "months", "admins")


def _figures_key(board: Dashboard) -> str:
    return (
        f"portal:dashboard:{board.decision.pk}:{board.as_of.shown.isoformat()}:{board.scope.level}:"
        f"{next(iter(board.scope.params.values()), '')}:{board.results_version}"
    )


def _cached_figures(board: Dashboard) -> dict | None:
    """The cached figures for this page, if results were not stored since (one query: the newest id)."""
    board.results_version = UnitResult.objects.aggregate(newest=Max("id"))["newest"]
    return cache.get(_figures_key(board))


def _result_figures(board: Dashboard, visible: Visible, ar1: Requirement | None) -> dict:
    day, decision, scope = board.as_of.shown, board.decision, board.scope
    month_dates, month_ends = _trend_dates(decision, day)
    _read_levels(board, visible, day)
    _read_statuses(board, visible, day)
    board.months = _response_months(visible, scope, decision, month_dates)
    board.admins = _local_admins(visible, scope, decision, month_ends, ar1)
    return {name: getattr(board, name) for name in RESULT_FIGURES}


# ------------------------------------------------------------------------------------- the shown date


def _read_levels(board: Dashboard, visible: Visible, day: datetime.date) -> None:
    """Units per (level, with exemptions): one GROUP BY over the shown date's unit results."""
    rows = (
        UnitResult.objects.filter(as_of=day, decision=board.decision)
        .filter(_seen(visible, board.scope, "unit__"))
        .values("booking_level", "booking_level_with_exemptions")
        .annotate(n=Count("id"), computed=Max("computed_at"))
        .order_by()
    )
    counts, computed = {}, []
    for row in rows:
        key = (row["booking_level"], bool(row["booking_level_with_exemptions"]))
        counts[key] = counts.get(key, 0) + row["n"]
        computed.append(row["computed"])
    board.levels = _levels(counts)
    board.units = sum(counts.values())
    board.computed_at = max(computed, default=None)


ROW_FIELDS = {
    # scope level → (row key, row label[, HSA-id]) on RequirementResult
    "region": ("unit_result__unit__forvaltning_id", "unit_result__unit__forvaltning__name"),
    "forvaltning": ("unit_result__unit__vardomrade_id", "unit_result__unit__vardomrade__name"),
    "vardomrade": ("unit_result__unit_id", "unit_result__unit__name", "unit_result__unit__hsa_id"),
}


def _read_statuses(board: Dashboard, visible: Visible, day: datetime.date) -> None:
    """Statuses counted per (row, requirement, status) in one GROUP BY over the shown date's requirement
    results (at most rows × requirements × 5 groups); the scope's totals per requirement are their sums."""
    fields = ROW_FIELDS[board.scope.level]
    rows = (
        RequirementResult.objects.filter(unit_result__as_of=day, unit_result__decision=board.decision)
        .filter(_seen(visible, board.scope, "unit_result__unit__"))
        .values(*fields, "requirement_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    heat: dict[int, HeatRow] = {}
    totals: dict[int, StatusCounts] = defaultdict(StatusCounts)
    for row in rows:
        key = row[fields[0]]
        if key not in heat:
            heat[key] = HeatRow(key, row[fields[1]], row[fields[2]] if len(fields) > 2 else "")
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
            .filter(_seen(visible, scope, "unit__"))
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


def _local_admins(visible, scope, decision, dates, ar1: Requirement | None) -> list[AdminsMonth]:
    """AR1's stored value summed per month-end date (one GROUP BY over those dates' AR1 results)."""
    wanted = [d for d in dates.values() if d is not None]
    sums = {}
    if ar1 is not None and wanted:
        sums = {
            row["unit_result__as_of"]: row
            for row in RequirementResult.objects.filter(
                requirement_id=ar1.id, unit_result__as_of__in=wanted, unit_result__decision=decision
            )
            .filter(_seen(visible, scope, "unit_result__unit__"))
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


# ------------------------------------------------------------------------------- exemptions and imports


def _exemptions_ending(visible, scope, day: datetime.date) -> tuple[list[ExemptionEnding], bool]:
    """Exemptions active on `day` (exemptions.rules.is_active) whose last day is within 30 days of it,
    soonest first. One query; the few candidates are checked against the rule in Python."""
    last = day + datetime.timedelta(days=EXEMPTION_DAYS)
    candidates = (
        Exemption.objects.covering(day)
        .filter(valid_until__lte=last, status__in=[*ACTIVE_STATUSES, Exemption.Status.REVOKED])
        .filter(_seen(visible, scope, "unit__"))
        .select_related("unit", "requirement")
        .order_by("valid_until", "unit__hsa_id", "exemption_id")
    )
    listed = []
    for e in candidates[: EXEMPTIONS_LISTED + 1]:
        if is_active(
            status=e.status, valid_from=e.valid_from, valid_until=e.valid_until, ended_on=e.ended_on, day=day
        ):
            listed.append(
                ExemptionEnding(
                    e.exemption_id,
                    e.unit.hsa_id,
                    e.unit.name,
                    e.requirement.code,
                    e.requirement.name,
                    e.valid_until,
                    (e.valid_until - day).days,
                )
            )
    return listed[:EXEMPTIONS_LISTED], len(listed) > EXEMPTIONS_LISTED


def _imports(day: datetime.date) -> list[Import]:
    """The latest import of each kind up to the end of `day` — the date asked for, so today's page shows
    an import newer than its stored results too (the audit trail's import entries). Imports are
    region-wide files: the kind and the time say nothing about any one unit."""
    latest = dict(
        AuditEntry.objects.filter(action="import", at__lt=end_of_day(day))
        .values("object_type")
        .annotate(latest=Max("at"))
        .order_by()
        .values_list("object_type", "latest")
    )
    kinds = [*registry.KINDS, *sorted(set(latest) - set(registry.KINDS))]
    return [Import(kind, latest.get(kind)) for kind in kinds]


# -------------------------------------------------------------------------------------------- periods


def _periods(visible, scope, day: datetime.date) -> list[PeriodTrend]:
    """The latest six schedule periods begun by `day`, oldest first, with the booking figures summed over
    the scope's units: two queries (the periods; one GROUP BY period over their figures)."""
    periods = list(SchedulePeriod.objects.filter(start_date__lte=day).order_by("-start_date")[:PERIODS_SHOWN])
    sums = (
        {
            row["period_id"]: row
            for row in BookingFigures.objects.filter(period__in=[p.id for p in periods])
            .filter(_seen(visible, scope, "unit__"))
            .values("period_id")
            .annotate(
                units=Count("id"),
                booked_total=Sum("booked_total"),
                booked_reschedulable=Sum("booked_reschedulable"),
                slots_total=Sum("slots_total"),
                slots_open_invitation=Sum("slots_open_invitation"),
                slots_citizen_bookable=Sum("slots_citizen_bookable"),
            )
            .order_by()
        }
        if periods
        else {}
    )
    out = []
    for p in reversed(periods):
        row = sums.get(p.id, {})
        out.append(
            PeriodTrend(
                p.code,
                p.start_date,
                p.end_date,
                **{
                    k: row.get(k) or 0
                    for k in (
                        "units",
                        "booked_total",
                        "booked_reschedulable",
                        "slots_total",
                        "slots_open_invitation",
                        "slots_citizen_bookable",
                    )
                },
            )
        )
    return out


# ---------------------------------------------------------------------------------------- comparison


def _comparison(visible, scope, decision, day: datetime.date) -> list[Comparison]:
    """For a user who sees only some units: the levels of every unit in their förvaltningar (the scope's
    förvaltning when one is chosen), as counts per förvaltning — numbers only, never a unit's name."""
    if scope.forvaltning is not None:
        where = Q(unit__forvaltning_id=scope.forvaltning.pk)
    else:
        where = Q(unit__forvaltning_id__in=visible.forvaltning_ids)
    rows = (
        UnitResult.objects.filter(where, as_of=day, decision=decision)
        .values("unit__forvaltning__name", "booking_level", "booking_level_with_exemptions")
        .annotate(n=Count("id"))
        .order_by()
    )
    per: dict[str, dict] = defaultdict(dict)
    for row in rows:
        key = (row["booking_level"], bool(row["booking_level_with_exemptions"]))
        counts = per[row["unit__forvaltning__name"]]
        counts[key] = counts.get(key, 0) + row["n"]
    return [Comparison(name, _levels(per[name])) for name in sorted(per, key=str.casefold)]
