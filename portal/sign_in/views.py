"""The roles a sign-in through the identity provider gives, at /inloggning/rollregler/ (docs/deployment.md,
*Sign-in with SITHS eID*): Koncernstab kommunikation keeps the table of `ClaimRoleRule`s — a value of the
role claim (OIDC_ROLE_CLAIM) and the role it gives — read at every sign-in by servicelevel/identity.py.
Adding and removing a rule is audited. Koncernstab only: every other role gets 403 (the page exists, it is
just not theirs).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portal.presentation.forms import DesignSystemMixin, error_summary
from servicelevel.audit import audit
from servicelevel.models import ClaimRoleRule
from units.permissions import may_keep_sign_in_rules


class RuleForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = ClaimRoleRule
        fields = ["claim_value", "role"]
        labels = {"claim_value": "Värde i anspråket", "role": "Ger rollen"}

    def clean_claim_value(self):
        return self.cleaned_data["claim_value"].strip()


def _keeper(request):
    if not may_keep_sign_in_rules(request.user):
        raise PermissionDenied("Rollreglerna för inloggning hålls av Koncernstab kommunikation.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rules(request):
    _keeper(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            rule = form.save()
            audit(
                action="claimrolerule_created",
                object_type="claimrolerule",
                object_id=rule.pk,
                actor=request.user,
                detail={"claim_value": rule.claim_value, "role": rule.role},
            )
        messages.success(request, f"Regeln ”{rule.claim_value}” → {rule.role} är tillagd.")
        return redirect("portal:sign_in_rules")
    context = {
        "rules": ClaimRoleRule.objects.all(),
        "form": form,
        "errors": error_summary(form),
        "role_claim": settings.OIDC_ROLE_CLAIM,
        "issuer": settings.OIDC_ISSUER,
    }
    return render(request, "portal/sign_in_rules.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def rule_delete(request, pk: int):
    _keeper(request)
    rule = get_object_or_404(ClaimRoleRule, pk=pk)
    with transaction.atomic():
        audit(
            action="claimrolerule_deleted",
            object_type="claimrolerule",
            object_id=rule.pk,
            actor=request.user,
            detail={"claim_value": rule.claim_value, "role": rule.role},
        )
        rule.delete()
    messages.success(request, f"Regeln ”{rule.claim_value}” → {rule.role} är borttagen.")
    return redirect("portal:sign_in_rules")
