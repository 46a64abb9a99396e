"""State changes of exemptions. Each checks the current state, saves only what changed and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from servicelevel.audit import audit
from servicelevel.writes import Saved, save_fact, unit_of

from .models import Exemption


@transaction.atomic
def expire_exemptions(*, today: datetime.date) -> list[str]:
    """approved → expired for every exemption whose valid_until is before `today` (the daily job).
    Claims with a conditional UPDATE, so two runs at once expire each exemption once."""
    due = list(
        Exemption.objects.select_for_update()
        .filter(status=Exemption.Status.APPROVED, valid_until__lt=today)
        .values_list("id", "exemption_id", "unit_id")
    )
    expired = []
    for pk, code, _unit in due:
        if Exemption.objects.filter(pk=pk, status=Exemption.Status.APPROVED).update(
            status=Exemption.Status.EXPIRED
        ):
            audit(
                action="exemption_expired",
                object_type="exemption",
                object_id=code,
                detail={"valid_until_before": str(today)},
            )
            expired.append(code)
    return expired


def exemption_draft_save(*, exemption: Exemption, actor) -> Saved:
    """A draft's terms (unit, requirement, reason, dates, justification). Once sent in, the terms are
    what the approvers decide on: they change only through the workflow's own services."""
    if (
        exemption.pk
        and Exemption.objects.filter(pk=exemption.pk).exclude(status=Exemption.Status.DRAFT).exists()
    ):
        raise ValidationError(
            "Bara ett utkast kan ändras; ett inskickat eller beslutat avsteg ändras inte här."
        )
    if exemption.status != Exemption.Status.DRAFT:
        raise ValidationError("Ett nytt avsteg börjar som utkast.")
    return save_fact(exemption, actor=actor, touches=unit_of)
