"""Equivalent units side by side (/jamforelse/) and its CSV export: same parameters, same rights, same rows.

The page is read-only (GET only). An HTMX request from the chooser gets the result fragment alone, the
same partial the full page includes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.as_of import as_of_from
from portal.comparison.selectors import comparison_for, export_rows, filters_from
from portal.units.views import csv_response
from servicelevel.page_cache import cached_page


@require_safe
@login_required
@cached_page
def comparison(request):
    as_of = as_of_from(request)
    result = comparison_for(request.user, filters=filters_from(request.GET), results_date=as_of.shown)
    context = {"comparison": result, "as_of": as_of}
    if request.headers.get("HX-Request") == "true":
        return render(request, "portal/_comparison_result.html", context)
    return render(request, "portal/comparison.html", context)


@require_safe
@login_required
def comparison_export_csv(request):
    as_of = as_of_from(request)
    result = comparison_for(request.user, filters=filters_from(request.GET), results_date=as_of.shown)
    name = f"jamforelse-{result.scope.slug if result.scope else 'tom'}-{as_of.shown or as_of.requested}"
    return csv_response(export_rows(result), name)
