"""Imports in the browser (/import/): upload, check, confirm, outcome — for Koncernstab and HS-styrning."""

import pytest
from django.urls import reverse

from servicelevel.audit import audit
from servicelevel.importing.base import Counts
from servicelevel.models import AuditEntry, ImportJob
from units.models import CareUnit
from units.permissions import Roles, ensure_groups

from .. import factories as f
from ..helpers import UNITS_HEADER, unit_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def user_in(role):
    user = f.UserFactory()
    user.groups.add(ensure_groups()[role])
    return user


def upload(client, text: str, name="enheter.csv", kind="units"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("portal:import_start"),
        {"kind": kind, "file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def test_it_sends_anonymous_visitors_to_the_login(client):
    response = client.get(reverse("portal:import_start"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


@pytest.mark.parametrize("role", [Roles.LEDNING, Roles.VERKSAMHETSCHEF, Roles.VARDGIVARE])
def test_other_roles_may_not_import(client, role):
    client.force_login(user_in(role))
    assert client.get(reverse("portal:import_start")).status_code == 403
    assert upload(client, UNITS_HEADER + unit_line()).status_code == 403
    job = f.ImportJobFactory(status=ImportJob.Status.CHECKED)
    assert client.post(reverse("portal:import_confirm", args=[job.pk])).status_code == 403
    assert client.get(reverse("portal:import_job", args=[job.pk])).status_code == 403
    assert not CareUnit.objects.exists()


def test_a_bad_file_is_rejected_with_its_lines_and_nothing_is_written(
    client, django_capture_on_commit_callbacks
):
    client.force_login(user_in(Roles.KONCERNSTAB))
    text = UNITS_HEADER + unit_line() + unit_line(hsa="SE123-X", card="kanske")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text, name="mina enheter.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.REJECTED
    assert job.problem_lines()[0].startswith("mina enheter.csv:3: hsa_id: ")
    assert any(line.startswith("mina enheter.csv:3: has_contact_card: ") for line in job.problem_lines())
    page = client.get(response["Location"]).content.decode()
    assert "Filen avvisades och inget har skrivits" in page and "mina enheter.csv:3: hsa_id:" in page
    assert not CareUnit.objects.exists()


def test_a_good_file_is_checked_then_imported_on_request(
    client, django_capture_on_commit_callbacks, upload_dir
):
    user = user_in(Roles.HS_STYRNING)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, UNITS_HEADER + unit_line())
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    assert job.check_summary == "units: 1 created, 0 updated, 0 unchanged"
    assert not CareUnit.objects.exists()  # the check is a dry run
    page = client.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert "Importera</button>" in page and "units: 1 ny, 0 ändrade, 0 oförändrade" in page
    assert "created" not in page  # the command line's words stay on the command line

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.summary) == (ImportJob.Status.DONE, "units: 1 created, 0 updated, 0 unchanged")
    assert CareUnit.objects.filter(hsa_id="SE2321000255-A1B2").exists()
    assert AuditEntry.objects.get(action="import", object_type="units").actor == user
    assert not any(upload_dir.rglob("*.csv"))  # the file is not kept once the outcome is
    page = client.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert "Importen är klar" in page and "units: 1 ny, 0 ändrade, 0 oförändrade" in page
    assert (
        "units: 1 ny, 0 ändrade, 0 oförändrade" in client.get(reverse("portal:import_start")).content.decode()
    )


def test_confirming_twice_imports_once(client, django_capture_on_commit_callbacks):
    client.force_login(user_in(Roles.KONCERNSTAB))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, UNITS_HEADER + unit_line())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[job.pk]))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("portal:import_confirm", args=[job.pk]), follow=True)
    assert callbacks == []
    assert "redan startad" in response.content.decode()
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_only_csv_and_xlsx_files_are_taken(client):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = upload(client, "hej", name="enheter.pdf")
    assert response.status_code == 200
    assert "ska vara en CSV-fil" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_status_fragment_polls_while_the_job_runs(client):
    client.force_login(user_in(Roles.KONCERNSTAB))
    job = f.ImportJobFactory(status=ImportJob.Status.CHECKING, lines=100)
    html = client.get(reverse("portal:import_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html and "<html" not in html
    job.status = ImportJob.Status.REJECTED
    job.save()
    html = client.get(reverse("portal:import_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html


def test_the_check_reports_how_far_it_has_come():
    from servicelevel.importing import registry
    from servicelevel.importing.reader import Table
    from servicelevel.importing.run import validate

    seen = []
    header = [c.name for c in registry.get("periods").columns]
    rows = ((n, [f"P{n}", "", "2026-01-01", "2025-01-01"]) for n in range(2, 12_002))  # every row wrong
    validate(registry.get("periods")(), Table(header, rows), "perioder.csv", on_line=seen.append)
    assert seen == [5_000, 10_000]


@pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"), reason="progress is kept in Redis")
def test_a_running_jobs_progress_and_wait_come_from_redis(settings):
    import os

    from servicelevel import import_jobs

    settings.REDIS_URL = os.environ["REDIS_URL"]
    job = f.ImportJobFactory(status=ImportJob.Status.IMPORTING, lines=20_000)
    import_jobs.report_progress(job.pk, 10_000)
    assert import_jobs.progress(job) == (50, "")
    import_jobs.report_progress(job.pk, 0, "Väntar på en annan import av samma slag (units) …")
    assert import_jobs.progress(job) == (0, "Väntar på en annan import av samma slag (units) …")
    job.status = ImportJob.Status.DONE
    assert import_jobs.progress(job) == (None, "")


# the outcome in Swedish (issue 12, point 2) -------------------------------------------------------------


def test_the_list_of_imports_says_each_outcome_in_swedish(client):
    """Jobs keep the command line's summary line (also those stored before); the page says it in Swedish,
    with the agreement of each count."""
    f.ImportJobFactory(
        kind="offerings",
        status=ImportJob.Status.DONE,
        summary="offerings: 3 created, 0 updated, 0 unchanged (1 deleted)",
    )
    f.ImportJobFactory(
        status=ImportJob.Status.CHECKED, check_summary="units: 12 created, 1 updated, 40 unchanged"
    )
    f.ImportJobFactory(
        kind="cases", status=ImportJob.Status.DONE, summary="cases: 20000 created, 0 updated, 1 unchanged"
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    page = client.get(reverse("portal:import_start")).content.decode()
    assert "offerings: 3 nya, 0 ändrade, 0 oförändrade (1 borttagen)" in page
    assert "units: 12 nya, 1 ändrad, 40 oförändrade" in page
    assert "cases: 20\u00a0000 nya, 0 ändrade, 1 oförändrad" in page
    assert "created" not in page and "unchanged" not in page


def test_the_audit_trail_says_an_imports_outcome_in_swedish(client, write_file):
    """New entries keep the counts as numbers; older ones, which kept the English line, are read from it.
    The CSV export says the same."""
    from servicelevel.importing.run import run_import

    staff = user_in(Roles.KONCERNSTAB)
    run_import("units", write_file(UNITS_HEADER + unit_line(), name="enheter.csv"), actor=staff)
    entry = AuditEntry.objects.get(action="import")
    assert entry.detail["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "deleted": None}
    audit(
        action="import",
        object_type="offerings",
        object_id="utbud-2025.csv",
        detail={"rows": 2000, "summary": "1500 created, 1 updated, 499 unchanged (2 deleted)"},
    )
    client.force_login(staff)
    page = client.get(reverse("portal:audit_trail")).content.decode()
    assert "1 rad: 1 ny, 0 ändrade, 0 oförändrade" in page
    assert "2\u00a0000 rader: 1\u00a0500 nya, 1 ändrad, 499 oförändrade (2 borttagna)" in page
    assert "created" not in page
    export = b"".join(client.get(reverse("portal:audit_export_csv")).streaming_content).decode()
    assert "1 rad: 1 ny, 0 ändrade, 0 oförändrade" in export and "created" not in export


@pytest.mark.parametrize(
    "counts, words",
    [
        (Counts(1, 0, 0), "1 ny, 0 ändrade, 0 oförändrade"),
        (Counts(2, 1, 1), "2 nya, 1 ändrad, 1 oförändrad"),
        (Counts(0, 0, 3, deleted=0), "0 nya, 0 ändrade, 3 oförändrade"),
        (Counts(0, 2, 0, deleted=1), "0 nya, 2 ändrade, 0 oförändrade (1 borttagen)"),
        (Counts(0, 0, 0, deleted=4), "0 nya, 0 ändrade, 0 oförändrade (4 borttagna)"),
    ],
)
def test_the_counts_in_swedish_agree_with_their_number(counts, words):
    from servicelevel.importing.summary import counts_in_swedish

    assert counts_in_swedish(counts) == words
