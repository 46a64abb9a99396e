"""The audit trail at /granskning/ (docs/reports.md): every recorded decision, import, self-service change
and report download — who, when, what, old → new — filterable, paginated and exportable as CSV.

Who: the region-wide roles (Koncernstab kommunikation, Hälso- och sjukvårdsstyrning, Ledning — read-only
like the rest of the portal). The trail spans every unit, so a unit manager or a provider gets 403: the
page exists for everyone, it just is not theirs. The page only reads; the trail is append-only (the
database refuses updates and deletes on PostgreSQL, servicelevel migration 0006).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_safe

from exemptions.models import ExemptionApproval
from portal.audit.selectors import AuditFilter, action_choices, csv_rows, entries, lines
from portal.presentation.forms import DesignSystemMixin
from portal.units.views import csv_response
from servicelevel.dates import DateField
from units.permissions import sees_everything

PER_PAGE = 50


class AuditFilterForm(DesignSystemMixin, forms.Form):
    handelse = forms.ChoiceField(label="Händelse", required=False)
    objekttyp = forms.CharField(label="Objekttyp (kod)", required=False, max_length=60)
    objekt = forms.CharField(label="Objekt (id)", required=False, max_length=100)
    av = forms.CharField(label="Av (namn eller användarnamn)", required=False, max_length=150)
    fran = DateField(label="Från och med", required=False)
    till = DateField(label="Till och med", required=False)

    def __init__(self, *args, actions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handelse"].choices = [("", "Alla händelser"), *actions]

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.add_error("till", "Slutdatumet ligger före startdatumet.")
        return data

    def audit_filter(self) -> AuditFilter:
        """The valid fields as a filter (an invalid field filters nothing and shows its error)."""
        data = self.cleaned_data if self.is_bound else {}
        return AuditFilter(
            action=data.get("handelse") or "",
            object_type=(data.get("objekttyp") or "").strip(),
            object_id=(data.get("objekt") or "").strip(),
            actor=(data.get("av") or "").strip(),
            since=data.get("fran"),
            until=data.get("till") if "till" not in self.errors else None,
        )


def _staff(request) -> None:
    if not sees_everything(request.user):
        raise PermissionDenied(
            "Granskningsloggen är för Koncernstab kommunikation, "
            f"{ExemptionApproval.Body.HS_STYRNING.label} och ledningen."
        )


def _form(request, actions) -> AuditFilterForm:
    form = AuditFilterForm(request.GET or None, actions=actions)
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the valid fields
    return form


@login_required
@require_safe
def audit_trail(request):
    _staff(request)
    form = _form(request, action_choices())
    found = entries(form.audit_filter())
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    for name in ("sida", *form.errors):  # the pager and the export ask for what the page lists
        query.pop(name, None)
    return render(
        request,
        "portal/audit.html",
        {"form": form, "page": page, "lines": lines(page.object_list), "query": query.urlencode()},
    )


@login_required
@require_safe
def audit_export_csv(request):
    _staff(request)
    # The filter's choices are not needed to read an export's filter: any action code is taken as typed.
    form = AuditFilterForm(request.GET or None, actions=[(request.GET.get("handelse", ""), "")])
    if form.is_bound and not form.is_valid():
        # Refused whole, before the first byte (the page's own link leaves a field in error out): a file
        # of something other than what was asked for would be worse than none.
        labels = {name: f"{field.label}: " for name, field in form.fields.items()}
        problems = "; ".join(
            f"{labels.get(name, '')}{' '.join(errors)}" for name, errors in form.errors.items()
        )
        return HttpResponseBadRequest(
            f"Exporten kan inte göras: {problems}\n", content_type="text/plain; charset=utf-8"
        )
    return csv_response(csv_rows(form.audit_filter()), "granskningslogg")
