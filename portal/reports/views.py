"""PDF reports at /rapporter/ (docs/reports.md): ask for one (POST), follow it (the page polls a status
fragment with htmx, or refreshes itself without JavaScript), download it.

Who sees which report: the person who asked, and the region-wide roles (Koncernstab, HS-styrning,
Ledning), who may read everything a report can hold. Anyone else gets 404 — a report by a region-wide
user holds every unit. What a report holds is decided when it is rendered, as the person who asked sees
the portal (portal/reports/content.py). Each download writes an audit entry ("report_downloaded").
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compliance.models import Report
from compliance.reports import ReportLimitReached, report_downloaded, report_request, retry_after_seconds
from compliance.services import today
from portal.actionplan.forms import REGION, parse_scope, scope_choices
from portal.as_of import as_of_from
from portal.presentation.forms import DesignSystemMixin
from servicelevel.dates import DateField
from servicelevel.models import SchedulePeriod
from units.permissions import (
    area_for_user,
    forvaltning_for_user,
    sees_everything,
    unit_for_user,
    visible_areas,
    visible_units,
)

LISTED = 30  # reports on the page, newest first

KIND_HELP = {
    Report.Kind.EFTERLEVNAD: "Nivåer, krav per enhet, svarstider, varje enhets status och avsteg – "
    "för regionen, en förvaltning eller ett vårdområde.",
    Report.Kind.ENHETSKORT: "En sida om en enhet: nivå, varje krav, svarstid och avsteg.",
    Report.Kind.HANDLINGSPLAN: "Aktiviteter, målnivåer, avsteg, utfasning och hinder för en period.",
}


NO_SUCH_UNIT = "Det finns ingen enhet med det HSA-id:t som du har behörighet till."


def unit_choices(user) -> list:
    """The units the person may see, grouped by vårdområde: "Name (HSA-id)" under each area's name."""
    groups: dict[str, list] = {}
    units = visible_units(user).order_by("vardomrade__name", "name", "hsa_id")
    for hsa_id, name, area in units.values_list("hsa_id", "name", "vardomrade__name"):
        groups.setdefault(area, []).append((hsa_id, f"{name} ({hsa_id})"))
    return [("", "– välj enhet –"), *groups.items()]


class ReportForm(DesignSystemMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Rapport",
        choices=[(k.value, f"{k.label}: {KIND_HELP[k]}") for k in Report.Kind],
        widget=forms.RadioSelect,
        initial=Report.Kind.EFTERLEVNAD,
    )
    omfattning = forms.ChoiceField(
        label="Omfattning",
        required=False,
        help_text="Efterlevnadsrapport och handlingsplan: regionen, en förvaltning eller ett vårdområde.",
    )
    enhet = forms.ChoiceField(
        label="Enhet",
        required=False,
        help_text="Enhetskort: enheten kortet gäller, bland dem du har behörighet till.",
        # A unit outside the choices (a hand-made request) is refused in the same words whether it does
        # not exist or is someone else's: nothing leaks.
        error_messages={"invalid_choice": NO_SUCH_UNIT},
    )
    period = forms.ChoiceField(label="Period", required=False, help_text="Handlingsplan: planens period.")
    per = DateField(
        label="Per datum",
        help_text="ÅÅÅÅ-MM-DD. Rapporten visar de sparade resultaten för datumet (eller det senaste före).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].widget.attrs["class"] = "ds-input"
        self.fields["omfattning"].choices = scope_choices(list(_areas(user)), region=True)
        self.fields["enhet"].choices = unit_choices(user)
        periods = SchedulePeriod.objects.order_by("-start_date")
        self.fields["period"].choices = [("", "Perioden som gäller per datumet")] + [
            (p.code, f"{p.code} ({p.start_date:%Y-%m-%d} – {p.end_date:%Y-%m-%d})") for p in periods
        ]
        self.fields["per"].initial = today()

    def clean(self):
        data = super().clean()
        data["forvaltning"] = data["vardomrade"] = data["unit"] = None
        kind = data.get("kind")
        if kind == Report.Kind.ENHETSKORT:
            hsa_id = data.get("enhet")
            if not hsa_id:
                if "enhet" not in self.errors:
                    self.add_error("enhet", "Välj enheten som enhetskortet ska gälla.")
                return data
            try:
                data["unit"] = unit_for_user(self.user, hsa_id)
            except Http404:  # the choices are the visible units: only if a grant went meanwhile
                self.add_error("enhet", NO_SUCH_UNIT)
        elif kind:
            try:
                scope, number = parse_scope(data.get("omfattning") or REGION)
                if scope == "omrade":
                    data["vardomrade"] = area_for_user(self.user, number)
                elif scope == "forvaltning":
                    data["forvaltning"] = forvaltning_for_user(self.user, number)
            except (ValueError, Http404):
                self.add_error("omfattning", "Välj en omfattning i listan.")
        return data


def _areas(user) -> QuerySet:
    return visible_areas(user).select_related("forvaltning").order_by("forvaltning__name", "name")


def visible_reports(user) -> QuerySet[Report]:
    """The reports the user may follow and download: their own, or every one for a region-wide role."""
    reports = Report.objects.select_related("requested_by", "forvaltning", "vardomrade", "unit")
    return reports if sees_everything(user) else reports.filter(requested_by=user)


def report_for_user(user, pk: int) -> Report:
    """The report if the user may see it, else 404 (another person's report is not even confirmed)."""
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404("Rapporten finns inte eller så saknar du behörighet till den.")
    return report


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
            "errors": _errors(form),
            "refused": refused,
            "reports": list(visible_reports(request.user)[:LISTED]),
            "region_wide": sees_everything(request.user),
        },
        status=status,
    )
    if refused and (seconds := retry_after_seconds(refused, now=timezone.now())):
        response["Retry-After"] = str(seconds)
    return response


def _errors(form) -> list[tuple[str, str]]:
    """(field id, message) for the error summary, in the form's order."""
    if not form.is_bound or form.is_valid():
        return []
    items = [("", message) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            items += [(form[name].auto_id, f"{form[name].label}: {message}") for message in errors]
    return items


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
