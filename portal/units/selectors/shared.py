"""What the unit list and the unit page share: the stored level in words, the decision of a stored date
and its requirements."""

from __future__ import annotations

import datetime

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
