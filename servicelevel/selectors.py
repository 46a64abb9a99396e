"""Reads of the rulebook other apps use."""

from .models import Decision, Requirement


def requirement_ids_by_code(decision: Decision | None = None) -> dict[str, int]:
    """Requirement codes → ids, for the given decision or (by default) the newest one."""
    decision = decision or Decision.objects.order_by("-in_force_from").first()
    return dict(Requirement.objects.filter(decision=decision).values_list("code", "id"))
