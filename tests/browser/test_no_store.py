"""The browser's Back after a save: a form page answers `Cache-Control: no-store`, so going back asks the
server again and shows what is saved now, not the form as it was before the save (docs/frontend.md)."""

import datetime

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIGURES = {
    "Bokade tider": "400",
    "Synliga på 1177.se": "400",
    "Avbokningsbara": "400",
    "Ombokningsbara": "120",
    "Bokningsbara tider": "500",
    "Via öppen kallelse": "10",
    "Bokningsbara av invånaren": "50",
    "Framförhållning (veckor)": "8,5",
}


def test_back_after_saving_booking_figures_shows_the_saved_figures(page, demo_users):
    from compliance.services import recompute, today
    from tests import factories as f
    from units.permissions import changeable_units

    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    day = today()
    f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )
    recompute(as_of=day, unit_ids=[unit.pk])

    page.goto(f"/enheter/{unit.hsa_id}/")
    login_as(page, "enhetschef")
    page.get_by_role("link", name="Rapportera bokningsuppgifter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bokningsuppgifter")
    expect(page.get_by_text("Enheten har inga sparade uppgifter för perioden än.")).to_be_visible()
    form_url = page.url
    for label, value in FIGURES.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Bokningsuppgifterna för P-NU sparades")

    page.go_back()
    expect(page).to_have_url(form_url)
    # The page as the server has it now: the figures are saved (a stale copy would still say they are not).
    expect(page.get_by_text("Uppgifterna nedan är de som är sparade för perioden.")).to_be_visible()
    expect(page.get_by_text("Enheten har inga sparade uppgifter för perioden än.")).to_have_count(0)
    expect(page.get_by_label("Framförhållning (veckor)", exact=True)).to_have_value("8,50")
    assert_no_axe_violations(page)
    screenshot(page, "no-store-back-after-save")

    # Back once more: the unit page, asked for again too (it holds a form: the scorecard), shows the new level.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(unit.name)
