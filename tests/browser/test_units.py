"""The unit list and the unit page in a real browser: a filter change swaps the results in with htmx and
keeps the address; the unit page shows the stored reasons; axe finds no WCAG 2.1 AA violation."""

import re

import pytest
from playwright.sync_api import expect

from compliance.models import RequirementResult
from compliance.services import today
from tests import factories as f

from .conftest import assert_no_axe_violations, login_as, screenshot

# The rulebook comes from migrations; a transactional test flushes it, so it is put back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def units(demo_users):
    area = f.VardomradeFactory(name="Primärvård Malmö")
    made = []
    for i, place in enumerate(("Husie", "Limhamn", "Rosengård", "Oxie")):
        unit = f.CareUnitFactory(vardomrade=area, name=f"Vårdcentralen {place}")
        result = f.UnitResultFactory(unit=unit, as_of=today(), booking_level=i % 3, current_period="")
        RequirementResult.objects.create(
            unit_result=result,
            requirement=f.requirement("TB1-VISA"),
            status="met" if i else "not_met",
            value=1.0 if i else 0.5,
            reason="200 av 400 bokade tider (50 %) syns på 1177.se — alla ska synas"
            if not i
            else "Alla syns",
        )
        made.append(unit)
    return made


def test_the_list_filters_in_place_and_the_unit_page_explains(page, units):
    page.goto("/enheter/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enheter")
    assert_no_axe_violations(page)
    screenshot(page, "unit-list")

    page.get_by_label("Nivå", exact=True).select_option("2")
    expect(page.locator("#enheter-resultat [role=status]")).to_contain_text("1 enhet matchar filtret")
    expect(page).to_have_url(re.compile(r"niva=2"))
    table = page.locator("#enheter-tabell")
    expect(table).to_contain_text("Vårdcentralen Rosengård")
    expect(table).not_to_contain_text("Vårdcentralen Husie")

    page.goto("/enheter/")
    page.get_by_role("link", name=units[0].hsa_id).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vårdcentralen Husie")
    row = page.get_by_role("row", name=re.compile("Visa bokade tider"))
    expect(row).to_contain_text("Ej uppfyllt")
    expect(row).to_contain_text("200 av 400 bokade tider (50 %) syns på 1177.se")
    assert_no_axe_violations(page)
    screenshot(page, "unit-detail")


def test_the_files_downloaded_from_the_list_are_the_list_as_sorted_on_screen(page, units):
    """Sort by level on the screen, download CSV and Excel; both have the rows in the screen's
    order and its words, the CSV in Swedish Excel's convention, the XLSX with a filter row."""
    import csv
    import io

    import openpyxl

    for i, unit in enumerate(units):
        unit.results.update(response_time={"month": "2026-10", "share_in_time": 0.9 + i / 100})
    page.goto("/enheter/")
    login_as(page, "koncernstab")
    page.get_by_role("link", name="Nivå", exact=True).click()
    page.get_by_role("link", name="Nivå", exact=True).click()  # again: descending
    expect(page.locator("#enheter-tabell th[aria-sort=descending]")).to_have_text("Nivå")
    shown = page.locator("#enheter-tabell tbody th").all_inner_texts()
    assert len(shown) == 8  # the four above and the demo users' four, which have no stored result (last)
    assert_no_axe_violations(page)
    screenshot(page, "unit-list-sorted-by-level")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    raw = download.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [r[0] for r in rows[1:]] == shown
    assert rows[0][:4] == ["HSA-id", "Namn", "Nivå", "Nivå med avsteg"]
    assert {r[9] for r in rows[1:]} == {"Regionen"}
    assert [r[6] for r in rows[1:] if r[6]] == ["0,92", "0,91", "0,9", "0,93"]  # level 2, 1, 0, 0 (by HSA-id)

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == shown
    assert sheet.auto_filter.ref == "A1:L9" and sheet.freeze_panes == "A2"
    assert sheet["G2"].number_format == "0.00 %"


def test_the_unit_page_says_what_stands_between_the_unit_and_the_next_level(page, demo_users):
    """Booking figures with no time via öppen kallelse: the engine gives level 2. The unit page names the
    one requirement level 3 lacks, with its status and reason, and its link leads to that requirement's
    row. An exemption for it (approved afterwards) makes the unit reach the top level, with an exemption."""
    import datetime

    from compliance.services import recompute
    from units.permissions import changeable_units

    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    day = today()
    period = f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )
    f.BookingFiguresFactory(unit=unit, period=period)  # slots_open_invitation = 0
    recompute(as_of=day, unit_ids=[unit.pk])

    page.goto(f"/enheter/{unit.hsa_id}/")
    login_as(page, "enhetschef")
    expect(page.locator(".unit-level")).to_have_text("nivå 2")
    next_level = page.get_by_role("region", name="Till nästa nivå")
    expect(next_level).to_contain_text("För nivå 3 saknas:")
    item = next_level.get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("TB3-OPPEN-KALLELSE")
    expect(item).to_contain_text("Ej uppfyllt")
    expect(item).to_contain_text(
        "0 av 500 bokningsbara tider erbjuds via öppen kallelse — minst en ska finnas"
    )
    assert_no_axe_violations(page)
    screenshot(page, "unit-next-level")

    item.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#krav-TB3-OPPEN-KALLELSE$"))
    row = page.locator("#krav-TB3-OPPEN-KALLELSE")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("Boka tid – initierad av vården")

    f.ExemptionFactory(
        exemption_id="AV-2026-0101",
        unit=unit,
        requirement=f.requirement("TB3-OPPEN-KALLELSE"),
        valid_from=day - datetime.timedelta(days=1),
        valid_until=day + datetime.timedelta(days=90),
    )
    recompute(as_of=day, unit_ids=[unit.pk])
    page.goto(f"/enheter/{unit.hsa_id}/")
    expect(page.locator(".unit-level")).to_have_text("nivå 3 med avsteg")
    next_level = page.get_by_role("region", name="Till nästa nivå")
    expect(next_level).to_contain_text("Enheten har nått den högsta nivån, nivå 3.")
    expect(next_level).to_contain_text("Nivån nås med avsteg för: TB3-OPPEN-KALLELSE (AV-2026-0101).")
    assert_no_axe_violations(page)
    screenshot(page, "unit-top-level-with-exemption")
