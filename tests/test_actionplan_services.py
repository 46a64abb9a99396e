"""The action plan's services (actionplan/services.py): validate, save only what changed, audit old → new,
and tell the engine only about targets."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from actionplan import services
from actionplan.models import Activity, ActivityNote, Obstacle, PhaseOut, Target
from servicelevel.models import AuditEntry, CatalogueService, CatalogueTemplate
from servicelevel.signals import facts_changed
from units.models import Offering
from units.services import OfferingRow, offerings_replace

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def notifications():
    sent = []

    def receiver(sender, *, kind, unit_ids, **kwargs):
        sent.append(None if unit_ids is None else set(unit_ids))

    facts_changed.connect(receiver)
    yield sent
    facts_changed.disconnect(receiver)


@pytest.fixture
def actor():
    return f.UserFactory(username="planerare")


@pytest.fixture
def period():
    return f.SchedulePeriodFactory(code="2026-H2")


@pytest.fixture
def area():
    return f.VardomradeFactory(name="Vårdområde Öst")


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# --- Targets: the engine reads them --------------------------------------------------------------------


def test_a_target_tells_the_engine_every_unit_of_its_area(
    actor, period, area, notifications, django_capture_on_commit_callbacks
):
    inside = [f.CareUnitFactory(vardomrade=area), f.CareUnitFactory(vardomrade=area)]
    f.CareUnitFactory()  # another area: untouched
    target = Target(
        vardomrade=area,
        period=period,
        requirement=f.requirement("TB2-OMBOKA-ANDEL"),
        target_share=Decimal("0.25"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.target_save(target=target, actor=actor)
    assert notifications == [{u.pk for u in inside}]
    assert entries("target_created")[0].detail["changes"]["target_share"] == [None, "0.25"]


def test_a_target_for_a_requirement_that_is_no_share_is_refused(actor, period, area):
    target = Target(
        vardomrade=area, period=period, requirement=f.requirement("SV1-SVARSTID"), target_share=Decimal("0.5")
    )
    with pytest.raises(ValidationError) as error:
        services.target_save(target=target, actor=actor)
    assert "requirement" in error.value.error_dict
    assert not Target.objects.exists()


# --- Activities ------------------------------------------------------------------------------------------


def test_an_area_activity_takes_the_areas_forvaltning_and_its_links_are_audited(
    actor, period, area, notifications, django_capture_on_commit_callbacks
):
    unit = f.CareUnitFactory(vardomrade=area)
    exemption = f.ExemptionFactory(unit=unit)
    requirement = f.requirement("TB3-OPPEN-KALLELSE")
    activity = Activity(title="Öppen kallelse i PMO", period=period, vardomrade=area, owner_text="Anna A")
    with django_capture_on_commit_callbacks(execute=True):
        saved = services.activity_save(
            activity=activity,
            actor=actor,
            requirements=[requirement.pk],
            units=[unit.pk],
            exemptions=[exemption.pk],
        )
    assert saved.created
    activity.refresh_from_db()
    assert activity.forvaltning_id == area.forvaltning_id
    assert activity.created_by == actor
    assert list(activity.units.all()) == [unit]
    assert list(activity.exemptions.all()) == [exemption]
    assert entries("activity_created")[0].detail["changes"]["title"] == [None, "Öppen kallelse i PMO"]
    links = entries("activity_created_links")[0].detail["links"]
    assert links == {
        "requirements": [[], [requirement.pk]],
        "units": [[], [unit.pk]],
        "exemptions": [[], [exemption.pk]],
    }
    assert notifications == []  # the engine does not read activities


def test_saving_an_unchanged_activity_writes_no_audit_entry(actor, period):
    activity = Activity(title="Regional utbildning", period=period)
    services.activity_save(activity=activity, actor=actor, requirements=[], units=[], exemptions=[])
    before = AuditEntry.objects.count()
    saved = services.activity_save(activity=activity, actor=actor, requirements=[], units=[], exemptions=[])
    assert not saved.changed
    assert AuditEntry.objects.count() == before


def test_a_changed_state_is_audited_old_to_new(actor, period):
    activity = Activity(title="Regional utbildning", period=period)
    services.activity_save(activity=activity, actor=actor)
    activity.state = Activity.State.ONGOING
    services.activity_save(activity=activity, actor=actor)
    assert entries("activity_changed")[0].detail["changes"] == {"state": ["planned", "ongoing"]}


def test_an_activity_needs_a_period(actor):
    with pytest.raises(ValidationError) as error:
        services.activity_save(activity=Activity(title="Utan period"), actor=actor)
    assert "period" in error.value.error_dict
    assert not Activity.objects.exists()


def test_an_areas_activity_names_only_units_of_that_area(actor, period, area):
    elsewhere = f.CareUnitFactory()
    activity = Activity(title="Lokal", period=period, vardomrade=area)
    with pytest.raises(ValidationError) as error:
        services.activity_save(activity=activity, actor=actor, units=[elsewhere.pk])
    assert "units" in error.value.error_dict
    assert not Activity.objects.exists()


def test_a_forvaltnings_activity_names_only_its_units(actor, period, area):
    other = f.CareUnitFactory(vardomrade=f.VardomradeFactory(forvaltning=f.ForvaltningFactory(name="Annan")))
    activity = Activity(title="Förvaltningens", period=period, forvaltning=area.forvaltning)
    with pytest.raises(ValidationError):
        services.activity_save(activity=activity, actor=actor, units=[other.pk])
    mine = f.CareUnitFactory(vardomrade=area)
    services.activity_save(activity=activity, actor=actor, units=[mine.pk])
    assert list(activity.units.all()) == [mine]


def test_the_model_refuses_an_area_outside_its_forvaltning(period, area):
    activity = Activity(
        title="Fel",
        period=period,
        vardomrade=area,
        forvaltning=f.ForvaltningFactory(name="Annan förvaltning"),
    )
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert "vardomrade" in error.value.error_dict


def test_a_note_is_dated_today_by_its_author_and_audited(actor, period):
    activity = Activity(title="Regional utbildning", period=period)
    services.activity_save(activity=activity, actor=actor)
    services.activity_note_add(activity=activity, text="  Halvvägs.  ", actor=actor)
    note = ActivityNote.objects.get()
    assert (note.text, note.author, note.written_on) == ("Halvvägs.", actor, datetime.date.today())
    assert entries("activitynote_created")


def test_deleting_an_activity_is_audited(actor, period):
    activity = Activity(title="Bort", period=period)
    services.activity_save(activity=activity, actor=actor)
    services.activity_delete(activity=activity, actor=actor)
    assert not Activity.objects.exists()
    assert entries("activity_deleted")[0].detail["title"] == "Bort"


# --- Phase-out ---------------------------------------------------------------------------------------------


def test_a_phase_out_plan_survives_the_units_offerings_being_replaced(actor):
    unit = f.CareUnitFactory()
    Offering.objects.create(unit=unit, kind="tjanst", code="Egen rådgivning", variant="lokal")
    service = CatalogueService.objects.filter(retired_on=None).first()
    plan = PhaseOut(unit=unit, kind="tjanst", code="Egen rådgivning", planned_end=datetime.date(2026, 12, 31))
    plan.replacement_service = service
    services.phase_out_save(phase_out=plan, actor=actor)
    offerings_replace(unit=unit, rows=[OfferingRow("tjanst", "Egen rådgivning", "lokal")], actor=actor)
    assert PhaseOut.objects.get().replacement_service == service
    created = entries("phaseout_created")[0]
    assert created.detail["changes"]["unit_id"] == [None, unit.pk]
    assert created.detail["changes"]["planned_end"] == [None, "2026-12-31"]


def test_a_service_is_not_replaced_by_a_template(actor):
    unit = f.CareUnitFactory()
    plan = PhaseOut(
        unit=unit,
        kind="tjanst",
        code="Egen",
        planned_end=datetime.date(2026, 12, 31),
        replacement_template=CatalogueTemplate.objects.first(),
    )
    with pytest.raises(ValidationError) as error:
        services.phase_out_save(phase_out=plan, actor=actor)
    assert "replacement_template" in error.value.error_dict
    assert not PhaseOut.objects.exists()


def test_one_plan_per_local_offering(actor):
    unit = f.CareUnitFactory()
    first = PhaseOut(unit=unit, kind="mall", code="Egen mall", planned_end=datetime.date(2026, 12, 31))
    services.phase_out_save(phase_out=first, actor=actor)
    with pytest.raises(ValidationError):
        services.phase_out_save(
            phase_out=PhaseOut(
                unit=unit, kind="mall", code="Egen mall", planned_end=datetime.date(2027, 1, 31)
            ),
            actor=actor,
        )


# --- Obstacles -------------------------------------------------------------------------------------------


def test_an_obstacle_is_reported_open_by_its_reporter(actor, area):
    obstacle = Obstacle(vardomrade=area, title="PMO saknar stöd", description="Digitala kallelser saknas.")
    obstacle.status = Obstacle.Status.CLOSED  # whatever was set, a report starts open
    services.obstacle_report(obstacle=obstacle, actor=actor)
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.reported_by) == (Obstacle.Status.OPEN, actor)
    assert entries("obstacle_created")
    with pytest.raises(ValidationError):
        services.obstacle_report(obstacle=obstacle, actor=actor)  # once only


def test_an_answer_names_who_answered_and_links_activities(actor, area, period):
    reporter = f.UserFactory(username="chef")
    obstacle = Obstacle(vardomrade=area, title="Hinder", description="Text")
    services.obstacle_report(obstacle=obstacle, actor=reporter)
    activity = Activity(title="Lösning", period=period)
    services.activity_save(activity=activity, actor=actor)
    services.obstacle_answer(
        obstacle=obstacle,
        answer="Vi tar det regionalt.",
        status="answered",
        activities=[activity.pk],
        actor=actor,
    )
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.answered_by, obstacle.answer) == (
        "answered",
        actor,
        "Vi tar det regionalt.",
    )
    assert obstacle.answered_at is not None
    assert list(obstacle.activities.all()) == [activity]
    change = entries("obstacle_changed")[0].detail["changes"]
    assert change["status"] == ["open", "answered"]
    assert entries("obstacle_changed_links")[0].detail["links"] == {"activities": [[], [activity.pk]]}


@pytest.mark.parametrize("answer, status", [("", "answered"), ("Svar", "open")])
def test_an_answer_needs_text_and_an_answered_or_closed_state(actor, area, answer, status):
    obstacle = Obstacle(vardomrade=area, title="Hinder", description="Text")
    services.obstacle_report(obstacle=obstacle, actor=actor)
    with pytest.raises(ValidationError):
        services.obstacle_answer(obstacle=obstacle, answer=answer, status=status, actor=actor)
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.answer) == ("open", "")


def test_the_admin_saves_an_activity_and_its_links_through_the_service(admin_client, period, area):
    unit = f.CareUnitFactory(vardomrade=area)
    data = {
        "title": "Från admin",
        "description": "",
        "period": period.pk,
        "forvaltning": "",
        "vardomrade": area.pk,
        "requirements": [f.requirement("TB1-VISA").pk],
        "units": str(unit.pk),
        "exemptions": "",
        "owner": "",
        "owner_text": "",
        "due_on": "",
        "state": "planned",
    }
    response = admin_client.post("/admin/actionplan/activity/add/", data)
    assert response.status_code == 302, [e for e in response.context["errors"]] if response.context else ""
    activity = Activity.objects.get()
    assert activity.forvaltning_id == area.forvaltning_id  # the service filled it in
    assert list(activity.units.all()) == [unit]
    assert AuditEntry.objects.filter(action="activity_created_links").exists()
