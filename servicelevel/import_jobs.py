"""Imports in the browser: upload → check (a dry run, as a background job) → import on request (a background
job with progress) → the outcome kept on the job.

The same `run_import` as `import_data` does the work, so a file is judged exactly as on the command line.
With a broker the jobs run in a Celery worker and the page follows their progress (kept in Redis, the
only store both processes share that is outside the import's transaction); without one they run
in-process when the request commits, and the page shows the outcome straight away.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from pathlib import Path

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


def start_check(*, kind: str, upload, actor) -> ImportJob:
    """Store the uploaded file and queue its check. `upload` is a Django UploadedFile (already validated
    by the form: kind, size, suffix)."""
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
    )
    from .tasks import check_import

    transaction.on_commit(lambda: check_import.delay(job.pk))
    return job


def confirm(*, job: ImportJob, actor) -> bool:
    """checked → importing, once (a second click or a second person changes nothing). Returns whether
    this call started the import."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.IMPORTING
    )
    if claimed:
        from .tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return bool(claimed)


def check(job_id: int) -> None:
    """The dry run: every problem, or what the import would change."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).first()
    if job is None:
        return  # already checked (a rerun of the task)
    report_progress(job.pk)
    try:
        report = run_import(job.kind, job.path, dry_run=True, actor=job.created_by, **_reporting(job))
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
        report = run_import(job.kind, job.path, actor=job.created_by, **_reporting(job))
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
    Path(job.path).unlink(missing_ok=True)  # the outcome is kept on the job; the file is not needed again
    with contextlib.suppress(OSError):  # the job's own folder, if nothing else is in it
        Path(job.path).parent.rmdir()


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
