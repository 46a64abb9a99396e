"""Reflow (WCAG 2.1 SC 1.4.10): every main page fits a 390 px phone without sideways page scroll, for
Koncernstab (every section) and for a unit manager (their sections), on a seeded Skåne-like region with
its long Swedish names. A table wider than the phone scrolls inside its own box — a labelled, focusable
region (role="region", aria-label, tabindex="0") — and axe (run at this width, where those boxes really
scroll) finds no violation. Screenshots: test-artifacts/screenshots/reflow-ROLE-PAGE.png."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests import factories as f
from units.models import CareUnit, Vardomrade
from units.permissions import grant_units

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
# Every main page; "{unit}" is a unit the role may see. The navigation's sections must all be here (the
# test says so when one is added without a check).
KONCERNSTAB_PAGES = [
    "/",
    "/enheter/",
    "/enheter/{unit}/",
    "/enheter/{unit}/historik/",
    "/enheter/{unit}/jamfor/",
    "/jamforelse/",
    "/avsteg/",
    "/handlingsplan/",
    "/rapporter/",
    "/regelverk/",
    "/import/",
    "/granskning/",
    "/inloggning/rollregler/",
]
STAFF_ONLY = ("/import/", "/granskning/", "/inloggning/rollregler/")
ENHETSCHEF_PAGES = [p for p in KONCERNSTAB_PAGES if p not in STAFF_ONLY]

# The elements that stick out past the window's right edge without a scrolling box of their own that fits
# (the ones to fix), named for the failure message.
OVERFLOWING = """() => {
  const width = window.innerWidth, found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    // A scrolling box clips what it contains, except an absolutely positioned descendant whose containing
    // block lies outside it (a visually hidden text in a table with no positioned box around it).
    let clipped = false, free = getComputedStyle(el).position === 'absolute';
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (free && style.position !== 'static') free = false;
      if (!free && style.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 0.5) {
        clipped = true;
        break;
      }
    }
    if (!clipped) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      found.push(name + ' (right edge ' + Math.round(box.right) + ' px)');
    }
  }
  return found.slice(0, 5);
}"""


@pytest.fixture
def region(demo_users):
    """The demo region (seed_demo's importers, a smaller one) with results, exemptions in every state and
    targets; the unit manager holds one vårdområde's region-run units; the action plan, reports and imports
    have a row or two with long texts."""
    call_command("seed_demo", units=40, cases=2000, seed=2026, stdout=io.StringIO())
    manager, staff = demo_users["enhetschef"], demo_users["koncernstab"]
    region_run = CareUnit.objects.filter(provider__isnull=True)
    area = Vardomrade.objects.filter(pk__in=region_run.values("vardomrade")).order_by("name").first()
    grant_units(manager, region_run.filter(vardomrade=area))
    unit = region_run.filter(vardomrade=area).order_by("name").first()
    f.ActivityFactory(
        title="Införa öppen kallelse och digital ombokning i tidbokningssystemet för alla mottagningar",
        vardomrade=area,
    )
    f.ObstacleFactory(
        vardomrade=area,
        reported_by=manager,
        title="Tidbokningssystemet saknar stöd för öppen kallelse via 1177.se",
    )
    f.PhaseOutFactory(unit=unit, code="Lokal-receptförnyelse-för-hälsocentralens-listade-patienter")
    f.ReportFactory(requested_by=staff, scope="region")
    f.ImportJobFactory(created_by=staff, filename="enheter-primarvardsforvaltningen-2026-11-22.csv")
    return {"koncernstab": CareUnit.objects.order_by("name").first(), "enhetschef": unit}


def _check_pages(page, username: str, paths: list[str], unit: CareUnit) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/")
    login_as(page, username)
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    nav = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link")
    sections = {href for href in nav.evaluate_all("links => links.map(a => a.getAttribute('href'))")}
    assert sections - {"/admin/"} <= set(paths), f"sidor i menyn utan kontroll: {sections - set(paths)}"
    problems = []
    for template in paths:
        path = template.format(unit=unit.hsa_id)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        name = re.sub(r"[^a-z]+", "-", template.replace("{unit}", "enhet")).strip("-") or "oversikt"
        screenshot(page, f"reflow-{username}-{name}")
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(
                f"{path}: {width} px bred sida; sticker ut: {', '.join(page.evaluate(OVERFLOWING))}"
            )
        try:
            assert_no_axe_violations(page)
        except AssertionError as violation:
            problems.append(str(violation))
    assert not problems, f"{username} på {PHONE['width']} px:\n" + "\n".join(problems)


def test_every_page_fits_a_phone_for_koncernstab(page, region):
    _check_pages(page, "koncernstab", KONCERNSTAB_PAGES, region["koncernstab"])


def test_every_page_fits_a_phone_for_a_unit_manager(page, region):
    _check_pages(page, "enhetschef", ENHETSCHEF_PAGES, region["enhetschef"])
