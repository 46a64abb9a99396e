"""PDF reports (/rapporter/) in a real browser: Ledning asks for a compliance report with the keyboard-usable
form, follows it to the done state, downloads the PDF and finds the download in the audit trail; a report still being made shows its progress bar
(polled with htmx); a wrong HSA-id is named in the error summary. axe finds no WCAG 2.1 AA violation."""

import datetime

import pytest
from playwright.sync_api import expect

from compliance.models import Report
from compliance.services import recompute, today
from servicelevel.models import AuditEntry

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server is a thread of this process: same settings


@pytest.fixture
def results(demo_users):
    from servicelevel.rulebooks import load_shipped

    # The rulebook as migrate leaves it: Skåne's shipped file, the same version the migrations store.
    load_shipped("skane")
    recompute(as_of=today())
    return demo_users


def test_ledning_asks_for_a_compliance_report_and_downloads_the_pdf(page, results):
    page.goto("/rapporter/")
    login_as(page, "ledning")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    assert_no_axe_violations(page)
    screenshot(page, "reports-form")

    page.get_by_label("Efterlevnadsrapport", exact=False).check()
    page.get_by_label("Omfattning").select_option("region")
    page.get_by_role("button", name="Skapa rapport").click()  # the task runs in-process: done on arrival
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Efterlevnadsrapport: hela regionen")
    expect(page.get_by_role("heading", name="Klar")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "reports-done")

    with page.expect_download() as info:
        page.get_by_role("link", name="Hämta PDF").click()
    download = info.value
    assert download.suggested_filename.startswith(f"{Report.objects.get().pk}-efterlevnad-region-skane-")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert AuditEntry.objects.filter(action="report_downloaded", actor=results["ledning"]).count() == 1

    # The download is in the audit trail, which Ledning may read.
    page.get_by_role("link", name="Granskning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Granskningslogg")
    page.get_by_label("Händelse").select_option("report_downloaded")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("rowheader", name="Rapport hämtad")).to_have_count(1)
    assert_no_axe_violations(page)
    screenshot(page, "audit-trail")


def test_a_report_being_made_shows_its_progress_until_it_is_done(page, results):
    report = Report.objects.create(
        kind="efterlevnad", scope="region", as_of=today(), requested_by=results["koncernstab"], progress=40
    )
    Report.objects.filter(pk=report.pk).update(
        status="rendering", started_at=datetime.datetime.now(datetime.UTC)
    )
    page.goto("/rapporter/")
    login_as(page, "koncernstab")
    page.wait_for_url(lambda url: "logga-in" not in url)  # the login's redirect has landed first
    page.goto(f"/rapporter/{report.pk}/")
    expect(page.get_by_role("heading", name="Skapas")).to_be_visible()
    expect(page.locator("#report-progress")).to_have_attribute("value", "40")
    assert_no_axe_violations(page)
    screenshot(page, "reports-progress")

    # The worker finishes: the polled status box swaps in the download without a reload.
    Report.objects.filter(pk=report.pk).update(status="failed", error="Rapporten tog för lång tid att skapa.")
    expect(page.get_by_role("alert")).to_have_text("Rapporten tog för lång tid att skapa.", timeout=5000)


def test_the_scorecard_is_chosen_among_the_persons_own_units_and_none_chosen_is_refused(page, results):
    """No HSA-id to type: the unit is chosen in a list of the units the person may see (a unit manager's
    two), grouped by vårdområde; asking without choosing one is refused in the error summary."""
    from units.permissions import visible_units

    mine = visible_units(results["enhetschef"]).order_by("vardomrade__name", "name")
    page.goto("/rapporter/")
    login_as(page, "enhetschef")
    page.get_by_label("Enhetskort", exact=False).check()
    units = page.get_by_label("Enhet", exact=True)
    offered = units.locator("option").all_text_contents()
    assert offered == ["– välj enhet –", *(f"{u.name} ({u.hsa_id})" for u in mine)]
    page.get_by_role("button", name="Skapa rapport").click()
    summary = page.locator("#felsammanfattning")
    expect(summary).to_contain_text("Välj enheten som enhetskortet ska gälla.")
    assert_no_axe_violations(page)
    assert not Report.objects.exists()
    unit = mine.first()
    page.get_by_label("Enhetskort", exact=False).check()
    page.get_by_label("Enhet", exact=True).select_option(unit.hsa_id)
    page.get_by_role("button", name="Skapa rapport").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(unit.name)
    assert Report.objects.get().unit == unit
    screenshot(page, "reports-scorecard-chosen")


def test_a_person_with_three_reports_being_made_is_told_when_to_ask_again(page, results):
    """Report requests are limited per person. A unit manager with three reports still being
    made asks for a fourth from the unit page: the reports page says why it was not made and when to ask
    again, with the form filled in for the same scorecard; once one is done, the same form makes it."""
    from units.permissions import visible_units

    unit = visible_units(results["enhetschef"]).order_by("name").first()
    waiting = [
        Report.objects.create(
            kind="efterlevnad", scope="region", as_of=today(), requested_by=results["enhetschef"]
        )
        for _ in range(3)
    ]
    page.goto("/rapporter/")
    login_as(page, "enhetschef")
    page.wait_for_url(lambda url: "logga-in" not in url)
    page.goto(f"/enheter/{unit.hsa_id}/")
    page.get_by_role("button", name="Enhetskort som PDF").click()
    page.wait_for_load_state()

    alert = page.locator("#rapportgrans")
    expect(alert).to_have_text(
        "Rapporten beställdes inte. Du har redan 3 rapporter som skapas. "
        "Beställ nästa när någon av dem är klar – oftast inom någon minut."
    )
    expect(alert).to_be_focused()  # a screen reader starts at the reason
    expect(page.get_by_label("Enhetskort", exact=False)).to_be_checked()
    expect(page.get_by_label("Enhet", exact=True)).to_have_value(unit.hsa_id)
    assert Report.objects.count() == 3
    assert_no_axe_violations(page)
    screenshot(page, "reports-limit-refused")

    Report.objects.filter(pk=waiting[0].pk).update(status="done")
    page.get_by_role("button", name="Skapa rapport").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(unit.name)
    assert Report.objects.filter(unit=unit).count() == 1
