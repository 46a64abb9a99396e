"""Imports in the browser (/import/): upload a file of any `import_data` kind, see every problem or what it
would change, confirm, follow the import; each kind's columns and a template to download (CSV, XLSX).
Koncernstab and HS-styrning only (403 for other roles)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from exemptions.models import ExemptionApproval
from portal.imports.selectors import import_kinds, job_or_404, kind_label, recent_jobs
from servicelevel import import_jobs
from servicelevel.dates import DateField, DateInput
from servicelevel.importing import registry, template_files
from servicelevel.importing.summary import line_in_swedish
from servicelevel.models import ImportJob
from servicelevel.validity import refuse_future
from units.permissions import may_import


def over_time_kinds() -> list[str]:
    """The kinds whose facts are kept over time (units, offerings, admin_roles): "Gäller från" is theirs."""
    return [k for k in registry.KINDS if registry.get(k).over_time]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Slag av fil", choices=[(k, kind_label(k)) for k in registry.KINDS])
    file = forms.FileField(
        label="Fil (CSV eller Excel .xlsx)",
        help_text="Kolumnerna för varje slag, och en mall att hämta, finns under ”Filernas kolumner” nedan. "
        "Högst 500 MB.",
    )
    valid_from = DateField(
        label="Gäller från (valfritt)", required=False, widget=DateInput(attrs={"class": "ds-input"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].help_text = (
            f"Bara för {', '.join(over_time_kinds())}: från vilket datum filens uppgifter gäller. Tomt = i "
            "dag (en enhets första uppgifter gäller från början). Ett tidigare datum är en rättelse: de "
            "sparade resultaten från det datumet bedöms om."
        )

    def clean_valid_from(self):
        day = self.cleaned_data["valid_from"]
        return day if day is None else refuse_future(day)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        kept = over_time_kinds()
        if data.get("valid_from") is not None and kind and kind not in kept:
            self.add_error(
                "valid_from",
                f"Gäller från används bara för uppgifter som sparas över tid ({', '.join(kept)}), inte för "
                f"{kind}. Lämna fältet tomt.",
            )
        return data

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in import_jobs.ALLOWED_SUFFIXES:
            raise forms.ValidationError("Filen ska vara en CSV-fil (.csv, .txt) eller en Excel-fil (.xlsx).")
        if upload.size > import_jobs.MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Filen är större än 500 MB; dela upp den.")
        return upload


def _importer(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied(
            "Import i webbläsaren är för Koncernstab kommunikation och "
            f"{ExemptionApproval.Body.HS_STYRNING.label}."
        )


@never_cache
@login_required
def start(request):
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.start_check(
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            actor=request.user,
            valid_from=form.cleaned_data["valid_from"],
        )
        return redirect("portal:import_job", pk=job.pk)
    jobs = [(job, line_in_swedish(job.summary or job.check_summary)) for job in recent_jobs()]
    return render(request, "portal/import_start.html", {"form": form, "jobs": jobs, "kinds": import_kinds()})


def _kind_or_404(kind: str):
    if kind not in registry.kinds():
        raise Http404("Inget sådant slag av fil.")
    return registry.get(kind)


@login_required
@require_safe
def template_csv(request, kind: str):
    """The kind's template as CSV: semicolons and a byte-order mark, so Swedish Excel opens it."""
    _importer(request)
    importer = _kind_or_404(kind)
    response = HttpResponse(template_files.template_csv(importer), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="importmall-{kind}.csv"'
    return response


@login_required
@require_safe
def template_xlsx(request, kind: str):
    _importer(request)
    importer = _kind_or_404(kind)
    response = HttpResponse(
        template_files.template_xlsx(importer), content_type=template_files.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="importmall-{kind}.xlsx"'
    return response


@never_cache
@login_required
def job(request, pk: int):
    _importer(request)
    job = job_or_404(pk)
    return render(request, "portal/import_job.html", _status_context(job))


@never_cache
@login_required
def status(request, pk: int):
    """The job's status box alone: the page polls it (htmx) while the job runs."""
    _importer(request)
    job = job_or_404(pk)
    return render(request, "portal/_import_status.html", _status_context(job))


@login_required
@require_POST
def confirm(request, pk: int):
    _importer(request)
    job = job_or_404(pk)
    try:
        started = import_jobs.confirm(job=job, actor=request.user)
    except import_jobs.UploadExpired:
        # The job's page says why (the job's message): "Filen har tagits bort efter ett dygn; …".
        messages.error(request, "Importen startades inte.")
    else:
        if not started:
            messages.info(request, "Importen är redan startad eller kan inte startas i det här läget.")
    return redirect("portal:import_job", pk=job.pk)


def _status_context(job: ImportJob) -> dict:
    problems = job.problem_lines()
    percent, waiting = import_jobs.progress(job)
    return {
        "job": job,
        "kept_until": import_jobs.kept_until(job),
        "percent": percent,
        "waiting": waiting,
        "problems": problems,
        "kind_label": kind_label(job.kind),
        # The job keeps the command line's summary line; people read it in Swedish.
        "check_outcome": line_in_swedish(job.check_summary),
        "outcome": line_in_swedish(job.summary),
    }
