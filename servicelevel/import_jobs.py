"""Imports in the browser: upload → check (a dry run, as a background job) → import on request (a background
job with progress) → the outcome kept on the job. A file checked but not imported within a day is removed
(`expire_uploads`, scheduled hourly) and can no longer be confirmed: it is uploaded again.

The same `run_import` as `import_data` does the work, so a file is judged exactly as on the command line.
With a broker the jobs run in a Celery worker and the page follows their progress (kept in Redis, the
only store both processes share that is outside the import's transaction); without one they run
in-process when the request commits, and the page shows the outcome straight away.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import shutil
import uuid
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .importing.run import ImportRejected, run_import
from .models import ImportJob

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 500 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
PROGRESS_KEY = "servicelevel:import:{pk}:progress"
NOTHING = "Inget har skrivits; försök igen, och kontakta förvaltningen av portalen om felet består."
# How long an uploaded file waits for its "Importera" (from the upload). A file is data about people and
# units that nobody asked to keep; a day is long enough to read the check and decide.
KEPT = datetime.timedelta(days=1)
EXPIRED_MESSAGE = "Filen har tagits bort efter ett dygn; ladda upp den igen."
# Jobs whose file waits for a person (checked) or for a check that, a day later, can only have died (the
# check's hard limit is an hour). A confirmed job (importing) is left alone: a person asked for it.
WAITING = (ImportJob.Status.CHECKING, ImportJob.Status.CHECKED)
_UPLOAD_FOLDER = re.compile(r"[0-9a-f]{32}")  # start_check's folder per upload: uuid4().hex


class UploadExpired(Exception):
    """The job's file was removed after a day without an import: upload it again."""


def upload_dir() -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR)


def _stored_name(name: str) -> str:
    """A safe file name: the original's last path part, without characters a shell or a path would mind."""
    base = Path(name).name or "fil.csv"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[-120:]


def _count_lines(path: Path) -> int:
    """Lines in the file (for the progress bar's whole); an .xlsx is not counted (0: no percentage)."""
    if path.suffix.lower() == ".xlsx":
        return 0
    n = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            n += block.count(b"\n")
    return n


def start_check(*, kind: str, upload, actor, valid_from: datetime.date | None = None) -> ImportJob:
    """Store the uploaded file and queue its check. `upload` is a Django UploadedFile (already validated
    by the form: kind, size, suffix, and `valid_from` — only for a kind kept over time, never after today —
    from when the file's facts hold; None: the import's default). The check and the import both use it."""
    job = _stored_job(kind=kind, upload=upload, actor=actor, valid_from=valid_from)
    transaction.on_commit(lambda: check_import.delay(job.pk))
    return job


def start_import(*, kind: str, upload, actor) -> ImportJob:
    """Store the uploaded file and queue its import straight away, without a check to confirm (the API's
    `POST /api/v1/imports/<kind>/`): the import is all-or-nothing, so a file with any problem is rejected
    whole, with the same lines a check would give."""
    job = _stored_job(kind=kind, upload=upload, actor=actor, status=ImportJob.Status.IMPORTING)
    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def _stored_job(
    *, kind: str, upload, actor, status: str = ImportJob.Status.CHECKING, valid_from=None
) -> ImportJob:
    folder = upload_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=False)
    path = folder / _stored_name(upload.name)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = ImportJob.objects.create(
        kind=kind,
        filename=Path(upload.name).name[:255],
        path=str(path),
        size=path.stat().st_size,
        lines=_count_lines(path),
        created_by=actor,
        status=status,
        valid_from=valid_from,
    )
    return job


def kept_until(job: ImportJob) -> datetime.datetime:
    """When the job's file is removed unless it has been imported."""
    return job.created_at + KEPT


def confirm(*, job: ImportJob, actor) -> bool:
    """checked → importing, once (a second click or a second person changes nothing). Returns whether
    this call started the import. A job older than a day is refused with `UploadExpired` (and expired
    here if the schedule has not come to it yet): its file is, or is about to be, gone."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.CHECKED, created_at__gte=now - KEPT
    ).update(status=ImportJob.Status.IMPORTING)
    if claimed:
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
        return True
    if _expire(job, now=now) or ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.EXPIRED).exists():
        raise UploadExpired(EXPIRED_MESSAGE)
    return False


def expire_uploads() -> int:
    """Remove the files of jobs that waited more than a day without an import, and mark each job so its
    page says so; then any upload folder older than a day that no waiting or importing job names (a
    request that failed after storing its file, a run that died between marking a job and removing its
    file). Idempotent: each job is claimed with a conditional UPDATE, so a rerun or a second worker finds
    nothing left to do. Returns the number of jobs expired."""
    now = timezone.now()
    stale = ImportJob.objects.filter(status__in=WAITING, created_at__lt=now - KEPT).only("pk", "path")
    expired = sum(_expire(job, now=now) for job in stale)
    _remove_leftover_folders(now - KEPT)
    return expired


def _expire(job: ImportJob, *, now: datetime.datetime) -> bool:
    """waiting → expired if the job is older than a day, once; the file goes only after the claim."""
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=WAITING, created_at__lt=now - KEPT).update(
        status=ImportJob.Status.EXPIRED, message=EXPIRED_MESSAGE, finished_at=now
    )
    if claimed:
        _remove_file(job.path)
    return bool(claimed)


def _remove_leftover_folders(cutoff: datetime.datetime) -> None:
    root = upload_dir()
    if not root.is_dir():
        return
    live = ImportJob.objects.filter(status__in=(*WAITING, ImportJob.Status.IMPORTING))
    named = {Path(path).parent.name for path in live.values_list("path", flat=True)}
    for folder in root.iterdir():
        if not (folder.is_dir() and _UPLOAD_FOLDER.fullmatch(folder.name)) or folder.name in named:
            continue  # only start_check's own folders, and none a job still needs
        changed = datetime.datetime.fromtimestamp(folder.stat().st_mtime, tz=datetime.UTC)
        if changed < cutoff:  # a folder written in the last day may belong to an upload not committed yet
            shutil.rmtree(folder, ignore_errors=True)
            log.info("Importfil utan väntande jobb borttagen: %s", folder)


def check(job_id: int) -> None:
    """The dry run: every problem, or what the import would change."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).first()
    if job is None:
        return  # already checked (a rerun of the task)
    report_progress(job.pk)
    try:
        report = run_import(
            job.kind,
            job.path,
            dry_run=True,
            actor=job.created_by,
            valid_from=job.valid_from,
            **_reporting(job),
        )
    except ImportRejected as rejected:
        _finish(job, ImportJob.Status.REJECTED, problems=_lines(job, rejected))
    except Exception:
        log.exception("Kontrollen av import %s misslyckades", job.pk)
        _finish(job, ImportJob.Status.FAILED, message=f"Kontrollen avbröts av ett oväntat fel. {NOTHING}")
    else:
        job.check_summary = report.summary()
        job.status = ImportJob.Status.CHECKED
        job.save(update_fields=["check_summary", "status"])


def run(job_id: int) -> None:
    """The import itself, claimed once."""
    if not ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.IMPORTING, started_at__isnull=True
    ).update(started_at=timezone.now()):
        return  # not confirmed, or another worker has it
    job = ImportJob.objects.get(pk=job_id)
    report_progress(job.pk)
    try:
        report = run_import(
            job.kind, job.path, actor=job.created_by, valid_from=job.valid_from, **_reporting(job)
        )
    except ImportRejected as rejected:  # the data changed since the check (e.g. a unit was removed)
        _finish(job, ImportJob.Status.REJECTED, problems=_lines(job, rejected))
    except Exception:
        log.exception("Import %s misslyckades", job.pk)
        _finish(job, ImportJob.Status.FAILED, message=f"Importen avbröts av ett oväntat fel. {NOTHING}")
    else:
        _finish(job, ImportJob.Status.DONE, summary=report.summary())


def _lines(job: ImportJob, rejected: ImportRejected) -> str:
    """The command's lines, naming the file as the person knows it rather than where it was stored."""
    stored = f"{job.path}:"
    lines = rejected.lines()
    return "\n".join(job.filename + ":" + x[len(stored) :] if x.startswith(stored) else x for x in lines)


def _finish(job: ImportJob, status: str, *, problems: str = "", summary: str = "", message: str = "") -> None:
    job.status, job.problems, job.summary, job.message = status, problems, summary, message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problems", "summary", "message", "finished_at"])
    _remove_file(job.path)  # the outcome is kept on the job; the file is not needed again


def _remove_file(path: str) -> None:
    Path(path).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the job's own folder, if nothing else is in it
        Path(path).parent.rmdir()


# Progress ------------------------------------------------------------------------------------------------
# Kept in Redis: the import's own transaction hides its writes until it ends, and the worker and the web
# process share nothing else. Without a broker the job runs inside the request, so there is nothing to follow.


def _redis():
    if not settings.REDIS_URL:
        return None
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def report_progress(job_id: int, done_lines: int = 0, message: str = "") -> None:
    client = _redis()
    if client is not None:
        key = PROGRESS_KEY.format(pk=job_id)
        with client.pipeline() as pipe:  # replace whatever an earlier job of the same id left
            pipe.delete(key).hset(key, mapping={"lines": done_lines, "message": message}).expire(key, 86400)
            pipe.execute()


def _reporting(job: ImportJob) -> dict:
    """run_import's callbacks for a job: lines read (for the bar) and a wait for another import (shown)."""
    return {
        "on_line": lambda line: report_progress(job.pk, line),
        "progress": lambda message: report_progress(job.pk, 0, message),
    }


def progress(job: ImportJob) -> tuple[int | None, str]:
    """(percent done of the running step when it can be known — a broker and a CSV's line count —, and a
    sentence such as "Väntar på en annan import …")."""
    client = _redis() if job.running else None
    if client is None:
        return None, ""
    state = {k.decode(): v.decode() for k, v in client.hgetall(PROGRESS_KEY.format(pk=job.pk)).items()}
    message = state.get("message", "")
    if not job.lines:
        return None, message
    return min(99, int(state.get("lines") or 0) * 100 // job.lines), message


# --- The Celery tasks -------------------------------------------------------------------------------------
# Thin: they take a job id and call the service above, which re-reads the job's state and does nothing when
# it has moved on, so a rerun is harmless. Defined here, beside what they run, so that queuing one needs no
# import of servicelevel/tasks.py (which re-exports them for the worker's autodiscovery); their names are
# the ones the beat schedule and messages already queued carry.


@shared_task(name="servicelevel.tasks.check_import", time_limit=3600, soft_time_limit=3500)
def check_import(job_id: int) -> None:
    check(job_id)


@shared_task(name="servicelevel.tasks.run_import_job", time_limit=3600, soft_time_limit=3500)
def run_import_job(job_id: int) -> None:
    run(job_id)


@shared_task(name="servicelevel.tasks.expire_import_uploads", time_limit=600, soft_time_limit=540)
def expire_import_uploads() -> int:
    """Hourly (servicelevel/celery.py): files checked but not imported within a day are removed."""
    return expire_uploads()
