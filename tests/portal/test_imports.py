"""Imports in the browser (/import/): upload, check, confirm, outcome — for Koncernstab and HS-styrning."""

import datetime
import os
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

from servicelevel.audit import audit
from servicelevel.importing import registry
from servicelevel.importing.base import Counts, row_parser
from servicelevel.importing.reader import read_table
from servicelevel.models import AuditEntry, ImportJob
from units.models import CareUnit
from units.permissions import Roles

from .. import factories as f
from ..helpers import UNITS_HEADER, unit_line, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


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


# the outcome in Swedish ---------------------------------------------------------------------------------


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


# each kind's columns and templates ----------------------------------------------------------------------


def test_the_page_gives_each_kinds_columns_and_templates_instead_of_a_pointer_to_the_docs(client):
    client.force_login(user_in(Roles.KONCERNSTAB))
    page = client.get(reverse("portal:import_start")).content.decode()
    assert "docs/importing.md" not in page
    for kind in registry.kinds():
        importer = registry.get(kind)
        assert escape(importer.description) in page
        assert f'href="{reverse("portal:import_template_csv", args=[kind])}"' in page
        assert f'href="{reverse("portal:import_template_xlsx", args=[kind])}"' in page
        for column in importer.columns:
            assert column.description, f"{kind}.{column.name} has no description"
            assert f"<code>{column.name}</code>" in page
            assert escape(column.description) in page
            assert escape(column.accepts) in page
    # What the booking file with problems got wrong is said beside its columns.
    assert (
        escape("Av de bokningsbara: de som invånaren själv kan boka på 1177.se. Högst slots_total.") in page
    )
    assert "ett av: VUE, TUE" in page and "Nej (tomt = ja)" in page


def _template_cells(kind, data: bytes, suffix: str, tmp_path):
    """The template read back as an import reads it: (header, the example row's line and cells)."""
    path = tmp_path / f"mall-{kind}{suffix}"
    path.write_bytes(data)
    table = read_table(path)
    rows = list(table.rows)
    assert len(rows) == 1, rows
    return table.header, rows[0]


def _parsed(kind, header, cells):
    importer = registry.get(kind)()
    values, problems = row_parser(importer, {name: i for i, name in enumerate(header)})(cells)
    assert problems == []
    return values


@pytest.mark.parametrize("kind", registry.KINDS)
def test_a_csv_template_per_kind_that_swedish_excel_opens(client, kind, tmp_path):
    client.force_login(user_in(Roles.HS_STYRNING))
    response = client.get(reverse("portal:import_template_csv", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="importmall-{kind}.csv"'
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 for Excel (å, ä, ö)
    columns = registry.get(kind).columns
    header_line, example_line = data.decode("utf-8-sig").splitlines()
    assert header_line == ";".join(c.name for c in columns)  # semicolons, as Swedish Excel writes
    assert example_line == ";".join(c.example for c in columns)
    header, (line, cells) = _template_cells(kind, data, ".csv", tmp_path)
    assert header == [c.name for c in columns] and line == 2
    _parsed(kind, header, cells)  # the example row is a valid row of the kind
    assert "EXEMPEL" in example_line.upper()  # and obviously fictive


@pytest.mark.parametrize("kind", registry.KINDS)
def test_an_xlsx_template_per_kind_with_a_bold_frozen_header(client, kind, tmp_path):
    import io

    import openpyxl

    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(reverse("portal:import_template_xlsx", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="importmall-{kind}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    columns = registry.get(kind).columns
    assert [cell.value for cell in sheet[1]] == [c.name for c in columns]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    for index, column in enumerate(columns, start=1):
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
        assert width >= len(column.name) + 2
    # The first sheet reads back as the CSV template does: the same values once parsed.
    header, (line, cells) = _template_cells(kind, response.content, ".xlsx", tmp_path)
    assert header == [c.name for c in columns] and line == 2
    csv_data = client.get(reverse("portal:import_template_csv", args=[kind])).content
    _, (_, csv_cells) = _template_cells(kind, csv_data, ".csv", tmp_path)
    assert _parsed(kind, header, cells) == _parsed(kind, header, csv_cells)
    # A second sheet says what each column holds.
    about = book.worksheets[1]
    assert [cell.value for cell in about[1]] == ["Kolumn", "Krävs", "Innehåll", "Tillåtna värden"]
    assert [row[0].value for row in about.iter_rows(min_row=2)] == [c.name for c in columns]


def test_an_unknown_kind_has_no_template(client):
    client.force_login(user_in(Roles.KONCERNSTAB))
    assert client.get("/import/mall/planets.csv").status_code == 404
    assert client.get("/import/mall/planets.xlsx").status_code == 404


@pytest.mark.parametrize("role", [Roles.LEDNING, Roles.VERKSAMHETSCHEF, Roles.VARDGIVARE])
def test_other_roles_get_no_template(client, role):
    client.force_login(user_in(role))
    assert client.get("/import/mall/booking.csv").status_code == 403
    assert client.get("/import/mall/booking.xlsx").status_code == 403


def test_a_booking_file_with_problems_lists_every_problem_on_the_job_page(
    client, django_capture_on_commit_callbacks
):
    from ..test_importers import BOOKING_PROBLEMS, BOOKING_WITH_PROBLEMS

    f.CareUnitFactory(hsa_id="SE2321000255-A1B2", vardomrade=f.VardomradeFactory())
    f.SchedulePeriodFactory(code="2026-T3")
    client.force_login(user_in(Roles.KONCERNSTAB))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, BOOKING_WITH_PROBLEMS, name="bokning.csv", kind="booking")
    job = ImportJob.objects.get()
    expected = [f"bokning.csv:{line}: {column}: {message}" for line, column, message in BOOKING_PROBLEMS]
    assert job.status == ImportJob.Status.REJECTED and job.problem_lines() == expected
    page = client.get(response["Location"]).content.decode()
    for line in expected:
        assert f"<li><code>{escape(line)}</code></li>" in page


def test_the_page_takes_the_same_queries_however_many_jobs_it_lists(client, django_assert_num_queries):
    client.force_login(user_in(Roles.KONCERNSTAB))
    f.ImportJobFactory.create_batch(3)
    # The session, the user, the user's groups (may the user import?), the 20 latest jobs with who
    # uploaded each; the columns come from the importers, not the database.
    with django_assert_num_queries(4):
        client.get(reverse("portal:import_start"))
    f.ImportJobFactory.create_batch(20)
    with django_assert_num_queries(4):
        page = client.get(reverse("portal:import_start")).content.decode()
    assert page.count('href="/import/') >= 20


# --- A file checked but never imported is removed after a day --------------------------------------------

UPLOADED = "2026-11-20 09:00 +01:00"
EXPIRED = "Filen har tagits bort efter ett dygn; ladda upp den igen."


@pytest.fixture
def checked_job(client, django_capture_on_commit_callbacks, time_machine):
    """A units file uploaded at 09:00 on 20 November and checked without a problem, not imported."""
    time_machine.move_to(UPLOADED, tick=False)
    client.force_login(user_in(Roles.KONCERNSTAB))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, UNITS_HEADER + unit_line())
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    return job


def back_at(client, time_machine, job, when: str) -> None:
    """The person comes back at `when`: a day later the session has ended (DJANGO_SESSION_HOURS), so they
    log in again."""
    time_machine.move_to(when, tick=False)
    client.force_login(job.created_by)


def expire():
    from servicelevel.tasks import expire_import_uploads

    return expire_import_uploads.delay().get()


def test_the_schedule_removes_a_checked_file_never_confirmed_after_a_day(client, checked_job, time_machine):
    stored = Path(checked_job.path)
    assert stored.is_file()
    page = client.get(reverse("portal:import_job", args=[checked_job.pk])).content.decode()
    assert "Filen sparas till 2026-11-21 09:00; importera den före dess." in page

    time_machine.move_to("2026-11-21 08:59 +01:00", tick=False)
    assert expire() == 0
    assert stored.is_file()

    back_at(client, time_machine, checked_job, "2026-11-21 09:01 +01:00")
    assert expire() == 1
    assert not stored.exists() and not stored.parent.exists()
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.EXPIRED
    assert checked_job.message == EXPIRED
    page = client.get(reverse("portal:import_job", args=[checked_job.pk])).content.decode()
    assert EXPIRED in page and "Importera</button>" not in page
    assert "Filen borttagen" in client.get(reverse("portal:import_start")).content.decode()

    assert expire() == 0  # a second run finds nothing to do and changes nothing
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.EXPIRED


def test_confirming_a_job_older_than_a_day_is_refused_with_the_message(
    client, checked_job, time_machine, django_capture_on_commit_callbacks
):
    back_at(client, time_machine, checked_job, "2026-11-21 10:00 +01:00")  # the schedule has not run yet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("portal:import_confirm", args=[checked_job.pk]), follow=True)
    assert callbacks == []  # no import queued
    page = response.content.decode()
    assert "Importen startades inte." in page and EXPIRED in page
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.EXPIRED
    assert not Path(checked_job.path).exists()
    assert not CareUnit.objects.exists()
    assert not AuditEntry.objects.filter(action="import").exists()
    # Asked again, it is refused in the same words.
    response = client.post(reverse("portal:import_confirm", args=[checked_job.pk]), follow=True)
    assert "Importen startades inte." in response.content.decode()


def test_a_job_within_its_day_is_still_imported(
    client, checked_job, time_machine, django_capture_on_commit_callbacks
):
    back_at(client, time_machine, checked_job, "2026-11-21 08:59 +01:00")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[checked_job.pk]))
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.DONE
    assert CareUnit.objects.filter(hsa_id="SE2321000255-A1B2").exists()


def test_only_jobs_waiting_for_a_person_or_a_dead_check_are_expired(upload_dir, time_machine):
    time_machine.move_to(UPLOADED, tick=False)

    def job_with_file(status, name):
        path = upload_dir / uuid.uuid4().hex / name
        path.parent.mkdir(parents=True)
        path.write_text(UNITS_HEADER)
        return f.ImportJobFactory(status=status, path=str(path))

    importing = job_with_file(ImportJob.Status.IMPORTING, "importeras.csv")  # confirmed: a person asked
    checking = job_with_file(ImportJob.Status.CHECKING, "fast.csv")  # its check died (limit: an hour)
    done = f.ImportJobFactory(status=ImportJob.Status.DONE)
    time_machine.move_to("2026-11-22 09:00 +01:00", tick=False)
    assert expire() == 1
    importing.refresh_from_db(), checking.refresh_from_db(), done.refresh_from_db()
    assert importing.status == ImportJob.Status.IMPORTING and Path(importing.path).is_file()
    assert checking.status == ImportJob.Status.EXPIRED and not Path(checking.path).exists()
    assert done.status == ImportJob.Status.DONE


def test_an_upload_folder_no_waiting_job_names_is_removed_after_a_day(upload_dir, time_machine):
    """A file whose job never got its outcome recorded (the request failed after storing it, or a worker
    died between marking the job and removing the file) is removed too; nothing else in the folder is."""
    time_machine.move_to("2026-11-22 09:00 +01:00", tick=False)
    day_ago = datetime.datetime(2026, 11, 21, 7, 0, tzinfo=datetime.UTC).timestamp()  # 25 hours
    orphan = upload_dir / uuid.uuid4().hex
    orphan.mkdir(parents=True)
    (orphan / "enheter.csv").write_text(UNITS_HEADER)
    os.utime(orphan, (day_ago, day_ago))
    fresh = upload_dir / uuid.uuid4().hex  # being uploaded now: its job is not committed yet
    fresh.mkdir()
    (fresh / "enheter.csv").write_text(UNITS_HEADER)
    now = datetime.datetime(2026, 11, 22, 8, 0, tzinfo=datetime.UTC).timestamp()
    os.utime(fresh, (now, now))
    other = upload_dir / "inte-en-uppladdning"
    other.mkdir()
    os.utime(other, (day_ago, day_ago))

    expire()

    assert not orphan.exists()
    assert (fresh / "enheter.csv").is_file()
    assert other.is_dir()
