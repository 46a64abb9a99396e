"""Reads of the rulebook other apps use."""

from .models import Decision, Requirement


def requirement_ids_by_code(decision: Decision | None = None) -> dict[str, int]:
    """Requirement codes → ids, for the given decision or (by default) the deployment region's newest one
    (a Halland portal's database also holds Skåne's version, from the first migrations)."""
    decision = decision or Decision.of_region().order_by("-in_force_from", "-id").first()
    return dict(Requirement.objects.filter(decision=decision).values_list("code", "id"))
