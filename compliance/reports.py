"""PDF reports (/rapporter/, docs/reports.md): ask for one, render it in a Celery task, hand it out.

    report_request(*, requested_by, kind, as_of, ...) -> Report   the page's POST; queues the task on commit
                                                                  (or ReportLimitReached: too many asked for)
    render(*, report_id, final_attempt) -> bool                   the task's body: claim, build, store
    report_downloaded(*, report, actor) -> None                   the download's audit entry

What a report *shows* is the portal's business (its selectors and templates, run as the person who asked):
the function named by `settings.REPORT_CONTENT` turns a `Report` into finished HTML and a title. This
module only claims the work, renders the HTML with WeasyPrint as tagged PDF/UA-1, and stores the file.

Idempotent: a run first claims the report with a conditional UPDATE (queued → rendering, or a rendering
claim older than the task's hard time limit, whose worker died); a report that is done or being rendered
elsewhere is left alone, so a rerun or a second delivery makes no second file. The finished file is
recorded with a second conditional UPDATE on the same claim; a run that lost its claim deletes its file.
Transient faults (the database or the disk) are retried with backoff by the task; the last attempt, and
every other fault, leaves the report `failed` with a Swedish sentence the person who asked sees.
"""

from __future__ import annotations

import datetime
import logging
import math
from dataclasses import dataclass

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from servicelevel import locks
from servicelevel.audit import audit

from .models import Report

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
# Keep in step with the task's limits (compliance/tasks.py): a claim older than the hard limit is a dead
# worker's, and may be taken over.
SOFT_TIME_LIMIT = 300
TIME_LIMIT = 360
STALE_CLAIM = datetime.timedelta(seconds=TIME_LIMIT + 60)
# Faults worth another try: the database went away or timed out, the disk or a socket failed.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

FAILED_RIGHTS = "Du har inte längre behörighet till det rapporten gäller, så den skapades inte."
FAILED_TIMEOUT = (
    "Rapporten tog för lång tid att skapa och avbröts. Välj en mindre omfattning eller försök igen senare."
)
FAILED_TRANSIENT = (
    "Rapporten kunde inte skapas: databasen eller lagringen svarade inte, trots flera försök. "
    "Beställ den igen om en stund."
)
FAILED_UNEXPECTED = (
    "Rapporten kunde inte skapas på grund av ett fel i portalen. Felet är loggat; "
    "beställ rapporten igen eller kontakta portalens förvaltning om felet kvarstår."
)

# The progress bar's steps (percent): claimed, content read and HTML written, PDF stored.
PROGRESS_CLAIMED = 10
PROGRESS_HTML = 40
PROGRESS_DONE = 100


@dataclass(frozen=True)
class ReportHTML:
    """A report's finished document: HTML (with <html lang="sv"> and a <title>) and the same title."""

    html: str
    title: str
    filename: str  # without the suffix, e.g. "efterlevnad-primarvard-malmo-2026-11-15"


# Requests per person (settings.REPORT_MAX_RUNNING_PER_PERSON, REPORT_MAX_PER_HOUR). A report still queued
# or rendering this long after it was asked for was lost with its worker (the task's limits and retries
# take minutes): it no longer holds one of the person's places.
LIMIT_WINDOW = datetime.timedelta(hours=1)
LOST_AFTER = datetime.timedelta(hours=1)


class ReportLimitReached(Exception):
    """The person has asked for as many reports as they may for now. The message says in Swedish when they
    may ask again; `retry_at` is that instant when it can be known (the hourly limit), else None (a
    report being made must finish first)."""

    def __init__(self, message: str, *, retry_at: datetime.datetime | None = None):
        super().__init__(message)
        self.message, self.retry_at = message, retry_at


def request_lock(user_id: int) -> str:
    """One person's report requests are counted and made one at a time (servicelevel/locks.py)."""
    return f"reports:requests:{user_id}"


def _reports(n: int) -> str:
    return f"{n} rapport" if n == 1 else f"{n} rapporter"


def check_request_limits(requested_by, *, now: datetime.datetime) -> None:
    """Refuse a new request when the person already has the most reports being made at a time, or has asked
    for the most an hour. Counted from the person's own reports (any status for the hour)."""
    mine = Report.objects.filter(requested_by=requested_by)
    most_running = settings.REPORT_MAX_RUNNING_PER_PERSON
    if most_running:
        running = mine.filter(status__in=Report.RUNNING, created_at__gt=now - LOST_AFTER).count()
        if running >= most_running:
            when = "när den är klar" if most_running == 1 else "när någon av dem är klar"
            raise ReportLimitReached(
                f"Du har redan {_reports(running)} som skapas. "
                f"Beställ nästa {when} – oftast inom någon minut."
            )
    most_an_hour = settings.REPORT_MAX_PER_HOUR
    if most_an_hour:
        recent = list(
            mine.filter(created_at__gt=now - LIMIT_WINDOW)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:most_an_hour]
        )
        if len(recent) >= most_an_hour:
            # The hour has room again once the oldest of the newest `most_an_hour` leaves it; said to the
            # minute, rounded up, so asking at the time shown works.
            retry_at = recent[-1] + LIMIT_WINDOW
            local = timezone.localtime(retry_at)
            shown = local.replace(second=0, microsecond=0)
            if shown < local:
                shown += datetime.timedelta(minutes=1)
            raise ReportLimitReached(
                f"Du har beställt {_reports(len(recent))} den senaste timmen, så många som går. "
                f"Du kan beställa nästa kl. {shown:%H:%M}.",
                retry_at=retry_at,
            )


def retry_after_seconds(refused: ReportLimitReached, *, now: datetime.datetime) -> int | None:
    """Whole seconds until the person may ask again (an HTTP Retry-After), when it is known."""
    if refused.retry_at is None:
        return None
    return max(1, math.ceil((refused.retry_at - now).total_seconds()))


def report_request(
    *,
    requested_by,
    kind: str,
    as_of: datetime.date,
    forvaltning=None,
    vardomrade=None,
    unit=None,
    period: str = "",
) -> Report:
    """A new report, queued: the task is sent when the transaction commits (so the worker finds the row).
    The caller has checked that the user may see the scope; the task checks again when it renders.

    Refused with `ReportLimitReached` when the person may ask for no more now (`check_request_limits`).
    The count and the new row are one transaction under the person's lock, so two requests at the same
    moment cannot both take the last place: the second waits for the first to commit and counts it."""
    if unit is not None:
        scope = Report.Scope.UNIT
    elif vardomrade is not None:
        scope = Report.Scope.VARDOMRADE
        forvaltning = vardomrade.forvaltning
    elif forvaltning is not None:
        scope = Report.Scope.FORVALTNING
    else:
        scope = Report.Scope.REGION
    report = Report(
        kind=kind,
        scope=scope,
        forvaltning=forvaltning if unit is None else None,
        vardomrade=vardomrade if unit is None else None,
        unit=unit,
        period=period,
        as_of=as_of,
        requested_by=requested_by,
    )
    report.full_clean(exclude=["file"])
    with transaction.atomic():
        locks.hold(request_lock(requested_by.pk))
        check_request_limits(requested_by, now=timezone.now())
        report.save()
    transaction.on_commit(lambda: render_report.delay(report.pk))
    return report


def render(*, report_id: int, final_attempt: bool = True) -> bool:
    """Claim, build, render and store one report; True when this run made its file. A transient fault
    is re-raised for the task to retry (after putting the report back in the queue) unless this is the
    final attempt; every other outcome is written on the report."""
    started = timezone.now()
    claimed = (
        Report.objects.filter(pk=report_id)
        .filter(
            Q(status=Report.Status.QUEUED)
            | Q(status=Report.Status.RENDERING, started_at__lt=started - STALE_CLAIM)
        )
        .update(
            status=Report.Status.RENDERING,
            started_at=started,
            progress=PROGRESS_CLAIMED,
            attempts=F("attempts") + 1,
            error="",
        )
    )
    if not claimed:
        return False  # done, failed, or being rendered by another run: nothing to do
    report = Report.objects.select_related(
        "requested_by", "forvaltning", "vardomrade__forvaltning", "unit"
    ).get(pk=report_id)
    mine = Report.objects.filter(pk=report_id, status=Report.Status.RENDERING, started_at=started)
    name = ""
    try:
        document = build_html(report)
        mine.update(progress=PROGRESS_HTML, title=document.title[:200])
        pdf, pages = write_pdf(document)
        name = default_storage.save(f"reports/{report.pk}-{document.filename}.pdf", ContentFile(pdf))
        finished = mine.update(
            status=Report.Status.DONE,
            file=name,
            pages=pages,
            progress=PROGRESS_DONE,
            finished_at=timezone.now(),
        )
        if not finished:  # another run took the claim over meanwhile: its file is the report's
            default_storage.delete(name)
            return False
        return True
    except (Http404, PermissionDenied):
        _fail(mine, FAILED_RIGHTS)
    except SoftTimeLimitExceeded:
        if name:
            default_storage.delete(name)
        _fail(mine, FAILED_TIMEOUT)
    except TRANSIENT:
        if name:
            default_storage.delete(name)
        if not final_attempt:
            mine.update(status=Report.Status.QUEUED, progress=0)  # the retry claims it again
            raise
        log.exception("report %s: giving up after transient faults", report_id)
        _fail(mine, FAILED_TRANSIENT)
    except Exception as exc:
        if name:
            default_storage.delete(name)
        log.exception("report %s failed: %s", report_id, exc)
        _fail(mine, FAILED_UNEXPECTED)
    return False


# The task lives beside its body so that asking for a report needs no import of compliance/tasks.py (which
# re-exports it for the worker's autodiscovery); its name is the one messages already queued carry.
@shared_task(
    name="compliance.tasks.render_report",
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,  # 5 s, 10 s, 20 s … (with jitter), at most retry_backoff_max
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    acks_late=True,
)
def render_report(self, report_id: int) -> bool:
    """Render one report into its stored PDF; a rerun for a report that is done does nothing."""
    return render(report_id=report_id, final_attempt=self.request.retries >= self.max_retries)


def _fail(claim, message: str) -> None:
    claim.update(status=Report.Status.FAILED, error=message, finished_at=timezone.now())


def build_html(report: Report) -> ReportHTML:
    """The report's HTML from the portal's content function (settings.REPORT_CONTENT)."""
    return import_string(settings.REPORT_CONTENT)(report)


def write_pdf(document: ReportHTML) -> tuple[bytes, int]:
    """Tagged PDF/UA-1 (structure tree, language and title from the HTML) and its number of pages.
    Nothing is fetched from outside the document: images and styles are inline (data: URLs at most), so
    a report never waits on the network or reads a local file."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    rendered = HTML(
        string=document.html,
        base_url=settings.PORTAL_URL + "/",  # relative links in the PDF point into the portal
        url_fetcher=URLFetcher(allowed_protocols=["data"]),
    ).render(pdf_variant=PDF_VARIANT)
    return rendered.write_pdf(pdf_variant=PDF_VARIANT), len(rendered.pages)


def report_downloaded(*, report: Report, actor) -> None:
    audit(
        action="report_downloaded",
        object_type="report",
        object_id=report.pk,
        actor=actor,
        # Swedish keys: the audit trail shows a detail's keys as they are (servicelevel.audit.detail_text).
        detail={
            "rapport": report.title or report.get_kind_display(),
            "per": report.as_of.isoformat(),
            "beställd av": report.requested_by.get_username(),
        },
    )
