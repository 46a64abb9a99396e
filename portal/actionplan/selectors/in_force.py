"""The exemptions in force on a day for some units, as the action plan (and the compliance report) lists
them: `Exemption.objects.active_on` (the rule of `exemptions.rules.is_active`, in SQL), marked when they
end soon (`exemptions.rules.ENDING_SOON_DAYS`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from exemptions.models import Exemption
from exemptions.rules import ENDING_SOON_DAYS
from units.models import CareUnit

REASON_LABELS = dict(Exemption.Reason.choices)
EXEMPTION_STATUS_LABELS = dict(Exemption.Status.choices)


@dataclass(frozen=True)
class ExemptionRow:
    exemption_id: str
    unit_hsa_id: str
    unit_name: str
    requirement_code: str
    requirement_name: str
    reason: str
    status: str
    valid_from: datetime.date
    valid_until: datetime.date
    ends_soon: bool  # within ENDING_SOON_DAYS of the plan's date


def exemptions_in_force(units: QuerySet[CareUnit], day: datetime.date) -> list[ExemptionRow]:
    """The exemptions of these units active on `day` (`Exemption.objects.active_on`), the first to end first
    (one query). Public: the compliance report lists the same rows."""
    in_force = (
        Exemption.objects.active_on(day)
        .filter(unit__in=units)
        .select_related("unit", "requirement")
        .order_by("valid_until", "unit__name", "requirement__order")
    )
    soon = day + datetime.timedelta(days=ENDING_SOON_DAYS)
    return [  # query: the exemptions active on the day, of the scope's visible units
        ExemptionRow(
            exemption_id=e.exemption_id,
            unit_hsa_id=e.unit.hsa_id,
            unit_name=e.unit.name,
            requirement_code=e.requirement.code,
            requirement_name=e.requirement.name,
            reason=REASON_LABELS.get(e.reason, e.reason),
            status=EXEMPTION_STATUS_LABELS.get(e.status, e.status),
            valid_from=e.valid_from,
            valid_until=e.valid_until,
            ends_soon=(e.ended_on or e.valid_until) <= soon,
        )
        for e in in_force
    ]
