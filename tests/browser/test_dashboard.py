"""The region dashboard (/) in a real browser: the charts with their tables, drill-down from the region to
a förvaltning and a vårdområde, the as-of date, a unit manager's own view, a phone-sized window; axe finds
no WCAG 2.1 AA violation on any of them."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from compliance.services import recompute, today
from tests import factories as f
from units.models import CareUnit

from .conftest import assert_no_axe_violations, login_as, screenshot

# The rulebook comes from migrations; a transactional test flushes it, so it is put back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def region(demo_users):
    """Besides the demo users' four units (Primärvård Skåne): a psychiatry förvaltning with two
    vårdområden; booking figures for a period that has begun; results stored by the engine today and at
    the end of last month."""
    day = today()
    period = f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=60), end_date=day + datetime.timedelta(days=60)
    )
    psyk = f.ForvaltningFactory(name="Psykiatri Skåne")
    for area_name, places in (
        ("Vuxenpsykiatri", ("Lund", "Malmö")),
        ("Barn- och ungdomspsykiatri", ("Ystad",)),
    ):
        area = f.VardomradeFactory(name=area_name, forvaltning=psyk)
        for place in places:
            f.CareUnitFactory(name=f"{area_name} {place}", vardomrade=area)
    for i, unit in enumerate(CareUnit.objects.order_by("pk")):
        f.BookingFiguresFactory(
            unit=unit, period=period, booked_reschedulable=100 + 20 * i, slots_open_invitation=i
        )
    recompute(as_of=day.replace(day=1) - datetime.timedelta(days=1))
    recompute(as_of=day)
    return psyk


def test_the_dashboard_drills_down_and_every_chart_has_its_table(page, region):
    page.goto("/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt: Region Skåne")
    expect(page.get_by_role("img", name="Enheter per bokningsnivå")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Andel enheter som uppfyller varje krav"))).to_be_visible()
    expect(page.get_by_role("img", name="Svar i tid per månad")).to_be_visible()
    expect(page.get_by_role("img", name="Lokala administratörer över tid")).to_be_visible()
    expect(page.get_by_role("img", name="Andelar per tidbokningsschemaperiod")).to_be_visible()
    levels = page.get_by_role("region", name="Enheter per bokningsnivå – tabell")
    expect(levels.get_by_role("columnheader", name="Med avsteg")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-region")

    # The heatmap's table opens by keyboard; its rows lead one level down.
    summary = page.get_by_text("Visa som tabell")
    summary.focus()
    page.keyboard.press("Enter")
    heat_table = page.get_by_role("region", name=re.compile("Andel enheter som uppfyller varje krav.*tabell"))
    expect(heat_table.get_by_role("link", name="Psykiatri Skåne")).to_be_visible()
    page.get_by_role("list").get_by_role("link", name="Psykiatri Skåne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt: Psykiatri Skåne")
    expect(page).to_have_url(re.compile(rf"\?forvaltning={region.pk}$"))
    crumbs = page.get_by_role("navigation", name="Du är här")
    expect(crumbs.get_by_role("link", name="Region Skåne")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-forvaltning")

    page.get_by_role("list").get_by_role("link", name="Vuxenpsykiatri").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt: Vuxenpsykiatri")
    units = page.get_by_role("list").filter(has_text="Vuxenpsykiatri Lund")
    expect(units.get_by_role("link", name="Vuxenpsykiatri Malmö", exact=True)).to_be_visible()
    expect(page.get_by_text("Barn- och ungdomspsykiatri Ystad")).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-vardomrade")

    # A figure leads to its units in the unit list.
    page.get_by_role("link", name="Region Skåne").click()
    page.get_by_role("region", name="Enheter per bokningsnivå – tabell").get_by_role(
        "link", name=re.compile("totalt")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/enheter/\?niva="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enheter")


def test_an_earlier_date_is_shown_from_the_stored_results(page, region):
    page.goto("/")
    login_as(page, "ledning")
    month_end = today().replace(day=1) - datetime.timedelta(days=1)
    page.get_by_label("Visa läget per").fill(month_end.isoformat())
    page.get_by_role("button", name="Visa").click()
    expect(page).to_have_url(re.compile(rf"\?per={month_end.isoformat()}$"))
    expect(page.locator("main")).to_contain_text("Resultat per")
    # A date between the two stored ones shows the earlier, and says so.
    between = month_end + datetime.timedelta(days=1)
    if between < today():
        page.goto(f"/?per={between.isoformat()}")
        expect(page.locator("main .ds-alert")).to_contain_text(f"sidan visar {month_end.isoformat()}")
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-earlier-date")


def test_a_unit_manager_sees_their_units_and_their_forvaltning_as_numbers(page, region):
    page.goto("/")
    login_as(page, "enhetschef")
    main = page.locator("main")
    expect(main).to_contain_text("2 enheter som du har behörighet till")
    expect(page.get_by_role("heading", name="Hela förvaltningen som jämförelse")).to_be_visible()
    expect(main).not_to_contain_text("Psykiatri Skåne")
    expect(main).not_to_contain_text("Vuxenpsykiatri")
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-enhetschef")


def test_on_a_phone_the_page_does_not_scroll_sideways(page, region):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide"
    screenshot(page, "dashboard-phone")  # the charts scale down; wide tables scroll inside their region


def test_the_heatmap_says_avsteg_and_uppgift_saknas_on_the_page_and_in_the_report(page, region, tmp_path):
    """No unit has cases, so SV1 has no data anywhere; an approved exemption covers Vuxenpsykiatri Lund's
    missing digital contact (AH0). The vårdområde's heatmap says so in the picture and in its table, not as
    a red 0 %; the compliance report's HTML, printed, says the same."""
    from django.contrib.auth.models import User

    from compliance.models import Report
    from compliance.reports import build_html, write_pdf

    lund = CareUnit.objects.get(name="Vuxenpsykiatri Lund")
    f.ExemptionFactory(
        unit=lund,
        requirement=f.requirement("AH0-DIGITAL-KONTAKT"),
        valid_from=today() - datetime.timedelta(days=10),
        valid_until=today() + datetime.timedelta(days=80),
    )
    recompute(as_of=today())
    page.goto(f"/?vardomrade={lund.vardomrade_id}")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt: Vuxenpsykiatri")
    heatmap = page.get_by_role("img", name=re.compile("Andel enheter som uppfyller varje krav"))
    expect(heatmap).to_be_visible()
    expect(heatmap.locator("text", has_text="Avsteg")).to_have_count(2)  # the cell and the legend
    expect(heatmap.locator("tspan", has_text="Uppgift")).to_have_count(2)  # SV1 of both units
    page.get_by_text("Visa som tabell").click()
    table = page.get_by_role("region", name=re.compile("Andel enheter som uppfyller varje krav.*tabell"))
    lund_row = table.get_by_role("row", name=re.compile("^Vuxenpsykiatri Lund"))
    expect(lund_row.get_by_role("cell", name="Avsteg", exact=True)).to_have_count(1)
    expect(lund_row.get_by_role("cell", name="Uppgift saknas", exact=True)).to_have_count(1)
    malmo_row = table.get_by_role("row", name=re.compile("^Vuxenpsykiatri Malmö"))
    expect(malmo_row.get_by_role("cell", name="0 % (0 av 1)").first).to_be_visible()  # not met: a real zero
    heatmap.scroll_into_view_if_needed()
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-heatmap-avsteg-saknas")

    # The compliance report for the vårdområde as the PDF it is (WeasyPrint), opened in the browser's own
    # PDF viewer at its landscape page, the heatmap's.
    report = Report.objects.create(
        kind="efterlevnad",
        scope="vardomrade",
        vardomrade_id=lund.vardomrade_id,
        as_of=today(),
        requested_by=User.objects.get(username="koncernstab"),
    )
    pdf, _pages = write_pdf(build_html(report))
    reader = PdfReader(io.BytesIO(pdf))
    landscape = next(i for i, p in enumerate(reader.pages, 1) if p.mediabox.width > p.mediabox.height)
    text = " ".join(reader.pages[landscape - 1].extract_text().split())
    assert "Avsteg" in text and "Uppgift saknas" in text
    path = tmp_path / "efterlevnad.pdf"
    path.write_bytes(pdf)
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{path.as_uri()}#page={landscape}&zoom=130")
    page.wait_for_timeout(2000)  # the viewer draws the page after the load event
    screenshot(page, "report-pdf-heatmap-avsteg-saknas")
