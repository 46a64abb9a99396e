"""Store evaluations per as-of date in bulk, naming the decision they were judged against."""

from __future__ import annotations

import datetime

from django.db import transaction

from servicelevel.bulk import insert_rows
from servicelevel.models import Decision
from servicelevel.page_cache import changed

from .engine.types import UnitEvaluation
from .models import RequirementResult, UnitResult


def response_time_dict(counts) -> dict | None:
    if counts is None:
        return None
    return {
        "month": counts.month,
        "assessed": counts.assessed,
        "in_time": counts.in_time,
        "late_notified": counts.late_notified,
        "late": counts.late,
        "overdue": counts.overdue,
        "pending": counts.pending,
        "share_in_time": _round(counts.share_in_time),
        "share_within_2h": _round(counts.share_within_2h),
    }


def _round(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


@transaction.atomic
def store_results(
    *,
    as_of: datetime.date,
    decision: Decision,
    evaluations: list[UnitEvaluation],
    current_period: str | None,
    month: str,
    scope=None,
    requirement_ids: dict | None = None,
) -> int:
    """Replace the stored results for this date: those of every unit in `scope` (None: every unit),
    judged or not, give way to `evaluations`. Returns rows written.

    Delete-then-insert is only safe one writer at a time: call it through `services.recompute`, which holds
    the recompute lock (two overlapping stores would both delete, then both insert the same rows)."""
    changed()  # the pages show stored results: none kept from before this store is shown after it
    unit_ids = {e.facts.unit_id for e in evaluations}
    stale = UnitResult.objects.filter(as_of=as_of)
    if scope is not None:
        stale = stale.filter(unit_id__in=list(unit_ids | set(scope)))
    RequirementResult.objects.filter(unit_result__in=stale).delete()  # one DELETE, no rows fetched
    stale.delete()
    if requirement_ids is None:
        requirement_ids = dict(decision.requirements.values_list("code", "id"))
    unit_rows = UnitResult.objects.bulk_create(
        [
            UnitResult(
                as_of=as_of,
                unit_id=e.facts.unit_id,
                decision=decision,
                current_period=current_period or "",
                evaluation_month=month,
                booking_level=e.booking_level,
                booking_level_with_exemptions=e.booking_level_with_exemptions,
                response_time=response_time_dict(e.response_time),
                forvaltning_id=e.facts.forvaltning_id,
                vardomrade_id=e.facts.vardomrade_id,
                provider_id=e.facts.provider_id,
            )
            for e in evaluations
        ],
        batch_size=2000,
    )
    fields = (
        "unit_result_id",
        "requirement_id",
        "status",
        "value",
        "reason",
        "exemption_code",
        "exemption_unneeded",
    )
    written = insert_rows(
        RequirementResult,
        fields,
        (
            (
                row.id,
                requirement_ids[code],
                r.status,
                r.value,
                r.reason,
                r.exemption_id or "",
                r.exemption_unneeded,
            )
            for row, e in zip(unit_rows, evaluations, strict=True)
            for code, r in e.requirements.items()
        ),
    )
    return len(unit_rows) + written
