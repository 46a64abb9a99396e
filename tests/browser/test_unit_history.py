"""A unit's history and the comparison of two dates in a real browser: reached from the unit page by its
links, the changes listed newest first with a recompute's progress bar, the two dates chosen in the form
and the differences marked in words, a bad date answered with the field's message; axe finds no WCAG 2.1
AA violation on any of them; the unit page on a past date shows the offering valid then. Screenshots:
unit-history.png, unit-compare-dates.png, unit-detail-past-date.png, unit-compare-dates-error.png."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from compliance.models import RecomputeJob
from compliance.services import recompute, today
from units.models import CareUnit, Person
from units.services import admin_roles_replace, unit_save

from ..helpers import UNITS_HEADER, unit_line
from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HSA = "SE2321000255-A1B2"


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def unit(demo_users, tmp_path):
    """A unit from the region's first files, results stored 30 days back and today, then moved to another
    vårdområde and given two services from 20 days back (imports), a role holder from 15 days back and
    another booking system from 10 days back (by Koncernstab's person), and a correction's recompute
    under way."""

    def imported(kind, text, *valid_from):
        path = tmp_path / f"{kind}-{len(list(tmp_path.iterdir()))}.csv"
        path.write_text(text, encoding="utf-8")
        call_command("import_data", kind, str(path), *valid_from, stdout=io.StringIO(), stderr=io.StringIO())

    periods = f"code,name,start_date,end_date\nP-NU,,{days(-60)},{days(60)}\n"
    offerings = f"unit_hsa_id,kind,code,variant,open\n{HSA},tjanst,KONTAKT,regional,true\n"
    imported("units", UNITS_HEADER + unit_line())
    imported("periods", periods)
    imported("offerings", offerings)
    recompute(as_of=days(-30))
    recompute(as_of=today())
    more = offerings + f"{HSA},tjanst,FORNYA-RECEPT,regional,true\n{HSA},tjanst,EGEN-TJANST,lokal,true\n"
    since = ("--valid-from", days(-20).isoformat())
    imported("offerings", more, *since)
    imported("units", UNITS_HEADER + unit_line(vo="Primärvård Nordost", name="Vårdcentralen Ny"), *since)
    staff = demo_users["koncernstab"]
    unit = CareUnit.objects.get(hsa_id=HSA)
    Person.objects.create(person_id="SE2321000255-P1111", name="Anna Svensson")
    admin_roles_replace(
        unit=unit, rows=[("SE2321000255-P1111", "lokal_administrator")], actor=staff, valid_from=days(-15)
    )
    unit = CareUnit.objects.get(hsa_id=HSA)
    unit.booking_system = "PASiS"
    unit_save(unit=unit, actor=staff, valid_from=days(-10))
    RecomputeJob.objects.create(
        since=days(-10), unit_ids=[unit.pk], status="running", dates_done=12, dates_total=38
    )
    return unit


def test_the_history_and_the_comparison_of_two_dates(page, unit):
    page.goto(f"/enheter/{HSA}/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vårdcentralen Ny")

    page.get_by_role("link", name="Historik", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historik – Vårdcentralen Ny")
    expect(page.locator("progress")).to_have_attribute("value", "12")
    expect(page.get_by_text("Sparade resultat räknas om: 12 av 38 datum (31 %)")).to_be_visible()
    changes = page.get_by_role("table", name=re.compile("Ändringar av enhetens uppgifter"))
    first = changes.locator("tbody tr").first
    expect(first).to_contain_text(days(-10).isoformat())
    expect(first).to_contain_text("Bokningssystem: PMO → PASiS")
    expect(changes).to_contain_text("Vårdområde: Primärvård Sydväst → Primärvård Nordost")
    expect(changes).to_contain_text("Lokal administratör: Anna Svensson (SE2321000255-P1111)")
    expect(changes).to_contain_text("system/import")
    assert_no_axe_violations(page)
    screenshot(page, "unit-history")

    page.get_by_role("link", name="Jämför två datum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jämför två datum – Vårdcentralen Ny")
    page.get_by_label("Från datum").fill(days(-30).isoformat())
    page.get_by_label("Till datum").fill(today().isoformat())
    page.get_by_role("button", name="Jämför").click()
    expect(page).to_have_url(re.compile(rf"fran={days(-30).isoformat()}&till={today().isoformat()}"))
    area = page.get_by_role("row", name=re.compile("^Vårdområde"))
    expect(area).to_contain_text("Primärvård Sydväst")
    expect(area).to_contain_text("Primärvård Nordost")
    expect(area.locator("td").last).to_have_text("Ändrad")
    expect(page.get_by_role("row", name=re.compile("Tjänst FORNYA-RECEPT")).locator("td").last).to_have_text(
        "Ny"
    )
    expect(page.get_by_role("heading", name="Sparade resultat")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "unit-compare-dates")

    page.goto(f"/enheter/{HSA}/?per={days(-30).isoformat()}")
    expect(page.locator("#uppgifter-per")).to_contain_text("Uppgifterna gällde")
    offerings = page.get_by_role("table", name="Tjänster och mallar")
    expect(offerings).to_contain_text("KONTAKT")
    expect(offerings).not_to_contain_text("FORNYA-RECEPT")
    assert_no_axe_violations(page)
    screenshot(page, "unit-detail-past-date")

    response = page.goto(f"/enheter/{HSA}/jamfor/?fran=2026-13-01")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Från datum: ”2026-13-01” är inget datum (ÅÅÅÅ-MM-DD).")
    expect(page.get_by_label("Från datum")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    screenshot(page, "unit-compare-dates-error")
