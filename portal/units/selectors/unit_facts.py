"""The unit's own facts on its page: its offering on the page's date (the versions valid then, with the
catalogue's names) and its exemptions (active or not on the page's date, by the one activity rule)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper

from exemptions.models import Exemption
from exemptions.rules import active_q
from servicelevel.validity import valid_on
from units.models import CareUnit, Offering


@dataclass(frozen=True)
class OfferingLine:
    kind: str
    code: str
    name: str  # the catalogue's name for a regional row, "" for a local one
    variant: str
    is_open: bool


@dataclass(frozen=True)
class ExemptionLine:
    exemption_id: str
    requirement_code: str
    requirement_name: str
    reason: str
    status: str
    valid_from: datetime.date
    valid_until: datetime.date
    ended_on: datetime.date | None
    active: bool  # on the page's date, by exemptions.rules.is_active (in SQL: active_q)


def offering_lines(unit: CareUnit, day: datetime.date) -> list[OfferingLine]:
    """The offering that held on `day` (one query)."""
    rows = Offering.versions.filter(valid_on(day), unit=unit).select_related(
        "catalogue_service", "catalogue_template", "catalogue_channel"
    )
    lines = []
    for o in rows.order_by("kind", "code"):
        entry = o.catalogue_service or o.catalogue_template or o.catalogue_channel
        lines.append(
            OfferingLine(
                kind=o.get_kind_display(),
                code=o.code,
                name=entry.name if entry else "",
                variant=o.get_variant_display(),
                is_open=o.is_open,
            )
        )
    return lines


def exemption_lines(unit: CareUnit, day: datetime.date | None) -> list[ExemptionLine]:
    rows = Exemption.objects.filter(unit=unit).select_related("requirement").order_by("-valid_from")
    if day is not None:  # active on the page's date: `Exemption.objects.active_on`'s rule, in the same query
        rows = rows.annotate(active_then=ExpressionWrapper(active_q(day), output_field=BooleanField()))
    return [
        ExemptionLine(
            exemption_id=e.exemption_id,
            requirement_code=e.requirement.code,
            requirement_name=e.requirement.name,
            reason=e.get_reason_display(),
            status=e.get_status_display(),
            valid_from=e.valid_from,
            valid_until=e.valid_until,
            ended_on=e.ended_on,
            active=day is not None and e.active_then,
        )
        for e in rows
    ]
