"""The one write path: every change to facts — admin pages, services, imports — is validated
by the models' rules, saved only where it changed, audited old → new, and judged again for exactly the
units it touches, told once per save."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from compliance.models import RequirementResult, UnitResult
from compliance.services import evaluate, recompute, today
from servicelevel.models import AuditEntry, SchedulePeriod
from servicelevel.signals import facts_changed
from units import services as unit_services
from units.models import AdminRole

from . import factories as f
from .admin_forms import add_inline_row, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def notifications():
    """Every facts_changed sent, as (kind, unit_ids)."""
    sent = []

    def receiver(sender, *, kind, unit_ids, **kwargs):
        sent.append((kind, None if unit_ids is None else set(unit_ids)))

    facts_changed.connect(receiver)
    yield sent
    facts_changed.disconnect(receiver)


def stored_status(unit, code):
    return RequirementResult.objects.get(
        unit_result__unit=unit, unit_result__as_of=today(), requirement__code=code
    ).status


# --- Defects, each as found on the admin -----------------------------------------------------------------


def test_a_local_administrator_added_on_a_units_page_rejudges_the_persons_other_units_once(
    admin_client, django_capture_on_commit_callbacks, notifications
):
    """AR1 counts a person's units region-wide: adding P at B makes P's role at A a wide mandate."""
    a, b = f.CareUnitFactory(), f.CareUnitFactory()
    f.AdminRoleFactory(person_id="SE2321000255-P77", unit=a, role=AdminRole.Role.LOKAL_ADMINISTRATOR)
    recompute(as_of=today())
    assert stored_status(a, "AR1-LOKAL-ADMIN") == "not_met"

    url = f"/admin/units/careunit/{b.pk}/change/"
    data = add_inline_row(
        form_data(admin_client, url),
        "admin_roles",
        {"person_id": "SE2321000255-P77", "role": "lokal_administrator"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert stored_status(a, "AR1-LOKAL-ADMIN") == "met"
    assert stored_status(b, "AR1-LOKAL-ADMIN") == "met"
    assert len(notifications) == 1  # the unit, its offerings and its roles: one save, one notification
    assert {a.pk, b.pk} <= notifications[0][1]


def test_an_unchanged_unit_page_saved_again_notifies_nobody_and_audits_nothing(
    admin_client, django_capture_on_commit_callbacks, notifications
):
    unit = f.CareUnitFactory()
    f.AdminRoleFactory(unit=unit)
    url = f"/admin/units/careunit/{unit.pk}/change/"
    data = form_data(admin_client, url)
    before = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data).status_code == 302
    assert notifications == []
    assert AuditEntry.objects.count() == before


def test_an_approved_exemption_keeps_its_terms_in_the_admin(admin_client, django_capture_on_commit_callbacks):
    exemption = f.ExemptionFactory(valid_until=datetime.date(2026, 12, 31))
    other_unit = f.CareUnitFactory()
    url = f"/admin/exemptions/exemption/{exemption.pk}/change/"
    data = form_data(admin_client, url)
    data.update({"unit": other_unit.pk, "valid_until": "2030-12-31", "valid_from": "2020-01-01"})
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, data)
    exemption.refresh_from_db()
    assert exemption.unit_id != other_unit.pk
    assert exemption.valid_until == datetime.date(2026, 12, 31)
    assert exemption.valid_from == datetime.date(2026, 6, 1)


def test_a_draft_exemption_edited_in_the_admin_is_audited_old_to_new(admin_client):
    exemption = f.ExemptionFactory(status="draft", valid_until=datetime.date(2026, 12, 31))
    url = f"/admin/exemptions/exemption/{exemption.pk}/change/"
    data = form_data(admin_client, url)
    data["valid_until"] = "2027-03-31"
    assert admin_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="exemption_changed", object_id=exemption.exemption_id)
    assert entry.detail["changes"] == {"valid_until": ["2026-12-31", "2027-03-31"]}
    assert entry.actor_label == "admin"


def test_the_decision_page_cannot_edit_its_requirements(admin_client, django_capture_on_commit_callbacks):
    decision = f.decision()
    url = f"/admin/servicelevel/decision/{decision.pk}/change/"
    data = form_data(admin_client, url)
    sv1 = f.requirement("SV1-SVARSTID")
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-id") and str(v) == str(sv1.pk))
    prefix = next(k.rsplit("-", 2)[0] for k in data if k.endswith(f"-{index}-id"))
    data.update(
        {
            f"{prefix}-{index}-parameters": '{"threshold": 0.1}',
            f"{prefix}-{index}-code": "SV1-ANNAT",
            f"{prefix}-{index}-is_trend": "on",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, data)
    sv1.refresh_from_db()
    assert (sv1.code, sv1.is_trend, sv1.parameters) == ("SV1-SVARSTID", False, SV1_PARAMETERS)


SV1_PARAMETERS = {"threshold": 0.95, "working_days": 2, "same_day_hours": 24, "stretch_hours": 2}
LOOKAHEAD = {"figure": "lookahead_weeks", "at_least": 8}


def test_a_loaded_version_cannot_be_edited_in_the_admin(admin_client):
    """A version is immutable (results name it): its requirement page is shown, a change refused."""
    tb2 = f.requirement("TB2-FRAMFORHALLNING")
    url = f"/admin/servicelevel/requirement/{tb2.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"name": "Annat", "parameters": "{}"}).status_code == 403
    decision_url = f"/admin/servicelevel/decision/{tb2.decision_id}/change/"
    assert admin_client.post(decision_url, {"title": "Annat"}).status_code == 403
    tb2.refresh_from_db()
    assert tb2.name == "Tider med åtta veckors framförhållning" and tb2.parameters == LOOKAHEAD
    assert not AuditEntry.objects.filter(action="requirement_changed").exists()


def test_deleting_a_case_in_the_admin_judges_its_unit_again(
    admin_client, django_capture_on_commit_callbacks, notifications
):
    case = f.CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/compliance/case/{case.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert notifications == [("edit", {case.unit_id})]
    assert UnitResult.objects.filter(unit=case.unit, as_of=today()).exists()
    assert AuditEntry.objects.filter(action="case_deleted", object_id=case.case_id).exists()


def test_an_overlapping_period_is_refused_in_the_admin_on_every_engine(admin_client):
    f.SchedulePeriodFactory(
        code="2026-T2", start_date=datetime.date(2026, 8, 31), end_date=datetime.date(2026, 12, 31)
    )
    response = admin_client.post(
        "/admin/servicelevel/scheduleperiod/add/",
        {"code": "2026-T3", "name": "", "start_date": "2026-12-01", "end_date": "2027-03-31"},
    )
    assert response.status_code == 200  # the form again, with the message: no IntegrityError, no 500
    assert "perioden överlappar 2026-T2 (2026-08-31–2026-12-31)" in response.content.decode()
    assert not SchedulePeriod.objects.filter(code="2026-T3").exists()


def test_a_target_on_a_requirement_that_is_no_share_is_refused(admin_client):
    area, period = f.VardomradeFactory(), f.SchedulePeriodFactory()
    response = admin_client.post(
        "/admin/actionplan/target/add/",
        {
            "vardomrade": area.pk,
            "period": period.pk,
            "requirement": f.requirement("TB1-VISA").pk,
            "target_share": "0.5",
        },
    )
    assert response.status_code == 200
    from actionplan.models import Target
    from actionplan.services import target_save

    assert not Target.objects.exists()
    # The rule is the model's, so a service caller (the portal) meets it too, with the importer's words.
    target = Target(
        vardomrade=area, period=period, requirement=f.requirement("TB1-VISA"), target_share=Decimal("0.5")
    )
    with pytest.raises(ValidationError, match="är inget andelskrav"):
        target_save(target=target, actor=None)


def test_a_closed_template_is_refused(admin_client):
    unit = f.CareUnitFactory()
    from servicelevel.models import CatalogueTemplate

    response = admin_client.post(
        "/admin/units/offering/add/",
        {
            "unit": unit.pk,
            "kind": "mall",
            "code": "MALL-MEDDELANDE",
            "variant": "regional",
            "catalogue_template": CatalogueTemplate.objects.get(code="MALL-MEDDELANDE").pk,
            # is_open left out: an unchecked box
        },
    )
    assert response.status_code == 200
    assert "en mall kan inte vara stängd" in response.content.decode()
    assert not unit.offerings.exists()


def test_a_regional_offering_must_point_at_its_catalogue_entry(admin_client):
    unit = f.CareUnitFactory()
    response = admin_client.post(
        "/admin/units/offering/add/",
        {"unit": unit.pk, "kind": "tjanst", "code": "FORNYA-RECEPT", "variant": "regional", "is_open": "on"},
    )
    assert response.status_code == 200
    assert "ska peka på en regional tjänst i katalogen" in response.content.decode()


def test_a_units_area_must_belong_to_its_forvaltning():
    unit = f.CareUnitFactory()
    unit.forvaltning = f.ForvaltningFactory(name="Psykiatri, habilitering och hjälpmedel")
    with pytest.raises(ValidationError, match="hör till förvaltningen"):
        unit_services.unit_save(unit=unit, actor=None)


# --- the services themselves ------------------------------------------------------------------------------


def test_a_service_saves_only_what_changed_and_audits_old_to_new(
    django_capture_on_commit_callbacks, notifications
):
    figures = f.BookingFiguresFactory(booked_visible=300)
    user = f.UserFactory(username="karin")
    figures.booked_visible = 400
    with django_capture_on_commit_callbacks(execute=True):
        saved = unit_services.booking_figures_save(figures=figures, actor=user)
    assert saved.changes == {"booked_visible": (300, 400)}
    entry = AuditEntry.objects.get(action="bookingfigures_changed")
    assert (entry.actor, entry.detail["changes"]) == (user, {"booked_visible": [300, 400]})
    assert notifications == [("edit", {figures.unit_id})]


def test_a_service_refuses_a_part_larger_than_its_whole_and_writes_nothing(notifications):
    figures = f.BookingFiguresFactory()
    figures.booked_visible = 401
    with pytest.raises(ValidationError) as refused:
        unit_services.booking_figures_save(figures=figures, actor=None)
    assert refused.value.message_dict == {"booked_visible": ["401 är fler än booked_total (400)"]}
    figures.refresh_from_db()
    assert figures.booked_visible == 400
    assert not AuditEntry.objects.exists() and notifications == []


def test_a_unit_whose_same_day_rule_changes_gets_new_deadlines(django_capture_on_commit_callbacks):
    case = f.CaseFactory(received_at=datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.UTC))  # Mon 10:00
    unit = case.unit
    unit.same_day_contact = True
    with django_capture_on_commit_callbacks(execute=True):  # from a date before the case's receipt
        unit_services.unit_save(unit=unit, actor=None, valid_from=datetime.date(2026, 10, 1))
    case.refresh_from_db()
    assert case.deadline_same_day and case.deadline.isoformat() == "2026-10-06T08:00:00+00:00"
    unit.same_day_contact = False
    with django_capture_on_commit_callbacks(execute=True):  # from a date after it: the case keeps its rule
        unit_services.unit_save(unit=unit, actor=None, valid_from=datetime.date(2026, 10, 6))
    case.refresh_from_db()
    assert case.deadline_same_day and case.deadline.isoformat() == "2026-10-06T08:00:00+00:00"


def test_moving_a_role_to_another_person_rejudges_both_persons_units(
    django_capture_on_commit_callbacks, notifications
):
    a, b, c = f.CareUnitFactory(), f.CareUnitFactory(), f.CareUnitFactory()
    role = f.AdminRoleFactory(person_id="SE2321000255-P1", unit=a, role="lokal_administrator")
    f.AdminRoleFactory(person_id="SE2321000255-P1", unit=b, role="lokal_administrator")
    f.AdminRoleFactory(person_id="SE2321000255-P2", unit=c, role="lokal_administrator")
    role.person_id = "SE2321000255-P2"
    with django_capture_on_commit_callbacks(execute=True):
        unit_services.admin_role_save(role=role, actor=None)
    assert notifications == [("edit", {a.pk, b.pk, c.pk})]


# --- The rulebook is the single source of its parameters -------------------------------------------------


def test_the_lookahead_requirement_reads_its_weeks_from_the_rulebook():
    period = f.SchedulePeriodFactory(
        start_date=datetime.date(2026, 8, 31), end_date=datetime.date(2026, 12, 31)
    )
    unit = f.BookingFiguresFactory(period=period, lookahead_weeks=Decimal("9")).unit
    as_of = datetime.date(2026, 11, 15)

    def tb2():
        return evaluate(as_of, [unit.pk]).units[0].requirements["TB2-FRAMFORHALLNING"]

    assert tb2().status == "met"
    requirement = f.requirement("TB2-FRAMFORHALLNING")
    requirement.parameters = {**LOOKAHEAD, "at_least": 10}
    requirement.save()
    assert tb2().status == "not_met"
    assert "minst 10 veckor krävs" in tb2().reason
    requirement.parameters = LOOKAHEAD
    requirement.save()
    assert tb2().status == "met" and "minst 8 veckor" in tb2().reason


def test_an_invalid_minimum_parameter_is_refused():
    requirement = f.requirement("TB2-FRAMFORHALLNING")
    requirement.parameters = {**LOOKAHEAD, "at_least": "åtta"}
    with pytest.raises(ValidationError, match="at_least: ska vara ett tal ≥ 0"):
        requirement.full_clean()


def test_a_later_decision_that_adds_and_drops_requirements_is_judged_without_a_crash():
    from compliance.exports import compliance_document
    from servicelevel.models import Decision, Requirement

    later = Decision.objects.create(
        number="2027-0000001", title="Senare beslut", in_force_from=datetime.date(2027, 1, 1)
    )
    kept = [
        r for r in f.decision().requirements.all() if r.code not in ("TB3-INVANARBOKNING", "AR1-LOKAL-ADMIN")
    ]
    for r in kept:
        Requirement.objects.create(
            decision=later, code=r.code, group=r.group, level=r.level, name=r.name, section=r.section,
            is_trend=r.is_trend, kind=r.kind, parameters=r.parameters, applies_if=r.applies_if, order=r.order,
        )  # fmt: skip
    Requirement.objects.create(
        decision=later, code="TB3-VIDEO", group="TB", level=3, name="Videobesök", section="2.1.1", order=99
    )
    unit = f.CareUnitFactory()

    result = recompute(as_of=datetime.date(2027, 2, 1), unit_ids=[unit.pk])
    document = compliance_document(result)
    codes = set(document["units"][0]["requirements"])
    assert "TB3-VIDEO" in codes and "TB3-INVANARBOKNING" not in codes and "AR1-LOKAL-ADMIN" not in codes
    video = result.units[0].requirements["TB3-VIDEO"]
    assert video.status == "no_data" and "ingen regel" in video.reason
    assert UnitResult.objects.get(unit=unit, as_of=datetime.date(2027, 2, 1)).decision == later


def test_a_full_width_hsa_id_is_refused_by_the_model_too():
    from units.models import CareUnit

    unit = f.CareUnitFactory.build(hsa_id="SE２３２１000255-A1B2")
    with pytest.raises(ValidationError, match="ogiltigt HSA-id"):
        unit.full_clean()
    assert not CareUnit.objects.exists()
