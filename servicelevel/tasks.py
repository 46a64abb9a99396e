"""Celery tasks of the import framework. Thin: they take a job id and call the service, which re-reads
the job's state and does nothing when it has moved on, so a rerun is harmless."""

from celery import shared_task

from . import import_jobs


@shared_task(time_limit=3600, soft_time_limit=3500)
def check_import(job_id: int) -> None:
    import_jobs.check(job_id)


@shared_task(time_limit=3600, soft_time_limit=3500)
def run_import_job(job_id: int) -> None:
    import_jobs.run(job_id)


@shared_task(time_limit=600, soft_time_limit=540)
def expire_import_uploads() -> int:
    """Hourly (servicelevel/celery.py): files checked but not imported within a day are removed."""
    return import_jobs.expire_uploads()
