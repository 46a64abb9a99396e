"""The roles a sign-in through the identity provider gives, at /inloggning/rollregler/ (docs/deployment.md,
*Sign-in with SITHS eID*): Koncernstab kommunikation keeps the table of `ClaimRoleRule`s — a value of the
role claim (OIDC_ROLE_CLAIM) and the role it gives — read at every sign-in by servicelevel/identity.py.
Adding and removing a rule is audited (identity.add_role_rule, remove_role_rule). Koncernstab only: every
other role gets 403 (the page exists, it is just not theirs).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.presentation.forms import DesignSystemMixin, error_summary
from portal.sign_in import selectors
from servicelevel.identity import add_role_rule, remove_role_rule
from servicelevel.models import ClaimRoleRule
from units.permissions import may_keep_sign_in_rules


class RuleForm(DesignSystemMixin, forms.Form):
    claim_value = forms.CharField(label="Värde i anspråket", max_length=255)
    role = forms.ChoiceField(label="Ger rollen", choices=[("", "– välj –"), *ClaimRoleRule.ROLE_CHOICES])

    def clean(self):
        data = super().clean()
        value, role = data.get("claim_value", "").strip(), data.get("role")
        data["claim_value"] = value
        if value and role and selectors.rule_exists(value, role):
            raise forms.ValidationError("Den regeln finns redan.")
        return data


def _keeper(request):
    if not may_keep_sign_in_rules(request.user):
        raise PermissionDenied("Rollreglerna för inloggning hålls av Koncernstab kommunikation.")


def _role_label(role: str) -> str:
    return dict(ClaimRoleRule.ROLE_CHOICES).get(role, role)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rules(request):
    _keeper(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = add_role_rule(
            claim_value=form.cleaned_data["claim_value"], role=form.cleaned_data["role"], actor=request.user
        )
        messages.success(request, f"Regeln ”{rule.claim_value}” → {_role_label(rule.role)} är tillagd.")
        return redirect("portal:sign_in_rules")
    context = {
        "rules": selectors.rules(),
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
    rule = selectors.rule(pk)
    remove_role_rule(rule=rule, actor=request.user)
    messages.success(request, f"Regeln ”{rule.claim_value}” → {_role_label(rule.role)} är borttagen.")
    return redirect("portal:sign_in_rules")
