"""The effect of a proposed change, before it is saved: the unit judged by the pure engine on its facts
as they are now and on the same facts with the change applied, and the difference in words ("nivå 2 →
nivå 3" when the rulebook has a ladder, "<requirement code> blir uppfyllt").

`compare` is pure (two evaluations in, the differences out). The `preview_*` functions read the unit's
facts with the engine's own loader (a fixed number of queries, one unit), replace the part the form
changes with `dataclasses.replace` and write nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count

from compliance.engine import evaluate_unit
from compliance.engine import types as t
from compliance.engine.types import STATUS_LABELS, UnitEvaluation
from compliance.loader import load_context, load_units
from compliance.services import today
from portal.units.selectors import short_code
from servicelevel.models import SchedulePeriod
from units.models import AdminRole, BookingFigures, CareUnit
from units.services import OfferingRow

# The kind whose judgement of a unit depends on the person's other units (servicelevel/kinds.py).
WIDE_MANDATE = "local_admin_wide_mandate"

# "<code> blir uppfyllt": what a requirement becomes, per new status.
BECOMES = {
    t.MET: "blir uppfyllt",
    t.NOT_MET: "blir ej uppfyllt",
    t.EXEMPT: "täcks av avsteg",
    t.NOT_APPLICABLE: "blir ej tillämpligt",
    t.NO_DATA: "kan inte bedömas (uppgift saknas)",
}


@dataclass(frozen=True)
class RequirementChange:
    code: str
    name: str
    before: str  # status
    after: str
    reason: str  # the engine's reason for the new status

    @property
    def sentence(self) -> str:
        return f"{self.code} {BECOMES[self.after]}"

    @property
    def before_label(self) -> str:
        return STATUS_LABELS[self.before]

    @property
    def after_label(self) -> str:
        return STATUS_LABELS[self.after]


@dataclass(frozen=True)
class Preview:
    as_of: datetime.date
    level_before: str
    level_after: str
    changes: tuple[RequirementChange, ...]
    notes: tuple[str, ...] = ()
    # The rulebook has a ladder: the sentence is about the level; without one (Halland, Norrbotten) it is
    # about the requirements whose status changes.
    has_levels: bool = True

    @property
    def level_changed(self) -> bool:
        return self.level_before != self.level_after

    @property
    def level_sentence(self) -> str:
        return self.sentence("Med ändringen")

    def sentence(self, lead: str) -> str:
        """ "Med ändringen: nivå 2 → nivå 3", "… : oförändrat, nivå 2"; without a ladder "…: 2 krav ändrar
        status" or "…: ingen kravstatus ändras"."""
        if not self.has_levels:
            if self.changes:
                return f"{lead}: {len(self.changes)} krav ändrar status"
            return f"{lead}: ingen kravstatus ändras"
        if self.level_changed:
            return f"{lead}: {self.level_before} → {self.level_after}"
        return f"{lead}: oförändrat, {self.level_before}"

    @property
    def unchanged(self) -> bool:
        return not self.level_changed and not self.changes


def level_text(level: int | None, with_exemptions: bool) -> str:
    """The booking level as the portal writes it: "nivå 2", "nivå 3 med avsteg", "ingen nivå"."""
    if level is None:
        return "ingen nivå (tidbokning bedöms inte)"
    return f"nivå {level}" + (" med avsteg" if with_exemptions and level > 0 else "")


def compare(
    before: UnitEvaluation,
    after: UnitEvaluation,
    rules: Iterable[t.RequirementRule],
    *,
    as_of: datetime.date,
    notes: Iterable[str] = (),
    has_levels: bool = True,
) -> Preview:
    """Every requirement whose status differs, in the rulebook's order, and the level before and after
    (`has_levels`: the rulebook has a ladder). Pure: no database, no clock (the as-of date is the
    evaluations')."""
    changes = tuple(
        RequirementChange(
            rule.code,
            rule.name,
            before.requirements[rule.code].status,
            after.requirements[rule.code].status,
            after.requirements[rule.code].reason,
        )
        for rule in rules
        if before.requirements[rule.code].status != after.requirements[rule.code].status
    )
    return Preview(
        as_of=as_of,
        level_before=level_text(before.booking_level, before.booking_level_with_exemptions),
        level_after=level_text(after.booking_level, after.booking_level_with_exemptions),
        changes=changes,
        notes=tuple(notes),
        has_levels=has_levels,
    )


# --- Reading the facts and applying a proposal --------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    context: object
    facts: t.UnitFacts | None


def _current(unit: CareUnit, as_of: datetime.date) -> _Current:
    """The unit's facts as the engine reads them (loader: a fixed number of queries for one unit)."""
    context = load_context(as_of)
    facts = load_units(context, [unit.pk])
    return _Current(context, facts[0] if facts else None)


def _run(current: _Current, proposed: t.UnitFacts, as_of: datetime.date, notes=()) -> Preview:
    rulebook = current.context.rulebook
    before = evaluate_unit(current.facts, rulebook, as_of)
    after = evaluate_unit(proposed, rulebook, as_of)
    return compare(
        before, after, rulebook.requirements, as_of=as_of, notes=notes, has_levels=has_levels(rulebook)
    )


def has_levels(rulebook: t.Rulebook) -> bool:
    """The rulebook's requirements form a ladder (Skåne's Bokningsnivå); Halland's and Norrbotten's not."""
    return bool(rulebook.ladder) and any(rule.level for rule in rulebook.requirements)


def inactive_preview(as_of: datetime.date) -> Preview:
    note = "Enheten är inte aktiv och bedöms inte; ändringen sparas men påverkar ingen bedömning."
    return Preview(as_of, "ingen nivå", "ingen nivå", (), (note,))


def preview_offerings(
    unit: CareUnit, rows: Iterable[OfferingRow], as_of: datetime.date | None = None
) -> Preview:
    as_of = as_of or today()
    current = _current(unit, as_of)
    if current.facts is None:
        return inactive_preview(as_of)
    offerings = tuple(t.OfferingFact(r.kind, r.code, r.variant, r.is_open) for r in rows)
    return _run(current, replace(current.facts, offerings=offerings), as_of)


def preview_booking(
    unit: CareUnit, period: SchedulePeriod, figures: BookingFigures, as_of: datetime.date | None = None
) -> Preview:
    """The proposed figures count where the engine reads them: as the current period's (the booking
    requirements) or the previous period's (the trends' comparison); any other period changes nothing
    today."""
    as_of = as_of or today()
    current = _current(unit, as_of)
    if current.facts is None:
        return inactive_preview(as_of)
    proposed = t.BookingFigures(*(getattr(figures, name) for name in BookingFigures.FIGURES))
    facts, notes = current.facts, []
    if facts.current_period and period.code == facts.current_period.code:
        facts = replace(facts, booking_current=proposed)
    elif facts.previous_period and period.code == facts.previous_period.code:
        facts = replace(facts, booking_previous=proposed)
        notes.append(
            f"Perioden {period.code} är föregående period: den jämförs med innevarande period i trendkraven."
        )
    else:
        notes.append(
            f"Perioden {period.code} är varken innevarande eller föregående period per {as_of}: "
            "ändringen påverkar inte dagens bedömning."
        )
    return _run(current, facts, as_of, notes)


def preview_roles(
    unit: CareUnit, rows: Iterable[tuple[str, str]], as_of: datetime.date | None = None
) -> Preview:
    """A requirement of kind `local_admin_wide_mandate` (Skåne's AR1) counts a local administrator's units
    region-wide: the proposed holders' other units are counted (one query) and this unit added."""
    as_of = as_of or today()
    current = _current(unit, as_of)
    if current.facts is None:
        return inactive_preview(as_of)
    rows = list(rows)
    local = {p for p, role in rows if role == AdminRole.Role.LOKAL_ADMINISTRATOR}
    elsewhere = (
        dict(
            AdminRole.objects.filter(role=AdminRole.Role.LOKAL_ADMINISTRATOR, person_id__in=sorted(local))
            .exclude(unit_id=unit.pk)
            .values("person_id")
            .annotate(units=Count("unit_id", distinct=True))
            .values_list("person_id", "units")
        )
        if local
        else {}
    )
    facts = replace(
        current.facts,
        local_admins={p: elsewhere.get(p, 0) + 1 for p in local},
        permission_admins=frozenset(p for p, role in rows if role == AdminRole.Role.BEHORIGHETSADMINISTRATOR),
    )
    notes = []
    rules = current.context.rulebook.requirements
    codes = [r.code for r in rules]
    wide = [short_code(r.code, codes) for r in rules if r.kind == WIDE_MANDATE]
    if wide and set(facts.local_admins) != set(current.facts.local_admins):
        notes.append(
            f"En ändrad lokal administratör kan också ändra bedömningen ({', '.join(wide)}) på andra "
            "enheter där samma person har rollen; de räknas om när du sparar."
        )
    return _run(current, facts, as_of, notes)
