"""What the unit list and the unit page share: the stored level in words, the decision of a stored date
and its requirements, and what the version says the pages show (its ladder, its response-time
requirement)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from servicelevel.models import Decision, Requirement


def level_label(level: int | None, with_exemptions: bool) -> str:
    """How the stored booking level reads ("nivå 2 med avsteg"); the engine decided both parts."""
    if level is None:
        return "–"
    return f"nivå {level} med avsteg" if with_exemptions else f"nivå {level}"


def decision_for(day: datetime.date | None) -> Decision | None:
    """The decision the stored results of `day` were judged against (one query)."""
    return Decision.in_force(day) if day is not None else None


def requirements_of(decision: Decision | None) -> list[Requirement]:
    """The decision's requirements in the decision's order (one query)."""
    if decision is None:
        return []
    requirements = list(Requirement.objects.filter(decision=decision).order_by("order", "code"))
    for requirement in requirements:
        requirement.decision = decision  # its groups' names without a query each
    return requirements


def level_top(requirements: list[Requirement]) -> int:
    """The highest level of the version's ladder (Skåne: 3); 0 when it has none (Halland, Norrbotten).
    `requirements` are one version's, as `requirements_of` gives them (each carries its decision)."""
    levels = [r.level for r in requirements if r.level]
    if not levels or not requirements[0].decision.ladder:
        return 0
    return max(levels)


@dataclass(frozen=True)
class ListTerms:
    """What the unit list's words follow in the version in force: its ladder (no level column or filter
    without one) and its response-time requirement (named beside "Svar i tid", when it has one)."""

    top_level: int  # 0: no ladder
    response_code: str  # "" when the version has no response-time requirement
    response_short: str = ""  # as the page names it (`short_code`)


def list_terms(requirements: list[Requirement]) -> ListTerms:
    response = next((r.code for r in requirements if r.kind == "response_time"), "")
    codes = [r.code for r in requirements]
    return ListTerms(level_top(requirements), response, short_code(response, codes) if response else "")


def short_code(code: str, codes) -> str:
    """A requirement's code as a page names it in passing: its first part when no other code of the
    version shares that part (Skåne's "SV1", "AH3"), else the whole code (Halland's "GU-KANALER")."""
    head = code.split("-", 1)[0]
    return head if sum(1 for c in codes if c.split("-", 1)[0] == head) <= 1 else code
