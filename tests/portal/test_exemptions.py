"""The exemption pages at /avsteg/: the list and its worklists, the proposal form, one exemption with the
engine's effect and the decision buttons, common decisions — with the rights (404 for another's unit on
GET and POST, 403 for Ledning's POSTs, the login for anonymous visitors) and fixed query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from compliance.models import RequirementResult, UnitResult
from compliance.services import recompute, today
from exemptions import services as s
from exemptions.models import Exemption, ExemptionApproval, ExemptionGroup
from tests import factories as f
from tests.helpers import user_in
from units.permissions import Roles

pytestmark = pytest.mark.django_db

D = datetime.timedelta
KS, HS = ExemptionApproval.Body.KONCERNSTAB, ExemptionApproval.Body.HS_STYRNING
LIST = reverse("portal:exemption_list")
NEW = reverse("portal:exemption_new")


@pytest.fixture
def period():
    day = today()
    return f.SchedulePeriodFactory(code="P-NU", start_date=day - D(days=20), end_date=day + D(days=60))


@pytest.fixture
def unit(period):
    unit = f.CareUnitFactory(name="Vårdcentralen Egen", booking_system="PASiS")
    f.BookingFiguresFactory(unit=unit, period=period)
    return unit


@pytest.fixture
def other_unit():
    return f.CareUnitFactory(name="Vårdcentralen Annans", hsa_id="SE2321000255-ANNAN")


@pytest.fixture
def people(unit):
    return {
        "manager": user_in(Roles.VERKSAMHETSCHEF, [unit], username="chef"),
        "ks": user_in(Roles.KONCERNSTAB, username="ks", first_name="Karin", last_name="K"),
        "hs": user_in(Roles.HS_STYRNING, username="hs"),
        "ledning": user_in(Roles.LEDNING, username="ledning"),
    }


def submitted(unit, by, code="TB3-OPPEN-KALLELSE", **kw):
    (e,) = s.exemption_propose(
        unit=unit,
        requirements=[f.requirement(code)],
        reason="teknisk",
        justification="Systemet stödjer inte funktionen",
        valid_from=kw.get("valid_from", today()),
        valid_until=kw.get("valid_until", today() + D(days=100)),
        follow_ups=kw.get("follow_ups", [today() + D(days=30)]),
        proposed_by=by,
        submit=True,
    )
    return e


def detail(e):
    return reverse("portal:exemption_detail", args=[e.exemption_id])


def action(name, e):
    return reverse(f"portal:exemption_{name}", args=[e.exemption_id])


# --- Rights ---------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, unit, people):
    e = submitted(unit, people["manager"])
    for url in (LIST, NEW, detail(e), reverse("portal:exemption_system")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/"), url
    response = client.post(action("decide", e), {"action": "approve"})
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")
    assert Exemption.objects.get(pk=e.pk).status == "submitted"


def test_a_unit_manager_gets_404_for_another_units_exemption_on_get_and_post(
    client, unit, other_unit, people
):
    theirs = submitted(other_unit, people["ks"])
    client.force_login(people["manager"])
    assert client.get(detail(theirs)).status_code == 404
    for name, data in (
        ("decide", {"action": "approve"}),
        ("submit", {}),
        ("revoke", {"ended_on": today().isoformat()}),
    ):
        assert client.post(action(name, theirs), data).status_code == 404, name
    fu = theirs.follow_ups.get()
    url = reverse("portal:exemption_follow_up", args=[theirs.exemption_id, fu.pk])
    assert client.post(url, {"note": "x"}).status_code == 404
    html = client.get(LIST).content.decode()
    assert (
        "Vårdcentralen Annans" not in html
        and other_unit.hsa_id not in html
        and theirs.exemption_id not in html
    )


def test_ledning_sees_but_gets_403_on_every_post(client, unit, people):
    e = submitted(unit, people["manager"])
    client.force_login(people["ledning"])
    assert client.get(detail(e)).status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {}).status_code == 403
    for name in ("decide", "submit", "revoke"):
        assert client.post(action(name, e), {"action": "approve"}).status_code == 403, name
    assert client.post(reverse("portal:exemption_system"), {}).status_code == 403
    assert Exemption.objects.get(pk=e.pk).status == "submitted"


def test_a_unit_manager_may_not_decide_403(client, unit, people):
    e = submitted(unit, people["ks"])
    client.force_login(people["manager"])
    assert client.post(action("decide", e), {"action": "approve"}).status_code == 403
    assert not ExemptionApproval.objects.exists()


def test_common_decisions_are_for_region_wide_roles(client, people):
    client.force_login(people["manager"])
    assert client.get(reverse("portal:exemption_system")).status_code == 403
    assert client.get(reverse("portal:exemption_group_new")).status_code == 403


# --- The proposal -----------------------------------------------------------------------------------------------


def test_the_form_has_the_labelled_fields_and_only_the_managers_units(client, unit, other_unit, people):
    client.force_login(people["manager"])
    html = client.get(NEW, follow=True).content.decode()
    for label in ("Enhet", "Motivering", "Gäller från", "Gäller till", "Uppföljning 1"):
        assert f">{label}</label>" in html, label
    for legend in ("Krav", "Skäl"):
        assert f"<legend>{legend}</legend>" in html, legend
    assert ">Spara utkast</button>" in html and ">Skicka in</button>" in html
    assert unit.hsa_id in html and other_unit.hsa_id not in html


def proposal(unit, **changes):
    data = {
        "unit": unit.pk,
        "requirements": [f.requirement("TB3-OPPEN-KALLELSE").pk],
        "reason": "teknisk",
        "justification": "PASiS kan inte öppen kallelse här",
        "valid_from": today().isoformat(),
        "valid_until": (today() + D(days=90)).isoformat(),
        "follow_up_1": (today() + D(days=30)).isoformat(),
        "action": "submit",
    }
    data.update(changes)
    return data


def test_skicka_in_saves_a_submitted_exemption_and_shows_it(client, unit, people):
    client.force_login(people["manager"])
    response = client.post(NEW, proposal(unit))
    e = Exemption.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(e)
    assert (e.status, e.proposed_by, e.unit) == ("submitted", people["manager"], unit)
    html = client.get(detail(e)).content.decode()
    assert "är inskickat" in html and "Koncernstab kommunikation (första godkännandet)" in html
    assert ">Godkänn</button>" not in html  # the proposer's page has no decision buttons


def test_the_history_names_people_as_the_page_does(client, unit, people):
    e = submitted(unit, people["manager"])
    client.force_login(people["ks"])
    assert client.post(action("decide", e), {"action": "approve"}).status_code == 302
    history = client.get(detail(e)).content.decode().split('id="historik-rubrik"', 1)[1]
    assert "<td>Karin K</td>" in history  # the approver's full name, not "ks"
    assert "<td>chef</td>" in history  # an account without a name keeps its username


def test_spara_utkast_saves_a_draft(client, unit, people):
    client.force_login(people["manager"])
    client.post(NEW, proposal(unit, action="draft", follow_up_1=""))
    assert Exemption.objects.get().status == "draft"


def test_no_end_date_is_refused_on_the_form(client, unit, people):
    client.force_login(people["manager"])
    response = client.post(NEW, proposal(unit, valid_until=""))
    assert response.status_code == 200
    assert "alltid tidsbegränsat" in response.content.decode()
    assert not Exemption.objects.exists()


def test_another_units_id_posted_to_the_form_is_refused(client, unit, other_unit, people):
    client.force_login(people["manager"])
    response = client.post(NEW, proposal(other_unit))
    assert response.status_code == 200 and not Exemption.objects.exists()


# --- Deciding -----------------------------------------------------------------------------------------------------


def test_the_approver_sees_the_effect_then_two_approvals_change_the_units_level(
    client, unit, people, django_capture_on_commit_callbacks
):
    recompute(as_of=today(), unit_ids=[unit.pk])
    e = submitted(unit, people["manager"])
    client.force_login(people["hs"])
    html = client.get(detail(e)).content.decode()
    assert "Med avsteget: nivå 2 → nivå 3 med avsteg" in html
    assert ">Godkänn</button>" not in html  # HS-styrning waits for Koncernstab

    client.force_login(people["ks"])
    html = client.get(detail(e)).content.decode()
    assert ">Godkänn</button>" in html and ">Avslå</button>" in html
    client.post(action("decide", e), {"action": "approve", "comment": "Beredd"})
    client.force_login(people["hs"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action("decide", e), {"action": "approve"}, follow=True)
    assert "är godkänt av båda" in response.content.decode()
    assert Exemption.objects.get(pk=e.pk).status == "approved"
    assert ">Återkalla</button>" in response.content.decode()
    result = UnitResult.objects.get(unit=unit, as_of=today())
    assert (result.booking_level, result.booking_level_with_exemptions) == (3, True)
    page = client.get(reverse("portal:unit_detail", args=[unit.hsa_id])).content.decode()
    assert "nivå 3 med avsteg" in page


def test_a_refused_decision_shows_why_and_changes_nothing(client, unit, people):
    e = submitted(unit, people["manager"])
    client.force_login(people["ks"])
    response = client.post(action("decide", e), {"action": "reject", "comment": ""}, follow=True)
    assert "Skriv skälet till avslaget." in response.content.decode()
    assert Exemption.objects.get(pk=e.pk).status == "submitted"


def test_revoking_from_the_page(client, unit, people):
    e = submitted(unit, people["manager"])
    s.exemption_approve(exemption=e, decided_by=people["ks"], body=KS)
    s.exemption_approve(exemption=e, decided_by=people["hs"], body=HS)
    client.force_login(people["hs"])
    response = client.post(action("revoke", e), {"ended_on": ""}, follow=True)
    assert "Ange dagen avsteget upphör" in response.content.decode()
    client.post(action("revoke", e), {"ended_on": today().isoformat()})
    e.refresh_from_db()
    assert (e.status, e.ended_on) == ("revoked", today())


# --- Worklists -------------------------------------------------------------------------------------------------------


def titles(response):
    return {w.key: [r.exemption_id for r in w.rows] for w in response.context["page"].worklists}


def test_the_worklists(client, unit, people):
    waiting = submitted(unit, people["manager"])
    ending = submitted(
        unit, people["manager"], "TB1-VISA", valid_until=today() + D(days=10), follow_ups=[today()]
    )
    for e in (ending,):
        s.exemption_approve(exemption=e, decided_by=people["ks"], body=KS)
        s.exemption_approve(exemption=e, decided_by=people["hs"], body=HS)
    unneeded = f.ExemptionFactory(
        unit=unit, valid_from=today() - D(days=5), valid_until=today() + D(days=200)
    )
    result = f.UnitResultFactory(unit=unit, as_of=today())
    RequirementResult.objects.create(
        unit_result=result,
        requirement=unneeded.requirement,
        status="met",
        reason="Uppfyllt",
        exemption_code=unneeded.exemption_id,
        exemption_unneeded=True,
    )
    client.force_login(people["ks"])
    lists = titles(client.get(LIST))
    assert lists["mitt-beslut"] == [waiting.exemption_id]
    assert lists["upphor"] == [ending.exemption_id]
    assert lists["uppfoljning"] == [ending.exemption_id]  # its follow-up is due today
    assert lists["behovs-inte"] == [unneeded.exemption_id]
    client.force_login(people["hs"])
    assert titles(client.get(LIST))["mitt-beslut"] == []  # Koncernstab first
    client.force_login(people["manager"])
    lists = titles(client.get(LIST))
    assert "mitt-beslut" not in lists and lists["upphor"] == [ending.exemption_id]


def make_exemptions(n, manager=None):
    area = f.VardomradeFactory()
    units = [f.CareUnitFactory(vardomrade=area) for _ in range(n)]
    Exemption.objects.bulk_create(
        Exemption(
            exemption_id=f"AV-2026-{i:04d}",
            unit=u,
            requirement=f.requirement("TB3-OPPEN-KALLELSE"),
            reason="teknisk",
            valid_from=today() - D(days=10),
            valid_until=today() + D(days=10 + i % 40),
            status=["approved", "submitted"][i % 2],
        )
        for i, u in enumerate(units)
    )
    f.UnitResultFactory(unit=units[0], as_of=today())  # a stored date: the "no longer needed" list is read
    if manager is not None:
        from units.permissions import grant_area

        grant_area(manager, area)


@pytest.mark.parametrize("n", [20, 200])
def test_the_list_takes_the_same_queries_for_20_and_200_units(client, django_assert_num_queries, n):
    make_exemptions(n)
    client.force_login(user_in(Roles.KONCERNSTAB))
    # 1 session, 2 user, 3 the user's roles, 4 awaiting my decision, 5 my drafts, 6 ending within 30 days,
    # 7 follow-ups due, 8 the latest stored date, 9 no longer needed, 10 count of all, 11 the page of all,
    # 12 common decisions (with their counts; none here, so no prefetch of their requirements),
    # 13 supported capabilities (none: nothing more to read), 14 "may propose": any changeable unit.
    # "Att göra" is annotated inside each list's query (may the reader change the unit, has it decided).
    with django_assert_num_queries(14):
        response = client.get(LIST)
    assert len(response.context["page"].rows) == min(n, 50)
    assert len(titles(response)["mitt-beslut"]) == n // 2


@pytest.mark.parametrize("n", [20, 200])
def test_a_unit_managers_list_takes_the_same_queries(client, django_assert_num_queries, n):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    make_exemptions(n, manager)
    f.ExemptionFactory()  # someone else's
    client.force_login(manager)
    # 1 session, 2 user, 3 roles, 4 my drafts, 5 ending within 30 days, 6 follow-ups due, 7 the latest
    # stored date, 8 no longer needed, 9 count, 10 page, 11 "may propose". The rights (and "Att göra")
    # are subqueries inside each.
    with django_assert_num_queries(11):
        response = client.get(LIST)
    assert response.context["page"].page.paginator.count == n


# --- Booking systems and common decisions -----------------------------------------------------------------------------


def test_a_common_decision_from_the_pages(client, period, people, django_capture_on_commit_callbacks):
    units = [f.CareUnitFactory(booking_system="PMO") for _ in range(2)]
    for u in units:
        f.BookingFiguresFactory(unit=u, period=period)
    other_ks = user_in(Roles.KONCERNSTAB, username="ks-b")
    client.force_login(other_ks)
    response = client.post(
        reverse("portal:exemption_system"),
        {"booking_system": "PMO", "requirement": f.requirement("TB3-OPPEN-KALLELSE").pk, "note": "Inte än"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("portal:exemption_group_new"),
        {
            "booking_system": "PMO",
            "requirements": [f.requirement("TB3-OPPEN-KALLELSE").pk],
            "justification": "PMO saknar öppen kallelse",
            "valid_from": today().isoformat(),
            "valid_until": (today() + D(days=100)).isoformat(),
            "follow_up_1": (today() + D(days=50)).isoformat(),
            "action": "submit",
        },
    )
    group = ExemptionGroup.objects.get()
    url = reverse("portal:exemption_group", args=[group.group_id])
    assert response["Location"] == url
    client.force_login(people["ks"])
    html = client.get(url).content.decode()
    assert "2 enheter berörs" in html and ">Godkänn</button>" in html
    action_url = reverse("portal:exemption_group_action", args=[group.group_id])
    client.post(action_url, {"action": "approve"})
    client.force_login(people["hs"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action_url, {"action": "approve"})
    assert Exemption.objects.filter(group=group, status="approved").count() == 2
    client.force_login(people["manager"])
    assert client.get(url).status_code == 404

    client.force_login(other_ks)
    client.post(
        reverse("portal:exemption_system"),
        {"booking_system": "PMO", "requirement": f.requirement("TB3-OPPEN-KALLELSE").pk, "supported": "on"},
    )
    client.force_login(people["hs"])
    html = client.get(LIST).content.decode()
    assert "PMO stödjer nu" in html and group.group_id in html
    client.post(action_url, {"action": "revoke", "ended_on": today().isoformat()})
    assert set(Exemption.objects.filter(group=group).values_list("status", flat=True)) == {"revoked"}


# --- Exemptions a person can manage, the workflow speaks ------------------------------------------------


def url(name, e):
    return reverse(f"portal:exemption_{name}", args=[e.exemption_id])


def token_of(client):
    """The one-time token the new-exemption form carries: in its address (a redirect gives it one) and in a
    hidden field."""
    response = client.get(NEW, follow=True)
    ((address, status),) = response.redirect_chain
    token = response.context["form"]["token"].value()
    assert status == 302 and address.startswith(f"{NEW}?forslag=") and address.endswith(token)
    assert f'type="hidden" name="token" value="{token}"' in response.content.decode()
    return str(token)


def test_two_identical_posts_of_the_form_make_one_exemption(client, unit, people):
    """Spara utkast, browser Back, Spara utkast again: the same form (the same token) sent twice."""
    client.force_login(people["manager"])
    data = proposal(unit, action="draft", token=token_of(client))
    first = client.post(NEW, data)
    (e,) = Exemption.objects.all()
    second = client.post(NEW, data, follow=True)
    assert Exemption.objects.count() == 1
    assert first["Location"] == detail(e) and second.redirect_chain[-1][0] == detail(e)
    assert f"Förslaget var redan sparat som {e.exemption_id}" in second.content.decode()
    assert token_of(client) != data["token"]  # a new form, a new token
    # Back to the saved form's address: the page says so and links what it made.
    back = client.get(f"{NEW}?forslag={data['token']}").content.decode()
    assert "Det här förslaget är redan sparat" in back
    assert f'<a class="ds-link" href="{detail(e)}">{e.exemption_id}</a> (utkast)' in back
    assert f'name="token" value="{data["token"]}"' in back


def test_a_proposal_duplicating_a_pending_one_warns_links_it_and_needs_a_tick(client, unit, people):
    pending = submitted(unit, people["manager"])
    client.force_login(people["manager"])
    response = client.post(NEW, proposal(unit, token=token_of(client)))
    html = response.content.decode()
    assert response.status_code == 200 and Exemption.objects.count() == 1
    assert f'<a class="ds-link" href="{detail(pending)}">{pending.exemption_id}</a> gäller redan' in html
    assert 'name="confirm_duplicates"' in html
    response = client.post(NEW, proposal(unit, token=token_of(client), confirm_duplicates="on"))
    assert response.status_code == 302 and Exemption.objects.count() == 2


def test_the_form_refuses_an_end_beyond_the_bound_and_names_the_last_day(client, unit, people):
    client.force_login(people["manager"])
    response = client.post(NEW, proposal(unit, valid_until="2099-12-31"))
    assert response.status_code == 200 and not Exemption.objects.exists()
    assert "sista tillåtna dag är" in response.content.decode()


def draft_of(unit, by, code="TB3-OPPEN-KALLELSE"):
    (e,) = s.exemption_propose(
        unit=unit,
        requirements=[f.requirement(code)],
        reason="teknisk",
        justification="Ett utkast",
        valid_from=today(),
        valid_until=today() + D(days=100),
        follow_ups=[today() + D(days=30)],
        proposed_by=by,
    )
    return e


def test_a_draft_is_changed_on_its_own_page(client, unit, people):
    e = draft_of(unit, people["manager"])
    client.force_login(people["manager"])
    page = client.get(detail(e)).content.decode()
    assert f'href="{url("edit", e)}"' in page and f'href="{url("delete", e)}"' in page
    form = client.get(url("edit", e))
    html = form.content.decode()
    assert form.status_code == 200 and "Ändra utkast" in html and "Ett utkast</textarea>" in html
    changes = proposal(unit, action="draft", justification="Bättre motivering", follow_up_1="")
    changes["requirement"] = f.requirement("TB1-VISA").pk
    response = client.post(url("edit", e), changes, follow=True)
    e.refresh_from_db()
    assert (e.justification, e.requirement.code, e.status) == ("Bättre motivering", "TB1-VISA", "draft")
    assert not e.follow_ups.exists()
    assert f"Utkastet {e.exemption_id} är sparat" in response.content.decode()


def test_a_draft_is_deleted_after_a_question(client, unit, people):
    e = draft_of(unit, people["manager"])
    client.force_login(people["manager"])
    question = client.get(url("delete", e)).content.decode()
    assert f"Ta bort utkastet {e.exemption_id}?" in question and ">Ta bort utkastet</button>" in question
    assert Exemption.objects.filter(pk=e.pk).exists()  # asking deletes nothing
    response = client.post(url("delete", e), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert f"Utkastet {e.exemption_id} är borttaget" in response.content.decode()
    assert not Exemption.objects.filter(pk=e.pk).exists()


def test_a_submitted_exemption_is_withdrawn_before_the_first_decision(client, unit, people):
    e = submitted(unit, people["manager"])
    client.force_login(people["manager"])
    assert ">Dra tillbaka</button>" in client.get(detail(e)).content.decode()
    response = client.post(url("withdraw", e), follow=True)
    html = response.content.decode()
    assert Exemption.objects.get(pk=e.pk).status == "draft"
    assert "är tillbakadraget och är ett utkast igen" in html
    assert ">Skicka in</button>" in html and f'href="{url("edit", e)}"' in html
    s.exemption_submit(exemption=e, actor=people["manager"])
    s.exemption_approve(exemption=e, decided_by=people["ks"], body=KS)
    assert ">Dra tillbaka</button>" not in client.get(detail(e)).content.decode()
    response = client.post(url("withdraw", e), follow=True)
    assert "första beslutet" in response.content.decode()
    assert Exemption.objects.get(pk=e.pk).status == "submitted"


def test_rejecting_one_of_a_proposal_says_what_happens_to_the_others(client, unit, people):
    first, second = s.exemption_propose(
        unit=unit,
        requirements=[f.requirement("TB3-OPPEN-KALLELSE"), f.requirement("TB3-OPPEN-KALLELSE-ANDEL")],
        reason="teknisk",
        justification="Båda",
        valid_from=today(),
        valid_until=today() + D(days=100),
        follow_ups=[today() + D(days=30)],
        proposed_by=people["manager"],
        submit=True,
    )
    client.force_login(people["ks"])
    form = client.get(detail(first)).content.decode()
    assert (
        f"Det andra avsteget i samma förslag ({second.exemption_id}) påverkas inte av ett avslag "
        "och väntar kvar på beslut" in form
    )
    response = client.post(url("decide", first), {"action": "reject", "comment": "Räcker inte"}, follow=True)
    html = response.content.decode()
    assert f"Avsteg {first.exemption_id} är avslaget." in html
    assert (
        f"samma förslag ({second.exemption_id}) påverkas inte av avslaget och väntar kvar på beslut" in html
    )


def test_the_messages_agree_in_number(client, unit, people):
    client.force_login(people["manager"])
    codes = [f.requirement("TB3-OPPEN-KALLELSE").pk, f.requirement("TB3-OPPEN-KALLELSE-ANDEL").pk]
    response = client.post(NEW, proposal(unit, requirements=codes), follow=True)
    assert "Avstegen AV-" in response.content.decode() and "är inskickade" in response.content.decode()
    response = client.post(NEW, proposal(unit, requirements=codes[:1], confirm_duplicates="on"), follow=True)
    assert "är inskickat och väntar på Koncernstab kommunikations beslut" in response.content.decode()


def to_do(response, key):
    (worklist,) = [w for w in response.context["page"].worklists if w.key == key]
    return {r.exemption_id: r.to_do for r in worklist.rows}


def test_att_gora_says_what_the_reader_must_do(client, unit, people):
    e = submitted(unit, people["manager"])
    draft = draft_of(unit, people["manager"], "TB1-VISA")
    client.force_login(people["ks"])
    response = client.get(LIST)
    assert to_do(response, "mitt-beslut") == {e.exemption_id: "Besluta (första godkännandet)"}
    assert '<th scope="col">Att göra</th>' in response.content.decode()
    client.force_login(people["manager"])
    response = client.get(LIST)
    assert to_do(response, "utkast") == {draft.exemption_id: "Skicka in eller ta bort utkastet"}
    everything = {r.exemption_id: r.to_do for r in response.context["page"].rows}
    assert everything[e.exemption_id] == "Väntar på Koncernstab kommunikation"
    s.exemption_approve(exemption=e, decided_by=people["ks"], body=KS)
    client.force_login(people["hs"])
    assert to_do(client.get(LIST), "mitt-beslut") == {e.exemption_id: "Besluta (andra godkännandet)"}
    client.force_login(people["ks"])
    everything = {r.exemption_id: r.to_do for r in client.get(LIST).context["page"].rows}
    assert everything[e.exemption_id] == "Väntar på Avdelningen för hälso- och sjukvårdsstyrning"


def test_the_approving_department_has_one_name_on_every_page(client, unit, people):
    e = submitted(unit, people["manager"])
    client.force_login(people["ks"])
    response = client.post(url("decide", e), {"action": "approve"}, follow=True)
    pages = [response.content.decode()]
    for who, page in (("ks", LIST), ("manager", NEW), ("manager", detail(e)), ("hs", detail(e))):
        client.force_login(people[who])
        pages.append(client.get(page).content.decode())
    for html in pages:
        assert "HS-styrning" not in html and "Hälso- och sjukvårdsstyrning" not in html
    assert "väntar nu på Avdelningen för hälso- och sjukvårdsstyrning" in pages[0]
    assert "Avdelningen för hälso- och sjukvårdsstyrning (andra godkännandet)" in pages[0]


def test_a_common_decisions_draft_is_changed_withdrawn_and_deleted_from_its_pages(client, people):
    group = s.exemption_group_propose(
        booking_system="PMO",
        requirements=[f.requirement("TB3-OPPEN-KALLELSE")],
        justification="PMO saknar öppen kallelse",
        valid_from=today(),
        valid_until=today() + D(days=100),
        follow_ups=[today() + D(days=30)],
        proposed_by=people["ks"],
    )
    page = reverse("portal:exemption_group", args=[group.group_id])
    edit_url = reverse("portal:exemption_group_edit", args=[group.group_id])
    client.force_login(people["hs"])  # the approvers prepare common decisions, whoever began one
    html = client.get(page).content.decode()
    assert f'href="{edit_url}"' in html and ">Skicka in</button>" in html
    form = client.get(edit_url).content.decode()
    assert f"Ändra utkast {group.group_id}" in form and "PMO saknar öppen kallelse</textarea>" in form
    data = {
        "booking_system": "PMO",
        "requirements": [
            f.requirement("TB3-OPPEN-KALLELSE").pk,
            f.requirement("TB3-OPPEN-KALLELSE-ANDEL").pk,
        ],
        "justification": "PMO saknar öppen kallelse och andelen",
        "valid_from": today().isoformat(),
        "valid_until": (today() + D(days=100)).isoformat(),
        "follow_up_1": (today() + D(days=30)).isoformat(),
        "action": "submit",
    }
    response = client.post(edit_url, data, follow=True)
    group.refresh_from_db()
    assert group.status == "submitted" and group.requirements.count() == 2
    assert ">Dra tillbaka</button>" in response.content.decode()
    action_url = reverse("portal:exemption_group_action", args=[group.group_id])
    response = client.post(action_url, {"action": "withdraw"}, follow=True)
    assert "är tillbakadraget och är ett utkast igen" in response.content.decode()
    delete_url = reverse("portal:exemption_group_delete", args=[group.group_id])
    assert f"Ta bort utkastet {group.group_id}?" in client.get(delete_url).content.decode()
    response = client.post(delete_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:exemption_system")
    assert not ExemptionGroup.objects.filter(pk=group.pk).exists()
