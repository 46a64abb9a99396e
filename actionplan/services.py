"""Services for the action plan's facts the engine reads: target shares per vårdområde and period."""

from __future__ import annotations

from servicelevel.writes import Saved, delete_fact, save_fact
from units.models import CareUnit

from .models import Target


def target_save(*, target: Target, actor) -> Saved:
    return save_fact(target, actor=actor, touches=area_units)


def target_delete(*, target: Target, actor) -> None:
    delete_fact(target, actor=actor, touches=area_units)


def area_units(before, after) -> set[int]:
    """A target applies to every unit of its vårdområde (before and after an edit)."""
    areas = {t.vardomrade_id for t in (before, after) if t is not None}
    return set(CareUnit.objects.filter(vardomrade_id__in=areas).values_list("id", flat=True))
