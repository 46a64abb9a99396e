"""Equivalent units side by side (/jamforelse/): the matrix, its gaps, the rights and the CSV export."""

import csv
import datetime
import io
import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from compliance.models import RequirementResult, UnitResult
from compliance.services import today
from portal.comparison.selectors import PEER_MINIMUM
from servicelevel.models import CatalogueService, CatalogueTemplate
from units.models import CareUnit, Offering
from units.permissions import Roles, grant_area, grant_units

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = pytest.mark.django_db

URL = reverse("portal:comparison")
CSV_URL = reverse("portal:comparison_export_csv")
BASE = ("FORNYA-RECEPT", "AV-OMBOKA", "BESTALL-TID", "RADGIVNING")  # the mottagning basutbud (migration)


def make_units(area, n, *, prefix="Mottagning", start=0, unit_type="mottagning", system="PASiS", **kw):
    """n units in one area, in bulk (the query-count test needs 200)."""
    return CareUnit.objects.bulk_create(
        [
            CareUnit(
                hsa_id=f"SE2321000255-{prefix[:3].upper()}{start + i:04d}",
                name=f"{prefix} {start + i:03d}",
                forvaltning=area.forvaltning,
                vardomrade=area,
                unit_kind="VUE",
                unit_type=unit_type,
                booking_system=system,
                **kw,
            )
            for i in range(n)
        ]
    )


def offer(units, code, *, is_open=True):
    service = f.service(code)
    Offering.objects.bulk_create(
        [
            Offering(
                unit=u,
                kind="tjanst",
                code=code,
                variant="regional",
                is_open=is_open,
                catalogue_service=service,
            )
            for u in units
        ]
    )


def store_results(units, *, as_of=None, level=2, sv1="met", in_time=19, assessed=20, ah3="met"):
    """Stored results as the nightly run would leave them (level, SV1 counts and statuses)."""
    as_of = as_of or today()
    rows = UnitResult.objects.bulk_create(
        [
            UnitResult(
                as_of=as_of,
                unit=u,
                decision=f.decision(),
                evaluation_month="2026-10",
                booking_level=level,
                response_time={"month": "2026-10", "assessed": assessed, "in_time": in_time},
            )
            for u in units
        ]
    )
    sv1_req, ah3_req = f.requirement("SV1-SVARSTID"), f.requirement("AH3-BASUTBUD")
    RequirementResult.objects.bulk_create(
        [RequirementResult(unit_result=r, requirement=sv1_req, status=sv1, reason="x") for r in rows]
        + [RequirementResult(unit_result=r, requirement=ah3_req, status=ah3, reason="x") for r in rows]
    )


@pytest.fixture
def area():
    return f.VardomradeFactory(name="Primärvård Malmö")


@pytest.fixture
def group(area):
    """Seven mottagningar: the first two a unit manager's, the other five their peers."""
    units = make_units(area, 7)
    offer(units, "KONTAKT")
    offer(units[:4], "FORNYA-RECEPT")  # 4 of 7; of the five peers: units 2, 3
    offer(units[2:], "EGENREMISS")  # units 2–6: every peer, neither of the manager's
    store_results(units)
    return units


@pytest.fixture
def manager(group):
    user = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(user, CareUnit.objects.filter(pk__in=[group[0].pk, group[1].pk]))
    return user


def row_html(html: str, key: str) -> str:
    start = html.index(f'id="rad-{key}"')
    return html[start : html.index("</tr>", start)]


def test_it_sends_anonymous_visitors_to_the_login(client):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_region_wide_roles_see_every_equivalent_unit_by_name_with_the_summary(client, area, group):
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"vardomrade": area.pk, "typ": "mottagning"}))
    for unit in group:
        assert unit.name in html and unit.hsa_id in html
    assert "Mottagningar i vårdområdet Primärvård Malmö" in html
    assert "Alla likvärdiga enheter (7 st)" in html
    row = row_html(html, "tjanst-FORNYA-RECEPT")
    assert "4 av 7 erbjuder (57,1 %)" in row
    assert "Basutbud" in row  # a basutbud service of mottagningar is marked
    assert row.count("✓</span> Erbjuds") == 4 and row.count("Lucka: saknas i basutbudet") == 3


def test_a_unit_manager_sees_own_units_against_the_peers_aggregate_and_no_peer_by_name(
    client, manager, group
):
    client.force_login(manager)
    html = html_of(client.get(URL))  # default: the manager's own vårdområde and type
    for own in group[:2]:
        assert own.name in html and own.hsa_id in html
    for peer in group[2:]:
        assert peer.name not in html and peer.hsa_id not in html
    assert "Likvärdiga enheter (5 st)" in html
    # Peers only: units 2 and 3 offer Förnya recept, not the manager's own two.
    assert "2 av 5 erbjuder (40 %)" in row_html(html, "tjanst-FORNYA-RECEPT")
    # Every peer offers Egenremiss and neither own unit does: a gap for both, said in words.
    egenremiss = row_html(html, "tjanst-EGENREMISS")
    assert "5 av 5 erbjuder (100 %)" in egenremiss
    assert egenremiss.count("Lucka: de flesta likvärdiga erbjuder den") == 2
    assert "5 av 5 likvärdiga enheter erbjuder Egenremiss" in html  # the gap list's sentence


def test_the_manager_csv_names_no_peer_either(client, manager, group):
    client.force_login(manager)
    response = client.get(CSV_URL)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    for peer in group[2:]:
        assert peer.name not in text and peer.hsa_id not in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][3:] == [
        "Likvärdiga enheter (5 st)",
        f"{group[0].name} ({group[0].hsa_id})",
        f"{group[1].name} ({group[1].hsa_id})",
    ]
    egenremiss = next(r for r in rows if r[1] == "Egenremiss")
    assert egenremiss[3:] == [
        "5 av 5 erbjuder (100 %)",
        "– (5 av 5 likvärdiga erbjuder den)",
        "– (5 av 5 likvärdiga erbjuder den)",
    ]


def test_fewer_than_three_peers_are_shown_only_as_that(client, area):
    units = make_units(area, 2 + PEER_MINIMUM - 1)  # two own units and two peers
    offer(units[2:], "EGENREMISS")
    store_results(units)
    user = user_in(Roles.VARDGIVARE)
    grant_units(user, CareUnit.objects.filter(pk__in=[units[0].pk, units[1].pk]))
    client.force_login(user)
    html = html_of(client.get(URL))
    assert "Likvärdiga enheter (färre än 3)" in html
    egenremiss = row_html(html, "tjanst-EGENREMISS")
    assert "färre än 3 enheter" in egenremiss
    assert "av 2" not in html and "Lucka: de flesta" not in html  # not even the gap tells
    for peer in units[2:]:
        assert peer.name not in html and peer.hsa_id not in html


def test_basutbud_gaps_are_marked_missing_or_closed(client, area):
    units = make_units(area, 3)
    offer(units[:1], "RADGIVNING")
    offer(units[1:2], "RADGIVNING", is_open=False)
    client.force_login(user_in(Roles.LEDNING))
    html = html_of(client.get(URL, {"vardomrade": area.pk}))
    row = row_html(html, "tjanst-RADGIVNING")
    assert "1 av 3 erbjuder (33,3 %), 1 stängd" in row
    assert "Lucka: basutbudet kräver öppen" in row  # closed counts as missing for the basutbud
    assert "Lucka: saknas i basutbudet" in row


def test_a_gap_against_peers_needs_more_than_half_of_them(client, area):
    units = make_units(area, 5)
    offer(units[:3], "EGENREMISS")  # each of the two without it has 3 of 4 peers with it
    offer(units[:2], "INTYG")  # each of the three without it has 2 of 4: not most
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"vardomrade": area.pk}))
    assert row_html(html, "tjanst-EGENREMISS").count("Lucka: de flesta likvärdiga erbjuder den") == 2
    assert "Lucka" not in row_html(html, "tjanst-INTYG")


def test_a_peer_gap_is_a_strict_majority_of_the_peers_and_says_its_count(client, area):
    """Nine units: each has eight peers. Four of eight is half, no majority; five of eight is. The mark
    counts the unit's own peers (the unit itself left out), so it never reads "4 av 8" beside a Lucka."""
    units = make_units(area, 9)
    offer(units[1:5], "EGENREMISS")  # unit 0 lacks it; 4 of its 8 peers have it
    offer(units[1:6], "INTYG")  # unit 0 lacks it; 5 of its 8 peers have it
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"vardomrade": area.pk}))
    assert "Lucka" not in row_html(html, "tjanst-EGENREMISS")
    intyg = row_html(html, "tjanst-INTYG")
    # The four units without it (0, 6, 7, 8) each see five of their eight peers with it.
    assert intyg.count("Lucka: de flesta likvärdiga erbjuder den (5 av 8)") == 4
    assert "5 av 9 erbjuder (55,6 %)" in intyg  # the summary counts the whole group
    gaps = html[html.index('id="jf-luckor-rubrik"') :]
    assert "5 av 9 enheter i urvalet erbjuder Begära intyg" in gaps
    assert (
        "Lucka hos: Mottagning 000, Mottagning 006, Mottagning 007, Mottagning 008 "
        "(för var och en: 5 av 8 likvärdiga erbjuder den)." in gaps
    )


def test_four_of_a_group_of_eight_are_four_of_seven_peers_for_each_unit_without_it(client, area):
    """The summary says "4 av 8" (the whole group); a unit without the service has seven peers, four of
    whom offer it: a majority, and the mark says so in its own count, not the group's."""
    units = make_units(area, 8)
    offer(units[:4], "EGENREMISS")
    client.force_login(user_in(Roles.KONCERNSTAB))
    row = row_html(html_of(client.get(URL, {"vardomrade": area.pk})), "tjanst-EGENREMISS")
    assert "4 av 8 erbjuder (50 %)" in row
    assert row.count("Lucka: de flesta likvärdiga erbjuder den (4 av 7)") == 4
    assert "(4 av 8)" not in row


def test_a_unit_managers_peer_gap_counts_the_aggregate(client, area):
    """A unit manager's one unit against eight peers: five of eight is a gap, four of eight is not."""
    units = make_units(area, 9)
    offer(units[1:5], "EGENREMISS")
    offer(units[1:6], "INTYG")
    user = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(user, CareUnit.objects.filter(pk=units[0].pk))
    client.force_login(user)
    html = html_of(client.get(URL))
    assert "4 av 8 erbjuder (50 %)" in row_html(html, "tjanst-EGENREMISS")
    assert "Lucka" not in row_html(html, "tjanst-EGENREMISS")
    assert "Lucka: de flesta likvärdiga erbjuder den (5 av 8)" in row_html(html, "tjanst-INTYG")
    assert "5 av 8 likvärdiga enheter erbjuder Begära intyg" in html


def test_a_template_gap_says_the_peers_use_it(client, area):
    units = make_units(area, 9)
    template = CatalogueTemplate.objects.order_by("code").first()
    Offering.objects.bulk_create(
        [
            Offering(unit=u, kind="mall", code=template.code, variant="regional", catalogue_template=template)
            for u in units[1:6]
        ]
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    row = row_html(html_of(client.get(URL, {"vardomrade": area.pk})), f"mall-{template.code}")
    assert row.count("Lucka: de flesta likvärdiga använder den (5 av 8)") == 4


def test_level_and_response_time_are_the_stored_results_of_the_date_shown(client, area):
    units = make_units(area, 4)
    last_week = today() - datetime.timedelta(days=7)
    store_results(units[:3], as_of=last_week, level=3, in_time=14, assessed=15)
    store_results(units[3:], as_of=last_week, level=1, sv1="not_met", in_time=10, assessed=20)
    store_results(units, level=2, in_time=20, assessed=20)  # today's
    client.force_login(user_in(Roles.KONCERNSTAB))

    html = html_of(client.get(URL, {"vardomrade": area.pk}))
    assert "Nivå 2: 4" in row_html(html, "niva")
    assert row_html(html, "svarstid").count("100 % – Uppfyllt") == 4

    html = html_of(client.get(URL, {"vardomrade": area.pk, "per": last_week.isoformat()}))
    level = row_html(html, "niva")
    assert "Nivå 3: 3, Nivå 1: 1" in level
    assert "Lucka: likvärdigas median är nivå 3" in level
    sv1 = row_html(html, "svarstid")
    assert "93,3 % – Uppfyllt" in sv1 and "50 % – Ej uppfyllt" in sv1
    assert "3 av 4 uppfyller (75 %); sammantaget 80 % i tid" in sv1  # 52 of 65
    assert "Lucka: de flesta likvärdiga uppfyller kravet" in sv1


def test_only_active_units_with_a_contact_card_of_the_type_and_system_are_equivalent(client, area):
    kept = make_units(area, 2, prefix="Kvar")
    make_units(area, 1, prefix="Inaktiv", active=False)
    make_units(area, 1, prefix="Kortlös", has_contact_card=False)
    make_units(area, 1, prefix="Avdelning", unit_type="avdelning")
    pmo = make_units(area, 1, prefix="Pmo", system="PMO")
    client.force_login(user_in(Roles.HS_STYRNING))
    html = html_of(client.get(URL, {"vardomrade": area.pk, "typ": "mottagning"}))
    assert "Alla likvärdiga enheter (3 st)" in html
    for name in ("Inaktiv 000", "Kortlös 000", "Avdelning 000"):
        assert name not in html
    html = html_of(client.get(URL, {"vardomrade": area.pk, "typ": "mottagning", "system": "PASiS"}))
    assert "Alla likvärdiga enheter (2 st)" in html and pmo[0].name not in html
    assert all(u.name in html for u in kept)


def test_a_forvaltning_compares_its_areas_together(client, area, group):
    other_area = f.VardomradeFactory(name="Primärvård Sydväst", forvaltning=area.forvaltning)
    make_units(other_area, 2, prefix="Sydväst")
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"forvaltning": area.forvaltning.pk}))
    assert "Mottagningar i förvaltningen Primärvård Skåne" in html
    assert "Alla likvärdiga enheter (9 st)" in html


def test_retired_catalogue_services_are_no_rows(client, area, group):
    CatalogueService.objects.filter(code="EGENREMISS").update(retired_on=today() - datetime.timedelta(days=1))
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"vardomrade": area.pk}))
    assert 'id="rad-tjanst-EGENREMISS"' not in html and 'id="rad-tjanst-FORNYA-RECEPT"' in html


def test_region_wide_roles_start_at_the_chooser(client, area, group):
    client.force_login(user_in(Roles.LEDNING))
    html = html_of(client.get(URL))
    assert "Välj en förvaltning eller ett vårdområde" in html
    assert "<table" not in html
    assert f'<option value="{area.pk}"' in html


def test_a_unit_manager_may_not_look_at_an_area_or_forvaltning_of_others(client, manager, group):
    elsewhere = f.VardomradeFactory(
        name="Vårdområde Annanstans", forvaltning=f.ForvaltningFactory(name="SUS")
    )
    make_units(elsewhere, 4, prefix="Annan")
    client.force_login(manager)
    assert client.get(URL, {"vardomrade": elsewhere.pk}).status_code == 404
    assert client.get(URL, {"forvaltning": elsewhere.forvaltning.pk}).status_code == 404
    assert client.get(CSV_URL, {"vardomrade": elsewhere.pk}).status_code == 404
    html = html_of(client.get(URL))
    assert "Vårdområde Annanstans" not in html and "SUS" not in html  # not even as a choice


def test_a_manager_of_a_whole_area_sees_its_units_by_name(client, area, group):
    user = user_in(Roles.VERKSAMHETSCHEF)
    grant_area(user, area)
    client.force_login(user)
    html = html_of(client.get(URL))
    assert all(u.name in html for u in group)
    assert "Likvärdiga enheter (färre än 3)" in html  # no unit of the group is anyone else's


@pytest.mark.parametrize("params", [{"vardomrade": "x"}, {"typ": "sjukhus"}, {"system": "=1+1"}])
def test_a_parameter_that_names_nothing_is_a_404(client, area, params):
    client.force_login(user_in(Roles.KONCERNSTAB))
    assert client.get(URL, params).status_code == 404


@pytest.mark.parametrize("role", [Roles.LEDNING, Roles.VERKSAMHETSCHEF, Roles.KONCERNSTAB])
def test_the_page_changes_nothing_and_takes_no_post(client, area, group, role):
    client.force_login(user_in(role))
    assert client.post(URL, {"vardomrade": area.pk}).status_code == 405
    assert client.post(CSV_URL, {"vardomrade": area.pk}).status_code == 405


def test_the_csv_is_the_matrix_as_shown_and_formula_safe(client, area):
    units = make_units(area, 2)
    CareUnit.objects.filter(pk=units[0].pk).update(name="=HYPERLINK(1)")
    offer(units, "FORNYA-RECEPT")
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(CSV_URL, {"vardomrade": area.pk, "typ": "mottagning"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="jamforelse-mottagning-vo{area.pk}-{today().isoformat()}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:4] == ["Avsnitt", "Rad", "Basutbud", "Alla likvärdiga enheter (2 st)"]
    assert rows[0][4].startswith("'=HYPERLINK(1)")
    recept = next(r for r in rows if r[1] == "Förnya recept")
    assert recept == [
        "Regionala ärendehanteringstjänster",
        "Förnya recept",
        "ja",
        "2 av 2 erbjuder (100 %)",
        "Erbjuds",
        "Erbjuds",
    ]


def test_an_htmx_request_gets_the_result_fragment_only(client, area, group):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(URL, {"vardomrade": area.pk}, HTTP_HX_REQUEST="true")
    html = html_of(response)
    assert "<html" not in html and 'id="rad-tjanst-FORNYA-RECEPT"' in html


def build_region(n_units):
    """n units in one vårdområde with offerings and stored results; the manager holds the first two."""
    area = f.VardomradeFactory(name=f"Vårdområde {n_units}")
    units = make_units(area, n_units, prefix=f"Enhet{n_units}")
    offer(units, "KONTAKT")
    offer(units[::2], "FORNYA-RECEPT")
    store_results(units)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, CareUnit.objects.filter(pk__in=[units[0].pk, units[1].pk]))
    return area, manager


@pytest.mark.parametrize("n_units", [20, 200])
def test_the_page_reads_a_fixed_number_of_queries_region_wide(client, django_assert_num_queries, n_units):
    area, _ = build_region(n_units)
    user = user_in(Roles.KONCERNSTAB)
    client.force_login(user)
    # 1 session, 2 user, 3 the user's roles, 4 as-of (latest stored date), 5 visible areas (the chooser
    # and the scope), 6 the group's units, 7 their offerings, 8 catalogue services with the basutbud flag,
    # 9 catalogue templates, 10 the decision in force, 11 its requirements (the rows found by kind), 12
    # stored results with the statuses of its response-time and base-offering requirements.
    with django_assert_num_queries(12):
        response = client.get(URL, {"vardomrade": area.pk})
    assert response.status_code == 200
    assert f"Alla likvärdiga enheter ({n_units} st)" in response.content.decode()


@pytest.mark.parametrize("n_units", [20, 200])
def test_the_page_reads_a_fixed_number_of_queries_for_a_unit_manager(
    client, django_assert_num_queries, n_units
):
    _, manager = build_region(n_units)
    client.force_login(manager)
    # 1 session, 2 user, 3 the user's roles, 4 as-of, 5 visible areas, 6 the default scope (the area and
    # type of most of the manager's units), 7 the group's units (own ones flagged by an EXISTS), 8
    # offerings, 9 services, 10 templates, 11 the decision, 12 its requirements, 13 stored results.
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert response.status_code == 200
    assert f"Likvärdiga enheter ({n_units - 2} st)" in response.content.decode()


@pytest.mark.parametrize("n_units", [20, 200])
def test_the_export_reads_the_same_fixed_number_of_queries(client, django_assert_num_queries, n_units):
    area, _ = build_region(n_units)
    client.force_login(user_in(Roles.HS_STYRNING))
    with django_assert_num_queries(12):  # as the page: the export is the same selector
        response = client.get(CSV_URL, {"vardomrade": area.pk})
    assert response.status_code == 200


def test_skanes_rows_beside_the_catalogue_read_as_before(client, area, group):
    """The level, response-time and base-offering rows are found by the version's ladder and kinds, not
    by code; Skåne's read exactly as they always have."""
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"vardomrade": area.pk}))
    assert "<span>Nivå, svarstid och basutbud</span>" in html
    assert ": utbud, nivå och svarstid per " in html
    assert "deras nivå i tidbokning och svarstid – och" in html
    assert "nivå och svarstid är sparade resultat per" in html
    labels = {
        key: re.search(r'<th scope="row" class="jf-radrubrik">([^<]+)', row_html(html, key)).group(1).strip()
        for key in ("niva", "svarstid", "basutbud", "lokalt")
    }
    assert labels == {
        "niva": "Nivå i tidbokning (§2.1.1)",
        "svarstid": "Svar inom 2 vardagar (SV1), andel i tid",
        "basutbud": "Basutbud (AH3)",
        "lokalt": "Lokala tjänster och mallar (antal)",
    }
    assert "7 av 7 uppfyller (100 %)" in row_html(html, "basutbud")
    assert "7 av 7 uppfyller (100 %); sammantaget 95 % i tid" in row_html(html, "svarstid")
