"""The region dashboard (/): units per level, the heatmap and its drill-down, response time per month with
the 2-hour stretch, local administrators over time, exemptions ending soon, data freshness, trends per
schedule period; every figure linking to its units; rights; the as-of date; a fixed number of queries.

Results are written by the engine itself (`compliance.services.recompute`) for a few dates, from facts
made with the factories, so the page is tested against what the portal really stores."""

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import resolve_url
from django.urls import reverse

from compliance.calendar import WorkingCalendar
from compliance.models import Case, RequirementResult, UnitResult
from compliance.services import recompute
from servicelevel.models import AuditEntry
from units.models import AdminRole, BookingFigures, CareUnit
from units.permissions import Roles, grant_area, grant_units

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

URL = reverse("portal:dashboard")
NOW = "2026-11-20 12:00 +01:00"
DAY = datetime.date(2026, 11, 15)  # the latest stored date: the page's "today"
STORED = (datetime.date(2026, 9, 30), datetime.date(2026, 10, 31), DAY)
TZ = datetime.timezone(datetime.timedelta(hours=2))  # CEST: the cases below are in September/October


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def section(html: str, heading_id: str) -> str:
    """One <section> of the page, by its heading's id."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def table_row(html: str, header: str) -> str:
    """The <tr> whose row header starts with `header`."""
    start = html.index(f'<th scope="row">{header}')
    return html[start : html.index("</tr>", start)]


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens (new on every response)."""
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


# ---------------------------------------------------------------------------------------------- facts


@pytest.fixture
def periods():
    return (
        f.SchedulePeriodFactory(
            code="2026-T2", start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 8, 31)
        ),
        f.SchedulePeriodFactory(
            code="2026-T3", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 12, 31)
        ),
    )


def figures(unit, period, **kw):
    values = {
        "booked_total": 400,
        "booked_visible": 400,
        "booked_cancellable": 400,
        "booked_reschedulable": 100,
        "slots_total": 500,
        "slots_open_invitation": 0,
        "slots_citizen_bookable": 50,
        "lookahead_weeks": Decimal("9"),
    }
    values.update(kw)
    return BookingFigures(unit=unit, period=period, **values)


def region(n: int, periods, *, cases_for: int = 4) -> list[CareUnit]:
    """`n` units over two förvaltningar and three vårdområden, with booking figures for both periods
    (rising shares), a local administrator at every third unit and a few cases at the first
    `cases_for` units; results stored by the engine on the three STORED dates."""
    area_a = f.VardomradeFactory(
        name="Primärvård Malmö", forvaltning=f.ForvaltningFactory(name="Primärvård Skåne")
    )
    area_b = f.VardomradeFactory(name="Primärvård Nordväst", forvaltning=area_a.forvaltning)
    area_c = f.VardomradeFactory(
        name="Vuxenpsykiatri", forvaltning=f.ForvaltningFactory(name="Psykiatri Skåne")
    )
    areas = (area_a, area_b, area_c)
    units = CareUnit.objects.bulk_create(
        CareUnit(
            hsa_id=f"SE2321000255-D{i:04d}",
            name=f"Mottagning {i:04d}",
            forvaltning=areas[i % 3].forvaltning,
            vardomrade=areas[i % 3],
            unit_kind="VUE",
            unit_type="mottagning",
            booking_system="PASiS",
        )
        for i in range(n)
    )
    earlier, current = periods
    BookingFigures.objects.bulk_create(
        [figures(u, earlier, booked_reschedulable=100) for u in units]
        + [figures(u, current, booked_reschedulable=120 + (i % 2) * 80) for i, u in enumerate(units)]
    )
    AdminRole.objects.bulk_create(
        AdminRole(person_id=f"P{i}", unit=u, role=AdminRole.Role.LOKAL_ADMINISTRATOR)
        for i, u in enumerate(units)
        if i % 3 == 0
    )
    add_cases(units[:cases_for])
    for day in STORED:
        recompute(as_of=day)
    return units


def add_cases(units):
    """Per unit, in September and in October: one answered within an hour, one answered the next day
    (in time, not within 2 hours), one answered a week late."""
    calendar = WorkingCalendar()
    rows = []
    for u in units:
        for month in (9, 10):
            received = datetime.datetime(2026, month, 7, 9, 0, tzinfo=TZ)  # a Monday / a Wednesday
            for k, delay in enumerate(
                (datetime.timedelta(hours=1), datetime.timedelta(days=1), datetime.timedelta(days=7))
            ):
                rows.append(
                    Case(
                        case_id=f"{u.hsa_id}-{month}-{k}",
                        unit=u,
                        received_at=received,
                        first_response_at=received + delay,
                        deadline=calendar.deadline(received, same_day_contact=False),
                    )
                )
    Case.objects.bulk_create(rows)


# --------------------------------------------------------------------------------------------- rights


def test_it_sends_an_anonymous_visitor_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_site_root_is_the_dashboard(client):
    client.force_login(user_in(Roles.LEDNING))
    html = html_of(client.get("/"))
    assert "<h1" in html and "Översikt: Region Skåne" in html


def test_a_unit_manager_sees_only_their_units_figures_and_their_forvaltnings_numbers(client, periods):
    units = region(12, periods)
    mine = units[0]  # in Primärvård Malmö (Primärvård Skåne)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [mine])
    client.force_login(manager)

    html = html_of(client.get(URL))
    assert '<h1 class="ds-heading" data-size="lg">Översikt: dina enheter</h1>' in html
    assert "1 enhet</a> som du har behörighet till" in html
    assert f'href="/?forvaltning={mine.forvaltning_id}">Primärvård Skåne</a>' in html  # its heatmap row
    assert "Psykiatri Skåne" not in html  # a förvaltning without any of their units is not even named
    drilled = html_of(client.get(URL, {"vardomrade": mine.vardomrade_id}))
    assert f"{mine.name} ({mine.hsa_id})" in drilled
    for page in (html, drilled):
        for other in units[1:]:
            assert other.hsa_id not in page and other.name not in page
    # Their förvaltning as plain numbers (8 units), no names and no links.
    comparison = section(html, "rubrik-jamforelse")
    assert '<th scope="row">Primärvård Skåne</th><td class="num">8</td>' in comparison
    assert "href" not in comparison


def test_a_user_without_units_sees_an_empty_dashboard(client, periods):
    region(3, periods)
    client.force_login(f.UserFactory())  # logged in, but no role and no grant
    html = html_of(client.get(URL))
    assert "0 enheter</a> som du har behörighet till" in html
    for unit in CareUnit.objects.all():
        assert unit.hsa_id not in html
    assert "Primärvård Skåne" not in html and "Psykiatri Skåne" not in html


@pytest.mark.parametrize("param", ["forvaltning", "vardomrade"])
def test_a_scope_the_user_may_not_see_is_not_found(client, periods, param):
    units = region(6, periods)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [units[0]])
    client.force_login(manager)
    other = units[2]  # Vuxenpsykiatri, Psykiatri Skåne
    target = other.forvaltning_id if param == "forvaltning" else other.vardomrade_id
    assert client.get(URL, {param: target}).status_code == 404
    assert client.get(URL, {param: "x1"}).status_code == 404
    assert (
        client.get(
            URL, {param: units[0].forvaltning_id if param == "forvaltning" else units[0].vardomrade_id}
        ).status_code
        == 200
    )


# ------------------------------------------------------------------------------------------- contents


def test_it_counts_units_per_level_with_and_without_exemptions(client, periods):
    units = region(6, periods)
    # As if one unit had no level, and another reached nivå 3 thanks to an exemption.
    UnitResult.objects.filter(as_of=DAY, unit=units[5]).update(booking_level=None)
    UnitResult.objects.filter(as_of=DAY, unit=units[4]).update(
        booking_level=3, booking_level_with_exemptions=True
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-nivaer")
    levels = {lv: UnitResult.objects.filter(as_of=DAY, booking_level=lv).count() for lv in (0, 1, 2)}
    assert 'role="img"' in html and '<title id="nivaer-title">Enheter per bokningsnivå</title>' in html
    row = table_row(html, "Nivå 3")
    assert 'href="/enheter/?niva=3&amp;med_avsteg=ja"' in row and ">1</a>" in row
    row = table_row(html, "Ingen nivå")
    assert 'href="/enheter/?niva=ingen"' in row
    assert sum(levels.values()) == 4
    for lv, count in levels.items():
        row = table_row(html, f"Nivå {lv}")
        if count:  # the total links to the level's units
            assert (
                f'<a class="ds-link" href="/enheter/?niva={lv}" aria-label="{count} – Nivå {lv}, totalt">{count}</a>'
                in row
            )
        else:
            assert "href" not in row
    # The bar ends in words: never colour alone.
    assert "1 enhet, varav 1 med avsteg" in html


def test_the_heatmap_drills_down_from_forvaltning_to_vardomrade_to_unit(client, periods):
    units = region(6, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-krav")
    primar = units[0].forvaltning
    assert f'href="/?forvaltning={primar.id}"' in html and "Psykiatri Skåne" in html
    assert "Primärvård Malmö" not in html  # vårdområden are one level down

    html = html_of(client.get(URL, {"forvaltning": primar.id}))
    assert "Översikt: Primärvård Skåne" in html
    assert '<a class="ds-link" href="/">Region Skåne</a>' in html
    heat = section(html, "rubrik-krav")
    area = units[0].vardomrade
    assert f'href="/?vardomrade={area.id}"' in heat and "Primärvård Nordväst" in heat
    assert "Psykiatri Skåne" not in heat

    html = html_of(client.get(URL, {"vardomrade": area.id}))
    assert "Översikt: Primärvård Malmö" in html
    heat = section(html, "rubrik-krav")
    # Unit rows link to the unit's page; units of the other vårdområde are not rows here.
    assert f'href="/enheter/{units[0].hsa_id}/"' in heat and f"{units[3].name} ({units[3].hsa_id})" in heat
    assert units[1].hsa_id not in heat


def test_a_heatmap_cell_shows_the_share_met_and_links_to_those_units(client, periods):
    units = region(6, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-krav")
    primar = units[0].forvaltning
    # AR1 at Primärvård Skåne (units 0, 1, 3, 4): units 0 and 3 have a local administrator who holds the
    # role at that unit only → not met; 1 and 4 have none → met.
    link = f"/enheter/?forvaltning={primar.id}&amp;krav=AR1-LOKAL-ADMIN&amp;status=met"
    assert f'<a class="ds-link" href="{link}">50 % (2 av 4)</a>' in html
    assert ">50 %</text>" in html  # the SVG cell prints its percentage too
    # The status table: per requirement, each count linked to the units with that status.
    row = table_row(html, "AR1-LOKAL-ADMIN")
    assert '<a class="ds-link" href="/enheter/?krav=AR1-LOKAL-ADMIN&amp;status=not_met">2</a>' in row


def heat_table_cells(html: str, row_label: str) -> list[str]:
    """The heatmap's data table ("Visa som tabell"): the cells of the row for `row_label`, as text."""
    table = html[html.index("<summary>Visa som tabell</summary>") :]
    start = table.index(row_label)
    row = table[start : table.index("</tr>", start)]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_the_heatmap_shows_an_exemption_and_missing_data_as_such_not_as_a_red_zero(client, periods):
    units = region(6, periods)  # units 4 and 5 have no cases: SV1 has no data
    RequirementResult.objects.filter(
        unit_result__as_of=DAY, unit_result__unit=units[1], requirement__code="TB3-OPPEN-KALLELSE"
    ).update(status="exempt", exemption_code="AV-2026-0001")
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL, {"vardomrade": units[1].vardomrade_id})), "rubrik-krav")
    codes = [code for code in re.findall(r'transform="rotate\(-55 [^"]+\)" font-size="11">([^<]+)<', html)]
    tb3, sv1 = codes.index("TB3-OPPEN-KALLELSE"), codes.index("SV1-SVARSTID")
    exempt_unit = heat_table_cells(html, f"{units[1].name} ({units[1].hsa_id})")
    assert exempt_unit[1 + tb3] == "Avsteg"  # after the "Enheter" column
    assert exempt_unit[1 + sv1] == "0 % (0 av 1)"  # a week-late answer: not met
    no_cases = heat_table_cells(html, f"{units[4].name} ({units[4].hsa_id})")
    assert no_cases[1 + sv1] == "Uppgift saknas"
    assert no_cases[1 + tb3] == "0 % (0 av 1)"  # not met, without an exemption: a real zero
    svg = html[
        html.index('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="krav-per-del') :
    ]
    svg = svg[: svg.index("</svg>")]
    assert svg.count('fill="#312256">Avsteg</text>') == 1
    assert svg.count(">Uppgift</tspan>") == 1 and 'fill="url(#krav-per-del-saknas)"' in svg
    # The status table beside it: the share for SV1 over both units, the counts per status.
    assert "Uppgift saknas" in html[html.index('id="rubrik-kravstatus"') :]

    # One level up the förvaltning's row mixes them: the share over every unit, with what is behind it.
    html = section(html_of(client.get(URL, {"forvaltning": units[1].forvaltning_id})), "rubrik-krav")
    area = heat_table_cells(html, units[1].vardomrade.name)
    assert area[1 + tb3] == "0 % (0 av 2; 1 avsteg)"
    assert area[1 + sv1] == "0 % (0 av 2; 1 uppgift saknas)"


def test_response_time_is_summed_per_month_with_the_two_hour_stretch(client, periods):
    region(6, periods, cases_for=4)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-svarstid")
    # September, read on 2026-10-30 or earlier: only 2026-09-30 judged it; October, on 2026-11-15.
    # Per unit 2 of 3 in time, 1 of 3 answered within 2 hours; four units.
    september = table_row(html, "sep 2026")
    assert "66,7 % (8 av 12)" in september and "33,3 % (4 av 12)" in september
    assert "/enheter/?per=2026-09-30" in september.replace("&amp;", "&")
    october = table_row(html, "okt 2026")
    assert "66,7 % (8 av 12)" in october and "per=2026-11-15" in october
    assert "inget sparat resultat" in table_row(html, "aug 2026")
    assert "Krav: minst 95 %" in html  # SV1's threshold as the reference line, named in the legend


def test_local_administrators_are_summed_per_month_end(client, periods):
    units = region(6, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-admin")
    # Units 0 and 3 have one local administrator each, each at that unit only (AR1 not met there).
    for month, day in (("sep 2026", "2026-09-30"), ("okt 2026", "2026-10-31"), ("nov 2026", "2026-11-15")):
        row = table_row(html, month)
        assert ">2</a>" in row and day in row
    nov = table_row(html, "nov 2026").replace("&amp;", "&")
    assert "/enheter/?krav=AR1-LOKAL-ADMIN&status=not_met&per=2026-11-15" in nov
    assert "inget sparat resultat" in table_row(html, "aug 2026")
    assert len(units) == 6


def test_exemptions_ending_within_30_days_are_listed_with_their_units(client, periods):
    units = region(3, periods)
    ending = f.ExemptionFactory(
        unit=units[0], valid_from=datetime.date(2026, 6, 1), valid_until=datetime.date(2026, 11, 25)
    )
    f.ExemptionFactory(unit=units[1], valid_until=datetime.date(2026, 12, 31))  # beyond 30 days
    f.ExemptionFactory(unit=units[1], valid_until=datetime.date(2026, 11, 20), status="submitted")
    f.ExemptionFactory(
        unit=units[2],
        valid_until=datetime.date(2026, 11, 30),
        status="revoked",
        ended_on=datetime.date(2026, 11, 1),
    )  # ended before the shown date
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-avsteg")
    assert ending.exemption_id in html and f'href="/enheter/{units[0].hsa_id}/"' in html
    assert "25 november 2026" in html and "om 10 dagar" in html
    assert html.count("<tr>") == 2  # the head and one exemption
    # On an earlier date the revoked one was still active (it ended on 1 November), due to end within 30 days.
    html = section(html_of(client.get(URL, {"per": "2026-10-31"})), "rubrik-avsteg")
    assert html.count("<tr>") == 3 and "30 november 2026" in html and "om 30 dagar" in html
    html = section(html_of(client.get(URL, {"per": "2026-09-30"})), "rubrik-avsteg")
    assert "Inga godkända avsteg upphör" in html


@pytest.mark.parametrize("active", [30, 105])
def test_the_ending_list_drops_inactive_exemptions_before_it_is_cut(active):
    """Past a hundred candidates the list is still the active ones, soonest first, and "more" says whether
    more than a hundred are active: 120 revoked before the shown date end soonest, and must not fill the
    list."""
    from exemptions.models import Exemption
    from portal.dashboard.selectors import EXEMPTIONS_LISTED, Visible, exemptions_ending, scope_for

    unit = f.CareUnitFactory()
    requirement = f.requirement("TB3-OPPEN-KALLELSE")
    common = {
        "unit": unit,
        "requirement": requirement,
        "reason": "teknisk",
        "valid_from": datetime.date(2026, 6, 1),
    }
    Exemption.objects.bulk_create(
        [
            Exemption(
                exemption_id=f"AV-R-{n:03d}",
                status="revoked",
                valid_until=datetime.date(2026, 11, 16),
                ended_on=datetime.date(2026, 11, 1),
                **common,
            )
            for n in range(120)
        ]
        + [
            Exemption(
                exemption_id=f"AV-A-{n:03d}",
                status="approved",
                valid_until=datetime.date(2026, 11, 20),
                **common,
            )
            for n in range(active)
        ]
    )
    user = user_in(Roles.KONCERNSTAB)
    listed, more = exemptions_ending(Visible.of(user), scope_for(user), DAY)
    assert [e.exemption_id for e in listed] == [
        f"AV-A-{n:03d}" for n in range(min(active, EXEMPTIONS_LISTED))
    ]
    assert more == (active > EXEMPTIONS_LISTED)


def test_data_freshness_shows_the_latest_import_of_each_kind_up_to_the_date(client, periods):
    region(3, periods)  # results computed at the pinned "now", 20 November 12:00
    with time_machine.travel("2026-10-02 08:30 +02:00", tick=False):
        AuditEntry.objects.create(action="import", object_type="cases", object_id="a.csv")
    with time_machine.travel("2026-11-16 07:00 +01:00", tick=False):
        AuditEntry.objects.create(action="import", object_type="cases", object_id="b.csv")
    with time_machine.travel("2026-11-20 13:00 +01:00", tick=False):
        AuditEntry.objects.create(action="import", object_type="booking", object_id="c.csv")
    AuditEntry.objects.create(action="exemption_approved", object_type="units")
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-aktualitet")
    assert '<th scope="row">Ärenden</th><td>16 november 2026 07:00</td>' in html
    assert (
        '<th scope="row">Bokningsuppgifter per period</th><td>20 november 2026 13:00 – efter att resultaten beräknades</td>'
        in html
    )
    assert '<th scope="row">Enheter</th><td>aldrig</td>' in html  # an audit entry, but no import
    assert "Resultaten per 15 november 2026 beräknades senast 20 november 2026 12:00" in html
    html = section(html_of(client.get(URL, {"per": "2026-10-31"})), "rubrik-aktualitet")
    assert '<th scope="row">Ärenden</th><td>2 oktober 2026 08:30</td>' in html
    assert '<th scope="row">Bokningsuppgifter per period</th><td>aldrig</td>' in html


def test_trends_per_schedule_period_are_sums_of_parts_over_sums_of_wholes(client, periods):
    region(4, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = section(html_of(client.get(URL)), "rubrik-perioder")
    # 2026-T2: 4 × 100 of 4 × 400; 2026-T3: (120 + 200 + 120 + 200) of 1600.
    assert "25 % (400 av 1\u00a0600)" in table_row(html, "2026-T2")
    assert "40 % (640 av 1\u00a0600)" in table_row(html, "2026-T3")
    assert "10 % (200 av 2\u00a0000)" in table_row(html, "2026-T3")  # citizen-bookable slots
    assert "0 % (0 av 2\u00a0000)" in table_row(html, "2026-T3")  # open invitation


def test_every_figure_links_to_the_unit_list_with_its_known_parameters(client, periods):
    units = region(6, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    known = {"forvaltning", "vardomrade", "niva", "med_avsteg", "krav", "status", "per"}
    for params in ({}, {"forvaltning": units[0].forvaltning_id}, {"per": "2026-10-31"}):
        links = [h for h in hrefs(html_of(client.get(URL, params))) if h.startswith("/enheter/?")]
        assert links
        for link in links:
            query = parse_qs(urlparse(link).query)
            assert set(query) <= known, link
            if "per" in params:
                assert query["per"] in (["2026-10-31"], ["2026-09-30"]), link
            if "status" in query:
                assert "krav" in query, link


def test_it_shows_a_past_date_from_the_stored_results(client, periods):
    region(3, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"per": "2026-10-31"}))
    assert "Resultat per <strong>31 oktober 2026</strong>" in html
    assert 'name="per"' in html and 'value="2026-10-31"' in html  # the picker, on the date asked for
    html = html_of(client.get(URL, {"per": "2026-10-15"}))
    assert "sidan visar 2026-09-30" in html and "Resultat per <strong>30 september 2026</strong>" in html
    html = html_of(client.get(URL, {"per": "2025-01-01"}))
    assert "Det finns inga beräknade resultat för 2025-01-01. Tidigaste dag med resultat är" in html
    assert 'href="?per=2026-09-30">2026-09-30</a>' in html  # the earliest stored date, linked
    assert "rubrik-aktualitet" not in html  # no section of dashes ("till och med –.") under it


def test_the_charts_are_pictures_with_their_tables_and_nothing_external(client, periods):
    region(3, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL))
    figures = re.findall(r"<figure.*?</figure>", html, re.S)
    assert len(figures) == 5  # levels, heatmap, response time, local administrators, periods
    for figure in figures:
        svg = figure[figure.index("<svg") : figure.index("</svg>")]
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert 'role="img"' in svg and all(f'id="{i}"' in svg for i in labelled)
        assert (
            "<a " not in svg
            and "<script" not in svg
            and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        )
        assert "<table" in figure[figure.index("</svg>") :]


def test_figures_are_read_afresh_once_results_are_stored_again(client, periods):
    units = region(6, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    no_level = table_row(section(html_of(client.get(URL)), "rubrik-nivaer"), "Ingen nivå")
    assert "href" not in no_level  # every unit has a level
    CareUnit.objects.filter(pk=units[5].pk).update(has_contact_card=False)  # no requirement applies now
    recompute(as_of=DAY)
    no_level = table_row(section(html_of(client.get(URL)), "rubrik-nivaer"), "Ingen nivå")
    assert (
        '<a class="ds-link" href="/enheter/?niva=ingen" aria-label="1 – Ingen nivå, totalt">1</a>' in no_level
    )


# ---------------------------------------------------------------------------------------- query count


@pytest.mark.parametrize("n", [20, 200])
def test_the_region_dashboard_takes_the_same_queries_for_20_and_200_units(
    client, django_assert_num_queries, periods, n, settings
):
    # The figures' own cache is measured here, beneath the page cache (tests/portal/test_page_cache.py).
    settings.PAGE_CACHE_SECONDS = 0
    region(n, periods)
    client.force_login(user_in(Roles.KONCERNSTAB))
    # 1 session, 2 user, 3 the stored date (?per=), 4 the user's roles, 5 the decision in force then,
    # 6 its requirements, 7 the newest stored result's id (the cache's version), 8 the trend dates (one
    # query of 24 scalar subqueries), 9 units per level, 10 statuses per förvaltning × requirement,
    # 11 response time per month, 12 local administrators per month, 13 exemptions ending, 14 latest
    # import per kind, 15 the schedule periods, 16 booking sums per period.
    with django_assert_num_queries(16):
        html = html_of(client.get(URL))
    assert f"{n} enheter</a>" in html
    # Again: 8–12 come from the cache, the results unchanged since.
    with django_assert_num_queries(11):
        again = html_of(client.get(URL))
    assert without_tokens(again) == without_tokens(html)


@pytest.mark.parametrize("n", [20, 200])
def test_a_unit_managers_drill_down_takes_the_same_queries_for_20_and_200_units(
    client, django_assert_num_queries, periods, n
):
    units = region(n, periods)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_area(manager, units[0].vardomrade)
    client.force_login(manager)
    # As for the region, but never cached for them (no version query); plus the chosen förvaltning
    # checked against the visible ones (after 3), the ids of their visible units (read once, before the
    # decision; every query filters on that list), and the förvaltning's levels as plain numbers (last).
    with django_assert_num_queries(18):
        html = html_of(client.get(URL, {"forvaltning": units[0].forvaltning_id}))
    assert "Primärvård Malmö" in html and "Primärvård Nordväst" not in html
