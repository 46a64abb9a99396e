"""Reads for the unit list (/enheter/) and the unit page (/enheter/<hsa_id>/).

Everything shown is the engine's stored judgement for one as-of date (`AsOf.shown`); nothing here judges.
The list is one annotated queryset over the user's visible units (stored level, requirement counts and
SV1 share joined in the same SQL, so a page is one query for its rows plus one count, whatever the number
of units). The unit page is a fixed set of queries for one unit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from actionplan.models import Target
from compliance.engine.booking import LEVELS, level_requirements, missing_for_level
from compliance.engine.response_time import month_bounds
from compliance.engine.text import month_name, pct
from compliance.engine.types import EXEMPT, MET, NOT_MET, STATUS_LABELS
from compliance.exports import case_rows
from compliance.models import RequirementResult, UnitResult
from exemptions.models import Exemption
from exemptions.rules import active_q
from servicelevel.dates import in_bounds
from servicelevel.models import Decision, Requirement, SchedulePeriod
from servicelevel.parameters import with_defaults
from units.models import AdminRole, CareUnit, Offering
from units.permissions import may_change_unit, visible_units

# ---------------------------------------------------------------------------------------------- shared


def level_label(level: int | None, with_exemptions: bool) -> str:
    """How the stored booking level reads ("nivå 2 med avsteg"); the engine decided both parts."""
    if level is None:
        return "–"
    return f"nivå {level} med avsteg" if with_exemptions else f"nivå {level}"


def share_text(share: float | None) -> str:
    """'93,3 %' with the engine's own wording (never rounds a share up to 100 %), '–' for no share."""
    return "–" if share is None else pct(Fraction(share))


def decision_for(day: datetime.date | None) -> Decision | None:
    """The decision the stored results of `day` were judged against (one query)."""
    return Decision.in_force(day) if day is not None else None


def requirements_of(decision: Decision | None) -> list[Requirement]:
    """The decision's requirements in the decision's order (one query)."""
    if decision is None:
        return []
    return list(Requirement.objects.filter(decision=decision).order_by("order", "code"))


# ------------------------------------------------------------------------------------------- unit list


class _Count(Func):
    """COUNT(*) as a plain function, so the subquery is not grouped: it always returns one row (0 when no
    requirement result matches), never NULL."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def _status_count(status: str) -> Subquery:
    rows = RequirementResult.objects.filter(unit_result_id=OuterRef("result_id"), status=status)
    return Subquery(rows.order_by().annotate(n=_Count()).values("n"))


def unit_rows(user, *, day: datetime.date | None, decision: Decision | None) -> QuerySet[CareUnit]:
    """The user's visible units with the stored results of `day` annotated on each row:

    result_id, level, level_with_exemptions, sv1_share (SV1's share in time in the evaluation month),
    met / not_met (how many requirements have that status). A unit without a stored result that day has
    result_id None (and None for the rest; counts 0).

    The stored result is a LEFT JOIN on the unique (as_of, unit, decision) index, the two counts correlated
    subqueries on (unit_result, requirement): the page's rows and their count are one query each."""
    stored = FilteredRelation("results", condition=Q(results__as_of=day, results__decision=decision))
    return (
        visible_units(user)
        .select_related("forvaltning", "vardomrade", "provider")
        .annotate(stored=stored)
        .annotate(
            result_id=F("stored__id"),
            level=F("stored__booking_level"),
            level_with_exemptions=F("stored__booking_level_with_exemptions"),
            # KeyTextTransform, not KT(): KT resolves a path through a FilteredRelation to the wrong
            # column on Django 5.2 ("stored"."id" #>> …).
            sv1_share=Cast(KeyTextTransform("share_in_time", "stored__response_time"), FloatField()),
        )
        .annotate(met=_status_count(MET), not_met=_status_count(NOT_MET))
    )


def requirement_status_exists(*, requirement_id: int | None, status: str):
    """Rows whose stored result has `status` on that requirement (on any requirement when None)."""
    results = RequirementResult.objects.filter(unit_result_id=OuterRef("result_id"), status=status)
    if requirement_id is not None:
        results = results.filter(requirement_id=requirement_id)
    return Exists(results)


# ------------------------------------------------------------------------------------------- unit page

SECTION_TITLES = {
    Requirement.Group.BOOKING: "Tidbokning",
    Requirement.Group.CASES: "Ärendehantering",
    Requirement.Group.RESPONSE: "Svarstid",
    Requirement.Group.ROLES: "Administrativa roller",
}

# What the engine's measured value is, per requirement, so the page can write it with its unit. The
# reason beside it says the same in words; this only picks the number format.
SHARE_VALUES = frozenset(
    {
        "TB1-VISA",
        "TB1-AVBOKA",
        "TB2-OMBOKA-ANDEL",
        "TB3-OPPEN-KALLELSE-ANDEL",
        "TB3-INVANARBOKNING-ANDEL",
        "AH1-REGIONALA-TJANSTER",
        "AH2-REGIONALA-MALLAR",
        "AH3-BASUTBUD",
        "SV1-SVARSTID",
    }
)
WEEK_VALUES = frozenset({"TB2-FRAMFORHALLNING"})

OUTCOME_LABELS = {
    "in_time": "I tid",
    "late_notified": "Sent, besked i tid",
    "late": "Sent, utan besked",
    "overdue": "Obesvarat efter fristen",
    "pending": "Inom fristen",
}
LISTED_OUTCOMES = ("late_notified", "late", "overdue")
CASES_SHOWN = 100  # on the page; the CSV has every one


def value_text(code: str, value: float | None) -> str:
    if value is None:
        return "–"
    if code in SHARE_VALUES:
        return share_text(value)
    number = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} veckor" if code in WEEK_VALUES else number


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
    top: int = LEVELS[-1]

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
    share_text: str
    share_within_2h_text: str


@dataclass(frozen=True)
class ChartBar:
    label: str  # the month, short
    x: int
    y: int
    height: int
    text: str


@dataclass(frozen=True)
class ResponseChart:
    """Geometry of the share-in-time bars (oldest month left) on a 0–100 % scale, with the threshold."""

    width: int
    height: int
    bars: list[ChartBar]
    goal_y: int | None
    base_y: int


CHART_TOP, CHART_PLOT, CHART_BAR, CHART_GAP, CHART_LEFT = 16, 160, 36, 16, 44


def response_chart(months: list[MonthResponse], threshold: float | None) -> ResponseChart | None:
    shown = [m for m in reversed(months) if m.share_in_time is not None]
    if not shown:
        return None
    base = CHART_TOP + CHART_PLOT
    bars = []
    for i, m in enumerate(shown):
        h = round(m.share_in_time * CHART_PLOT)
        bars.append(
            ChartBar(
                label=f"{m.label[:3]} {m.month[2:4]}",
                x=CHART_LEFT + i * (CHART_BAR + CHART_GAP),
                y=base - h,
                height=h,
                text=m.share_text,
            )
        )
    return ResponseChart(
        width=CHART_LEFT + len(shown) * (CHART_BAR + CHART_GAP),
        height=base + 40,
        bars=bars,
        goal_y=base - round(threshold * CHART_PLOT) if threshold is not None else None,
        base_y=base,
    )


@dataclass(frozen=True)
class CaseLine:
    case_id: str
    received_at: str
    deadline: str
    first_response_at: str
    delay_notified_at: str
    outcome: str
    outcome_label: str


@dataclass(frozen=True)
class OfferingLine:
    kind: str
    code: str
    name: str  # the catalogue's name for a regional row, "" for a local one
    variant: str
    is_open: bool


@dataclass(frozen=True)
class ExemptionLine:
    exemption_id: str
    requirement_code: str
    requirement_name: str
    reason: str
    status: str
    valid_from: datetime.date
    valid_until: datetime.date
    ended_on: datetime.date | None
    active: bool  # on the page's date, by exemptions.rules.is_active (in SQL: active_q)


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
    chart: ResponseChart | None
    threshold_text: str
    cases_month: str
    cases_month_label: str
    cases: list[CaseLine]
    cases_total: int
    offerings: list[OfferingLine]
    roles: list[AdminRole]
    exemptions: list[ExemptionLine]
    targets: list[TargetLine]
    may_change: bool
    next_level: NextLevel | None = None  # None without a stored result


def unit_page(user, unit: CareUnit, *, day: datetime.date | None) -> UnitPage:
    """Everything the unit page shows for the stored date `day`, in a fixed number of queries (one per
    part: result, requirements + their results, the unit's stored history, periods, offerings, roles,
    exemptions, targets, the right to change, and one streamed read of the month's cases)."""
    result = (
        UnitResult.objects.select_related("decision").filter(unit=unit, as_of=day).order_by("-id").first()
        if day is not None
        else None
    )
    decision = result.decision if result else decision_for(day)
    requirements = requirements_of(decision)
    sections = _sections(requirements, result)
    threshold = next(
        (with_defaults(r.code, r.parameters).get("threshold") for r in requirements if r.group == "SV"), None
    )

    history = _history(unit, day)
    periods = _period_levels(history, day, result)
    months = _months(history, day)

    cases_month = result.evaluation_month if result else ""
    cases, total = late_cases(unit, day=day, month=cases_month, limit=CASES_SHOWN) if result else ([], 0)

    targets = []
    if result and result.current_period:
        rows = Target.objects.filter(vardomrade_id=unit.vardomrade_id, period__code=result.current_period)
        targets = [
            TargetLine(t.requirement.code, t.requirement.name, t.period.code, pct(Fraction(t.target_share)))
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
        chart=response_chart(months, float(threshold) if threshold is not None else None),
        threshold_text=share_text(float(threshold)) if threshold is not None else "",
        cases_month=cases_month,
        cases_month_label=month_name(cases_month) if cases_month else "",
        cases=cases,
        cases_total=total,
        offerings=_offerings(unit),
        roles=list(AdminRole.objects.filter(unit=unit).with_person_names().order_by("role", "person_id")),
        exemptions=_exemptions(unit, day),
        targets=targets,
        may_change=may_change_unit(user, unit),
        next_level=_next_level(requirements, sections, result),
    )


def _next_level(requirements: list[Requirement], sections, result: UnitResult | None) -> NextLevel | None:
    """The requirements between the stored level and the next one (compliance.engine.booking's level
    definition, applied to the stored statuses), and those the reached level rests on by an exemption."""
    if result is None:
        return None
    levels = level_requirements(requirements)
    lines = {line.code: line for section in sections for line in section.lines}
    statuses = {code: line.status for code, line in lines.items()}
    reached = result.booking_level
    following = None if reached is not None and reached >= LEVELS[-1] else (reached or 0) + 1
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
    )


def _sections(requirements: list[Requirement], result: UnitResult | None) -> list[RequirementSection]:
    stored = (
        {r.requirement_id: r for r in RequirementResult.objects.filter(unit_result=result)} if result else {}
    )
    sections: dict[str, list[RequirementLine]] = {}
    for req in requirements:
        r = stored.get(req.id)
        sections.setdefault(req.group, []).append(
            RequirementLine(
                code=req.code,
                name=req.name,
                level=req.level,
                status=r.status if r else "",
                status_label=STATUS_LABELS.get(r.status, r.status) if r else "Inget sparat resultat",
                value=value_text(req.code, r.value) if r else "–",
                reason=r.reason if r else "",
                exemption_code=r.exemption_code if r else "",
                exemption_unneeded=r.exemption_unneeded if r else False,
            )
        )
    return [
        RequirementSection(title=SECTION_TITLES.get(group, Requirement.Group(group).label), lines=lines)
        for group, lines in sections.items()
    ]


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
                share_text=share_text(rt.get("share_in_time")),
                share_within_2h_text=share_text(rt.get("share_within_2h")),
            )
        )
    return lines


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


def _offerings(unit: CareUnit) -> list[OfferingLine]:
    rows = Offering.objects.filter(unit=unit).select_related("catalogue_service", "catalogue_template")
    lines = []
    for o in rows.order_by("kind", "code"):
        entry = o.catalogue_service or o.catalogue_template
        lines.append(
            OfferingLine(
                kind=o.get_kind_display(),
                code=o.code,
                name=entry.name if entry else "",
                variant=o.get_variant_display(),
                is_open=o.is_open,
            )
        )
    return lines


def _exemptions(unit: CareUnit, day: datetime.date | None) -> list[ExemptionLine]:
    rows = Exemption.objects.filter(unit=unit).select_related("requirement").order_by("-valid_from")
    if day is not None:  # active on the page's date: `Exemption.objects.active_on`'s rule, in the same query
        rows = rows.annotate(active_then=ExpressionWrapper(active_q(day), output_field=BooleanField()))
    return [
        ExemptionLine(
            exemption_id=e.exemption_id,
            requirement_code=e.requirement.code,
            requirement_name=e.requirement.name,
            reason=e.get_reason_display(),
            status=e.get_status_display(),
            valid_from=e.valid_from,
            valid_until=e.valid_until,
            ended_on=e.ended_on,
            active=day is not None and e.active_then,
        )
        for e in rows
    ]
