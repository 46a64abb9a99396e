"""“Gäller från” (issue 17, facts over time): the self-service offering and role forms, the admin's unit,
offering and role pages and the browser import say from when a change holds. Default today; a past date
is a correction — versions from that date, the stored results from then judged again, and the
confirmation says so in validity.correction_text's words; a date after today is refused in Swedish."""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.models import RecomputeJob
from compliance.services import recompute
from servicelevel.models import AuditEntry, ImportJob
from units.models import AdminRole, CareUnit, CareUnitVersion, Offering
from units.permissions import Roles

from .. import factories as f
from ..admin_forms import add_inline_row, form_data
from ..helpers import user_in
from .test_self_service import offerings_data, roles_data, service_key, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-12-07 12:00 +01:00"
D = datetime.date
TODAY = D(2026, 12, 7)
FUTURE = "Gäller från kan inte ligga efter i dag."
LOKAL, BEHORIG = AdminRole.Role.LOKAL_ADMINISTRATOR, AdminRole.Role.BEHORIGHETSADMINISTRATOR
B1 = "SE2321000255-PB1"


@pytest.fixture
def unit():
    """A unit offering KONTAKT since the beginning, with results stored on two past dates and today."""
    unit = f.CareUnitFactory(name="Vårdcentralen Egen")
    f.OfferingFactory(unit=unit, code="KONTAKT")
    for day in (D(2026, 10, 15), D(2026, 11, 15), TODAY):
        recompute(as_of=day, unit_ids=[unit.pk])
    return unit


@pytest.fixture
def manager(client, unit):
    user = user_in(Roles.VERKSAMHETSCHEF, [unit])
    client.force_login(user)
    return user


def text(response) -> str:
    return html.unescape(response.content.decode())


def saved(client, response) -> str:
    assert response.status_code == 302, text(response)[:3000]
    return text(client.get(response["Location"]))


# --- Self-service: utbud ------------------------------------------------------------------------------


def test_the_offering_form_has_galler_fran_set_to_today_with_its_help(client, manager, unit):
    response = client.get(url("unit_offerings", unit))
    page = text(response)
    field = str(response.context["dated"]["valid_from"])
    assert 'name="valid_from"' in field and 'value="2026-12-07"' in field and 'type="date"' in field
    assert 'aria-describedby="id_valid_from_helptext"' in field
    assert "Gäller från" in page and "Ett tidigare datum är en rättelse" in page


def test_an_offering_saved_from_a_past_date_is_a_correction_of_the_stored_results(
    client, manager, unit, django_capture_on_commit_callbacks
):
    data = offerings_data(
        client,
        unit,
        **{service_key("KONTAKT"): None, service_key("RADGIVNING"): "on", "valid_from": "2026-11-01"},
        action="save",
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = saved(client, client.post(url("unit_offerings", unit), data))

    kontakt = Offering.versions.filter(unit=unit, code="KONTAKT").values_list("valid_from", "valid_to")
    assert list(kontakt) == [(D(1900, 1, 1), D(2026, 11, 1))]  # ended on the date, October kept
    radgivning = Offering.versions.filter(unit=unit, code="RADGIVNING").values_list("valid_from", "valid_to")
    assert list(radgivning) == [(D(2026, 11, 1), None)]
    assert "Utbudet sparades. Borttagen: tjänsten KONTAKT; Tillagd: tjänsten RADGIVNING." in page
    assert (
        "Ändringen gäller från 2026-11-01 (rättelse: 1 sparat datum, 2026-11-15, räknas om för 1 enhet)"
        in page
    )
    assert RecomputeJob.objects.get().since == D(2026, 11, 1)
    entry = AuditEntry.objects.get(action="offering_created")
    assert entry.detail["valid_from"] == "2026-11-01" and entry.detail["correction"]


def test_an_offering_saved_as_of_today_says_no_correction(
    client, manager, unit, django_capture_on_commit_callbacks
):
    data = offerings_data(client, unit, **{service_key("RADGIVNING"): "on"}, action="save")
    data["valid_from"] = "2026-12-07"  # the field's initial, as the page sends it
    with django_capture_on_commit_callbacks(execute=True):
        page = saved(client, client.post(url("unit_offerings", unit), data))
    assert "Tillagd: tjänsten RADGIVNING." in page and "Ändringen gäller" not in page
    assert Offering.objects.get(unit=unit, code="RADGIVNING").valid_from == TODAY
    assert not RecomputeJob.objects.exists()


def test_a_post_without_galler_fran_means_today(client, manager, unit, django_capture_on_commit_callbacks):
    """An older page (or a cleared field) sends no date: today, as the services' default."""
    data = offerings_data(
        client, unit, **{service_key("RADGIVNING"): "on", "valid_from": None}, action="save"
    )
    with django_capture_on_commit_callbacks(execute=True):
        saved(client, client.post(url("unit_offerings", unit), data))
    assert Offering.objects.get(unit=unit, code="RADGIVNING").valid_from == TODAY


@pytest.mark.parametrize("day", ["2026-12-08", "2027-01-01"])
def test_a_date_after_today_is_refused_and_nothing_is_written(client, manager, unit, day):
    data = offerings_data(client, unit, **{service_key("RADGIVNING"): "on", "valid_from": day}, action="save")
    response = client.post(url("unit_offerings", unit), data)
    assert response.status_code == 200
    page = text(response)
    assert f"Gäller från: {FUTURE}" in page  # the error summary, linked to the field
    assert 'href="#id_valid_from"' in page and 'aria-invalid="true"' in str(
        response.context["dated"]["valid_from"]
    )
    assert not Offering.objects.filter(code="RADGIVNING").exists()
    assert not AuditEntry.objects.exists()


def test_the_preview_is_todays_whatever_the_date(client, manager, unit):
    data = offerings_data(client, unit, **{service_key("KONTAKT"): None, "valid_from": "2026-11-01"})
    response = client.post(url("unit_offerings_preview", unit), data, HTTP_HX_REQUEST="true")
    assert "AH0-DIGITAL-KONTAKT blir ej uppfyllt" in text(response)
    assert Offering.objects.filter(unit=unit).count() == 1


# --- Self-service: roller ------------------------------------------------------------------------------


def test_roles_saved_from_a_past_date_write_versions_from_then_and_say_the_correction(
    client, manager, unit, django_capture_on_commit_callbacks
):
    f.AdminRoleFactory(unit=unit, person_id="SE2321000255-PSMAL", role=LOKAL)
    data = roles_data(
        [("SE2321000255-PSMAL", LOKAL, "ta bort"), (B1, BEHORIG)],
        initial=1,
        action="save",
        valid_from="2026-10-01",
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = saved(client, client.post(url("unit_roles", unit), data))
    versions = AdminRole.versions.filter(unit=unit).order_by("person_id")
    assert [(r.person_id, r.valid_from, r.valid_to) for r in versions] == [
        (B1, D(2026, 10, 1), None),
        ("SE2321000255-PSMAL", D(1900, 1, 1), D(2026, 10, 1)),
    ]
    assert "Rollerna sparades." in page
    assert "Ändringen gäller från 2026-10-01 (rättelse: 2 sparade datum, 2026-10-15–2026-11-15" in page


def test_the_roles_form_refuses_a_date_after_today(client, manager, unit):
    response = client.post(
        url("unit_roles", unit), roles_data([(B1, BEHORIG)], action="save", valid_from="2026-12-24")
    )
    assert response.status_code == 200
    assert f"Gäller från: {FUTURE}" in text(response)
    assert not AdminRole.objects.exists()


def test_the_roles_form_has_galler_fran(client, manager, unit):
    response = client.get(url("unit_roles", unit))
    assert 'value="2026-12-07"' in str(response.context["dated"]["valid_from"])


# --- The admin ------------------------------------------------------------------------------------------


def test_the_units_admin_page_applies_its_date_to_the_unit_and_its_inline_rows(
    admin_client, unit, django_capture_on_commit_callbacks
):
    page_url = reverse("admin:units_careunit_change", args=[unit.pk])
    page = admin_client.get(page_url).content.decode()
    assert "Gäller från" in page and "Nuvarande uppgifter gäller från" in page
    data = form_data(admin_client, page_url)
    assert data["change_valid_from"] == "2026-12-07"
    data = add_inline_row(data, "admin_roles", {"person_id": B1, "role": BEHORIG})
    data.update({"name": "Vårdcentralen Nytt namn", "change_valid_from": "2026-11-01"})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(page_url, data)
    assert response.status_code == 302, text(response)[:3000]
    unit.refresh_from_db()
    assert (unit.name, unit.valid_from) == ("Vårdcentralen Nytt namn", D(2026, 11, 1))
    earlier = CareUnitVersion.objects.get(unit=unit)
    assert (earlier.name, earlier.valid_from, earlier.valid_to) == (
        "Vårdcentralen Egen",
        D(1900, 1, 1),
        D(2026, 11, 1),
    )
    assert AdminRole.objects.get(unit=unit, person_id=B1).valid_from == D(2026, 11, 1)
    assert RecomputeJob.objects.get().since == D(2026, 11, 1)


def test_the_units_admin_page_refuses_a_date_after_today(admin_client, unit):
    page_url = reverse("admin:units_careunit_change", args=[unit.pk])
    data = form_data(admin_client, page_url) | {"name": "Annat", "change_valid_from": "2026-12-08"}
    response = admin_client.post(page_url, data)
    assert response.status_code == 200 and FUTURE in text(response)
    unit.refresh_from_db()
    assert unit.name == "Vårdcentralen Egen" and not CareUnitVersion.objects.exists()


def test_the_offering_admin_removes_from_its_date_and_lists_the_versions_date(
    admin_client, unit, django_capture_on_commit_callbacks
):
    offering = Offering.objects.get(unit=unit)
    page_url = reverse("admin:units_offering_change", args=[offering.pk])
    data = form_data(admin_client, page_url) | {"is_open": "", "change_valid_from": "2026-11-20"}
    data.pop("is_open")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(page_url, data).status_code == 302
    versions = Offering.versions.filter(unit=unit).order_by("valid_from")
    assert [(o.is_open, o.valid_from, o.valid_to) for o in versions] == [
        (True, D(1900, 1, 1), D(2026, 11, 20)),
        (False, D(2026, 11, 20), None),
    ]
    listing = text(admin_client.get(reverse("admin:units_offering_changelist")))
    assert "gäller från" in listing.lower() and "2026-11-20" in listing.replace(
        "20 november 2026", "2026-11-20"
    )


def test_the_role_admin_lists_the_versions_date(admin_client, unit):
    f.AdminRoleFactory(unit=unit, person_id=B1, role=BEHORIG)
    listing = text(admin_client.get(reverse("admin:units_adminrole_changelist")))
    assert "Gäller från" in listing or "gäller från" in listing


@pytest.mark.parametrize("model", ["units_careunitversion", "compliance_recomputejob"])
def test_versions_and_recompute_jobs_are_read_only_in_the_admin(admin_client, unit, model):
    rows = {
        "units_careunitversion": f.CareUnitVersionFactory(),
        "compliance_recomputejob": f.RecomputeJobFactory(unit_ids=[unit.pk]),
    }
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403
    shown = admin_client.get(reverse(f"admin:{model}_change", args=[rows[model].pk]))
    assert shown.status_code == 200 and 'name="_save"' not in shown.content.decode()


# --- Imports in the browser -----------------------------------------------------------------------------

OFFERINGS = "unit_hsa_id,kind,code,variant,open\n{hsa},tjanst,KONTAKT,regional,true\n{hsa},tjanst,RADGIVNING,regional,true\n"


@pytest.fixture
def importer(client, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    user = user_in(Roles.KONCERNSTAB)
    client.force_login(user)
    return user


def upload(client, text_: str, kind="offerings", **extra):
    file = SimpleUploadedFile("utbud.csv", text_.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("portal:import_start"), {"kind": kind, "file": file, **extra})


def test_an_import_from_a_past_date_is_checked_and_imported_from_it(
    client, importer, unit, django_capture_on_commit_callbacks
):
    start = text(client.get(reverse("portal:import_start")))
    assert "Gäller från (valfritt)" in start and "Bara för units, offerings, admin_roles" in start
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, OFFERINGS.format(hsa=unit.hsa_id), valid_from="2026-11-01")
    job = ImportJob.objects.get()
    assert (job.valid_from, job.status) == (D(2026, 11, 1), ImportJob.Status.CHECKED)
    assert "gäller från 2026-11-01 (rättelse: 1 sparat datum, 2026-11-15" in job.check_summary
    page = text(client.get(reverse("portal:import_job", args=[job.pk])))
    assert "offerings: 1 ny, 0 ändrade, 1 oförändrad; gäller från 2026-11-01 (rättelse:" in page
    assert "Gäller från" in page and "2026-11-01" in page
    assert not Offering.objects.filter(code="RADGIVNING").exists()  # the check is a dry run

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and "rättelse" in job.summary
    assert Offering.objects.get(unit=unit, code="RADGIVNING").valid_from == D(2026, 11, 1)


def test_an_import_without_a_date_keeps_the_imports_default(
    client, importer, unit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, OFFERINGS.format(hsa=unit.hsa_id), valid_from="")
    job = ImportJob.objects.get()
    assert job.valid_from is None and job.check_summary == "offerings: 1 created, 0 updated, 1 unchanged"


@pytest.mark.parametrize(
    ("kind", "day", "message"),
    [
        ("offerings", "2026-12-08", FUTURE),
        ("booking", "2026-11-01", "Gäller från används bara för uppgifter som sparas över tid"),
        ("offerings", "9999-12-31", "Ange ett datum mellan 1900-01-01 och 2100-12-31."),
    ],
)
def test_an_import_date_after_today_or_for_another_kind_is_refused(
    client, importer, unit, kind, day, message
):
    response = upload(client, OFFERINGS.format(hsa=unit.hsa_id), kind=kind, valid_from=day)
    assert response.status_code == 200
    assert message in text(response)
    assert not ImportJob.objects.exists()


def test_an_unchanged_unit_saved_again_in_the_admin_is_still_nothing(admin_client, unit):
    """The admin's date field does not count as a change: the page saved as it is writes nothing."""
    page_url = reverse("admin:units_careunit_change", args=[unit.pk])
    before = AuditEntry.objects.count()
    assert admin_client.post(page_url, form_data(admin_client, page_url)).status_code == 302
    assert AuditEntry.objects.count() == before
    assert CareUnit.objects.get(pk=unit.pk).valid_from == D(1900, 1, 1)
