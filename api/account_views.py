"""/konto/api-nycklar/: a person's own API tokens — the list, a new one (its secret shown once, on the
answer to the POST, never again), and revocation. POST with CSRF; only one's own tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import tokens
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Namn", max_length=100, help_text="Vad nyckeln används till, t.ex. ”Rapportverktyget”."
    )
    scope = forms.ChoiceField(label="Behörighet", choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(
        label="Giltig i antal dagar",
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
        help_text=f"Högst {tokens.MAX_DAYS} dagar.",
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request):
    form = TokenForm()
    created = secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = get_object_or_404(ApiToken, pk=_int(request.POST.get("token")), user=request.user)
            if tokens.revoke(token=token, actor=request.user):
                messages.success(request, f"Nyckeln ”{token.name}” är återkallad.")
            return redirect("api_tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            created, secret = tokens.create(user=request.user, **form.cleaned_data)
            form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "secret": secret,
        "tokens": tokens.tokens_of(request.user),
    }
    return render(request, "accounts/api_tokens.html", context)


def _int(value) -> int:
    return int(value) if value and str(value).isdigit() else 0
