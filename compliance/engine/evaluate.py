"""Judge one unit: applicability, each requirement, exemptions, booking level."""

from __future__ import annotations

import datetime

from exemptions.rules import is_active
from units.applicability import unmet_condition

from .booking import booking_level, level_requirements
from .kinds import JUDGES
from .response_time import evaluation_month, month_counts
from .types import (
    EXEMPT,
    MET,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    ExemptionFact,
    Judgement,
    RequirementOutcome,
    RequirementRule,
    ResponseCounts,
    Rulebook,
    UnitEvaluation,
    UnitFacts,
)

__all__ = ["evaluate_unit", "evaluation_month"]


def evaluate_unit(facts: UnitFacts, rulebook: Rulebook, as_of: datetime.date) -> UnitEvaluation:
    active = _active_exemptions(facts.exemptions, as_of)
    requirements = {
        rule.code: _apply_exemption(rule.code, _judge(facts, rule, rulebook, as_of), active.get(rule.code))
        for rule in rulebook.requirements
    }
    levels = level_requirements(rulebook.requirements) if rulebook.ladder else {}
    level, with_exemptions = booking_level({c: requirements[c].status for c in levels}, levels)
    return UnitEvaluation(
        facts=facts,
        requirements=requirements,
        booking_level=level,
        booking_level_with_exemptions=with_exemptions,
        response_time=_response(facts, as_of) if facts.has_contact_card else None,
    )


def _response(facts: UnitFacts, as_of: datetime.date) -> ResponseCounts:
    return month_counts(facts, as_of)


def _judge(facts: UnitFacts, rule: RequirementRule, rulebook: Rulebook, as_of: datetime.date) -> Judgement:
    """The requirement's judgement before exemptions: not applicable by the first of its conditions the
    unit fails, else by its kind's rule. A kind this engine does not know is `no_data`, saying so."""
    why = unmet_condition(
        rule.applies_if, has_contact_card=facts.has_contact_card, booking_system=facts.booking_system
    )
    if why:
        return Judgement(NOT_APPLICABLE, why)
    judge = JUDGES.get(rule.kind)
    if judge is None:
        return Judgement(
            NO_DATA, f"Portalen har ännu ingen regel för kravet {rule.code}; det kan inte bedömas"
        )
    return judge(facts, rule, rulebook, as_of)


def _active_exemptions(exemptions: tuple[ExemptionFact, ...], day: datetime.date) -> dict[str, ExemptionFact]:
    """Per requirement, the active exemption with the smallest id."""
    chosen: dict[str, ExemptionFact] = {}
    for e in exemptions:
        if is_active(
            status=e.status, valid_from=e.valid_from, valid_until=e.valid_until, ended_on=e.ended_on, day=day
        ):
            current = chosen.get(e.requirement_code)
            if current is None or e.exemption_id < current.exemption_id:
                chosen[e.requirement_code] = e
    return chosen


def _apply_exemption(code: str, judgement: Judgement, exemption: ExemptionFact | None) -> RequirementOutcome:
    """An active exemption turns not_met / no_data into exempt; never changes met or not_applicable."""
    outcome = RequirementOutcome(code, judgement.status, judgement.reason, judgement.value)
    if exemption is None or judgement.status == NOT_APPLICABLE:
        return outcome
    outcome.exemption_id = exemption.exemption_id
    if judgement.status in (NOT_MET, NO_DATA):
        outcome.status = EXEMPT
        outcome.reason = (
            f"{judgement.reason}. Avsteg {exemption.exemption_id} gäller t.o.m. {exemption.valid_until}"
        )
    elif judgement.status == MET:
        outcome.exemption_unneeded = True
        outcome.reason = f"{judgement.reason}. Avsteg {exemption.exemption_id} behövs inte längre"
    return outcome
