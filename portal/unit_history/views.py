"""A unit's facts over time: its history (/enheter/<hsa_id>/historik/) and the unit on two dates
(/enheter/<hsa_id>/jamfor/?fran=…&till=…). Whoever may see the unit page may see both (404 otherwise:
units.permissions.unit_for_user, first, whatever the method); they change nothing, so only GET and HEAD."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from portal.unit_history.forms import CompareDatesForm
from portal.unit_history.selectors import compare_dates, unit_history
from servicelevel.validity import today
from units.permissions import sees_everything, unit_for_user

DEFAULT_DAYS_BACK = 30  # the comparison's first date by default: 30 days before today


@login_required
def history(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(
        request,
        "portal/unit_history.html",
        # The audit trail's page is the region-wide roles' (portal/audit/views.py): linked for them only.
        {"unit": unit, "history": unit_history(unit), "audit_link": sees_everything(request.user)},
    )


@login_required
def compare(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    day = today()
    defaults = {"fran": day - datetime.timedelta(days=DEFAULT_DAYS_BACK), "till": day}
    data = {
        name: request.GET.get(name, "").strip() or default.isoformat() for name, default in defaults.items()
    }
    form = CompareDatesForm(data)
    if not form.is_valid():
        return render(
            request,
            "portal/unit_compare_dates.html",
            {"unit": unit, "form": form, "comparison": None},
            status=400,
        )
    comparison = compare_dates(unit, form.cleaned_data["fran"], form.cleaned_data["till"])
    return render(
        request, "portal/unit_compare_dates.html", {"unit": unit, "form": form, "comparison": comparison}
    )
