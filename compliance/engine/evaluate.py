"""Judge one unit: applicability, each requirement, exemptions, booking level."""

from __future__ import annotations

import datetime

from exemptions.rules import is_active
from units.applicability import BOOKING_GROUP, applies, not_applicable_reason

from .booking import booking_level, judge_booking, level_requirements
from .offerings import judge_offerings
from .response_time import evaluation_month, judge_response_time
from .roles import judge_roles
from .types import (
    EXEMPT,
    MET,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    ExemptionFact,
    Judgement,
    RequirementOutcome,
    ResponseCounts,
    Rulebook,
    UnitEvaluation,
    UnitFacts,
)

__all__ = ["evaluate_unit", "evaluation_month"]


def evaluate_unit(facts: UnitFacts, rulebook: Rulebook, as_of: datetime.date) -> UnitEvaluation:
    judgements = _judge(facts, rulebook, as_of)
    active = _active_exemptions(facts.exemptions, as_of)
    requirements = {}
    for rule in rulebook.requirements:
        judgement = judgements[rule.code]
        requirements[rule.code] = _apply_exemption(rule.code, judgement, active.get(rule.code))
    tb_levels = level_requirements(rulebook.requirements)
    tb_applicable = applies(
        group=BOOKING_GROUP, has_contact_card=facts.has_contact_card, booking_system=facts.booking_system
    )
    level, with_exemptions = booking_level(
        {c: requirements[c].status for c in tb_levels}, tb_levels, applicable=tb_applicable
    )
    return UnitEvaluation(
        facts=facts,
        requirements=requirements,
        booking_level=level,
        booking_level_with_exemptions=with_exemptions,
        response_time=_response(facts, as_of) if facts.has_contact_card else None,
    )


def _response(facts: UnitFacts, as_of: datetime.date) -> ResponseCounts:
    return facts.response or ResponseCounts(evaluation_month(as_of))


def _judge(facts: UnitFacts, rulebook: Rulebook, as_of: datetime.date) -> dict[str, Judgement]:
    """A judgement for exactly the rulebook's requirements: a later decision may drop some of this
    engine's codes (they are not judged) or add codes it has no rule for (`no_data`, saying so)."""
    codes = [r.code for r in rulebook.requirements]
    unit = {"has_contact_card": facts.has_contact_card, "booking_system": facts.booking_system}
    not_applicable = {
        r.code: Judgement(NOT_APPLICABLE, why)
        for r in rulebook.requirements
        if (why := not_applicable_reason(group=r.group, **unit))
    }
    if len(not_applicable) == len(codes):
        return not_applicable
    tb_rules = [r for r in rulebook.requirements if r.group == BOOKING_GROUP and r.code not in not_applicable]
    judgements = judge_booking(facts, tb_rules) if tb_rules else {}
    judgements.update(judge_offerings(facts, rulebook))
    judgements.update(judge_roles(facts))
    if "SV1-SVARSTID" in codes:
        threshold = rulebook.rule("SV1-SVARSTID").parameters["threshold"]
        judgements["SV1-SVARSTID"] = judge_response_time(_response(facts, as_of), threshold)
    judgements.update(not_applicable)
    return {code: judgements.get(code) or _no_rule(code) for code in codes}


def _no_rule(code: str) -> Judgement:
    return Judgement(NO_DATA, f"Portalen har ännu ingen regel för kravet {code}; det kan inte bedömas")


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
