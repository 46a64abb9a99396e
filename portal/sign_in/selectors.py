"""What /inloggning/rollregler/ reads: the rules, and one rule by its id (404 for one that is gone)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from servicelevel.models import ClaimRoleRule


def rules() -> QuerySet[ClaimRoleRule]:
    return ClaimRoleRule.objects.all()


def rule(pk: int) -> ClaimRoleRule:
    return get_object_or_404(ClaimRoleRule, pk=pk)


def rule_exists(claim_value: str, role: str) -> bool:
    return ClaimRoleRule.objects.filter(claim_value=claim_value, role=role).exists()
