"""The unit page (/enheter/<hsa_id>/): everything it shows for one stored date, in a fixed set of queries.

Everything shown is the engine's stored judgement for one as-of date (`AsOf.shown`); nothing here judges.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from actionplan.models import Target
from compliance.engine.booking import ladder_levels, level_requirements, missing_for_level
from compliance.engine.text import month_name, number
from compliance.engine.types import EXEMPT, MET, NOT_APPLICABLE, STATUS_LABELS
from compliance.engine.values import value_text
from compliance.models import RequirementResult, UnitResult
from portal.presentation.values import share_text
from servicelevel.kinds import with_defaults
from servicelevel.models import Requirement, SchedulePeriod
from servicelevel.validity import today, valid_on
from units.models import AdminRole, CareUnit
from units.permissions import may_change_unit

from .cases import CASES_SHOWN, CaseLine, late_cases
from .shared import decision_for, level_label, requirements_of
from .unit_facts import ExemptionLine, OfferingLine, exemption_lines, offering_lines


@dataclass(frozen=True)
class RequirementLine:
    code: str
    name: str
    level: int | None
    status: str  # "" when nothing is stored for the date
    status_label: str
    value: str
    reason: str
    exemption_code: str
    exemption_unneeded: bool


@dataclass(frozen=True)
class RequirementSection:
    title: str
    lines: list[RequirementLine]


@dataclass(frozen=True)
class NextLevel:
    """What stands between the unit and the next booking level, from the stored statuses and the engine's
    own level definition (compliance.engine.booking: which requirements make each level, which statuses
    count toward it). Nothing is judged here."""

    reached: int | None  # the stored level (None: no level)
    next: int | None  # the level above; None at the top, or when the levels do not apply
    missing: list[RequirementLine]  # the next level's requirements whose status does not count toward it
    exempted: list[RequirementLine]  # requirements of the reached levels that count only by an exemption
    top: int = 3  # the ladder's highest level (the version's own: `_next_level` sets it)

    @property
    def applies(self) -> bool:
        """False when the unit has no level and nothing stands in the way of level 1: every booking
        requirement is not applicable (no contact card, or no bookable visits)."""
        return self.reached is not None or bool(self.missing)

    @property
    def at_top(self) -> bool:
        return self.reached is not None and self.reached >= self.top


@dataclass(frozen=True)
class PeriodLevel:
    code: str
    start_date: datetime.date
    end_date: datetime.date
    as_of: datetime.date | None  # the stored date the level is read from
    level: int | None
    level_text: str
    is_current: bool


@dataclass(frozen=True)
class MonthResponse:
    month: str
    label: str
    as_of: datetime.date  # the stored date the figures are read from
    assessed: int
    in_time: int
    late_notified: int
    late: int
    overdue: int
    pending: int
    share_in_time: float | None
    share_within_2h: float | None
    share_text: str
    share_within_2h_text: str


@dataclass(frozen=True)
class TargetLine:
    requirement_code: str
    requirement_name: str
    period: str
    share_text: str


@dataclass(frozen=True)
class UnitPage:
    unit: CareUnit
    day: datetime.date | None
    result: UnitResult | None
    level_text: str
    sections: list[RequirementSection]
    periods: list[PeriodLevel]
    months: list[MonthResponse]
    threshold: float | None  # the response-time requirement's share, for the chart's reference line
    threshold_text: str
    cases_month: str
    cases_month_label: str
    cases: list[CaseLine]
    cases_total: int
    offerings: list[OfferingLine]  # as they were on `facts_day`
    roles: list[AdminRole]  # the role holders on `facts_day`
    exemptions: list[ExemptionLine]
    targets: list[TargetLine]
    may_change: bool
    next_level: NextLevel | None = None  # None without a stored result, or without a ladder
    # The version has a ladder: the page shows the level, its history and the next level only then
    # (Halland's and Norrbotten's decisions have none).
    has_levels: bool = True
    stretch_hours: str = "2"  # "Besvarade inom 2 timmar": the response-time requirement's stretch_hours
    # The version has trend requirements, the only ones the action plan sets targets for.
    has_trends: bool = True
    # The date the offerings and role holders are read for (the stored date shown, or the date asked for
    # when nothing is stored): the versions valid then (docs/rules.md "Facts over time").
    facts_day: datetime.date | None = None

    @property
    def facts_past(self) -> bool:
        """The facts are those of an earlier day than today: the page says so."""
        return self.facts_day is not None and self.facts_day < today()

    @property
    def met_text(self) -> str:
        """ "5 av 7 uppfyllda": the summary's line where a version without a ladder has no level (not
        applicable ones not counted; exempt ones are shown as such in Kraven)."""
        statuses = [line.status for section in self.sections for line in section.lines if line.status]
        if not statuses:
            return "–"
        judged = [s for s in statuses if s != NOT_APPLICABLE]
        return f"{sum(1 for s in judged if s == MET)} av {len(judged)} uppfyllda"


def unit_page(
    user, unit: CareUnit, *, day: datetime.date | None, facts_day: datetime.date | None = None
) -> UnitPage:
    """Everything the unit page shows for the stored date `day`, in a fixed number of queries (one per
    part: result, requirements + their results, the unit's stored history, periods, offerings, roles,
    exemptions, targets, the right to change, and one streamed read of the month's cases). Offerings and
    role holders are those valid on `facts_day` (default: `day`, else today)."""
    facts_day = facts_day or day or today()
    result = (
        UnitResult.objects.select_related("decision").filter(unit=unit, as_of=day).order_by("-id").first()
        if day is not None
        else None
    )
    decision = result.decision if result else decision_for(day)
    requirements = requirements_of(decision)
    sections = _sections(requirements, result)
    response = next((r for r in requirements if r.kind == "response_time"), None)
    threshold = with_defaults(response.kind, response.parameters)["threshold"] if response else None
    # Without a response-time requirement the response times are information, counted by the defaults.
    stretch_hours = with_defaults("response_time", response.parameters if response else {})["stretch_hours"]
    has_levels = bool(decision and decision.ladder and level_requirements(requirements))

    history = _history(unit, day)
    periods = _period_levels(history, day, result)
    months = _months(history, day)

    cases_month = result.evaluation_month if result else ""
    cases, total = late_cases(unit, day=day, month=cases_month, limit=CASES_SHOWN) if result else ([], 0)

    has_trends = any(r.kind == "share_trend" for r in requirements)
    targets = []
    if result and result.current_period and has_trends:
        rows = Target.objects.filter(vardomrade_id=unit.vardomrade_id, period__code=result.current_period)
        targets = [
            TargetLine(t.requirement.code, t.requirement.name, t.period.code, share_text(t.target_share))
            for t in rows.select_related("requirement", "period").order_by("requirement__order")
        ]
    return UnitPage(
        unit=unit,
        day=day,
        result=result,
        level_text=level_label(result.booking_level, result.booking_level_with_exemptions) if result else "–",
        sections=sections,
        periods=periods,
        months=months,
        threshold=float(threshold) if threshold is not None else None,
        threshold_text=share_text(float(threshold)) if threshold is not None else "",
        cases_month=cases_month,
        cases_month_label=month_name(cases_month) if cases_month else "",
        cases=cases,
        cases_total=total,
        offerings=offering_lines(unit, facts_day),
        roles=list(
            AdminRole.versions.filter(valid_on(facts_day), unit=unit)
            .with_person_names()
            .order_by("role", "person_id")
        ),
        exemptions=exemption_lines(unit, day),
        targets=targets,
        may_change=may_change_unit(user, unit),
        next_level=_next_level(requirements, sections, result) if has_levels else None,
        has_levels=has_levels,
        stretch_hours=number(stretch_hours),
        has_trends=has_trends,
        facts_day=facts_day,
    )


def _next_level(requirements: list[Requirement], sections, result: UnitResult | None) -> NextLevel | None:
    """The requirements between the stored level and the next one (compliance.engine.booking's level
    definition, applied to the stored statuses), and those the reached level rests on by an exemption."""
    if result is None:
        return None
    levels = level_requirements(requirements)
    top = ladder_levels(levels)[-1]
    lines = {line.code: line for section in sections for line in section.lines}
    statuses = {code: line.status for code, line in lines.items()}
    reached = result.booking_level
    following = None if reached is not None and reached >= top else (reached or 0) + 1
    missing = missing_for_level(statuses, levels, following) if following else []
    exempted = [
        lines[code]
        for code, level in levels.items()
        if reached is not None and level <= reached and statuses.get(code) == EXEMPT
    ]
    return NextLevel(
        reached=reached,
        next=following if reached is not None or missing else None,
        missing=[lines[code] for code in missing],
        exempted=exempted,
        top=top,
    )


def _sections(requirements: list[Requirement], result: UnitResult | None) -> list[RequirementSection]:
    stored = (
        {r.requirement_id: r for r in RequirementResult.objects.filter(unit_result=result)} if result else {}
    )
    sections: dict[str, list[RequirementLine]] = {}
    titles = {req.group: req.group_name for req in requirements}  # the decision's own group names
    for req in requirements:
        r = stored.get(req.id)
        sections.setdefault(req.group, []).append(
            RequirementLine(
                code=req.code,
                name=req.name,
                level=req.level,
                status=r.status if r else "",
                status_label=STATUS_LABELS.get(r.status, r.status) if r else "Inget sparat resultat",
                value=value_text(req, r.value) if r else "–",
                reason=r.reason if r else "",
                exemption_code=r.exemption_code if r else "",
                exemption_unneeded=r.exemption_unneeded if r else False,
            )
        )
    return [RequirementSection(title=titles[group], lines=lines) for group, lines in sections.items()]


def _history(unit: CareUnit, day: datetime.date | None) -> list[dict]:
    """The unit's stored results up to `day`, oldest first (one query, a handful of columns per day)."""
    if day is None:
        return []
    return list(
        UnitResult.objects.filter(unit=unit, as_of__lte=day)
        .order_by("as_of")
        .values(
            "as_of",
            "current_period",
            "evaluation_month",
            "booking_level",
            "booking_level_with_exemptions",
            "response_time",
        )
    )


def _period_levels(history: list[dict], day: datetime.date | None, result) -> list[PeriodLevel]:
    """Per schedule period that has begun by `day`: the level stored at the period's end date, or on the
    latest stored date inside it (the current period's: the page's date)."""
    if day is None:
        return []
    lines = []
    for period in SchedulePeriod.objects.filter(start_date__lte=day).order_by("-start_date"):
        last = min(period.end_date, day)
        inside = [h for h in history if period.start_date <= h["as_of"] <= last]
        row = inside[-1] if inside else None
        level = row["booking_level"] if row else None
        lines.append(
            PeriodLevel(
                code=period.code,
                start_date=period.start_date,
                end_date=period.end_date,
                as_of=row["as_of"] if row else None,
                level=level,
                level_text=level_label(level, row["booking_level_with_exemptions"])
                if row
                else "Inget sparat resultat",
                is_current=bool(result) and period.code == result.current_period,
            )
        )
    return lines


def _months(history: list[dict], day: datetime.date | None, count: int = 12) -> list[MonthResponse]:
    """The last `count` evaluation months up to `day`, newest first, each from the latest stored result
    judging that month (its figures are then the most complete: later answers counted)."""
    latest: dict[str, dict] = {}
    for h in history:  # oldest first: a later date overwrites
        if h["response_time"]:
            latest[h["evaluation_month"]] = h
    lines = []
    for month in sorted(latest, reverse=True)[:count]:
        h = latest[month]
        rt = h["response_time"]
        lines.append(
            MonthResponse(
                month=month,
                label=month_name(month),
                as_of=h["as_of"],
                assessed=rt.get("assessed", 0),
                in_time=rt.get("in_time", 0),
                late_notified=rt.get("late_notified", 0),
                late=rt.get("late", 0),
                overdue=rt.get("overdue", 0),
                pending=rt.get("pending", 0),
                share_in_time=rt.get("share_in_time"),
                share_within_2h=rt.get("share_within_2h"),
                share_text=share_text(rt.get("share_in_time")),
                share_within_2h_text=share_text(rt.get("share_within_2h")),
            )
        )
    return lines
