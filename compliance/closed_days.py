"""Changing the region's extra closed days: each change recomputes the deadlines it can affect."""

from __future__ import annotations

import datetime

from django.db import transaction

from servicelevel.audit import audit
from servicelevel.signals import notify_facts_changed

from .deadlines import recompute_around
from .models import ClosedDay


@transaction.atomic
def add_closed_day(*, date: datetime.date | str, name: str, actor=None) -> ClosedDay:
    day = datetime.date.fromisoformat(date) if isinstance(date, str) else date
    closed, _ = ClosedDay.objects.update_or_create(date=day, defaults={"name": name})
    recompute_around(day)
    notify_facts_changed(unit_ids=None, kind="calendar")  # moved deadlines can change any unit's outcomes
    audit(
        action="closed_day_added",
        object_type="closed_day",
        object_id=str(day),
        actor=actor,
        detail={"name": name},
    )
    return closed


@transaction.atomic
def remove_closed_day(*, closed: ClosedDay, actor=None) -> None:
    day = closed.date
    closed.delete()
    recompute_around(day)
    notify_facts_changed(unit_ids=None, kind="calendar")
    audit(action="closed_day_removed", object_type="closed_day", object_id=str(day), actor=actor)
