"""The dashboard's building blocks: how many of what it shows, the page's scope (the region, one
förvaltning or one vårdområde), the units the reader may see, and the dataclasses the page is made of."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q
from django.http import Http404

from compliance.engine.types import EXEMPT, MET, NO_DATA, NOT_APPLICABLE, STATUS_LABELS
from compliance.organisation import held_in, unit_held_id
from portal.as_of import AsOf
from servicelevel.models import Decision, Requirement
from units.models import CareUnit, Forvaltning, Vardomrade
from units.permissions import sees_everything, visible_areas, visible_forvaltningar, visible_units

MONTHS_SHOWN = 12  # response time and local administrators: the last twelve months
PERIODS_SHOWN = 6  # trends: the latest six schedule periods
EXEMPTIONS_LISTED = 100  # on the page; more are counted, not listed
# The requirements the dashboard draws beyond the heatmap are found by their kind, never their code
# (servicelevel/kinds.py): the local administrators over time are the stored values of the version's
# `local_admin_wide_mandate` requirement (the number of local administrators at the unit), the trends
# per period its `share_trend` requirements, the response-time chart's reference line its
# `response_time` requirement's threshold.
LOCAL_ADMINS_KIND = "local_admin_wide_mandate"
TREND_KIND = "share_trend"
RESPONSE_KIND = "response_time"
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

    def listed(self) -> Q:
        """A filter on the unit list's rows (`portal.units.selectors.unit_rows`) that belonged in the scope
        on the list's date (their `then_…` organisation)."""
        return Q(**{f"then_{name}_id": pk for name, pk in self.params.items()})

    def kept(self, result: str = "") -> Q:
        """A filter on the stored results reached by `result` ("" on UnitResult, "unit_result__" on
        RequirementResult) kept in the scope: where their unit belonged on their date
        (compliance/organisation.py), not where it is now."""
        unit = f"{result}unit__"
        if self.vardomrade is not None:
            return held_in("vardomrade", self.vardomrade.pk, result=result, unit=unit)
        if self.forvaltning is not None:
            return held_in("forvaltning", self.forvaltning.pk, result=result, unit=unit)
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
    area_ids: tuple[int, ...] = ()  # the vårdområden of those units now (the scopes the user may open)

    @classmethod
    def of(cls, user) -> Visible:
        if sees_everything(user):
            return cls(None)
        rows = list(visible_units(user).values_list("id", "forvaltning_id", "vardomrade_id"))
        return cls(
            tuple(r[0] for r in rows),
            tuple(sorted({r[1] for r in rows})),
            tuple(sorted({r[2] for r in rows})),
        )

    def opens(self, level: str, key: int) -> bool:
        """Whether the user may open a heatmap row's förvaltning or vårdområde (scope_for): every one for a
        region-wide reader; else those of their units now. A row the shown date's results kept for one of
        their units elsewhere (it moved since) is shown, not linked."""
        if self.ids is None or level == "vardomrade":
            return True
        return key in (self.forvaltning_ids if level == "region" else self.area_ids)


def seen_on(visible: Visible, scope: Scope, day: datetime.date, path: str) -> Q:
    """The user's visible units that belonged in the scope on `day` — where their stored result of that
    day kept them; their own organisation without one — as a filter on the unit reached by `path`: the
    facts that are no stored result (exemptions, booking figures) count where the results of the shown
    date do."""
    q = Q()
    if scope.level != "region":
        name, pk = next(iter(scope.params.items()))
        kept = CareUnit.objects.alias(then=unit_held_id(name, day)).filter(then=pk).values("id")
        q &= Q(**{f"{path}id__in": kept})
    if visible.ids is not None:
        q &= Q(**{f"{path}id__in": visible.ids})
    return q


def seen_results(visible: Visible, scope: Scope, result: str = "") -> Q:
    """Stored results of the user's visible units (who may see a unit is decided on the unit as it is now)
    kept inside the scope (where the unit belonged on the result's date), as a filter on the results
    reached by `result`."""
    q = scope.kept(result)
    if visible.ids is not None:
        q &= Q(**{f"{result}unit_id__in": visible.ids})
    return q


# ------------------------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class LevelCount:
    level: int | None  # None: no level (the laddered requirements do not apply, or one of level 1 lacks data)
    without_exemptions: int
    with_exemptions: int

    @property
    def total(self) -> int:
        return self.without_exemptions + self.with_exemptions


def ladder_levels(requirements: list[Requirement]) -> tuple[int | None, ...]:
    """The levels a unit can have under a version with a ladder: 0 (level 1 not reached), 1 … its top
    level, and None (no level); Skåne's (0, 1, 2, 3, None)."""
    top = max((r.level for r in requirements if r.level), default=0)
    return (*range(top + 1), None)


def level_counts(
    counts: dict[tuple[int | None, bool], int], levels: tuple[int | None, ...]
) -> list[LevelCount]:
    return [LevelCount(lv, counts.get((lv, False), 0), counts.get((lv, True), 0)) for lv in levels]


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
    opens: bool = True  # the user may open the row's scope (Visible.opens): its links are shown

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
    """Local administrators at the end of a calendar month: the sum of the local-administrator
    requirement's stored value (the number at each unit; a person at three units counts three times) on
    the month's latest stored date."""

    month: str
    as_of: datetime.date | None
    total: int | None
    units: int = 0
    not_met: int = 0  # units where it is not met (a local administrator without a wider mandate)


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
class Trend:
    """One share the version's decision wants to rise: a `share_trend` requirement's numerator and
    denominator (booking figure names, servicelevel/kinds.py)."""

    code: str
    name: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class PeriodTrend:
    """The region's (or scope's) figures in one schedule period, summed over its units: a share is the
    sum of parts / the sum of wholes."""

    code: str
    start_date: datetime.date
    end_date: datetime.date
    units: int = 0
    sums: dict[str, int] = field(default_factory=dict)  # figure name → its sum over the units

    def __getitem__(self, figure: str) -> int:
        return self.sums.get(figure, 0)

    def share(self, trend: Trend) -> Fraction | None:
        whole = self[trend.denominator]
        return Fraction(self[trend.numerator], whole) if whole else None


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
    # The response-time requirement's parameters (the kind's defaults when the version has none: then
    # response times are shown as information only, with no threshold).
    response: Requirement | None = None
    response_parameters: dict = field(default_factory=dict)
    threshold: float | None = None  # its threshold, for the response-time chart's reference line
    trends: list[Trend] = field(default_factory=list)  # the version's share_trend requirements, in order
    levels_shown: tuple[int | None, ...] = ()  # the ladder's levels; () when the version has no ladder
    results_version: int | None = None  # the newest stored result's id: the cache key's version

    @property
    def has_ladder(self) -> bool:
        return bool(self.decision and self.decision.ladder)

    def of_kind(self, kind: str) -> Requirement | None:
        """The version's first requirement of a kind (None: it has none)."""
        return next((r for r in self.requirements if r.kind == kind), None)

    @property
    def row_kind(self) -> str:
        """What the heatmap's rows are: förvaltningar, vårdområden or units."""
        return {"region": "forvaltning", "forvaltning": "vardomrade", "vardomrade": "unit"}[self.scope.level]
