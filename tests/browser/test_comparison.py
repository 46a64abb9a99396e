"""Likvärdiga enheter in a real browser: the unit manager's view names no peer, the region-wide chooser
swaps the table in with htmx and keeps the address, the table scrolls with its first column in view;
axe finds no WCAG 2.1 AA violation on either."""

import re

import pytest
from playwright.sync_api import expect

from compliance.services import today
from tests import factories as f
from units.models import CareUnit
from units.permissions import grant_units

from .conftest import assert_no_axe_violations, login_as, screenshot

# The rulebook and catalogue come from migrations; a transactional test flushes them, so they are put
# back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def peer_group(demo_users):
    """Eight mottagningar in one vårdområde: two of them enhetschef's, the other six their peers."""
    area = f.VardomradeFactory(name="Primärvård Malmö")
    units = [
        f.CareUnitFactory(vardomrade=area, name=f"Vårdcentralen {place}")
        for place in ("Husie", "Limhamn", "Rosengård", "Kirseberg", "Oxie", "Fosie", "Hyllie", "Bunkeflo")
    ]
    for i, unit in enumerate(units):
        f.OfferingFactory(unit=unit, code="KONTAKT")
        if i != 1:
            f.OfferingFactory(unit=unit, code="FORNYA-RECEPT")
        if i >= 2:
            f.OfferingFactory(unit=unit, code="EGENREMISS")
        f.UnitResultFactory(unit=unit, as_of=today(), booking_level=2 if i else 1)
    grant_units(demo_users["enhetschef"], CareUnit.objects.filter(pk__in=[units[0].pk, units[1].pk]))
    return area, units


def test_a_unit_manager_sees_own_units_and_only_counts_of_the_peers(page, peer_group):
    _, units = peer_group
    page.goto("/jamforelse/")  # to the login, which comes back here
    login_as(page, "enhetschef")
    expect(page.get_by_role("heading", level=1)).to_have_text("Likvärdiga enheter sida vid sida")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name=re.compile("Vårdcentralen Husie"))).to_be_visible()
    expect(table.get_by_role("columnheader", name="Likvärdiga enheter (6 st)")).to_be_visible()
    egenremiss = table.get_by_role("row", name=re.compile("^Egenremiss"))
    expect(egenremiss).to_contain_text("6 av 6 erbjuder (100 %)")
    expect(egenremiss).to_contain_text("Lucka: de flesta likvärdiga erbjuder den")
    html = page.content()
    for peer in units[2:]:
        assert peer.name not in html and peer.hsa_id not in html
    assert_no_axe_violations(page)
    screenshot(page, "comparison-unit-manager")


def test_region_wide_chooser_swaps_the_table_in_and_the_first_column_stays(page, peer_group):
    area, units = peer_group
    page.goto("/jamforelse/")
    login_as(page, "koncernstab")
    expect(page.get_by_text("Välj en förvaltning eller ett vårdområde")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Vårdområde").select_option(str(area.pk))
    page.get_by_role("button", name="Visa jämförelse").click()
    expect(page.get_by_role("heading", name="Mottagningar i vårdområdet Primärvård Malmö")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"vardomrade={area.pk}"))
    table = page.get_by_role("table")
    for unit in units:
        expect(table.get_by_role("columnheader", name=re.compile(unit.name))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("^Förnya recept"))).to_contain_text("7 av 8 erbjuder")
    # Scrolled to the right, the row headers are still where they were.
    region = page.get_by_role("region", name=re.compile("Mottagningar i vårdområdet"))
    header = table.get_by_role("rowheader", name=re.compile("^Förnya recept"))
    summary = table.get_by_role("columnheader", name="Alla likvärdiga enheter (8 st)")
    header_x, summary_x = header.bounding_box()["x"], summary.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert region.evaluate("el => el.scrollLeft") > 100
    assert abs(header.bounding_box()["x"] - header_x) <= 2  # sticky (a border's width of play)
    assert summary.bounding_box()["x"] < summary_x - 100  # the other columns did scroll
    assert_no_axe_violations(page)
    screenshot(page, "comparison-region-wide")


def test_a_gap_is_marked_only_where_most_of_the_units_peers_have_it(page, demo_users):
    """Nine mottagningar: each has eight peers. Egenremiss at four of the others is half of Husie's peers,
    no gap; Begära intyg at five of them is most, a gap that says its count, in the cell and in the list."""
    area = f.VardomradeFactory(name="Primärvård Lund")
    units = [
        f.CareUnitFactory(vardomrade=area, name=f"Vårdcentralen {place}")
        for place in ("Husie", "Dalby", "Genarp", "Södra Sandby", "Veberöd", "Torna Hällestad", "Revinge",
                      "Stångby", "Gunnesbo")
    ]  # fmt: skip
    for i, unit in enumerate(units):
        f.OfferingFactory(unit=unit, code="KONTAKT")
        if 1 <= i <= 4:
            f.OfferingFactory(unit=unit, code="EGENREMISS")
        if 1 <= i <= 5:
            f.OfferingFactory(unit=unit, code="INTYG")
        f.UnitResultFactory(unit=unit, as_of=today(), booking_level=2)
    page.goto(f"/jamforelse/?vardomrade={area.pk}&typ=mottagning")
    login_as(page, "koncernstab")
    table = page.get_by_role("table")
    egenremiss = table.get_by_role("row", name=re.compile("^Egenremiss"))
    expect(egenremiss).to_contain_text("4 av 9 erbjuder")
    expect(egenremiss).not_to_contain_text("Lucka")
    intyg = table.get_by_role("row", name=re.compile("^Begära intyg"))
    expect(intyg).to_contain_text("5 av 9 erbjuder")
    expect(intyg.get_by_text("Lucka: de flesta likvärdiga erbjuder den (5 av 8)")).to_have_count(4)
    gaps = page.get_by_role("region", name=re.compile("Luckor")).or_(page.locator(".jamforelse-luckor"))
    item = gaps.get_by_role("listitem").filter(has_text="Begära intyg")
    expect(item).to_contain_text("5 av 9 enheter i urvalet erbjuder Begära intyg")
    expect(item).to_contain_text("Vårdcentralen Husie, Vårdcentralen Revinge")
    expect(item).to_contain_text("(för var och en: 5 av 8 likvärdiga erbjuder den)")
    expect(gaps.get_by_role("listitem").filter(has_text="Egenremiss")).to_have_count(0)
    # The legend says what the count is.
    page.get_by_text("Så läser du tabellen").click()
    expect(page.get_by_text("5 av 8 är en lucka, 4 av 8 inte")).to_be_visible()
    intyg.scroll_into_view_if_needed()
    assert_no_axe_violations(page)
    screenshot(page, "comparison-gap-count")
