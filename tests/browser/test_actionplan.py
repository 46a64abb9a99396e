"""The action plan in a real browser: a unit manager reports an obstacle and adds a local activity for
their area, Koncernstab answers the obstacle and sees it on the plan; the chooser swaps the plan in with
htmx and keeps the address; axe finds no WCAG 2.1 AA violation on the plan and its forms."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from actionplan import services
from actionplan.models import Activity, Obstacle, PhaseOut
from compliance.services import today
from tests import factories as f
from units.models import CareUnit, Offering
from units.permissions import grant_units

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def plan_world(demo_users):
    """Two areas: enhetschef's with two units (a local service, an exemption in force) and another."""
    day = today()
    period = f.SchedulePeriodFactory(
        code="2026-P2",
        start_date=day - datetime.timedelta(days=30),
        end_date=day + datetime.timedelta(days=90),
    )
    area = f.VardomradeFactory(name="Primärvård Malmö")
    other = f.VardomradeFactory(name="Primärvård Lund")
    units = [f.CareUnitFactory(vardomrade=area, name=f"Vårdcentralen {n}") for n in ("Husie", "Limhamn")]
    hidden = f.CareUnitFactory(vardomrade=other, name="Vårdcentralen Hemlig")
    grant_units(demo_users["enhetschef"], CareUnit.objects.filter(pk__in=[u.pk for u in units]))
    Offering.objects.create(unit=units[0], kind="tjanst", code="Egen telefonrådgivning", variant="lokal")
    Offering.objects.create(unit=units[1], kind="mall", code="Egen kallelse", variant="lokal")
    Offering.objects.create(unit=hidden, kind="tjanst", code="Hemlig tjänst", variant="lokal")
    services.phase_out_save(
        phase_out=PhaseOut(
            unit=units[1], kind="mall", code="Egen kallelse", planned_end=day + datetime.timedelta(days=60)
        ),
        actor=demo_users["koncernstab"],
    )
    f.ExemptionFactory(unit=units[0], valid_from=day, valid_until=day + datetime.timedelta(days=20))
    f.TargetFactory(vardomrade=area, period=period)
    regional = Activity(title="Öppen kallelse i PMO", period=period, owner_text="Koncernstab kommunikation")
    services.activity_save(activity=regional, actor=demo_users["koncernstab"])
    return {"period": period, "area": area, "units": units, "hidden": hidden}


def test_a_unit_manager_reports_an_obstacle_and_adds_a_local_activity(page, plan_world):
    area, units = plan_world["area"], plan_world["units"]
    page.goto("/handlingsplan/")
    login_as(page, "enhetschef")
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlingsplan")
    expect(page.get_by_role("link", name="Handlingsplan", exact=True).first).to_be_visible()
    content = page.content()
    assert "Vårdcentralen Hemlig" not in content and "Hemlig tjänst" not in content
    expect(page.get_by_role("cell", name="Egen telefonrådgivning", exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "actionplan-unit-manager")

    page.get_by_role("link", name="Rapportera hinder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera hinder")
    page.get_by_label("Vårdområde").select_option(label=area.name)
    page.get_by_label("Rubrik").fill("PMO saknar digitala kallelser")
    page.get_by_label("Beskriv hindret").fill("Våra BVC-enheter kan inte skicka kallelser digitalt.")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Skicka till Koncernkontoret").click()
    expect(
        page.get_by_text("Hindret ”PMO saknar digitala kallelser” är rapporterat till Koncernkontoret.")
    ).to_be_visible()
    assert Obstacle.objects.get().status == "open"

    page.get_by_role("link", name="Lägg till aktivitet").click()
    page.get_by_label("Aktivitet", exact=True).fill("Utbilda personalen i webbtidbok")
    page.get_by_label("Gäller").select_option(label=area.name)
    page.get_by_label("Enheter", exact=True).fill(units[0].hsa_id)
    page.get_by_label("Klart senast").fill((today() + datetime.timedelta(days=45)).isoformat())
    assert_no_axe_violations(page)
    screenshot(page, "actionplan-activity-form")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Aktiviteten ”Utbilda personalen i webbtidbok” lades till.")).to_be_visible()
    expect(page.get_by_role("link", name="Utbilda personalen i webbtidbok")).to_be_visible()
    assert list(Activity.objects.get(title="Utbilda personalen i webbtidbok").units.all()) == [units[0]]


def test_koncernstab_answers_and_the_chooser_swaps_the_plan_in(page, plan_world, demo_users):
    area = plan_world["area"]
    obstacle = Obstacle(vardomrade=area, title="PMO saknar digitala kallelser", description="Text")
    services.obstacle_report(obstacle=obstacle, actor=demo_users["enhetschef"])
    page.goto("/handlingsplan/")
    login_as(page, "koncernstab")
    page.get_by_label("Omfattning").select_option(label=area.name)
    page.get_by_role("button", name="Visa planen").click()
    expect(
        page.get_by_role("heading", name=re.compile("Handlingsplan för vårdområde Primärvård Malmö"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(rf"omfattning=omrade-{area.pk}"))
    assert "Vårdcentralen Hemlig" not in page.content()  # another area's unit is outside this scope
    page.get_by_role("link", name="PMO saknar digitala kallelser").click()
    page.get_by_role("textbox", name="Svar").fill("Koncernstab driver frågan med leverantören.")
    page.get_by_label("Öppen kallelse i PMO (2026-P2)").check()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Spara svaret").click()
    expect(page.get_by_text("Svaret på ”PMO saknar digitala kallelser” sparades.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("PMO saknar digitala kallelser"))
    expect(row).to_contain_text("Besvarat")
    expect(row).to_contain_text("Öppen kallelse i PMO")
    assert_no_axe_violations(page)
    screenshot(page, "actionplan-koncernstab-area")
