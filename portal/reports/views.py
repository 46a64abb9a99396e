"""PDF reports at /rapporter/ (docs/reports.md): ask for one (POST), follow it (the page polls a status
fragment with htmx, or refreshes itself without JavaScript), download it.

Who sees which report: the person who asked, and the region-wide roles (Koncernstab, HS-styrning,
Ledning), who may read everything a report can hold. Anyone else gets 404 — a report by a region-wide
user holds every unit. What a report holds is decided when it is rendered, as the person who asked sees
the portal (portal/reports/content.py). Each download writes an audit entry ("report_downloaded").
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compliance.models import Report
from compliance.reports import ReportLimitReached, report_downloaded, report_request, retry_after_seconds
from compliance.services import today
from portal.as_of import as_of_from
from portal.presentation.forms import error_summary
from portal.reports.forms import ReportForm
from portal.reports.selectors import recent_reports, report_for_user
from units.permissions import sees_everything, unit_for_user

LISTED = 30  # reports on the page, newest first


@never_cache
@login_required
def report_list(request):
    form = ReportForm(request.POST or None, user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = report_request(
                requested_by=request.user,
                kind=data["kind"],
                as_of=data["per"],
                forvaltning=data["forvaltning"],
                vardomrade=data["vardomrade"],
                unit=data["unit"],
                period=data.get("period") or "",
            )
        except ReportLimitReached as refused:
            return _page(request, form, refused=refused)
        return redirect("portal:report_detail", pk=report.pk)
    return _page(request, form)


def _page(request, form, *, refused: ReportLimitReached | None = None):
    """The reports page: the form (kept as sent when it is refused) and the reports the person may follow.
    A request the service refused for the person's limit is a 429 with its words and when to ask again."""
    status = 429 if refused else 400 if form.errors else 200
    response = render(
        request,
        "portal/reports.html",
        {
            "form": form,
            "errors": error_summary(form),
            "refused": refused,
            "reports": recent_reports(request.user, LISTED),
            "region_wide": sees_everything(request.user),
        },
        status=status,
    )
    if refused and (seconds := retry_after_seconds(refused, now=timezone.now())):
        response["Retry-After"] = str(seconds)
    return response


def _initial(request) -> dict:
    """A link may preset the form (e.g. ?rapport=enhetskort&enhet=…; the unit page's "Enhetskort som PDF"
    posts to `unit_scorecard` instead)."""
    initial = {}
    if request.GET.get("rapport") in Report.Kind.values:
        initial["kind"] = request.GET["rapport"]
    if request.GET.get("enhet"):
        initial["enhet"] = request.GET["enhet"][:40]
    if request.GET.get("omfattning"):
        initial["omfattning"] = request.GET["omfattning"][:40]
    return initial


@login_required
@require_safe
def report_detail(request, pk: int):
    report = report_for_user(request.user, pk)
    return render(request, "portal/reports_detail.html", {"report": report})


@login_required
@require_safe
def report_status(request, pk: int):
    """The report's state alone: the detail page polls it while the report is made."""
    report = report_for_user(request.user, pk)
    return render(request, "portal/_report_status.html", {"report": report})


@login_required
@require_safe
def report_download(request, pk: int):
    report = report_for_user(request.user, pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404("Rapporten är inte klar.")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Rapportens fil finns inte längre; beställ rapporten igen.") from exc
    report_downloaded(report=report, actor=request.user)
    filename = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


@login_required
def unit_scorecard(request, hsa_id: str):
    """POST: a unit's scorecard for the as-of date (`per`, default today), e.g. from the unit's page.
    404 for a unit the user may not see, whatever the method."""
    unit = unit_for_user(request.user, hsa_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    as_of = as_of_from(request, earliest=False) if request.GET.get("per") else None
    if as_of and as_of.invalid:
        return HttpResponseBadRequest(
            f"”{as_of.invalid[:20]}” {as_of.reason}.\n", content_type="text/plain; charset=utf-8"
        )
    day = as_of.requested if as_of else today()
    try:
        report = report_request(requested_by=request.user, kind=Report.Kind.ENHETSKORT, as_of=day, unit=unit)
    except ReportLimitReached as refused:
        # Refused on the reports page, its form filled in with this scorecard, to be sent again later.
        initial = {"kind": Report.Kind.ENHETSKORT, "enhet": unit.hsa_id, "per": day}
        return _page(request, ReportForm(user=request.user, initial=initial), refused=refused)
    return redirect("portal:report_detail", pk=report.pk)
