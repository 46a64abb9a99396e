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
