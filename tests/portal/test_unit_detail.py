"""The unit page (/enheter/<hsa_id>/) and its late-cases CSV: the stored judgement with its reasons,
the level per period, response time per month with the cases behind it, the unit's facts, rights."""

import csv
import datetime
import html as html_module
import io
import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from compliance.models import Report, RequirementResult, UnitResult
from units.models import Person
from units.permissions import Roles, grant_units

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

DAY = datetime.date(2026, 11, 15)
NOW = "2026-11-22 12:00 +01:00"
UTC = datetime.UTC


def url(unit, name="portal:unit_detail"):
    return reverse(name, args=[unit.hsa_id])


def stored(unit, *, day=DAY, level=None, with_exemptions=False, period="2026-T3", month="2026-10", rt=None):
    return UnitResult.objects.create(
        as_of=day,
        unit=unit,
        decision=f.decision(),
        evaluation_month=month,
        current_period=period,
        booking_level=level,
        booking_level_with_exemptions=with_exemptions,
        response_time=rt,
    )


def case(unit, case_id, *, received, response=None, notice=None):
    return f.CaseFactory(
        unit=unit,
        case_id=case_id,
        received_at=received,
        first_response_at=response,
        delay_notified_at=notice,
    )


@pytest.fixture
def periods():
    return [
        f.SchedulePeriodFactory(
            code="2026-T2", start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 8, 31)
        ),
        f.SchedulePeriodFactory(
            code="2026-T3", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 12, 31)
        ),
    ]


# ----------------------------------------------------------------------------------------------- rights


@pytest.mark.parametrize("name", ["portal:unit_detail", "portal:unit_cases_csv"])
def test_it_sends_an_anonymous_visitor_to_the_login(client, name):
    unit = f.CareUnitFactory()
    response = client.get(url(unit, name))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


@pytest.mark.parametrize("name", ["portal:unit_detail", "portal:unit_cases_csv"])
def test_a_unit_manager_gets_404_for_another_unit_get_and_post(client, name):
    mine, theirs = f.CareUnitFactory(), f.CareUnitFactory(name="Hemlig mottagning")
    stored(theirs)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [mine])
    client.force_login(manager)
    for response in (client.get(url(theirs, name)), client.post(url(theirs, name))):
        assert response.status_code == 404
        assert b"Hemlig" not in response.content
    assert client.get(url(mine)).status_code == 200
    assert client.get(reverse(name, args=["SE2321000255-FINNSEJ"])).status_code == 404


def test_the_page_changes_nothing_a_post_is_refused(client):
    unit = f.CareUnitFactory()
    client.force_login(user_in(Roles.KONCERNSTAB))
    assert client.post(url(unit)).status_code == 405


def test_only_those_who_may_change_the_unit_see_the_self_service_links(client):
    unit = f.CareUnitFactory()
    stored(unit)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [unit])
    client.force_login(manager)
    html = html_of(client.get(url(unit)))
    for part in ("utbud", "bokning", "roller"):
        assert f'href="/enheter/{unit.hsa_id}/{part}/"' in html
    assert f'href="/avsteg/ny/?enhet={unit.hsa_id}">Föreslå avsteg</a>' in html
    # (The form's page first gives itself a one-time token in its address: docs/exemptions.md.)
    proposal = client.get(f"/avsteg/ny/?enhet={unit.hsa_id}", follow=True).content.decode()
    assert re.search(rf'<option value="{unit.pk}" selected>', proposal)  # the unit comes chosen
    client.force_login(user_in(Roles.LEDNING))  # sees everything, changes nothing
    html = html_of(client.get(url(unit)))
    assert f"/enheter/{unit.hsa_id}/utbud/" not in html and "Ändra utbud" not in html
    assert "Föreslå avsteg" not in html


SCORECARD_FORM = re.compile(r'<form method="post" action="([^"]*)">(.*?)</form>', re.S)


def scorecard_form(html: str) -> tuple[str, str]:
    """The action and body of the form whose button is "Enhetskort som PDF"."""
    found = [(a, body) for a, body in SCORECARD_FORM.findall(html) if "Enhetskort som PDF" in body]
    assert len(found) == 1, found
    return html_module.unescape(found[0][0]), found[0][1]


@pytest.mark.parametrize("role", [Roles.VERKSAMHETSCHEF, Roles.LEDNING, Roles.KONCERNSTAB])
def test_everyone_who_sees_the_page_may_ask_for_the_units_scorecard_for_the_pages_date(client, role):
    """Asking writes only the report's own row, so Ledning (read-only) may ask too; the form posts with
    CSRF to the scorecard view with the page's date, and the report is for this unit and that date."""
    unit = f.CareUnitFactory()
    stored(unit)
    user = user_in(role)
    if role == Roles.VERKSAMHETSCHEF:
        grant_units(user, [unit])
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(user)
    html = html_of(checked.get(url(unit) + "?per=2026-11-15"))
    action, body = scorecard_form(html)
    assert action == reverse("portal:report_unit_scorecard", args=[unit.hsa_id]) + "?per=2026-11-15"
    assert (
        '<button class="ds-button" data-variant="secondary" type="submit">Enhetskort som PDF</button>' in body
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert checked.post(action).status_code == 403  # no token, no report
    assert not Report.objects.exists()
    response = checked.post(action, {"csrfmiddlewaretoken": token})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:report_detail", args=[report.pk]
    )
    assert (report.kind, report.unit, report.as_of, report.requested_by) == (
        "enhetskort",
        unit,
        DAY,
        user,
    )


def test_the_scorecard_of_todays_page_is_for_today(client):
    unit = f.CareUnitFactory()
    stored(unit)
    client.force_login(user_in(Roles.KONCERNSTAB))
    action, _body = scorecard_form(html_of(client.get(url(unit))))
    assert action == reverse("portal:report_unit_scorecard", args=[unit.hsa_id])
    client.post(action)
    assert Report.objects.get().as_of == datetime.date(2026, 11, 22)


# ------------------------------------------------------------------------------------------- contents


def test_it_shows_every_requirement_by_section_with_status_value_and_reason(client):
    unit = f.CareUnitFactory(name="Vårdcentralen Exempel")
    result = stored(unit, level=2, with_exemptions=True)
    RequirementResult.objects.create(
        unit_result=result,
        requirement=f.requirement("TB1-VISA"),
        status="met",
        value=1.0,
        reason="400 av 400 bokade tider (100 %) syns på 1177.se — alla ska synas",
    )
    RequirementResult.objects.create(
        unit_result=result,
        requirement=f.requirement("TB3-OPPEN-KALLELSE"),
        status="exempt",
        value=0.0,
        reason="0 tider via öppen kallelse — minst en ska finnas",
        exemption_code="AV-2026-007",
    )
    RequirementResult.objects.create(
        unit_result=result,
        requirement=f.requirement("SV1-SVARSTID"),
        status="not_met",
        value=28 / 30,
        reason="28 av 30 bedömda ärenden (93,3 %) besvarades i tid i oktober 2026 — minst 95 % krävs",
    )
    RequirementResult.objects.create(
        unit_result=result,
        requirement=f.requirement("TB2-FRAMFORHALLNING"),
        status="met",
        value=8.5,
        reason="Tider finns 8,5 veckor fram — minst 8 veckor krävs",
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    assert "nivå 2 med avsteg" in html
    # The sections are the decision's groups, by their names in the rulebook, in its order.
    names = [g["name"] for g in f.decision().groups]
    assert names[0] == "Tidbokning genom 1177.se" and len(names) == 4
    positions = [html.index(f"<caption>{t}</caption>") for t in names]
    assert positions == sorted(positions)
    assert (
        len(re.findall(r'<tr id="krav-[A-Z0-9-]+">\n        <th scope="row"><span class="ds-sr-only">', html))
        == 16
    )
    assert "400 av 400 bokade tider (100 %) syns på 1177.se" in html
    assert "Avsteg AV-2026-007" in html and ">Avsteg</span>" in html  # the badge's word
    assert "93,3 %</td>" in html and "8,5 veckor</td>" in html
    assert "minst 95 % krävs" in html  # the threshold, from the requirement's parameters
    requirements = html[html.index('id="krav">') :]
    assert requirements.count("Inget sparat resultat") == 12  # the requirements without a stored row


def tb_results(result, statuses: dict[str, str], **exemptions) -> None:
    """Stored TB results: every TB requirement met unless `statuses` says otherwise, each with a reason."""
    codes = f.decision().requirements.filter(group="TB").values_list("code", flat=True)
    RequirementResult.objects.bulk_create(
        RequirementResult(
            unit_result=result,
            requirement=f.requirement(code),
            status=statuses.get(code, "met"),
            reason=f"Skälet för {code}",
            exemption_code=exemptions.get(code.replace("-", "_"), ""),
        )
        for code in codes
    )


def next_level_of(html: str) -> str:
    """The summary's 'Till nästa nivå' part, as text."""
    start = html.index('id="nasta-niva"')
    part = html[start : html.index("</section>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_the_unit_page_names_the_requirements_between_the_unit_and_the_next_level(client):
    unit = f.CareUnitFactory()
    result = stored(unit, level=2)
    tb_results(result, {"TB3-OPPEN-KALLELSE": "not_met", "TB3-INVANARBOKNING": "no_data"})
    client.force_login(user_in(Roles.KONCERNSTAB))
    text = next_level_of(html_of(client.get(url(unit))))
    assert "För nivå 3 saknas:" in text
    assert "TB3-OPPEN-KALLELSE" in text and "Ej uppfyllt Skälet för TB3-OPPEN-KALLELSE" in text
    assert "TB3-INVANARBOKNING" in text and "Uppgift saknas Skälet för TB3-INVANARBOKNING" in text
    # Only what stands in the way: the level's other requirements are met, the lower levels reached.
    for code in ("TB3-OPPEN-KALLELSE-ANDEL", "TB3-INVANARBOKNING-ANDEL", "TB2-OMBOKA", "TB1-VISA"):
        assert code not in text
    # Each links to its row in the requirements table.
    html = html_of(client.get(url(unit)))
    assert 'href="#krav-TB3-OPPEN-KALLELSE"' in html and 'id="krav-TB3-OPPEN-KALLELSE"' in html


def test_level_zero_names_what_level_one_lacks_and_no_level_names_the_missing_data(client):
    unit = f.CareUnitFactory()
    tb_results(stored(unit, level=0), {"TB1-AVBOKA": "not_met"})
    other = f.CareUnitFactory()
    tb_results(stored(other, level=None), {"TB1-VISA": "no_data", "TB2-OMBOKA": "not_met"})
    client.force_login(user_in(Roles.KONCERNSTAB))
    text = next_level_of(html_of(client.get(url(unit))))
    assert "För nivå 1 saknas:" in text and "TB1-AVBOKA" in text and "TB1-VISA" not in text
    text = next_level_of(html_of(client.get(url(other))))
    assert "För nivå 1 saknas:" in text and "TB1-VISA" in text and "Uppgift saknas" in text
    assert "TB2-OMBOKA" not in text  # level 2 is not the next step


def test_the_top_level_says_it_is_reached_and_an_exemption_says_so(client):
    unit = f.CareUnitFactory()
    tb_results(stored(unit, level=3), {})
    exempted = f.CareUnitFactory()
    tb_results(
        stored(exempted, level=3, with_exemptions=True),
        {"TB2-OMBOKA": "exempt"},
        TB2_OMBOKA="AV-2026-0042",
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    text = next_level_of(html_of(client.get(url(unit))))
    assert "Enheten har nått den högsta nivån, nivå 3." in text and "saknas" not in text
    text = next_level_of(html_of(client.get(url(exempted))))
    assert "Enheten har nått den högsta nivån, nivå 3." in text
    assert "Nivån nås med avsteg för: TB2-OMBOKA" in text and "AV-2026-0042" in text


def test_a_unit_the_booking_levels_do_not_apply_to_says_so(client):
    unit = f.CareUnitFactory(booking_system="ingen")
    tb_results(
        stored(unit, level=None),
        dict.fromkeys(
            (
                "TB1-VISA",
                "TB1-AVBOKA",
                "TB2-OMBOKA",
                "TB2-OMBOKA-ANDEL",
                "TB2-FRAMFORHALLNING",
                "TB3-OPPEN-KALLELSE",
                "TB3-OPPEN-KALLELSE-ANDEL",
                "TB3-INVANARBOKNING",
                "TB3-INVANARBOKNING-ANDEL",
            ),
            "not_applicable",
        ),
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    text = next_level_of(html_of(client.get(url(unit))))
    assert "Nivåerna i tidbokning gäller inte enheten" in text and "saknas" not in text


def test_an_exemption_the_reason_names_is_not_named_again(client):
    """The engine's reason already says which exemption applies, or that it is no longer needed."""
    unit = f.CareUnitFactory()
    result = stored(unit, level=2)
    RequirementResult.objects.create(
        unit_result=result,
        requirement=f.requirement("TB1-AVBOKA"),
        status="met",
        value=1.0,
        reason="Avbokning finns för 12 av 12 tjänster. Avsteg AV-2026-010 behövs inte längre",
        exemption_code="AV-2026-010",
        exemption_unneeded=True,
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    assert html.count("AV-2026-010") == 1 and "behövs inte längre" in html


def test_the_level_per_period_comes_from_the_periods_end_or_its_latest_stored_date(client, periods):
    unit = f.CareUnitFactory()
    stored(unit, day=datetime.date(2026, 8, 30), level=0, period="2026-T2")
    stored(unit, day=datetime.date(2026, 8, 31), level=1, with_exemptions=True, period="2026-T2")
    stored(unit, day=datetime.date(2026, 9, 10), level=3, period="2026-T3")
    stored(unit, level=2, period="2026-T3")
    stored(unit, day=datetime.date(2026, 11, 20), level=0, period="2026-T3")  # after the page's date
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit), {"per": DAY.isoformat()}))
    section = html[html.index('id="nivahistorik"') :]
    section = section[: section.index("</section>")]
    assert "2026-T3 (aktuell)" in section
    t3 = section[section.index("2026-T3") : section.index("2026-T2")]
    t2 = section[section.index("2026-T2") :]
    assert "nivå 2" in t3 and "2026-11-15" in t3
    assert "nivå 1 med avsteg" in t2 and "2026-08-31" in t2


def test_response_time_per_month_reads_the_latest_result_judging_each_month(client):
    unit = f.CareUnitFactory()
    september = {
        "month": "2026-09",
        "assessed": 10,
        "in_time": 9,
        "late_notified": 1,
        "late": 0,
        "overdue": 0,
        "pending": 0,
        "share_in_time": 0.9,
        "share_within_2h": 0.5,
    }
    stored(
        unit,
        day=datetime.date(2026, 10, 1),
        month="2026-09",
        rt={**september, "assessed": 9, "share_in_time": 1.0},
    )
    stored(unit, day=datetime.date(2026, 10, 31), month="2026-09", rt=september)  # later: counts grew
    stored(
        unit,
        month="2026-10",
        rt={
            "month": "2026-10",
            "assessed": 30,
            "in_time": 28,
            "late_notified": 0,
            "late": 1,
            "overdue": 1,
            "pending": 2,
            "share_in_time": 0.9333,
            "share_within_2h": None,
        },
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    section = html[html.index('id="svarstid"') :]
    section = section[: section.index("</section>")]
    assert section.index("oktober 2026") < section.index("september 2026")  # newest first
    assert "93,3 %" in section and "90 %" in section and "100 %</td>" not in section
    assert 'role="img"' in section and "<figcaption" in section and "<table" in section
    assert f"/enheter/{unit.hsa_id}/arenden.csv?manad=2026-09" in section


def test_the_evaluation_months_late_and_overdue_cases_are_listed_by_the_engines_outcome(client):
    unit = f.CareUnitFactory()
    stored(unit)
    oct7 = datetime.datetime(2026, 10, 7, 8, 0, tzinfo=UTC)  # Wednesday 10:00 local: deadline Fri 24:00
    case(unit, "C-IN-TIME", received=oct7, response=oct7 + datetime.timedelta(hours=1))
    case(unit, "C-LATE", received=oct7, response=oct7 + datetime.timedelta(days=6))
    case(
        unit,
        "C-NOTIFIED",
        received=oct7,
        response=oct7 + datetime.timedelta(days=6),
        notice=oct7 + datetime.timedelta(days=1),
    )
    case(unit, "C-OVERDUE", received=oct7)
    case(
        unit, "C-ANSWERED-AFTER-THE-DATE", received=oct7, response=datetime.datetime(2026, 11, 20, tzinfo=UTC)
    )
    case(unit, "C-SEPTEMBER", received=datetime.datetime(2026, 9, 7, 8, 0, tzinfo=UTC))
    case(f.CareUnitFactory(), "C-OTHER-UNIT", received=oct7)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    section = html[html.index('id="sena-arenden"') :]
    section = section[: section.index("</section>")]
    assert "i oktober 2026" in section
    listed = ["C-ANSWERED-AFTER-THE-DATE", "C-LATE", "C-NOTIFIED", "C-OVERDUE"]
    assert [c for c in listed if f">{c}<" in section] == listed
    for absent in ("C-IN-TIME", "C-SEPTEMBER", "C-OTHER-UNIT"):
        assert absent not in section
    assert "2026-10-07 10:00" in section  # local time
    assert "Sent, besked i tid" in section and "Obesvarat efter fristen" in section

    response = client.get(url(unit, "portal:unit_cases_csv"), {"per": DAY.isoformat()})
    assert response["Content-Disposition"] == f'attachment; filename="arenden-{unit.hsa_id}-2026-10.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["ärende-id", "inkommet", "svarsfrist", "första svar", "besked om försening", "utfall"]
    assert [r[0] for r in rows[1:]] == listed
    overdue = rows[4]
    assert (
        overdue[1] == "2026-10-07T10:00:00+02:00"
        and overdue[3] == ""
        and overdue[5] == "Obesvarat efter fristen"
    )
    # The response stamped after the page's date had not happened then: overdue on 11-15, not on 11-22.
    assert rows[1][5] == "Obesvarat efter fristen"
    later = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(url(unit, "portal:unit_cases_csv"), {"manad": "2026-09"}).streaming_content
                ).decode("utf-8-sig"),
                newline="",
            ),
            delimiter=";",
        )
    )
    assert [r[0] for r in later[1:]] == ["C-SEPTEMBER"]
    assert client.get(url(unit, "portal:unit_cases_csv"), {"manad": "oktober"}).status_code == 404


def test_offerings_roles_exemptions_and_targets_of_the_unit(client, periods):
    unit = f.CareUnitFactory()
    stored(unit, period="2026-T3")
    f.OfferingFactory(unit=unit, code="FORNYA-RECEPT", is_open=False)
    f.OfferingFactory(unit=unit, kind="mall", code="Egen mall", variant="lokal")
    f.AdminRoleFactory(unit=unit, person_id="SE2321000255-P777", role="lokal_administrator")
    f.ExemptionFactory(
        unit=unit,
        exemption_id="AV-AKTIVT",
        valid_from=datetime.date(2026, 11, 1),
        valid_until=datetime.date(2026, 12, 31),
    )
    f.ExemptionFactory(
        unit=unit,
        exemption_id="AV-SLUT",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 3, 31),
        status="expired",
    )
    f.ExemptionFactory(exemption_id="AV-ANNAN-ENHET")
    f.TargetFactory(vardomrade=unit.vardomrade, period=periods[1], target_share="0.25")
    f.TargetFactory(vardomrade=unit.vardomrade, period=periods[0], target_share="0.15")
    f.TargetFactory(period=periods[1], target_share="0.35")  # another vårdområde
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    offerings = html[html.index('id="utbud"') : html.index('id="roller"')]
    assert "FORNYA-RECEPT" in offerings and "Förnya recept" in offerings and "Nej</td>" in offerings
    assert "Egen mall" in offerings and "Lokal" in offerings
    assert "SE2321000255-P777" in html and "Lokal administratör" in html
    exemptions = html[html.index('id="avsteg"') : html.index('id="mal"')]
    assert "AV-AKTIVT" in exemptions and "AV-SLUT" in exemptions and "AV-ANNAN-ENHET" not in html
    active = exemptions[exemptions.index("AV-AKTIVT") :]
    assert active[: active.index("</tr>")].rstrip().endswith("<td>Ja</td>")
    targets = html[html.index('id="mal"') :]
    assert "25 %" in targets and "15 %" not in targets and "35 %" not in targets


def test_the_roles_section_names_each_person_where_the_portal_knows_the_name(client):
    unit = f.CareUnitFactory()
    f.AdminRoleFactory(unit=unit, person_id="SE2321000255-P1234", role="behorighetsadministrator")
    f.AdminRoleFactory(unit=unit, person_id="SE2321000255-P5678", role="behorighetsadministrator")
    Person.objects.create(person_id="SE2321000255-P1234", name="Anna Svensson")
    stored(unit)  # a page of results: before any, the page shows no sections of them
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    roles = html[html.index('id="roller"') : html.index('id="avsteg"')]
    holders = [cell.strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', roles, re.S)]
    assert holders == ["Anna Svensson (SE2321000255-P1234)", "SE2321000255-P5678"]


def test_a_unit_without_stored_results_says_so(client):
    unit = f.CareUnitFactory()
    stored(f.CareUnitFactory())  # the date has results, only not for this unit (none at all: test_as_of.py)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(url(unit)))
    assert "Det finns inget sparat resultat för enheten per detta datum" in html


def test_the_page_takes_a_fixed_number_of_queries(client, django_assert_num_queries, periods):
    unit = f.CareUnitFactory()
    result = stored(unit, level=1)
    for code in ("TB1-VISA", "AH0-DIGITAL-KONTAKT"):
        RequirementResult.objects.create(
            unit_result=result, requirement=f.requirement(code), status="met", reason="x"
        )
    for n in range(5):
        f.OfferingFactory(unit=unit, kind="tjanst", code=f"LOKAL-{n}", variant="lokal")
        Person.objects.create(person_id=f.AdminRoleFactory(unit=unit).person_id, name=f"Person {n}")
        case(unit, f"C{n}", received=datetime.datetime(2026, 10, 7, 8, 0, tzinfo=UTC))
    f.ExemptionFactory(unit=unit)
    f.TargetFactory(vardomrade=unit.vardomrade, period=periods[1])
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [unit])
    client.force_login(manager)
    # 1 session, 2 user, 3 roles, 4 the unit (visible to the user), 5 the stored date, 6 the result with its
    # decision, 7 the decision's requirements, 8 their stored results, 9 the unit's stored history,
    # 10 schedule periods, 11 the month's cases (one streamed read), 12 targets, 13 offerings with their
    # catalogue entries, 14 role holders with their names, 15 exemptions with requirements, 16 may the user change it.
    with django_assert_num_queries(16):
        html = html_of(client.get(url(unit)))
    assert html.count("Obesvarat efter fristen") == 5
