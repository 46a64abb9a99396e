"""Tidbokning genom 1177.se (§2.1.1): the TB requirements and the booking level (nivå)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .text import number, pct
from .types import (
    COUNT,
    EXEMPT,
    MET,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    SHARE,
    WEEKS,
    BookingFigures,
    Judgement,
    RequirementRule,
    UnitFacts,
)

# Trend requirements: code → (part field, whole field, Swedish noun phrase)
TRENDS = {
    "TB2-OMBOKA-ANDEL": ("booked_reschedulable", "booked_total", "ombokningsbara tider"),
    "TB3-OPPEN-KALLELSE-ANDEL": ("slots_open_invitation", "slots_total", "tider via öppen kallelse"),
    "TB3-INVANARBOKNING-ANDEL": (
        "slots_citizen_bookable",
        "slots_total",
        "tider som invånaren själv kan boka",
    ),
}
WHOLE_WORDS = {"booked_total": "inga bokade tider", "slots_total": "inga bokningsbara tider"}
OK_FOR_LEVEL = frozenset({MET, EXEMPT, NOT_APPLICABLE})
LEVELS = (1, 2, 3)  # the booking levels (nivåer) of §2.1.1, lowest first


def judge_booking(facts: UnitFacts, rules: list[RequirementRule]) -> dict[str, Judgement]:
    """TB statuses for a unit the TB requirements apply to (applicability is decided by the caller).
    Codes this engine has no rule for are left out: the caller says so."""
    rules = [r for r in rules if r.code in JUDGES]
    period = facts.current_period
    if period is None:
        why = Judgement(NO_DATA, "Ingen tidbokningsschemaperiod har börjat per detta datum")
        return {r.code: why for r in rules}
    figures = facts.booking_current
    if figures is None:
        why = Judgement(NO_DATA, f"Bokningsuppgifter saknas för perioden {period.code}")
        return {r.code: why for r in rules}
    return {r.code: JUDGES[r.code](facts, figures, r.parameters) for r in rules}


# code → judge(facts, the current period's figures, the requirement's parameters)
JUDGES = {
    "TB1-VISA": lambda facts, figures, _: _all_booked(
        figures, "booked_visible", "syns på 1177.se", "alla ska synas", facts.current_period.code
    ),
    "TB1-AVBOKA": lambda facts, figures, _: _all_booked(
        figures,
        "booked_cancellable",
        "går att avboka på 1177.se",
        "alla ska gå att avboka",
        facts.current_period.code,
    ),
    "TB2-OMBOKA": lambda facts, figures, _: _at_least_one(
        figures.booked_reschedulable, f"av {figures.booked_total} bokade tider går att omboka på 1177.se"
    ),
    "TB2-FRAMFORHALLNING": lambda facts, figures, params: _lookahead(figures, params["weeks"]),
    "TB3-OPPEN-KALLELSE": lambda facts, figures, _: _at_least_one(
        figures.slots_open_invitation,
        f"av {figures.slots_total} bokningsbara tider erbjuds via öppen kallelse",
    ),
    "TB3-INVANARBOKNING": lambda facts, figures, _: _at_least_one(
        figures.slots_citizen_bookable,
        f"av {figures.slots_total} bokningsbara tider kan invånaren själv boka",
    ),
    **{code: (lambda facts, figures, _, code=code: _trend(facts, code)) for code in TRENDS},
}
# What each judge above measures: the share of all booked times, a count of times, weeks ahead, the trend's
# share this period.
VALUE_KINDS = {
    "TB1-VISA": SHARE,
    "TB1-AVBOKA": SHARE,
    "TB2-OMBOKA": COUNT,
    "TB2-FRAMFORHALLNING": WEEKS,
    "TB3-OPPEN-KALLELSE": COUNT,
    "TB3-INVANARBOKNING": COUNT,
    **dict.fromkeys(TRENDS, SHARE),
}


def _all_booked(figures: BookingFigures, part_field: str, what: str, goal: str, period: str) -> Judgement:
    total, part = figures.booked_total, getattr(figures, part_field)
    if total == 0:
        return Judgement(NO_DATA, f"Inga bokade tider rapporterade för perioden {period}")
    status = MET if part == total else NOT_MET
    return Judgement(
        status, f"{part} av {total} bokade tider ({pct(part, total)}) {what} — {goal}", part / total
    )


def _at_least_one(part: int, what: str) -> Judgement:
    status = MET if part > 0 else NOT_MET
    return Judgement(status, f"{part} {what} — minst en ska finnas", float(part))


def _lookahead(figures: BookingFigures, required) -> Judgement:
    weeks = figures.lookahead_weeks
    status = MET if weeks >= Decimal(str(required)) else NOT_MET
    return Judgement(
        status,
        f"Tider finns {number(weeks)} veckor fram — minst {number(required)} veckor krävs",
        float(weeks),
    )


def _share(figures: BookingFigures | None, part_field: str, whole_field: str) -> Fraction | None:
    if figures is None or getattr(figures, whole_field) == 0:
        return None
    return Fraction(getattr(figures, part_field), getattr(figures, whole_field))


def _trend(facts: UnitFacts, code: str) -> Judgement:
    """met when s == 1 or s > p, and s ≥ the action plan's target when one is set; not judgeable
    (not_applicable) without a previous period with figures and a non-zero denominator."""
    part_field, whole_field, noun = TRENDS[code]
    current = facts.booking_current
    s = _share(current, part_field, whole_field)
    if s is None:
        return Judgement(
            NO_DATA,
            f"Andelen {noun} kan inte räknas: {WHOLE_WORDS[whole_field]} perioden "
            f"{facts.current_period.code}",
        )
    now_text = (
        f"Andelen {noun} är {pct(s)} ({getattr(current, part_field)} av {getattr(current, whole_field)})"
    )
    previous = facts.previous_period
    if previous is None:
        return Judgement(NOT_APPLICABLE, f"{now_text}; ingen tidigare period att jämföra med", float(s))
    p = _share(facts.booking_previous, part_field, whole_field)
    if p is None:
        missing = "uppgifter saknas" if facts.booking_previous is None else WHOLE_WORDS[whole_field]
        return Judgement(
            NOT_APPLICABLE, f"{now_text}; perioden {previous.code} går inte att jämföra ({missing})", float(s)
        )
    prev_figures = facts.booking_previous
    text = (
        f"{now_text} mot {pct(p)} "
        f"({getattr(prev_figures, part_field)} av {getattr(prev_figures, whole_field)}) "
        f"perioden {previous.code}"
    )
    increased = s == 1 or s > p
    text += " — har ökat" if s > p else (" — alla tider" if s == 1 else " — ska öka")
    target = facts.targets.get(code)
    reaches_target = True
    if target is not None:
        reaches_target = s >= Fraction(target)
        text += f"; målet i handlingsplanen är {pct(Fraction(target))}" + (
            "" if reaches_target else " och nås inte"
        )
    return Judgement(MET if increased and reaches_target else NOT_MET, text, float(s))


def level_requirements(rules) -> dict[str, int]:
    """code → level of the requirements that make the booking levels (§2.1.1): the TB requirements with a
    level. Takes the engine's rules or the rulebook's stored requirements alike (code, group, level)."""
    return {r.code: r.level for r in rules if r.group == "TB" and r.level}


def missing_for_level(statuses: dict[str, str], levels: dict[str, int], level: int) -> list[str]:
    """The requirements of `level` whose status does not count toward it (only met, exempt and not
    applicable do): what stands between a unit and that level once the levels below it are reached."""
    return [c for c, lvl in levels.items() if lvl == level and statuses.get(c) not in OK_FOR_LEVEL]


def booking_level(
    statuses: dict[str, str], levels: dict[str, int], *, applicable: bool
) -> tuple[int | None, bool]:
    """(level, with_exemptions) from the final statuses (after exemptions).

    null when the TB requirements do not apply or TB1-VISA / TB1-AVBOKA is no_data; else the highest L in
    1..3 with every requirement of level ≤ L met, exempt or not applicable (0 if level 1 is not reached)."""
    if not applicable or statuses.get("TB1-VISA") == NO_DATA or statuses.get("TB1-AVBOKA") == NO_DATA:
        return None, False
    reached = 0
    for level in LEVELS:
        if not missing_for_level(statuses, levels, level):
            reached = level
        else:
            break
    with_exemptions = reached > 0 and any(
        statuses[c] == EXEMPT for c, lvl in levels.items() if lvl <= reached
    )
    return reached, with_exemptions
