"""The action plan at /handlingsplan/: the plan per period and scope, activities with notes,
target shares, exemptions in force, phase-out of local services and templates, obstacle reports; rights
from units.permissions (404 for another's area, 403 for a change the role may not make)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from actionplan import services
from actionplan.models import Activity, Obstacle, PhaseOut, Target
from compliance.models import UnitResult
from compliance.services import today
from servicelevel.models import AuditEntry, CatalogueService
from units.models import Offering
from units.permissions import Roles

from .. import factories as f
from ..helpers import user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    day = today()
    return f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )


@pytest.fixture
def area():
    return f.VardomradeFactory(name="Vårdområde Egen")


@pytest.fixture
def other_area():
    return f.VardomradeFactory(
        name="Vårdområde Annan", forvaltning=f.ForvaltningFactory(name="Annan förvaltning")
    )


@pytest.fixture
def unit(area):
    return f.CareUnitFactory(name="Vårdcentralen Egen", hsa_id="SE2321000255-EGEN", vardomrade=area)


@pytest.fixture
def other_unit(other_area):
    return f.CareUnitFactory(name="Vårdcentralen Hemlig", hsa_id="SE2321000255-HEMLIG", vardomrade=other_area)


@pytest.fixture
def manager(unit):
    return user_in(Roles.VERKSAMHETSCHEF, [unit], username="chef")


@pytest.fixture
def staff():
    return user_in(Roles.KONCERNSTAB, username="koncernstab")


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def plan_url(query=""):
    return reverse("portal:actionplan") + (f"?{query}" if query else "")


def new_activity(period, title="Regional utbildning", **kwargs):
    units = kwargs.pop("units", [])
    activity = Activity(title=title, period=period, **kwargs)
    services.activity_save(activity=activity, actor=None, units=[u.pk for u in units])
    return activity


def new_obstacle(area, title="Hinder i PMO"):
    obstacle = Obstacle(vardomrade=area, title=title, description="PMO saknar digitala kallelser.")
    services.obstacle_report(obstacle=obstacle, actor=f.UserFactory(username="rapportor"))
    return obstacle


# --- Rights ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, period, unit, area):
    activity = new_activity(period)
    obstacle = new_obstacle(area)
    target = f.TargetFactory(vardomrade=area, period=period)
    login = resolve_url(settings.LOGIN_URL)
    urls = [
        plan_url(),
        reverse("portal:actionplan_activity_new"),
        reverse("portal:actionplan_activity", args=[activity.pk]),
        reverse("portal:actionplan_target_new"),
        reverse("portal:actionplan_target", args=[target.pk]),
        reverse("portal:actionplan_phase_out") + f"?enhet={unit.hsa_id}&slag=tjanst&kod=X",
        reverse("portal:actionplan_obstacle_new"),
        reverse("portal:actionplan_obstacle", args=[obstacle.pk]),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, {"action": "save"})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(login)


@pytest.fixture
def world(period, unit, other_unit, area, other_area):
    """One of everything in the user's own area and in another's."""
    Offering.objects.create(unit=unit, kind="tjanst", code="Egen rådgivning", variant="lokal")
    Offering.objects.create(unit=other_unit, kind="tjanst", code="Hemlig rådgivning", variant="lokal")
    return {
        "regional": new_activity(period, "Regional", units=[unit, other_unit]),
        "own_activity": new_activity(period, "Egen", vardomrade=area, units=[unit]),
        "other_activity": new_activity(period, "Annans", vardomrade=other_area, units=[other_unit]),
        "own_target": f.TargetFactory(vardomrade=area, period=period),
        "other_target": f.TargetFactory(vardomrade=other_area, period=period),
        "own_obstacle": new_obstacle(area, "Eget hinder"),
        "other_obstacle": new_obstacle(other_area, "Annans hinder"),
    }


def phase_out_url(u, code):
    return reverse("portal:actionplan_phase_out") + f"?enhet={u.hsa_id}&slag=tjanst&kod={code}"


# (page, GET status, POST status) per role: the permission matrix as data. Region-wide roles see every
# area; Verksamhetschef sees and changes only their own (404 for another's, 403 for what is not theirs to
# change); Ledning reads everything and gets 403 on every POST.
PAGES = {
    "plan_other_area": lambda w, u, o: plan_url(f"omfattning=omrade-{o.vardomrade_id}"),
    "activity_new": lambda w, u, o: reverse("portal:actionplan_activity_new"),
    "own_activity": lambda w, u, o: reverse("portal:actionplan_activity", args=[w["own_activity"].pk]),
    "regional_activity": lambda w, u, o: reverse("portal:actionplan_activity", args=[w["regional"].pk]),
    "other_activity": lambda w, u, o: reverse("portal:actionplan_activity", args=[w["other_activity"].pk]),
    "target_new": lambda w, u, o: reverse("portal:actionplan_target_new"),
    "own_target": lambda w, u, o: reverse("portal:actionplan_target", args=[w["own_target"].pk]),
    "other_target": lambda w, u, o: reverse("portal:actionplan_target", args=[w["other_target"].pk]),
    "own_phase_out": lambda w, u, o: phase_out_url(u, "Egen rådgivning"),
    "other_phase_out": lambda w, u, o: phase_out_url(o, "Hemlig rådgivning"),
    "obstacle_new": lambda w, u, o: reverse("portal:actionplan_obstacle_new"),
    "own_obstacle": lambda w, u, o: reverse("portal:actionplan_obstacle", args=[w["own_obstacle"].pk]),
    "other_obstacle": lambda w, u, o: reverse("portal:actionplan_obstacle", args=[w["other_obstacle"].pk]),
}
MATRIX = [
    # Verksamhetschef: own area yes, another's 404 (GET and POST), regional and targets 403 on change
    (Roles.VERKSAMHETSCHEF, "plan_other_area", 404, 405),
    (Roles.VERKSAMHETSCHEF, "activity_new", 200, 200),
    (Roles.VERKSAMHETSCHEF, "own_activity", 200, 200),
    (Roles.VERKSAMHETSCHEF, "regional_activity", 200, 403),
    (Roles.VERKSAMHETSCHEF, "other_activity", 404, 404),
    (Roles.VERKSAMHETSCHEF, "target_new", 403, 403),
    (Roles.VERKSAMHETSCHEF, "own_target", 403, 403),
    (Roles.VERKSAMHETSCHEF, "other_target", 404, 404),
    (Roles.VERKSAMHETSCHEF, "own_phase_out", 200, 200),
    (Roles.VERKSAMHETSCHEF, "other_phase_out", 404, 404),
    (Roles.VERKSAMHETSCHEF, "obstacle_new", 200, 200),
    (Roles.VERKSAMHETSCHEF, "own_obstacle", 200, 403),
    (Roles.VERKSAMHETSCHEF, "other_obstacle", 404, 404),
    # Ledning reads everything, changes nothing
    (Roles.LEDNING, "plan_other_area", 200, 405),
    (Roles.LEDNING, "activity_new", 403, 403),
    (Roles.LEDNING, "own_activity", 200, 403),
    (Roles.LEDNING, "regional_activity", 200, 403),
    (Roles.LEDNING, "target_new", 403, 403),
    (Roles.LEDNING, "own_target", 403, 403),
    (Roles.LEDNING, "own_phase_out", 403, 403),
    (Roles.LEDNING, "obstacle_new", 403, 403),
    (Roles.LEDNING, "own_obstacle", 200, 403),
    # HS-styrning plans (targets, activities) but does not answer obstacles
    (Roles.HS_STYRNING, "regional_activity", 200, 200),
    (Roles.HS_STYRNING, "target_new", 200, 200),
    (Roles.HS_STYRNING, "other_target", 200, 200),
    (Roles.HS_STYRNING, "other_phase_out", 200, 200),
    (Roles.HS_STYRNING, "other_obstacle", 200, 403),
    # Koncernstab plans and answers
    (Roles.KONCERNSTAB, "regional_activity", 200, 200),
    (Roles.KONCERNSTAB, "target_new", 200, 200),
    (Roles.KONCERNSTAB, "other_obstacle", 200, 200),
]


@pytest.mark.parametrize(("role", "which", "get_status", "post_status"), MATRIX)
def test_the_permission_matrix(client, world, unit, other_unit, role, which, get_status, post_status):
    client.force_login(user_in(role, [unit]))
    url = PAGES[which](world, unit, other_unit)
    assert client.get(url).status_code == get_status
    # An empty POST: an allowed one comes back with the form's errors (200), never saves anything.
    before = AuditEntry.objects.count()
    assert client.post(url, {}).status_code == post_status
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("which", ["other_activity", "other_obstacle", "other_phase_out", "other_target"])
def test_a_unit_manager_posting_to_anothers_area_gets_404_and_nothing_changes(
    client, world, manager, unit, other_unit, which
):
    client.force_login(manager)
    response = client.post(PAGES[which](world, unit, other_unit), {"action": "delete", "answer": "x"})
    assert response.status_code == 404
    assert "Hemlig" not in response.content.decode()
    assert Activity.objects.filter(pk=world["other_activity"].pk).exists()
    assert Target.objects.filter(pk=world["other_target"].pk).exists()
    assert Obstacle.objects.get(pk=world["other_obstacle"].pk).answer == ""


@pytest.mark.parametrize("which", ["own_activity", "own_obstacle", "own_target", "own_phase_out"])
def test_ledning_gets_403_posting_and_nothing_changes(client, world, unit, other_unit, which):
    client.force_login(user_in(Roles.LEDNING))
    response = client.post(PAGES[which](world, unit, other_unit), {"action": "delete", "answer": "Svar"})
    assert response.status_code == 403
    assert Activity.objects.filter(pk=world["own_activity"].pk).exists()
    assert Target.objects.filter(pk=world["own_target"].pk).exists()
    assert Obstacle.objects.get(pk=world["own_obstacle"].pk).answer == ""


def test_a_unit_managers_plan_never_names_another_unit(client, world, manager, other_unit, period):
    f.ExemptionFactory(unit=other_unit, valid_from=today(), valid_until=today() + datetime.timedelta(days=9))
    client.force_login(manager)
    page = html(client.get(plan_url()))
    assert "Vårdcentralen Hemlig" not in page and other_unit.hsa_id not in page
    assert "Hemlig rådgivning" not in page  # another unit's local offering
    assert "Annans hinder" not in page and "Annans" not in page  # another area's obstacle and activity
    assert "Vårdområde Annan" not in page  # not even as a scope to choose
    assert "Regional" in page and "Egen rådgivning" in page and "Eget hinder" in page
    # The regional activity links both units; the manager's page counts only the one they may see.
    assert response_plan(client.get(plan_url())).activities[0].units == [
        ("SE2321000255-EGEN", "Vårdcentralen Egen")
    ]


def response_plan(response):
    return response.context["plan"]


def test_an_unknown_scope_or_period_is_404(client, manager, period):
    client.force_login(manager)
    assert client.get(plan_url("omfattning=nonsens")).status_code == 404
    assert client.get(plan_url("omfattning=omrade-999999")).status_code == 404
    assert client.get(plan_url("period=FINNS-INTE")).status_code == 404


# --- The plan ---------------------------------------------------------------------------------------------


def test_the_plan_of_an_area_holds_regional_its_forvaltnings_and_its_own_activities(
    client, staff, period, unit, other_unit, area, other_area
):
    new_activity(period, "Regional")
    new_activity(period, "Förvaltningens", forvaltning=area.forvaltning)
    new_activity(period, "Områdets", vardomrade=area)
    new_activity(period, "Annat område", vardomrade=other_area)
    new_activity(
        f.SchedulePeriodFactory(
            code="P-SEN",
            start_date=period.end_date + datetime.timedelta(days=1),
            end_date=period.end_date + datetime.timedelta(days=90),
        ),
        "Nästa period",
    )
    client.force_login(staff)
    shown = [a.title for a in response_plan(client.get(plan_url(f"omfattning=omrade-{area.pk}"))).activities]
    assert sorted(shown) == ["Förvaltningens", "Områdets", "Regional"]
    region = [a.title for a in response_plan(client.get(plan_url())).activities]
    assert sorted(region) == ["Annat område", "Förvaltningens", "Områdets", "Regional"]
    later = [a.title for a in response_plan(client.get(plan_url("period=P-SEN"))).activities]
    assert later == ["Nästa period"]


def test_the_sections_show_targets_exemptions_phase_out_and_obstacles(client, staff, period, unit, area):
    f.TargetFactory(vardomrade=area, period=period, target_share=Decimal("0.255"))
    day = today()
    f.ExemptionFactory(
        exemption_id="AV-GALLER", unit=unit, valid_from=day, valid_until=day + datetime.timedelta(days=10)
    )
    f.ExemptionFactory(
        exemption_id="AV-SLUT",
        unit=unit,
        valid_from=day - datetime.timedelta(days=30),
        valid_until=day - datetime.timedelta(days=1),
        status="expired",
    )
    f.ExemptionFactory(exemption_id="AV-UTKAST", unit=unit, valid_from=day, valid_until=day, status="draft")
    Offering.objects.create(unit=unit, kind="tjanst", code="Egen rådgivning", variant="lokal")
    Offering.objects.create(unit=unit, kind="mall", code="Egen mall", variant="lokal")
    services.phase_out_save(
        phase_out=PhaseOut(
            unit=unit, kind="mall", code="Egen mall", planned_end=day - datetime.timedelta(days=1)
        ),
        actor=None,
    )
    new_obstacle(area, "PMO saknar stöd")
    client.force_login(staff)
    response = client.get(plan_url(f"omfattning=omrade-{area.pk}"))
    page = html(response)
    plan = response_plan(response)
    assert [t.share for t in plan.targets] == ["25,5 %"]
    assert "25,5 %" in page
    assert [e.exemption_id for e in plan.exemptions] == ["AV-GALLER"]  # the engine's rule: active today
    assert plan.exemptions[0].ends_soon
    rows = {(r.code, r.planned_end, r.late) for r in plan.phase_out}
    assert rows == {("Egen rådgivning", None, False), ("Egen mall", day - datetime.timedelta(days=1), True)}
    assert [(a.offered, a.planned, a.unplanned) for a in plan.phase_out_areas] == [(2, 1, 1)]
    assert "Plan saknas" in page and "Passerat" in page
    assert [o.title for o in plan.obstacles] == ["PMO saknar stöd"]
    assert "Öppet" in page


def test_an_earlier_date_shows_the_exemptions_in_force_then(client, staff, period, unit):
    day = today()
    f.ExemptionFactory(
        exemption_id="AV-DA",
        unit=unit,
        valid_from=day - datetime.timedelta(days=40),
        valid_until=day - datetime.timedelta(days=5),
        status="expired",
    )
    client.force_login(staff)
    then = (day - datetime.timedelta(days=10)).isoformat()
    assert [e.exemption_id for e in response_plan(client.get(plan_url(f"per={then}"))).exemptions] == [
        "AV-DA"
    ]
    assert response_plan(client.get(plan_url())).exemptions == []


def test_the_htmx_chooser_gets_only_the_plan(client, staff, period):
    client.force_login(staff)
    response = client.get(plan_url(), HTTP_HX_REQUEST="true")
    page = html(response)
    assert "<html" not in page and 'id="aktiviteter"' in page


def test_ledning_reads_the_plan_without_edit_links(client, world, period):
    client.force_login(user_in(Roles.LEDNING))
    page = html(client.get(plan_url()))
    assert "Du kan läsa planen men inte ändra den." in page
    assert "Lägg till aktivitet" not in page and "Lägg till målnivå" not in page
    assert ">Rapportera hinder</a>" not in page and ">Planera<" not in page


# --- Activities -------------------------------------------------------------------------------------------


def test_a_unit_manager_adds_a_local_activity_for_their_units(client, manager, period, unit, area):
    client.force_login(manager)
    data = {
        "title": "Införa webbtidbok",
        "description": "",
        "period": period.pk,
        "omfattning": f"omrade-{area.pk}",
        "requirements": [f.requirement("TB1-VISA").pk],
        "unit_ids": unit.hsa_id,
        "exemption_ids": "",
        "owner_text": "Chefen",
        "due_on": "2026-12-01",
        "state": "planned",
    }
    response = client.post(reverse("portal:actionplan_activity_new"), data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.vardomrade, activity.forvaltning_id) == (area, area.forvaltning_id)
    assert list(activity.units.all()) == [unit]
    assert [r.code for r in activity.requirements.all()] == ["TB1-VISA"]
    assert AuditEntry.objects.filter(action="activity_created", actor=manager).exists()
    page = html(client.get(response["Location"]))
    assert "Aktiviteten ”Införa webbtidbok” lades till." in page


def test_a_unit_manager_cannot_name_anothers_unit_nor_plan_regionally(
    client, manager, period, area, other_unit
):
    client.force_login(manager)
    base = {"title": "X", "period": period.pk, "state": "planned"}
    response = client.post(
        reverse("portal:actionplan_activity_new"),
        {**base, "omfattning": f"omrade-{area.pk}", "unit_ids": other_unit.hsa_id},
    )
    page = html(response)
    assert "Okänd enhet eller en enhet du inte kan planera för: SE2321000255-HEMLIG" in page
    assert "Vårdcentralen Hemlig" not in page
    response = client.post(
        reverse("portal:actionplan_activity_new"), {**base, "omfattning": "region", "unit_ids": ""}
    )
    assert "omfattning" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_koncernstab_edits_notes_and_deletes_an_activity(client, staff, period):
    activity = new_activity(period, "Regional utbildning")
    client.force_login(staff)
    url = reverse("portal:actionplan_activity", args=[activity.pk])
    response = client.post(url, {"action": "note", "text": "Första omgången klar."})
    assert response.status_code == 302
    assert "Första omgången klar." in html(client.get(url))
    data = {
        "action": "save",
        "title": "Regional utbildning",
        "period": period.pk,
        "omfattning": "region",
        "state": "ongoing",
        "unit_ids": "",
        "exemption_ids": "",
    }
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.state == "ongoing"
    assert AuditEntry.objects.get(action="activity_changed").detail["changes"] == {
        "state": ["planned", "ongoing"]
    }
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert not Activity.objects.exists()


# --- Targets ----------------------------------------------------------------------------------------------


def test_hs_styrning_sets_a_target_in_percent_and_the_areas_units_are_recomputed(
    client, period, unit, area, django_capture_on_commit_callbacks
):
    client.force_login(user_in(Roles.HS_STYRNING))
    data = {
        "vardomrade": area.pk,
        "period": period.pk,
        "requirement": f.requirement("TB2-OMBOKA-ANDEL").pk,
        "share_percent": "25,5",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:actionplan_target_new"), data)
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.target_share == Decimal("0.2550")
    assert UnitResult.objects.filter(unit=unit, as_of=today()).exists()  # the engine ran for the area
    edit = reverse("portal:actionplan_target", args=[target.pk])
    assert 'value="25,5"' in html(client.get(edit))
    assert client.post(edit, {"share_percent": "130"}).context["form"].errors["share_percent"] == [
        "Andelen ska vara mellan 0 och 100 %."
    ]
    assert client.post(edit, {"action": "delete"}).status_code == 302
    assert not Target.objects.exists()


def test_a_second_target_for_the_same_area_period_and_requirement_is_refused(client, staff, period, area):
    f.TargetFactory(vardomrade=area, period=period, requirement=f.requirement("TB2-OMBOKA-ANDEL"))
    client.force_login(staff)
    data = {
        "vardomrade": area.pk,
        "period": period.pk,
        "requirement": f.requirement("TB2-OMBOKA-ANDEL").pk,
        "share_percent": "30",
    }
    response = client.post(reverse("portal:actionplan_target_new"), data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert Target.objects.count() == 1


# --- Phase-out --------------------------------------------------------------------------------------------


def test_a_unit_manager_plans_the_phase_out_of_a_local_service(client, manager, period, unit, area):
    Offering.objects.create(unit=unit, kind="tjanst", code="Egen rådgivning", variant="lokal")
    service = CatalogueService.objects.filter(retired_on=None).order_by("name").first()
    client.force_login(manager)
    url = phase_out_url(unit, "Egen rådgivning")
    assert "replacement_template" not in html(client.get(url))  # a service is replaced by a service
    response = client.post(url, {"planned_end": "2027-03-31", "replacement_service": service.pk, "note": ""})
    assert response.status_code == 302
    plan = PhaseOut.objects.get()
    assert (plan.unit, plan.kind, plan.code, plan.planned_end) == (
        unit,
        "tjanst",
        "Egen rådgivning",
        datetime.date(2027, 3, 31),
    )
    row = response_plan(client.get(response["Location"])).phase_out[0]
    assert (row.planned_end, row.replacement) == (datetime.date(2027, 3, 31), service.name)


def test_no_phase_out_page_for_an_offering_the_unit_does_not_have(client, manager, unit):
    client.force_login(manager)
    assert client.get(phase_out_url(unit, "Finns inte")).status_code == 404


# --- Obstacles --------------------------------------------------------------------------------------------


def test_an_obstacle_reported_by_a_unit_manager_and_answered_by_koncernstab(
    client, manager, staff, period, area
):
    client.force_login(manager)
    response = client.post(
        reverse("portal:actionplan_obstacle_new"),
        {"vardomrade": area.pk, "title": "PMO saknar stöd", "description": "Inga digitala kallelser."},
    )
    assert response.status_code == 302
    obstacle = Obstacle.objects.get()
    assert (obstacle.reported_by, obstacle.status) == (manager, "open")
    activity = new_activity(period, "Regional lösning")
    client.force_login(staff)
    url = reverse("portal:actionplan_obstacle", args=[obstacle.pk])
    response = client.post(
        url, {"answer": "Vi driver frågan.", "status": "answered", "activities": [activity.pk]}
    )
    assert response.status_code == 302
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.answered_by) == ("answered", staff)
    client.force_login(manager)
    page = html(client.get(url))
    assert "Vi driver frågan." in page and "Regional lösning" in page
    assert "Spara svaret" not in page


def test_a_unit_manager_reports_only_for_their_own_area(client, manager, other_area, area):
    client.force_login(manager)
    response = client.post(
        reverse("portal:actionplan_obstacle_new"),
        {"vardomrade": other_area.pk, "title": "X", "description": "Y"},
    )
    assert "vardomrade" in response.context["form"].errors
    assert not Obstacle.objects.exists()


# --- Queries ----------------------------------------------------------------------------------------------


def populate(n, period, area, units_for_manager=1):
    """n units in one area, each with a local service, half with a phase-out plan, an exemption in force;
    activities linking them, targets, obstacles."""
    day = today()
    units = [f.CareUnitFactory(vardomrade=area) for _ in range(n)]
    Offering.objects.bulk_create(
        Offering(unit=u, kind="tjanst", code=f"Lokal {i}", variant="lokal") for i, u in enumerate(units)
    )
    PhaseOut.objects.bulk_create(
        PhaseOut(unit=u, kind="tjanst", code=f"Lokal {i}", planned_end=day)
        for i, u in enumerate(units)
        if i % 2 == 0
    )
    for u in units:
        f.ExemptionFactory(unit=u, valid_from=day, valid_until=day + datetime.timedelta(days=60))
    for k in range(3):
        new_activity(period, f"Regional {k}", units=units[: n // 2])
        new_activity(period, f"Lokal {k}", vardomrade=area, units=units[k : k + 2])
    f.TargetFactory(vardomrade=area, period=period)
    new_obstacle(area)
    return units[:units_for_manager]


@pytest.mark.parametrize("n", [20, 200])
def test_the_plan_takes_a_fixed_number_of_queries(client, django_assert_num_queries, period, area, n):
    mine = populate(n, period, area)
    client.force_login(user_in(Roles.KONCERNSTAB))
    # 1 session, 2 user, 3 the stored as-of date, 4 the period, 5 roles, 6 areas to choose (with their
    # förvaltning), 7 periods, 8 activities, 9–12 their requirements, units, exemptions and notes,
    # 13 targets, 14 exemptions covering the day, 15 phase-out plans, 16 local offerings, 17 obstacles,
    # 18 their activities.
    with django_assert_num_queries(18):
        response = client.get(plan_url())
    plan = response_plan(response)
    assert len(plan.phase_out) == n and len(plan.exemptions) == n and len(plan.activities) == 6
    manager = user_in(Roles.VERKSAMHETSCHEF, mine)
    client.force_login(manager)
    # 1 session, 2 user, 3 the stored as-of date, 4 roles, 5 the area (visible to the user), 6 the period,
    # 7 the units the user may change, 8 areas to choose, 9 periods, 10 activities, 11–14 their
    # requirements, units, exemptions and notes, 15 targets, 16 exemptions, 17 phase-out plans,
    # 18 local offerings, 19 obstacles, 20 their activities.
    with django_assert_num_queries(20):
        response = client.get(plan_url(f"omfattning=omrade-{area.pk}"))
    plan = response_plan(response)
    assert len(plan.phase_out) == 1 and len(plan.exemptions) == 1
