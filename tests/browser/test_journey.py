"""The exemption journey end to end in a real browser: enhetschef proposes an exemption, koncernstab and
styrning approve it, the unit's level changes on its page and on the dashboard, and ledning asks for and
downloads the unit's scorecard, the action plan and the compliance report — tagged PDFs (PDF/UA-1: a
structure tree, marked content, language sv, a title) whose text shows the exemption.

The unit is the spec's worked example (PASiS, nivå 2, no open invitations); the exemption for
TB3-OPPEN-KALLELSE lifts it to "nivå 3 med avsteg". Reports are made by the Celery task in-process (tests
run tasks eagerly), so each is done when its page arrives. Every page on the way is axe-clean and
photographed (test-artifacts/screenshots/journey-*.png); the PDFs are kept in test-artifacts/reports/."""

import datetime
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from compliance.models import Report
from compliance.services import recompute, today
from exemptions.models import Exemption
from tests import factories as f
from tests.helpers import text_of
from units.permissions import changeable_units

from .conftest import SCREENSHOTS, assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

D = datetime.timedelta


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server is a thread of this process: same settings


@pytest.fixture
def unit(demo_users):
    """The unit manager's first unit, alone in its vårdområde: PASiS, nivå 2, no open invitations; a
    schedule period around today, which is also the action plan's period."""
    day = today()
    period = f.SchedulePeriodFactory(code="P-NU", start_date=day - D(days=20), end_date=day + D(days=60))
    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    unit.name = "Vårdcentralen Husie"
    unit.save(update_fields=["name"])
    unit.vardomrade.name = "Primärvård Malmö Öster"
    unit.vardomrade.save(update_fields=["name"])
    f.BookingFiguresFactory(unit=unit, period=period)
    recompute(as_of=day)
    return unit


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()


def level_rows(page):
    """The dashboard's "Enheter per bokningsnivå" table: level → (utan avsteg, med avsteg, totalt)."""
    figure = page.locator("figure", has=page.get_by_text("Enheter per bokningsnivå", exact=True))
    rows = {}
    for row in figure.locator("tbody tr").all():
        head = row.locator("th").inner_text().strip()
        rows[head] = tuple(cell.inner_text().strip() for cell in row.locator("td").all())
    return rows


def download(page, name: str) -> PdfReader:
    """Click "Hämta PDF" on a done report's page; the PDF as pypdf reads it (kept in
    test-artifacts/reports/journey-NAME.pdf)."""
    expect(page.get_by_role("heading", name="Klar")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Hämta PDF").click()
    kept = SCREENSHOTS.parent / "reports" / f"journey-{name}.pdf"
    kept.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(kept)
    with open(kept, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    return PdfReader(kept)


def assert_tagged_pdf_ua(pdf: PdfReader, title: str) -> None:
    catalog = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # a structure tree: headings, tables, figures
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "sv"
    assert pdf.metadata.title == title
    assert "pdfuaid" in pdf.xmp_metadata.stream.get_data().decode()  # the PDF/UA-1 identification


def ask_for_report(page, kind: str, area) -> Report:
    """Ledning's form at /rapporter/: a kind, the unit's vårdområde, today; "Skapa rapport"."""
    page.goto("/rapporter/")
    page.get_by_role("group", name="Rapport").get_by_label(re.compile(f"^{kind}:")).check()
    page.get_by_label("Omfattning").select_option(f"omrade-{area.pk}")
    page.get_by_role("button", name="Skapa rapport").click()
    page.wait_for_url(re.compile(r"/rapporter/\d+/$"))
    return Report.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))


def test_an_exemption_proposed_approved_twice_changes_the_level_and_shows_in_ledning_s_pdfs(page, unit):
    day = today()
    area = unit.vardomrade
    dashboard = f"/?vardomrade={area.pk}"

    # Before: nivå 2 on the unit's page and in the dashboard's level table for its vårdområde.
    page.goto(f"/enheter/{unit.hsa_id}/")
    login_as(page, "enhetschef")
    expect(page.locator(".unit-level")).to_have_text("nivå 2")
    page.goto(dashboard)
    before = level_rows(page)
    assert before["Nivå 2"] == ("1", "0", "1") and before["Nivå 3"] == ("0", "0", "0"), before

    # enhetschef proposes the exemption and sends it in.
    page.goto("/avsteg/ny/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreslå avsteg")
    page.get_by_label("Enhet", exact=True).select_option(label=f"Vårdcentralen Husie ({unit.hsa_id})")
    page.get_by_role("group", name="Krav").get_by_label(re.compile("^TB3-OPPEN-KALLELSE –")).check()
    page.get_by_role("group", name="Skäl").get_by_label(re.compile("^Teknisk")).check()
    page.get_by_label("Motivering", exact=True).fill(
        "PASiS stödjer ännu inte öppen kallelse för verksamheten."
    )
    page.get_by_label("Gäller från").fill(day.isoformat())
    page.get_by_label("Gäller till").fill((day + D(days=180)).isoformat())
    page.get_by_label("Uppföljning 1").fill((day + D(days=60)).isoformat())
    assert_no_axe_violations(page)
    screenshot(page, "journey-1-proposal")
    page.get_by_role("button", name="Skicka in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Avsteg AV-\d{4}-\d{4}$"))
    expect(page.locator(".portal-messages")).to_contain_text("inskickat")
    exemption = Exemption.objects.get()
    detail = page.url
    log_out(page)

    # koncernstab sees the engine's effect and gives the first approval.
    page.goto(detail)
    login_as(page, "koncernstab")
    expect(page.get_by_text("Med avsteget: nivå 2 → nivå 3 med avsteg").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "journey-2-first-approval")
    page.get_by_role("button", name="Godkänn").click()
    expect(page.locator(".portal-messages")).to_contain_text(
        "väntar nu på Avdelningen för hälso- och sjukvårdsstyrning"
    )
    log_out(page)

    # styrning gives the second: approved, the unit recomputed.
    page.goto(detail)
    login_as(page, "styrning")
    page.get_by_role("button", name="Godkänn").click()
    expect(page.locator(".portal-messages")).to_contain_text("godkänt av båda")
    assert_no_axe_violations(page)
    screenshot(page, "journey-3-approved")
    log_out(page)

    # ledning: the unit's page says nivå 3 med avsteg, the requirement's row names the exemption.
    page.goto(f"/enheter/{unit.hsa_id}/")
    login_as(page, "ledning")
    expect(page.locator(".unit-level")).to_have_text("nivå 3 med avsteg")
    row = page.get_by_role("row", name=re.compile("öppen kallelse", re.IGNORECASE)).first
    expect(row).to_contain_text(exemption.exemption_id)
    assert_no_axe_violations(page)
    screenshot(page, "journey-4-unit-after")

    # The dashboard's level table for the vårdområde: the unit moved from nivå 2 to nivå 3 med avsteg, and
    # the figure's link leads to it.
    page.goto(dashboard)
    after = level_rows(page)
    assert after["Nivå 2"] == ("0", "0", "0") and after["Nivå 3"] == ("0", "1", "1"), after
    assert_no_axe_violations(page)
    screenshot(page, "journey-5-dashboard-after")
    figure = page.locator("figure", has=page.get_by_text("Enheter per bokningsnivå", exact=True))
    figure.get_by_role("link", name="1 – Nivå 3, med avsteg").click()
    expect(page.get_by_role("row", name=re.compile("Vårdcentralen Husie"))).to_contain_text(
        "nivå 3 med avsteg"
    )

    # The unit's scorecard straight from its page (Ledning may ask; asking writes only the report).
    page.goto(f"/enheter/{unit.hsa_id}/")
    page.get_by_role("button", name="Enhetskort som PDF").click()
    page.wait_for_url(re.compile(r"/rapporter/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vårdcentralen Husie")
    scorecard = download(page, "scorecard")
    text = text_of(scorecard)
    assert_tagged_pdf_ua(scorecard, Report.objects.get(kind="enhetskort").title)
    assert "Enhetskort: Vårdcentralen Husie" in text and unit.hsa_id in text
    assert f"Avsteg ({exemption.exemption_id})" in text and "TB3-OPPEN-KALLELSE" in text

    # The action plan and the compliance report of the unit's vårdområde, asked for at /rapporter/.
    report = ask_for_report(page, "Handlingsplan", area)
    assert_no_axe_violations(page)
    screenshot(page, "journey-6-action-plan-done")
    plan = download(page, "action-plan")
    assert_tagged_pdf_ua(plan, Report.objects.get(pk=report.pk).title)
    text = text_of(plan)
    assert "Handlingsplan" in text and "Primärvård Malmö Öster" in text
    assert exemption.exemption_id in text and "Vårdcentralen Husie" in text and "TB3-OPPEN-KALLELSE" in text

    report = ask_for_report(page, "Efterlevnadsrapport", area)
    screenshot(page, "journey-7-compliance-report-done")
    compliance = download(page, "compliance")
    assert_tagged_pdf_ua(compliance, Report.objects.get(pk=report.pk).title)
    text = text_of(compliance)
    assert "Efterlevnadsrapport: Primärvård Malmö Öster" in text
    assert exemption.exemption_id in text and "Vårdcentralen Husie" in text and "TB3-OPPEN-KALLELSE" in text
    assert "Avsteg som gäller (1)" in text
