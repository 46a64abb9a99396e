"""The phase-out of local services and templates in the action plan: every local offering still offered
by the scope's active units, with its plan if any, and the count per vårdområde."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from actionplan.models import PhaseOut
from units.models import Offering

KIND_LABELS = dict(Offering.Kind.choices)


@dataclass(frozen=True)
class PhaseOutRow:
    unit_hsa_id: str
    unit_name: str
    vardomrade: str
    kind: str
    kind_label: str
    code: str
    planned_end: datetime.date | None  # None: no plan yet
    replacement: str
    note: str
    late: bool  # still offered after its planned end
    may_change: bool


@dataclass(frozen=True)
class PhaseOutArea:
    vardomrade: str
    offered: int
    planned: int

    @property
    def unplanned(self) -> int:
        return self.offered - self.planned


def phase_out_rows(units, day, may_plan, own_unit_ids) -> tuple[list[PhaseOutRow], list[PhaseOutArea]]:
    """Every local service and template still offered by the scope's active units, with its plan if any."""
    active = units.filter(active=True)
    # query: the phase-out plans of those units, keyed by the offering's identity
    plans = {
        (p.unit_id, p.kind, p.code): p
        for p in PhaseOut.objects.filter(unit__in=active).select_related(
            "replacement_service", "replacement_template"
        )
    }
    offerings = (
        Offering.objects.filter(unit__in=active, variant=Offering.Variant.LOKAL)
        .select_related("unit__vardomrade")
        .order_by("unit__vardomrade__name", "unit__name", "kind", "code")
    )
    rows, areas = [], {}
    for o in offerings:  # query: the local offerings
        plan = plans.get((o.unit_id, o.kind, o.code))
        area = o.unit.vardomrade.name
        rows.append(
            PhaseOutRow(
                unit_hsa_id=o.unit.hsa_id,
                unit_name=o.unit.name,
                vardomrade=area,
                kind=o.kind,
                kind_label=KIND_LABELS.get(o.kind, o.kind),
                code=o.code,
                planned_end=plan.planned_end if plan else None,
                replacement=str(plan.replacement.name) if plan and plan.replacement else "",
                note=plan.note if plan else "",
                late=plan is not None and plan.planned_end < day,
                may_change=may_plan or o.unit_id in own_unit_ids,
            )
        )
        offered, planned = areas.get(area, (0, 0))
        areas[area] = (offered + 1, planned + (plan is not None))
    return rows, [PhaseOutArea(name, offered, planned) for name, (offered, planned) in areas.items()]
