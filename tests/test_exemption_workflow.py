"""The exemption workflow's services (spec: Exemptions): every transition the spec allows,
every one it refuses (wrong role, the same person twice, the proposer approving, no end date, revoking a
draft, approving a rejected one…), a common decision for a booking system through to each unit's result,
and expiry on the exact day."""

from __future__ import annotations

import datetime

import pytest

from compliance.models import RequirementResult, UnitResult
from compliance.services import recompute, today
from exemptions import services as s
from exemptions.models import Exemption, ExemptionApproval, ExemptionGroup, FollowUp, SystemCapability
from servicelevel.models import AuditEntry
from tests import factories as f
from tests.helpers import user_in
from units.permissions import Roles, ensure_groups, grant_units

pytestmark = pytest.mark.django_db

D = datetime.timedelta
Status = Exemption.Status
KS, HS = ExemptionApproval.Body.KONCERNSTAB, ExemptionApproval.Body.HS_STYRNING


@pytest.fixture
def period():
    day = today()
    return f.SchedulePeriodFactory(code="P-NU", start_date=day - D(days=20), end_date=day + D(days=60))


@pytest.fixture
def unit(period):
    """The spec's worked example: PASiS, nivå 2, TB3-OPPEN-KALLELSE not met (no open invitations)."""
    unit = f.CareUnitFactory(name="Mottagning Exempel", booking_system="PASiS")
    f.BookingFiguresFactory(unit=unit, period=period)
    return unit


@pytest.fixture
def people(unit):
    return {
        "manager": user_in(Roles.VERKSAMHETSCHEF, [unit], username="chef"),
        "ks1": user_in(Roles.KONCERNSTAB, username="ks1"),
        "ks2": user_in(Roles.KONCERNSTAB, username="ks2"),
        "hs": user_in(Roles.HS_STYRNING, username="hs"),
        "ledning": user_in(Roles.LEDNING, username="ledning"),
    }


def propose(unit, by, *, submit=True, codes=("TB3-OPPEN-KALLELSE",), until=..., follow_ups=None, **kw):
    day = today()
    extra = {k: kw[k] for k in ("token", "allow_duplicates") if k in kw}
    return s.exemption_propose(
        **extra,
        unit=unit,
        requirements=[f.requirement(c) for c in codes],
        reason="teknisk",
        justification="PASiS stödjer inte öppen kallelse för verksamheten ännu",
        valid_from=kw.get("valid_from", day),
        valid_until=day + D(days=120) if until is ... else until,
        follow_ups=follow_ups if follow_ups is not None else [day + D(days=30)],
        proposed_by=by,
        submit=submit,
    )


def approved(exemption, people):
    s.exemption_approve(exemption=exemption, decided_by=people["ks1"], body=KS)
    s.exemption_approve(exemption=exemption, decided_by=people["hs"], body=HS)
    exemption.refresh_from_db()
    return exemption


def refused(call, words: str):
    with pytest.raises(s.Refused) as caught:
        call()
    assert words in " ".join(caught.value.messages), caught.value.messages


# --- Proposals ---------------------------------------------------------------------------------------------


def test_a_proposal_makes_one_exemption_per_requirement_with_ids_from_the_year_sequence(unit, people):
    made = propose(unit, people["manager"], codes=("TB3-OPPEN-KALLELSE", "TB3-OPPEN-KALLELSE-ANDEL"))
    year = today().year
    assert [e.exemption_id for e in made] == [f"AV-{year}-0001", f"AV-{year}-0002"]
    assert {e.status for e in Exemption.objects.all()} == {Status.SUBMITTED}
    assert FollowUp.objects.filter(exemption__in=made).count() == 2
    again = propose(unit, people["manager"], submit=False, allow_duplicates=True)
    assert again[0].exemption_id == f"AV-{year}-0003" and again[0].status == Status.DRAFT
    actions = list(
        AuditEntry.objects.filter(object_id=made[0].exemption_id)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["exemption_created", "exemption_follow_ups_set", "exemption_submitted"]


def test_an_id_already_taken_by_an_import_is_skipped(unit, people):
    f.ExemptionFactory(exemption_id=f"AV-{today().year}-0001", unit=unit)
    (made,) = propose(unit, people["manager"], allow_duplicates=True)
    assert made.exemption_id == f"AV-{today().year}-0002"


def test_a_proposal_without_an_end_date_is_refused_and_nothing_is_saved(unit, people):
    with pytest.raises(s.Refused) as caught:
        propose(unit, people["manager"], until=None)
    assert "tidsbegränsat" in caught.value.message_dict["valid_until"][0]
    assert not Exemption.objects.exists()


def test_a_proposal_sent_in_needs_a_follow_up_date_and_an_end_after_the_start(unit, people):
    refused(lambda: propose(unit, people["manager"], follow_ups=[]), "minst ett datum")
    refused(lambda: propose(unit, people["manager"], until=today() - D(days=1)), "före startdagen")
    refused(lambda: propose(unit, people["manager"], follow_ups=[today() + D(days=999)]), "inom tiden")
    assert not Exemption.objects.exists()


def test_only_someone_who_may_change_the_unit_proposes(unit, people):
    other = f.CareUnitFactory()
    refused(lambda: propose(other, people["manager"]), "kan inte föreslå")
    refused(lambda: propose(unit, people["ledning"]), "kan inte föreslå")
    refused(lambda: propose(unit, people["hs"]), "kan inte föreslå")
    assert not Exemption.objects.exists()
    assert propose(unit, people["ks1"])  # Koncernstab supports every unit


def test_a_draft_is_submitted_once(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False)
    s.exemption_submit(exemption=draft, actor=people["manager"])
    assert Exemption.objects.get(pk=draft.pk).status == Status.SUBMITTED
    refused(lambda: s.exemption_submit(exemption=draft, actor=people["manager"]), "bara ett utkast")


def test_a_draft_without_follow_ups_cannot_be_submitted(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False, follow_ups=[])
    refused(lambda: s.exemption_submit(exemption=draft, actor=people["manager"]), "följas upp")
    assert Exemption.objects.get(pk=draft.pk).status == Status.DRAFT


# --- Approval ------------------------------------------------------------------------------------------------


def test_two_approvals_in_order_make_it_approved_and_the_unit_exempt_at_once(
    unit, people, django_capture_on_commit_callbacks
):
    recompute(as_of=today(), unit_ids=[unit.pk])
    assert UnitResult.objects.get(unit=unit, as_of=today()).booking_level == 2
    (e,) = propose(unit, people["manager"])
    s.exemption_approve(exemption=e, decided_by=people["ks1"], body=KS, comment="Beredd")
    assert Exemption.objects.get(pk=e.pk).status == Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_approve(exemption=e, decided_by=people["hs"], body=HS)
    assert Exemption.objects.get(pk=e.pk).status == Status.APPROVED
    result = UnitResult.objects.get(unit=unit, as_of=today())
    assert (result.booking_level, result.booking_level_with_exemptions) == (3, True)
    row = RequirementResult.objects.get(unit_result=result, requirement__code="TB3-OPPEN-KALLELSE")
    assert (row.status, row.exemption_code) == ("exempt", e.exemption_id)
    assert list(
        AuditEntry.objects.filter(object_id=e.exemption_id, action__startswith="exemption_approv")
        .order_by("id")
        .values_list("action", "actor_label")
    ) == [("exemption_approval", "ks1"), ("exemption_approval", "hs"), ("exemption_approved", "hs")]


def test_the_proposer_may_not_approve(unit, people):
    (e,) = propose(unit, people["ks1"])
    refused(lambda: s.exemption_approve(exemption=e, decided_by=people["ks1"], body=KS), "föreslagit")
    assert not ExemptionApproval.objects.exists()


def test_the_same_person_may_not_give_both_decisions(unit, people):
    """A person holding both roles is still one person: the second decision needs someone else."""
    both = user_in(Roles.KONCERNSTAB, username="bada")
    both.groups.add(ensure_groups()[Roles.HS_STYRNING])
    (e,) = propose(unit, people["manager"])
    s.exemption_approve(exemption=e, decided_by=both, body=KS)
    refused(lambda: s.exemption_approve(exemption=e, decided_by=both, body=HS), "Du kan inte besluta")
    # Even if the body check let them through, the service refuses one person twice.
    from unittest import mock

    with mock.patch.object(s, "approval_body", return_value=HS):
        refused(lambda: s.exemption_approve(exemption=e, decided_by=both, body=HS), "Samma person")
    assert Exemption.objects.get(pk=e.pk).status == Status.SUBMITTED


def test_one_body_decides_once(unit, people):
    (e,) = propose(unit, people["manager"])
    s.exemption_approve(exemption=e, decided_by=people["ks1"], body=KS)
    refused(lambda: s.exemption_approve(exemption=e, decided_by=people["ks2"], body=KS), "redan beslutat")


def test_hs_styrning_decides_after_koncernstab(unit, people):
    (e,) = propose(unit, people["manager"])
    refused(lambda: s.exemption_approve(exemption=e, decided_by=people["hs"], body=HS), "godkänner först")
    assert not ExemptionApproval.objects.exists()


@pytest.mark.parametrize("who", ["manager", "ledning"])
def test_roles_without_a_body_may_not_decide(unit, people, who):
    (e,) = propose(unit, people["ks1"])
    refused(lambda: s.exemption_approve(exemption=e, decided_by=people[who], body=KS), "Du kan inte besluta")
    refused(
        lambda: s.exemption_reject(exemption=e, decided_by=people[who], body=KS, reason="x"), "Du kan inte"
    )


def test_a_person_may_not_decide_for_the_other_body(unit, people):
    (e,) = propose(unit, people["manager"])
    refused(
        lambda: s.exemption_approve(exemption=e, decided_by=people["ks1"], body=HS), "Du kan inte besluta"
    )


def test_approving_a_draft_or_an_approved_one_is_refused(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False)
    refused(lambda: s.exemption_approve(exemption=draft, decided_by=people["ks1"], body=KS), "utkast")
    (e,) = propose(unit, people["manager"], allow_duplicates=True)
    approved(e, people)
    refused(lambda: s.exemption_approve(exemption=e, decided_by=people["ks2"], body=KS), "godkänt")


# --- Rejection ------------------------------------------------------------------------------------------------


def test_either_body_rejects_with_a_reason_and_a_rejected_one_is_final(unit, people):
    (e,) = propose(unit, people["manager"])
    refused(lambda: s.exemption_reject(exemption=e, decided_by=people["ks1"], body=KS, reason="  "), "skälet")
    s.exemption_approve(exemption=e, decided_by=people["ks1"], body=KS)
    s.exemption_reject(
        exemption=e, decided_by=people["hs"], body=HS, reason="Patientsäkerheten är inte visad"
    )
    assert Exemption.objects.get(pk=e.pk).status == Status.REJECTED
    refused(lambda: s.exemption_approve(exemption=e, decided_by=people["hs"], body=HS), "avslaget")
    refused(lambda: s.exemption_revoke(exemption=e, decided_by=people["ks1"], ended_on=today()), "avslaget")
    entry = AuditEntry.objects.get(object_id=e.exemption_id, action="exemption_rejected")
    assert entry.detail["changes"]["status"] == ["submitted", "rejected"]


def test_koncernstab_may_reject_before_anyone_approved(unit, people):
    (e,) = propose(unit, people["manager"])
    s.exemption_reject(exemption=e, decided_by=people["ks1"], body=KS, reason="Ofullständigt")
    assert Exemption.objects.get(pk=e.pk).status == Status.REJECTED


# --- Revocation --------------------------------------------------------------------------------------------------


def test_revoking_needs_an_approved_one_a_date_in_range_and_an_approver(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False)
    refused(lambda: s.exemption_revoke(exemption=draft, decided_by=people["ks1"], ended_on=today()), "utkast")
    (e,) = propose(unit, people["manager"], allow_duplicates=True)
    approved(e, people)
    refused(lambda: s.exemption_revoke(exemption=e, decided_by=people["ks1"], ended_on=None), "Ange dagen")
    refused(lambda: s.exemption_revoke(exemption=e, decided_by=people["manager"], ended_on=today()), "Bara")
    refused(
        lambda: s.exemption_revoke(exemption=e, decided_by=people["ks1"], ended_on=today() + D(days=999)),
        "ska ligga mellan",
    )
    refused(
        lambda: s.exemption_revoke(
            exemption=e, decided_by=people["ks1"], ended_on=today(), today=today() + D(days=1)
        ),
        "före i dag",
    )
    assert Exemption.objects.get(pk=e.pk).status == Status.APPROVED


def test_revoking_ends_the_effect_from_ended_on_and_keeps_earlier_days(
    unit, people, django_capture_on_commit_callbacks
):
    (e,) = propose(unit, people["manager"], valid_from=today() - D(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        approved(e, people)
    yesterday = today() - D(days=1)
    recompute(as_of=yesterday, unit_ids=[unit.pk])
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_revoke(exemption=e, decided_by=people["hs"], ended_on=today())
    e.refresh_from_db()
    assert (e.status, e.ended_on) == (Status.REVOKED, today())
    status = RequirementResult.objects.filter(requirement__code="TB3-OPPEN-KALLELSE", unit_result__unit=unit)
    assert status.get(unit_result__as_of=today()).status == "not_met"
    assert status.get(unit_result__as_of=yesterday).status == "exempt"
    assert UnitResult.objects.get(unit=unit, as_of=today()).booking_level == 2


# --- Expiry ----------------------------------------------------------------------------------------------------


def test_expiry_on_the_exact_day(unit, people):
    """valid_until = D: active on D, expired by the daily job from D+1 (and the result for D stays exempt)."""
    day = today()
    (e,) = propose(unit, people["manager"], until=day, follow_ups=[day])
    approved(e, people)
    assert s.expire_exemptions(today=day) == []
    recompute(as_of=day, unit_ids=[unit.pk])
    assert (
        RequirementResult.objects.get(unit_result__as_of=day, requirement__code="TB3-OPPEN-KALLELSE").status
        == "exempt"
    )
    assert s.expire_exemptions(today=day + D(days=1)) == [e.exemption_id]
    assert Exemption.objects.get(pk=e.pk).status == Status.EXPIRED
    assert s.expire_exemptions(today=day + D(days=1)) == []
    from compliance.services import evaluate

    (after,) = evaluate(day + D(days=1), [unit.pk]).units
    assert after.requirements["TB3-OPPEN-KALLELSE"].status == "not_met"
    (on_d,) = evaluate(day, [unit.pk]).units
    assert on_d.requirements["TB3-OPPEN-KALLELSE"].status == "exempt"


# --- Follow-ups -----------------------------------------------------------------------------------------------


def test_a_follow_up_is_done_once(unit, people):
    (e,) = propose(unit, people["manager"])
    fu = e.follow_ups.get()
    s.follow_up_done(follow_up=fu, actor=people["manager"], note="Leverantören lovar Q1")
    refused(lambda: s.follow_up_done(follow_up=fu, actor=people["ks1"]), "redan gjord")
    assert FollowUp.objects.get(pk=fu.pk).note == "Leverantören lovar Q1"


# --- Common decisions for a booking system -----------------------------------------------------------------


@pytest.fixture
def pmo_units(period):
    units = [f.CareUnitFactory(booking_system="PMO", name=f"Vårdcentralen PMO {i}") for i in range(3)]
    for u in units:
        f.BookingFiguresFactory(unit=u, period=period)
    f.CareUnitFactory(booking_system="PMO", has_contact_card=False)  # no requirement applies
    f.CareUnitFactory(booking_system="PMO", active=False)
    f.CareUnitFactory(booking_system="PASiS")
    return units


def test_a_common_decision_covers_every_affected_unit_through_one_approval(
    pmo_units, people, django_capture_on_commit_callbacks
):
    day = today()
    group = s.exemption_group_propose(
        booking_system="PMO",
        requirements=[f.requirement("TB3-OPPEN-KALLELSE")],
        justification="PMO saknar öppen kallelse",
        valid_from=day,
        valid_until=day + D(days=200),
        follow_ups=[day + D(days=90)],
        proposed_by=people["ks2"],
        submit=True,
    )
    assert group.group_id == f"GB-{day.year}-0001" and group.status == Status.SUBMITTED
    refused(lambda: s.exemption_group_approve(group=group, decided_by=people["ks2"], body=KS), "föreslagit")
    s.exemption_group_approve(group=group, decided_by=people["ks1"], body=KS)
    assert not Exemption.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_group_approve(group=group, decided_by=people["hs"], body=HS)
    made = Exemption.objects.filter(group=group)
    assert sorted(made.values_list("unit_id", flat=True)) == sorted(u.pk for u in pmo_units)
    assert {e.status for e in made} == {Status.APPROVED}
    assert FollowUp.objects.filter(exemption__group=group, due_on=day + D(days=90)).count() == 3
    for u in pmo_units:
        result = UnitResult.objects.get(unit=u, as_of=day)
        assert (result.booking_level, result.booking_level_with_exemptions) == (3, True)
        assert result.requirements.get(requirement__code="TB3-OPPEN-KALLELSE").status == "exempt"

    # The system gains the function: the approvers are told, and "Återkalla alla" ends every one.
    from portal.exemptions.selectors import end_suggestions

    assert end_suggestions() == []
    SystemCapability.objects.create(
        booking_system="PMO", requirement=f.requirement("TB3-OPPEN-KALLELSE"), supported=True
    )
    (hint,) = end_suggestions()
    assert (hint.booking_system, hint.requirement_code, hint.groups) == (
        "PMO",
        "TB3-OPPEN-KALLELSE",
        (group.group_id,),
    )
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_group_revoke(group=group, decided_by=people["hs"], ended_on=day)
    assert ExemptionGroup.objects.get(pk=group.pk).status == Status.REVOKED
    assert set(made.values_list("status", "ended_on")) == {(Status.REVOKED, day)}
    assert UnitResult.objects.get(unit=pmo_units[0], as_of=day).booking_level == 2
    assert AuditEntry.objects.filter(action="exemption_revoked", detail__group=group.group_id).count() == 3


def test_a_common_decision_is_prepared_by_an_approver_only(pmo_units, people):
    refused(
        lambda: s.exemption_group_propose(
            booking_system="PMO",
            requirements=[f.requirement("TB3-OPPEN-KALLELSE")],
            justification="",
            valid_from=today(),
            valid_until=today() + D(days=10),
            follow_ups=[today()],
            proposed_by=people["manager"],
        ),
        "bereds av",
    )
    assert not ExemptionGroup.objects.exists()


def test_a_capability_is_kept_by_koncernstab(people):
    cap = SystemCapability(booking_system="PMO", requirement=f.requirement("TB3-OPPEN-KALLELSE"))
    refused(lambda: s.capability_save(capability=cap, actor=people["hs"]), "Bara Koncernstab")
    assert s.capability_save(capability=cap, actor=people["ks1"]).created


# --- Exemptions a person can manage ----------------------------------------------------------------------


def a_year_after(day: datetime.date) -> datetime.date:
    """The same date a year later (29 February → 28 February): the default bound's last allowed day."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def test_tidsbegransat_means_at_most_a_year_after_valid_from_by_default(unit, people):
    day = today()
    with pytest.raises(s.Refused) as caught:
        propose(unit, people["manager"], until=datetime.date(2099, 12, 31))
    message = caught.value.message_dict["valid_until"][0]
    assert f"sista tillåtna dag är {a_year_after(day):%Y-%m-%d}" in message, message
    refused(lambda: propose(unit, people["manager"], until=a_year_after(day) + D(days=1)), "högst 12 månader")
    assert not Exemption.objects.exists()
    (e,) = propose(unit, people["manager"], until=a_year_after(day))
    assert e.valid_until == a_year_after(day)


def test_the_bound_is_a_setting(unit, people, settings):
    settings.EXEMPTION_MAX_MONTHS = 3
    day = datetime.date(2026, 11, 30)
    with pytest.raises(s.Refused) as caught:
        propose(unit, people["manager"], valid_from=day, until=datetime.date(2027, 3, 1), follow_ups=[day])
    assert "högst 3 månader: sista tillåtna dag är 2027-02-28" in caught.value.message_dict["valid_until"][0]
    (e,) = propose(
        unit, people["manager"], valid_from=day, until=datetime.date(2027, 2, 28), follow_ups=[day]
    )
    assert e.valid_until == datetime.date(2027, 2, 28)


def test_the_models_clean_holds_the_bound_for_the_portals_exemptions_but_not_for_imported_ones(unit):
    terms = {
        "exemption_id": "AV-2026-0900",
        "unit": unit,
        "requirement": f.requirement("TB1-VISA"),
        "reason": "teknisk",
        "valid_from": datetime.date(2026, 6, 1),
        "valid_until": datetime.date(2099, 12, 31),
        "status": Status.DRAFT,
    }
    with pytest.raises(s.ValidationError) as caught:
        Exemption(**terms).full_clean()
    assert "sista tillåtna dag är 2027-06-01" in caught.value.message_dict["valid_until"][0]
    Exemption(**terms, imported=True).full_clean()  # decided elsewhere: the import's range stands


def test_an_imported_exemption_keeps_whatever_range_the_file_gives(unit, write_file):
    from tests.helpers import manage

    path = write_file(
        "exemption_id,unit_hsa_id,requirement_code,reason,valid_from,valid_until,status,ended_on\n"
        f"AV-1,{unit.hsa_id},TB3-OPPEN-KALLELSE,teknisk,2026-01-01,2099-12-31,approved,\n"
    )
    ran = manage("import_data", "exemptions", path)
    assert ran.code == 0, ran.err
    assert Exemption.objects.get(exemption_id="AV-1").valid_until == datetime.date(2099, 12, 31)


def test_the_demo_region_keeps_its_exemptions_within_the_bound():
    from compliance.demo_region import DemoRegion
    from exemptions.rules import last_allowed_day

    for day in (datetime.date(2026, 5, 10), datetime.date(2026, 12, 2), datetime.date(2027, 3, 1)):
        region = DemoRegion(units=120, cases=0, seed=4, today=day)
        rows = list(region._exemptions_rows())
        assert rows
        for row in rows:
            valid_from, valid_until = (datetime.date.fromisoformat(v) for v in row[4:6])
            assert valid_until <= last_allowed_day(valid_from), (day, row)
            if row[6] == "approved":
                assert valid_from <= day <= valid_until, (day, row)  # still in force on the demo's day


def edit(e, by, **changes):
    terms = {
        "unit": e.unit,
        "requirement": e.requirement,
        "reason": e.reason,
        "justification": e.justification,
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "follow_ups": [fu.due_on for fu in e.follow_ups.all()],
        **changes,
    }
    return s.exemption_edit(exemption=e, actor=by, **terms)


def test_the_proposer_edits_a_draft_and_the_trail_says_old_and_new(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False)
    day = today()
    edit(
        draft,
        people["manager"],
        requirement=f.requirement("TB3-OPPEN-KALLELSE-ANDEL"),
        justification="Ny motivering",
        valid_until=day + D(days=60),
        follow_ups=[day + D(days=10), day + D(days=40)],
    )
    draft.refresh_from_db()
    assert (draft.requirement.code, draft.justification, draft.valid_until, draft.status) == (
        "TB3-OPPEN-KALLELSE-ANDEL",
        "Ny motivering",
        day + D(days=60),
        Status.DRAFT,
    )
    assert sorted(draft.follow_ups.values_list("due_on", flat=True)) == [day + D(days=10), day + D(days=40)]
    changed = AuditEntry.objects.get(object_id=draft.exemption_id, action="exemption_changed")
    assert changed.detail["changes"]["justification"][1] == "Ny motivering"
    assert changed.actor == people["manager"]
    follow_ups = AuditEntry.objects.filter(object_id=draft.exemption_id, action="exemption_follow_ups_set")
    assert follow_ups.order_by("-id").first().detail["changes"]["follow_ups"] == [
        [(day + D(days=30)).isoformat()],
        [(day + D(days=10)).isoformat(), (day + D(days=40)).isoformat()],
    ]
    before = AuditEntry.objects.count()
    edit(draft, people["manager"])  # nothing changed: nothing written
    assert AuditEntry.objects.count() == before


def test_editing_is_for_a_draft_by_its_proposer_or_the_units_people(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False)
    other_manager = user_in(Roles.VERKSAMHETSCHEF, [f.CareUnitFactory()], username="annan")
    for who in (other_manager, people["hs"], people["ledning"]):
        refused(lambda who=who: edit(draft, who, justification="x"), "Bara den som föreslagit")
    edit(draft, people["ks1"], justification="Koncernstab stödjer enheten")  # may change every unit
    refused(lambda: edit(draft, people["manager"], valid_until=datetime.date(2099, 1, 1)), "högst 12 månader")
    (sent,) = propose(unit, people["manager"], codes=("TB1-VISA",))
    refused(lambda: edit(sent, people["manager"], justification="x"), "bara ett utkast")
    assert Exemption.objects.get(pk=sent.pk).justification != "x"


def test_the_proposer_deletes_a_draft_and_its_id_is_not_given_again(unit, people):
    (draft,) = propose(unit, people["manager"], submit=False)
    refused(lambda: s.exemption_delete(exemption=draft, actor=people["hs"]), "Bara den som föreslagit")
    s.exemption_delete(exemption=draft, actor=people["manager"])
    assert not Exemption.objects.filter(pk=draft.pk).exists()
    assert not FollowUp.objects.filter(exemption_id=draft.pk).exists()
    entry = AuditEntry.objects.get(object_id=draft.exemption_id, action="exemption_deleted")
    assert entry.actor == people["manager"] and entry.detail["valid_until"] == draft.valid_until.isoformat()
    (again,) = propose(unit, people["manager"], submit=False)
    assert again.exemption_id != draft.exemption_id  # the trail still names the deleted one


def test_only_a_draft_is_deleted(unit, people):
    (e,) = propose(unit, people["manager"])
    refused(lambda: s.exemption_delete(exemption=e, actor=people["manager"]), "bara ett utkast")
    assert Exemption.objects.filter(pk=e.pk).exists()


def test_withdrawing_before_the_first_decision_makes_it_a_draft_again(unit, people):
    (e,) = propose(unit, people["manager"])
    refused(lambda: s.exemption_withdraw(exemption=e, actor=people["hs"]), "Bara den som föreslagit")
    s.exemption_withdraw(exemption=e, actor=people["manager"])
    assert Exemption.objects.get(pk=e.pk).status == Status.DRAFT
    entry = AuditEntry.objects.get(object_id=e.exemption_id, action="exemption_withdrawn")
    assert entry.detail["changes"]["status"] == ["submitted", "draft"]
    refused(lambda: s.exemption_withdraw(exemption=e, actor=people["manager"]), "bara ett inskickat")
    edit(e, people["manager"], justification="Kompletterad")  # a draft again: changed, then sent in anew
    s.exemption_submit(exemption=e, actor=people["manager"])
    s.exemption_approve(exemption=e, decided_by=people["ks1"], body=KS)
    refused(lambda: s.exemption_withdraw(exemption=e, actor=people["manager"]), "första beslutet")
    assert Exemption.objects.get(pk=e.pk).status == Status.SUBMITTED


def test_the_same_form_token_twice_makes_the_proposal_once(unit, people):
    token = "5f0c3c4e-2a7b-4d0e-9a54-0b6b2c1d9e11"
    first = propose(unit, people["manager"], submit=False, token=token, codes=("TB1-VISA", "TB2-OMBOKA"))
    trail = AuditEntry.objects.count()
    second = propose(unit, people["manager"], submit=False, token=token, codes=("TB1-VISA", "TB2-OMBOKA"))
    assert [e.pk for e in second] == [e.pk for e in first]
    assert second.repeated and not first.repeated
    assert Exemption.objects.count() == 2 and AuditEntry.objects.count() == trail


def test_a_proposal_that_duplicates_a_pending_or_active_one_is_refused_unless_confirmed(unit, people):
    (pending,) = propose(unit, people["manager"])
    with pytest.raises(s.Duplicates) as caught:
        propose(unit, people["manager"], submit=False)
    assert [d.exemption_id for d in caught.value.found] == [pending.exemption_id]
    assert f"{pending.exemption_id} gäller redan" in caught.value.messages[0]
    assert Exemption.objects.count() == 1
    (confirmed,) = propose(unit, people["manager"], submit=False, allow_duplicates=True)
    assert confirmed.status == Status.DRAFT
    # An approved one whose range overlaps is a duplicate; one that ended before is not.
    (visa,) = propose(
        unit, people["manager"], codes=("TB1-VISA",), until=today() + D(days=20), follow_ups=[today()]
    )
    approved(visa, people)
    refused(lambda: propose(unit, people["manager"], codes=("TB1-VISA",)), "gäller redan")
    (later,) = s.exemption_propose(
        unit=unit,
        requirements=[f.requirement("TB1-VISA")],
        reason="teknisk",
        justification="Förlängning",
        valid_from=today() + D(days=21),
        valid_until=today() + D(days=200),
        follow_ups=[today() + D(days=60)],
        proposed_by=people["manager"],
    )
    assert later.status == Status.DRAFT
    # Another unit, or a rejected one, is no duplicate.
    other = f.CareUnitFactory()
    grant_units(people["manager"], [other])
    assert propose(other, people["manager"])


def test_rejecting_one_of_a_proposals_exemptions_leaves_its_siblings_waiting(unit, people):
    first, second = propose(unit, people["manager"], codes=("TB3-OPPEN-KALLELSE", "TB3-OPPEN-KALLELSE-ANDEL"))
    assert [e.exemption_id for e in s.proposal_siblings(first)] == [second.exemption_id]
    s.exemption_reject(exemption=first, decided_by=people["ks1"], body=KS, reason="Andelen räcker")
    assert Exemption.objects.get(pk=second.pk).status == Status.SUBMITTED
    assert [e.exemption_id for e in s.proposal_siblings(second)] == [first.exemption_id]
    (alone,) = propose(unit, people["manager"], codes=("TB1-VISA",))
    assert s.proposal_siblings(alone) == []


def group_terms(day=None, **changes):
    day = day or today()
    return {
        "booking_system": "PMO",
        "requirements": [f.requirement("TB3-OPPEN-KALLELSE")],
        "justification": "PMO saknar öppen kallelse",
        "valid_from": day,
        "valid_until": day + D(days=200),
        "follow_ups": [day + D(days=90)],
        **changes,
    }


def test_a_common_decisions_draft_is_edited_deleted_or_withdrawn_like_a_single_one(people):
    group = s.exemption_group_propose(**group_terms(), proposed_by=people["ks2"])
    refused(
        lambda: s.exemption_group_edit(group=group, actor=people["manager"], **group_terms()),
        "Bara Koncernstab",
    )
    refused(
        lambda: s.exemption_group_edit(
            group=group, actor=people["ks2"], **group_terms(valid_until=datetime.date(2099, 1, 1))
        ),
        "högst 12 månader",
    )
    s.exemption_group_edit(
        group=group,
        actor=people["ks2"],
        **group_terms(
            requirements=[f.requirement("TB3-OPPEN-KALLELSE"), f.requirement("TB3-OPPEN-KALLELSE-ANDEL")]
        ),
    )
    group.refresh_from_db()
    assert sorted(group.requirements.values_list("code", flat=True)) == [
        "TB3-OPPEN-KALLELSE",
        "TB3-OPPEN-KALLELSE-ANDEL",
    ]
    assert AuditEntry.objects.filter(object_id=group.group_id, action="exemptiongroup_changed").exists()
    s.exemption_group_submit(group=group, actor=people["ks2"])
    s.exemption_group_withdraw(group=group, actor=people["ks2"])
    assert ExemptionGroup.objects.get(pk=group.pk).status == Status.DRAFT
    s.exemption_group_submit(group=group, actor=people["ks2"])
    s.exemption_group_approve(group=group, decided_by=people["ks1"], body=KS)
    refused(lambda: s.exemption_group_withdraw(group=group, actor=people["ks2"]), "första beslutet")
    other = s.exemption_group_propose(**group_terms(), proposed_by=people["hs"])
    s.exemption_group_delete(group=other, actor=people["hs"])
    assert not ExemptionGroup.objects.filter(pk=other.pk).exists()
    assert AuditEntry.objects.filter(object_id=other.group_id, action="exemptiongroup_deleted").exists()
    refused(lambda: s.exemption_group_delete(group=group, actor=people["ks2"]), "bara ett utkast")
    refused(
        lambda: s.exemption_group_propose(
            **group_terms(valid_until=datetime.date(2099, 1, 1)), proposed_by=people["ks2"]
        ),
        "högst 12 månader",
    )


def test_the_audit_trail_names_the_exemption_steps_in_agreeing_swedish():
    from servicelevel.audit import action_label

    assert [action_label(a) for a in ("exemption_created", "exemption_changed", "exemption_deleted")] == [
        "Avsteg skapat",
        "Avsteg ändrat",
        "Avsteg borttaget",
    ]
    assert action_label("exemption_withdrawn") == "Avsteg tillbakadraget"
    assert action_label("exemptiongroup_created") == "Gemensamt beslut om avsteg skapat"
    assert action_label("exemption_approval") == "Godkännande av avsteg"
    assert action_label("systemcapability_changed") == "Bokningssystemets stöd ändrat"
    assert action_label("careunit_changed") == "Vårdenhet ändrad"  # a common-gender noun keeps its form


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_form_sent_twice_at_the_same_moment_makes_the_proposal_once(monkeypatch):
    """A double click: two requests with the same token in two threads (two connections) reach the
    proposal together — a barrier makes them — and the second waits at the year's counter for the first,
    then finds what it made."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL")
    unit = f.CareUnitFactory()
    manager = user_in(Roles.VERKSAMHETSCHEF, [unit], username="dubbelklick")
    real_counter, barrier, waited = s._counter, threading.Barrier(2, timeout=20), threading.local()

    def counter_together(prefix, year):
        if not getattr(waited, "once", False):  # the first lock of each request (ids take it again)
            waited.once = True
            barrier.wait()  # both have validated and checked nothing yet
        return real_counter(prefix, year)

    monkeypatch.setattr(s, "_counter", counter_together)
    results, errors = [], []

    def request():
        from django.db import connection as own

        try:
            results.append(propose(unit, manager, submit=False, token="7d1f6c2a-5b8e-4f0a-9c3d-2e1b0a9f8e7d"))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Exemption.objects.count() == 1
    assert sorted(r.repeated for r in results) == [False, True]
    assert {r[0].pk for r in results} == {Exemption.objects.get().pk}
