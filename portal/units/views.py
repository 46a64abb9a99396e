"""The unit list (/enheter/), its CSV/XLSX exports, the unit page (/enheter/<hsa_id>/) and its list of
late cases as CSV. Each view: parse the request → one selector → render. Rights come from
units.permissions only (through the selector's visible_units and unit_for_user)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from compliance.engine.response_time import evaluation_month
from portal.as_of import AsOf, as_of_from
from portal.units.filters import UnitFilter
from portal.units.presentation import response_chart
from portal.units.selectors import (
    ListTerms,
    decision_for,
    late_cases_csv_rows,
    list_terms,
    requirements_of,
    unit_page,
    unit_rows,
    valid_month,
)
from portal.units.tables import UnitTable
from servicelevel.page_cache import cached_page
from servicelevel.spreadsheet import csv_lines, write_xlsx
from units.permissions import unit_for_user

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered_units(request) -> tuple[AsOf, UnitFilter, ListTerms]:
    as_of = as_of_from(request)
    decision = decision_for(as_of.shown)
    units = unit_rows(request.user, day=as_of.shown, decision=decision)
    requirements = requirements_of(decision)
    unit_filter = UnitFilter(request.GET, units, request=request, requirements=requirements)
    return as_of, unit_filter, list_terms(requirements)


@login_required
@require_safe
@cached_page
def unit_list(request):
    as_of, unit_filter, terms = _filtered_units(request)
    unit_filter.read_choices()
    table = UnitTable(unit_filter.qs, as_of_query=as_of.query, has_levels=bool(terms.top_level))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    # The query string without the page, for the export links (same filters, sort and date).
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "as_of": as_of,
        "filter": unit_filter,
        "table": table,
        "export_query": export_query.urlencode(),
        "terms": terms,
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        # The vårdområde select comes along out of band: the förvaltning just chosen narrows it.
        return render(request, "portal/_unit_results.html", {**context, "swap_filters": True})
    return render(request, "portal/unit_list.html", context)


def _export_units(request) -> tuple[UnitTable, str]:
    """The list as the page shows it (filters and the chosen sort), every row, and the file's base name."""
    as_of, unit_filter, terms = _filtered_units(request)
    table = UnitTable(unit_filter.qs, has_levels=bool(terms.top_level))
    RequestConfig(request, paginate=False).configure(table)  # reads ?sort= exactly as the page does
    day = as_of.shown or as_of.requested
    return table, f"enheter-{day.isoformat()}"


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download in the portal's one convention for people (servicelevel.spreadsheet's
    `csv_lines`: UTF-8 with BOM, semicolons, decimal comma, CR LF): the unit list, a unit's cases, the
    comparison, the audit trail. `filename` without its `.csv`."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@login_required
@require_safe
def unit_export_csv(request):
    table, name = _export_units(request)
    return csv_response(table.export_rows(), name)


@login_required
@require_safe
def unit_export_xlsx(request):
    table, name = _export_units(request)
    buffer = io.BytesIO()
    write_xlsx(table.export_rows(), buffer, title="Enheter", share_columns=table.SHARE_COLUMNS)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@never_cache
@login_required
@cached_page
def unit_detail(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id)  # first: an outsider gets 404 whatever the method
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    as_of = as_of_from(request)
    # Offerings and roles as they were on the date shown (or asked for, when nothing is stored by then).
    page = unit_page(request.user, unit, day=as_of.shown, facts_day=as_of.shown or as_of.requested)
    chart = response_chart(page.months, page.threshold, page.stretch_hours)
    return render(
        request, "portal/unit_detail.html", {"as_of": as_of, "page": page, "unit": unit, "chart": chart}
    )


@login_required
def unit_cases_csv(request, hsa_id: str):
    """The month's late and overdue cases (ids and instants only) with their outcome at the page's date;
    `?manad=YYYY-MM`, by default the evaluation month of that date."""
    unit = unit_for_user(request.user, hsa_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    as_of = as_of_from(request)
    if as_of.shown is None:
        raise Http404("Det finns inga sparade resultat att utgå från.")
    text = request.GET.get("manad", "").strip()
    month = valid_month(text) if text else evaluation_month(as_of.shown)
    if month is None:
        raise Http404("Månaden skrivs ÅÅÅÅ-MM.")
    rows = late_cases_csv_rows(unit, day=as_of.shown, month=month)
    return csv_response(rows, f"arenden-{unit.hsa_id}-{month}")
