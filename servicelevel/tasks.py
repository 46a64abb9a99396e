"""Celery tasks of the import framework, for the worker's autodiscovery. They are defined in
servicelevel/import_jobs.py beside the services they run, so that queuing one needs no import of this
module."""

from .import_jobs import check_import, expire_import_uploads, run_import_job

__all__ = ["check_import", "expire_import_uploads", "run_import_job"]
