"""Layout as a person at a 1280 px laptop sees it: the unit list's eleven columns fit
the window with headings that do not run into each other, the comparison matrix never scrolls inside the
scrolling page, and choosing a förvaltning narrows the vårdområden the unit list offers."""

import pytest
from playwright.sync_api import expect

from compliance.models import RequirementResult
from compliance.services import today
from tests import factories as f

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The demo region's longest words: Swedish compounds that cannot break inside a cell.
LONG = [
    (
        "Skånes universitetssjukhus",
        "VO Hematologi, onkologi och strålningsfysik",
        "Endokrinologimottagningen Helsingborg",
    ),
    ("Psykiatri, habilitering och hjälpmedel", "VO Rättspsykiatri", "Barnmedicinmottagningen Trelleborg"),
    ("Primärvård Skåne", "Primärvård Malmö", "Vårdcentralen Rosengård"),
]


@pytest.fixture
def long_named_units(demo_users):
    provider = f.ProviderFactory(name="Hälsocentralen Norden AB")
    units = []
    for i, (fvg, area, name) in enumerate(LONG):
        area = f.VardomradeFactory(name=area, forvaltning=f.ForvaltningFactory(name=fvg))
        unit = f.CareUnitFactory(
            vardomrade=area,
            name=name,
            hsa_id=f"SE2321000255-ZTY{i:02d}",
            provider=provider if i == 2 else None,
            booking_system="ingen" if i == 1 else "PASiS",
        )
        result = f.UnitResultFactory(
            unit=unit,
            as_of=today(),
            booking_level=3,
            booking_level_with_exemptions=True,
            response_time={"month": "2026-11", "share_in_time": 0.983},
        )
        RequirementResult.objects.create(
            unit_result=result, requirement=f.requirement("TB1-VISA"), status="met", value=1.0, reason="Alla"
        )
        units.append(unit)
    return units


def headings(page):
    """(text, left, right) of each column heading's text, in order."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#enheter-tabell thead th')].map(th => {
            const r = (th.querySelector('a') || th).getBoundingClientRect();
            return [th.textContent.trim(), r.left, r.right]; })"""
    )


def test_the_unit_list_fits_a_1280_px_window_with_headings_apart(page, long_named_units):
    page.goto("/enheter/")
    login_as(page, "koncernstab")
    table = page.locator("#enheter-tabell")
    expect(table).to_contain_text("nivå 3 med avsteg")
    widths = page.evaluate(
        "() => { const t = document.querySelector('#enheter-tabell'); return [t.scrollWidth, t.parentElement.clientWidth]; }"
    )
    assert widths[0] <= widths[1], f"tabellen är {widths[0]} px bred i en ruta på {widths[1]} px"
    heads = headings(page)
    assert len(heads) == 11
    for (text, _, right), (next_text, left, _) in zip(heads, heads[1:], strict=False):
        assert right + 4 <= left, f"rubrikerna {text!r} och {next_text!r} går in i varandra"
    assert_no_axe_violations(page)
    screenshot(page, "layout-unit-list-1280")


def test_the_comparison_matrix_scrolls_with_the_page_not_in_a_box_of_its_own(page, demo_users):
    area = f.VardomradeFactory(name="Primärvård Malmö")
    for place in (
        "Husie",
        "Limhamn",
        "Rosengård",
        "Oxie",
        "Bunkeflo",
        "Kirseberg",
        "Lindängen",
        "Möllevången",
    ):
        unit = f.CareUnitFactory(vardomrade=area, name=f"Vårdcentralen {place}")
        f.OfferingFactory(unit=unit, code="KONTAKT")
    page.set_viewport_size({"width": 1280, "height": 500})  # shorter than the table
    page.goto(f"/jamforelse/?vardomrade={area.pk}&typ=mottagning")
    login_as(page, "koncernstab")
    region = page.get_by_role("region", name="utbud, nivå och svarstid")
    expect(region).to_be_visible()
    heights = region.evaluate("r => [r.scrollHeight, r.clientHeight, getComputedStyle(r).maxHeight]")
    assert heights[0] <= heights[1] + 1, f"rutan rullar på höjden inuti sidan: {heights}"
    assert heights[2] == "none"
    assert_no_axe_violations(page)
    screenshot(page, "layout-comparison-matrix")


def test_choosing_a_forvaltning_narrows_the_vardomraden_offered(page, demo_users):
    sus = f.ForvaltningFactory(name="Skånes universitetssjukhus")
    # Not the factories' default förvaltning, Primärvård Skåne: the demo users' units are there.
    pv = f.ForvaltningFactory(name="Skånevård Sund")
    for fvg, area in (
        (sus, "VO Ortopedi"),
        (sus, "VO Neurologi"),
        (pv, "VO Helsingborg"),
        (pv, "VO Landskrona"),
    ):
        unit = f.CareUnitFactory(vardomrade=f.VardomradeFactory(name=area, forvaltning=fvg))
        f.UnitResultFactory(unit=unit, as_of=today())  # a day of results: before any, the list shows none
    page.goto("/enheter/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enheter")
    areas = page.get_by_label("Vårdområde")
    offered = areas.locator("option").all_text_contents()
    assert {"VO Helsingborg", "VO Landskrona", "VO Neurologi", "VO Ortopedi"} <= set(offered)
    assert len(offered) == 1 + 4 + 4  # "Alla", the four, the areas of the demo users' four units
    page.get_by_label("Förvaltning").select_option(label="Skånes universitetssjukhus")
    expect(areas.locator("option")).to_have_text(["Alla", "VO Neurologi", "VO Ortopedi"])
    areas.select_option(label="VO Ortopedi")
    expect(page.locator("#enheter-resultat [role=status]")).to_contain_text("1 enhet matchar filtret")
    # Another förvaltning: the area chosen under the first is dropped, not kept as a choice that matches
    # nothing.
    page.get_by_label("Förvaltning").select_option(label="Skånevård Sund")
    expect(areas.locator("option")).to_have_text(["Alla", "VO Helsingborg", "VO Landskrona"])
    expect(page.locator("#enheter-resultat [role=status]")).to_contain_text("2 enheter matchar filtret")
    assert_no_axe_violations(page)
    screenshot(page, "layout-area-filter")
