"""Reads of the rulebook other apps use."""

from .models import Decision, Requirement


def requirement_ids_by_code(decision: Decision | None = None) -> dict[str, int]:
    """Requirement codes → ids, for the given decision or (by default) the region's version in force today
    (exemptions and targets refer to a requirement by its code; the engine matches them by code)."""
    from django.utils import timezone

    decision = decision or Decision.in_force(timezone.localdate())
    return dict(Requirement.objects.filter(decision=decision).values_list("code", "id"))
