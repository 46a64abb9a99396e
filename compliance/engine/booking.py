"""The booking kinds (`booked_all`, `any_positive`, `minimum`, `share_trend`), judged on the unit's figures
for the current period, and the ladder of levels (nivåer) the rulebook's levelled requirements make."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .text import number, pct
from .types import (
    EXEMPT,
    MET,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    BookingFigures,
    Judgement,
    RequirementRule,
    UnitFacts,
)

# figure → (the whole it is part of, the whole's noun, what the part does, the goal when all must)
PARTS = {
    "booked_visible": ("booked_total", "bokade tider", "syns på 1177.se", "alla ska synas"),
    "booked_cancellable": (
        "booked_total",
        "bokade tider",
        "går att avboka på 1177.se",
        "alla ska gå att avboka",
    ),
    "booked_reschedulable": (
        "booked_total",
        "bokade tider",
        "går att omboka på 1177.se",
        "alla ska gå att omboka",
    ),
    "slots_open_invitation": ("slots_total", "bokningsbara tider", "erbjuds via öppen kallelse", ""),
    "slots_citizen_bookable": ("slots_total", "bokningsbara tider", "kan invånaren själv boka", ""),
}
# figure → its noun phrase in a share ("Andelen … är 30 %")
SHARE_NOUNS = {
    "booked_visible": "synliga tider",
    "booked_cancellable": "avbokningsbara tider",
    "booked_reschedulable": "ombokningsbara tider",
    "slots_open_invitation": "tider via öppen kallelse",
    "slots_citizen_bookable": "tider som invånaren själv kan boka",
}
FIGURE_WORDS = {
    "booked_total": "bokade tider",
    "slots_total": "bokningsbara tider",
    "lookahead_weeks": "veckor med tider framåt",
}
WHOLE_WORDS = {"booked_total": "inga bokade tider", "slots_total": "inga bokningsbara tider"}
OK_FOR_LEVEL = frozenset({MET, EXEMPT, NOT_APPLICABLE})
LEVELS = (1, 2, 3)  # Skåne's levels; a rulebook's own are `ladder_levels(levels)`


def on_figures(judge):
    """A booking kind's judge, called only when the current period has begun and the unit has figures
    for it (`no_data` saying which is missing otherwise)."""

    def judged(facts: UnitFacts, rule: RequirementRule, _rulebook, _as_of) -> Judgement:
        period = facts.current_period
        if period is None:
            return Judgement(NO_DATA, "Ingen tidbokningsschemaperiod har börjat per detta datum")
        if facts.booking_current is None:
            return Judgement(NO_DATA, f"Bokningsuppgifter saknas för perioden {period.code}")
        return judge(facts, facts.booking_current, rule)

    return judged


@on_figures
def booked_all(facts: UnitFacts, figures: BookingFigures, rule: RequirementRule) -> Judgement:
    part_field = rule.parameters["figure"]
    _whole, _noun, what, goal = PARTS[part_field]
    total, part = figures.booked_total, getattr(figures, part_field)
    if total == 0:
        return Judgement(NO_DATA, f"Inga bokade tider rapporterade för perioden {facts.current_period.code}")
    status = MET if part == total else NOT_MET
    return Judgement(
        status, f"{part} av {total} bokade tider ({pct(part, total)}) {what} — {goal}", part / total
    )


@on_figures
def any_positive(facts: UnitFacts, figures: BookingFigures, rule: RequirementRule) -> Judgement:
    names = rule.parameters["figures"]
    parts = [getattr(figures, name) for name in names]
    said = ", ".join(_part_text(figures, name) for name in names)
    status = MET if any(p > 0 for p in parts) else NOT_MET
    return Judgement(status, f"{said} — minst en ska finnas", float(sum(parts)))


def _part_text(figures: BookingFigures, name: str) -> str:
    value = getattr(figures, name)
    if name in PARTS:
        whole, noun, what, _goal = PARTS[name]
        return f"{value} av {getattr(figures, whole)} {noun} {what}"
    return f"{number(value)} {FIGURE_WORDS[name]}"


@on_figures
def minimum(facts: UnitFacts, figures: BookingFigures, rule: RequirementRule) -> Judgement:
    name, required = rule.parameters["figure"], rule.parameters["at_least"]
    value = getattr(figures, name)
    status = MET if Decimal(str(value)) >= Decimal(str(required)) else NOT_MET
    if name == "lookahead_weeks":
        text = f"Tider finns {number(value)} veckor fram — minst {number(required)} veckor krävs"
    else:
        text = f"{number(value)} {_figure_noun(name)} — minst {number(required)} krävs"
    return Judgement(status, text, float(value))


def _figure_noun(name: str) -> str:
    return FIGURE_WORDS.get(name) or PARTS[name][1] + " som " + PARTS[name][2]


def _share(figures: BookingFigures | None, part_field: str, whole_field: str) -> Fraction | None:
    if figures is None or getattr(figures, whole_field) == 0:
        return None
    return Fraction(getattr(figures, part_field), getattr(figures, whole_field))


@on_figures
def share_trend(facts: UnitFacts, current: BookingFigures, rule: RequirementRule) -> Judgement:
    """met when s == 1 or s > p, and s ≥ the action plan's target when one is set; not judgeable
    (not_applicable) without a previous period with figures and a non-zero denominator."""
    part_field, whole_field = rule.parameters["numerator"], rule.parameters["denominator"]
    noun = SHARE_NOUNS.get(part_field) or FIGURE_WORDS.get(part_field, part_field)
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
    target = facts.targets.get(rule.code)
    reaches_target = True
    if target is not None:
        reaches_target = s >= Fraction(target)
        text += f"; målet i handlingsplanen är {pct(Fraction(target))}" + (
            "" if reaches_target else " och nås inte"
        )
    return Judgement(MET if increased and reaches_target else NOT_MET, text, float(s))


# --- The ladder --------------------------------------------------------------------------------------


def level_requirements(rules) -> dict[str, int]:
    """code → level of the requirements that make the ladder: those with a level (a rulebook gives levels
    only when it has a ladder). Takes the engine's rules or the rulebook's stored requirements alike."""
    return {r.code: r.level for r in rules if r.level}


def ladder_levels(levels: dict[str, int]) -> tuple[int, ...]:
    """The ladder's levels, lowest first (1..N)."""
    return tuple(range(1, max(levels.values(), default=0) + 1))


def missing_for_level(statuses: dict[str, str], levels: dict[str, int], level: int) -> list[str]:
    """The requirements of `level` whose status does not count toward it (only met, exempt and not
    applicable do): what stands between a unit and that level once the levels below it are reached."""
    return [c for c, lvl in levels.items() if lvl == level and statuses.get(c) not in OK_FOR_LEVEL]


def booking_level(statuses: dict[str, str], levels: dict[str, int]) -> tuple[int | None, bool]:
    """(level, with_exemptions) from the final statuses (after exemptions).

    null when there is no ladder, when every laddered requirement is not applicable, or when one of
    level 1 is no_data; else the highest L with every requirement of level ≤ L met, exempt or not
    applicable (0 if level 1 is not reached)."""
    if not levels or all(statuses.get(c) == NOT_APPLICABLE for c in levels):
        return None, False
    if any(statuses.get(c) == NO_DATA for c, lvl in levels.items() if lvl == 1):
        return None, False
    reached = 0
    for level in ladder_levels(levels):
        if not missing_for_level(statuses, levels, level):
            reached = level
        else:
            break
    with_exemptions = reached > 0 and any(
        statuses[c] == EXEMPT for c, lvl in levels.items() if lvl <= reached
    )
    return reached, with_exemptions
