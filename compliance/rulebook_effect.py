"""What a new version would change: today's facts judged under the version in force and under the
candidate (a file not yet loaded, or a draft), side by side, unit by unit. Nothing is written.

Used by `load_rulebook --dry-run` and the rulebook page's preview (/regelverk/). The engine runs twice
on one load of the facts, so the preview costs about two evaluations of the region.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from servicelevel.rulebook_file import RulebookFile

from .engine import evaluate_unit
from .loader import engine_rulebook, load_context, load_units

STATUS_WORDS = {
    "met": "uppfyllt",
    "not_met": "ej uppfyllt",
    "exempt": "avsteg",
    "not_applicable": "ej tillämpligt",
    "no_data": "uppgift saknas",
    None: "kravet finns inte",
}


@dataclass(frozen=True)
class StatusChange:
    code: str
    before: str | None  # None: the requirement is not in that version
    after: str | None


@dataclass(frozen=True)
class UnitChange:
    hsa_id: str
    name: str
    level_before: int | None
    level_after: int | None
    statuses: tuple[StatusChange, ...]

    @property
    def level_changed(self) -> bool:
        return self.level_before != self.level_after


@dataclass
class Effect:
    as_of: datetime.date
    before: str  # "2026-0000277 version 2.0"
    after: str
    units: int = 0  # units judged
    changes: list[UnitChange] = field(default_factory=list)  # units whose level or any status changes
    levels_before: Counter = field(default_factory=Counter)  # level (None: no level) → units
    levels_after: Counter = field(default_factory=Counter)
    # requirement code → (before, after) → units
    transitions: dict[str, Counter] = field(default_factory=dict)

    @property
    def level_changes(self) -> int:
        return sum(1 for change in self.changes if change.level_changed)

    def summary(self) -> str:
        return (
            f"{len(self.changes)} av {self.units} enheter får en annan nivå eller status "
            f"({self.level_changes} en annan nivå)"
        )


def effect(candidate: RulebookFile, as_of: datetime.date, unit_ids=None) -> Effect:
    context = load_context(as_of)
    after_rulebook = engine_rulebook(candidate)
    facts = load_units(context, unit_ids)
    result = Effect(
        as_of,
        before=_label(context.rulebook.decision, context.rulebook.version),
        after=_label(candidate.decision.number, candidate.decision.version),
        units=len(facts),
    )
    for unit in facts:
        before = evaluate_unit(unit, context.rulebook, as_of)
        after = evaluate_unit(unit, after_rulebook, as_of)
        result.levels_before[before.booking_level] += 1
        result.levels_after[after.booking_level] += 1
        codes = list(before.requirements) + [c for c in after.requirements if c not in before.requirements]
        statuses = []
        for code in codes:
            was = before.requirements[code].status if code in before.requirements else None
            now = after.requirements[code].status if code in after.requirements else None
            if was != now:
                statuses.append(StatusChange(code, was, now))
                result.transitions.setdefault(code, Counter())[(was, now)] += 1
        if statuses or before.booking_level != after.booking_level:
            result.changes.append(
                UnitChange(unit.hsa_id, unit.name, before.booking_level, after.booking_level, tuple(statuses))
            )
    return result


def _label(number: str, version: str) -> str:
    return f"{number} version {version}" if version else number
