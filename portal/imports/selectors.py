"""Reads for the import pages (/import/): the latest jobs, one job, and each kind's columns as its importer
declares them, named in the registry's Swedish."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from servicelevel.importing import registry
from servicelevel.models import ImportJob

JOBS_LISTED = 20


def kind_label(kind: str) -> str:
    """ "Ärenden (cases)": the registry's Swedish name with the kind `import_data` takes."""
    return f"{registry.label(kind)} ({kind})"


def recent_jobs(limit: int = JOBS_LISTED) -> list[ImportJob]:
    """The latest jobs, newest first (the model's order), with who started them (one query)."""
    return list(ImportJob.objects.select_related("created_by")[:limit])


def job_or_404(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk)


def import_kinds() -> list[dict]:
    """Each kind in import order, with its columns as the importer declares them (key columns marked)."""
    kinds = []
    for kind in registry.kinds():
        importer = registry.get(kind)
        kinds.append(
            {
                "kind": kind,
                "label": kind_label(kind),
                "description": importer.description,
                "columns": [(column, column.name in importer.key) for column in importer.columns],
            }
        )
    return kinds
