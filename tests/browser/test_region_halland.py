"""A portal that follows Region Halland (decision RS220477: no ladder, no answer time, channels such as
Journalen and NPÖ) in a real browser: every page a person in each job opens shows Halland's name,
decision and requirements, never Skåne's decision or a booking level, and axe finds no WCAG 2.1 AA
violation on any of them. Screenshots: test-artifacts/screenshots/halland-*.png."""

import datetime

import pytest
from playwright.sync_api import expect

from compliance.services import recompute, today
from servicelevel.models import Requirement
from servicelevel.rulebooks import load_shipped
from tests import factories as f
from units.models import CareUnit, Offering

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SKANE_WORDS = ("2026-0000277", "Region Skåne", "Bokningsnivå", "TB1-VISA")


@pytest.fixture
def halland(demo_users, settings):
    """Halland's decision in force, the demo users' four units with booking figures, a channel and an
    e-service each (some without), an approved exemption on direct booking, results stored today."""
    settings.SERVICELEVEL_REGION = "halland"
    (loaded,) = load_shipped()
    day = today()
    period = f.SchedulePeriodFactory(
        code="P-HALLAND",
        start_date=day - datetime.timedelta(days=60),
        end_date=day + datetime.timedelta(days=60),
    )
    area = f.VardomradeFactory(
        name="Närsjukvården Halland", forvaltning=f.ForvaltningFactory(name="Region Halland")
    )
    for i, unit in enumerate(CareUnit.objects.order_by("pk")):
        CareUnit.objects.filter(pk=unit.pk).update(
            vardomrade=area, forvaltning=area.forvaltning, name=f"Vårdcentralen Halmstad {i + 1}"
        )
        f.BookingFiguresFactory(unit=unit, period=period, booked_reschedulable=400 if i % 2 else 120)
        Offering.objects.create(
            unit=unit,
            kind="tjanst",
            code="FORNYA-RECEPT",
            variant="regional",
            catalogue_service=f.service("FORNYA-RECEPT"),
        )
    unit = CareUnit.objects.order_by("pk").first()
    f.ExemptionFactory(
        unit=unit,
        requirement=Requirement.objects.get(decision=loaded.decision, code="WT-BOKA"),
        valid_from=day - datetime.timedelta(days=10),
        valid_until=day + datetime.timedelta(days=80),
    )
    recompute(as_of=day)
    return loaded.decision


def assert_halland(page):
    text = page.locator("body").inner_text()
    assert "Region Halland" in text
    for word in SKANE_WORDS:
        assert word not in text, word


PAGES = [
    ("/", "oversikt"),
    ("/enheter/", "enheter"),
    ("/jamforelse/", "jamforelse"),
    ("/avsteg/", "avsteg"),
    ("/handlingsplan/", "handlingsplan"),
    ("/rapporter/", "rapporter"),
    ("/regelverk/", "regelverk"),
]


def test_koncernstab_sees_hallands_decision_on_every_page(page, halland):
    page.goto("/")
    login_as(page, "koncernstab")
    page.wait_for_url(lambda url: "logga-in" not in url)
    for path, name in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert_halland(page)
        assert_no_axe_violations(page)
        screenshot(page, f"halland-{name}")
    unit = CareUnit.objects.order_by("pk").first()
    page.goto(f"/enheter/{unit.hsa_id}/")
    assert_halland(page)
    expect(page.get_by_text("Se alla bokade tider").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "halland-enhet")
    page.goto(f"/regelverk/{halland.pk}/")
    expect(page.get_by_text("RS220477").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "halland-regelverk-version")


def test_a_unit_manager_keeps_their_units_offering_in_a_halland_portal(page, halland, demo_users):
    from units.permissions import visible_units

    unit = visible_units(demo_users["enhetschef"]).order_by("pk").first()
    page.goto("/")
    login_as(page, "enhetschef")
    page.wait_for_url(lambda url: "logga-in" not in url)
    page.goto(f"/enheter/{unit.hsa_id}/")
    assert_halland(page)
    assert_no_axe_violations(page)
    page.goto(f"/enheter/{unit.hsa_id}/utbud/")
    assert_halland(page)
    assert_no_axe_violations(page)
    screenshot(page, "halland-utbud")
