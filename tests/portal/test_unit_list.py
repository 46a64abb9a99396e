"""The unit list (/enheter/): the stored judgement per unit, filters whose choices are the user's own,
sorting, pages, the CSV/XLSX exports, rights and a query count that does not grow with units."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from compliance.models import RequirementResult, UnitResult
from units.models import CareUnit
from units.permissions import Roles, grant_provider, grant_units

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

URL = reverse("portal:unit_list")
CSV_URL = reverse("portal:unit_export_csv")
XLSX_URL = reverse("portal:unit_export_xlsx")
DAY = datetime.date(2026, 11, 15)  # the stored date the tests read
NOW = "2026-11-22 12:00 +01:00"


def stored(unit, *, level=None, with_exemptions=False, statuses=None, share=None, day=DAY):
    """A stored result for the unit: level, per requirement code a status, SV1's share in time."""
    result = UnitResult.objects.create(
        as_of=day,
        unit=unit,
        decision=f.decision(),
        evaluation_month="2026-10",
        current_period="2026-T3",
        booking_level=level,
        booking_level_with_exemptions=with_exemptions,
        response_time=None if share is None else {"month": "2026-10", "share_in_time": share},
    )
    RequirementResult.objects.bulk_create(
        RequirementResult(unit_result=result, requirement=f.requirement(code), status=status, reason="x")
        for code, status in (statuses or {}).items()
    )
    return result


def make_units(n, *, area=None, prefix="Mottagning", **kw):
    area = area or f.VardomradeFactory()
    units = CareUnit.objects.bulk_create(
        CareUnit(
            hsa_id=f"SE2321000255-{prefix[:1].upper()}{i:05d}",
            name=f"{prefix} {i:05d}",
            forvaltning=area.forvaltning,
            vardomrade=area,
            unit_kind="VUE",
            unit_type=kw.get("unit_type", "mottagning"),
            booking_system=kw.get("booking_system", "PASiS"),
            provider=kw.get("provider"),
        )
        for i in range(n)
    )
    decision = f.decision()
    results = UnitResult.objects.bulk_create(
        UnitResult(
            as_of=DAY,
            unit=u,
            decision=decision,
            evaluation_month="2026-10",
            booking_level=i % 4,
            response_time={"share_in_time": 0.9},
        )
        for i, u in enumerate(units)
    )
    visa, sv1 = f.requirement("TB1-VISA"), f.requirement("SV1-SVARSTID")
    RequirementResult.objects.bulk_create(
        RequirementResult(unit_result=r, requirement=req, status=status, reason="x")
        for r in results
        for req, status in ((visa, "met"), (sv1, "not_met"))
    )
    return units


def rows_of(html: str) -> list[str]:
    """The HSA-ids of the table's rows, in order."""
    import re

    return re.findall(r'<th scope="row"[^>]*><a class="ds-link" href="/enheter/([^/]+)/', html)


def row_of(html: str, hsa_id: str) -> str:
    """The table row of one unit."""
    row = html[html.index(f'href="/enheter/{hsa_id}/') :]
    return row[: row.index("</tr>")]


# --------------------------------------------------------------------------------------------- rights


@pytest.mark.parametrize("url", [URL, CSV_URL, XLSX_URL])
def test_it_sends_an_anonymous_visitor_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_it_shows_a_unit_manager_only_their_units_everywhere(client):
    mine = f.CareUnitFactory(name="Min mottagning", vardomrade=f.VardomradeFactory(name="Mitt område"))
    other_area = f.VardomradeFactory(
        name="Annat område", forvaltning=f.ForvaltningFactory(name="Annan förvaltning")
    )
    theirs = f.CareUnitFactory(
        name="Hemlig mottagning", vardomrade=other_area, provider=f.ProviderFactory(name="Hemlig AB")
    )
    stored(mine, level=1)
    stored(theirs, level=2)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [mine])
    client.force_login(manager)

    html = html_of(client.get(URL))
    assert mine.hsa_id in html and "Min mottagning" in html and "Mitt område" in html
    # Neither the unit nor its area, förvaltning or provider is named — not even as a filter choice.
    for secret in (theirs.hsa_id, "Hemlig mottagning", "Annat område", "Annan förvaltning", "Hemlig AB"):
        assert secret not in html
    exported = b"".join(client.get(CSV_URL).streaming_content).decode("utf-8-sig")
    assert mine.hsa_id in exported and theirs.hsa_id not in exported and "Hemlig" not in exported
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(XLSX_URL).content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["HSA-id", mine.hsa_id]


def test_a_hand_written_choice_outside_the_users_units_filters_nothing_and_names_nothing(client):
    mine = f.CareUnitFactory()
    other = f.CareUnitFactory(
        vardomrade=f.VardomradeFactory(forvaltning=f.ForvaltningFactory(name="Annan förvaltning"))
    )
    stored(mine)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [mine])
    client.force_login(manager)
    html = html_of(client.get(URL, {"forvaltning": other.forvaltning_id}))
    assert "Annan förvaltning" not in html and other.hsa_id not in html
    assert 'aria-invalid="true"' in html  # the form says the value is not one of the choices
    assert rows_of(html) == [mine.hsa_id]


def test_a_provider_user_sees_the_providers_units(client):
    provider = f.ProviderFactory(name="Vårdbolaget AB")
    units = make_units(3, provider=provider)
    make_units(2, prefix="Annan")
    user = user_in(Roles.VARDGIVARE)
    grant_provider(user, provider)
    client.force_login(user)
    html = html_of(client.get(URL))
    assert rows_of(html) == [u.hsa_id for u in units]


# ------------------------------------------------------------------------------------------- contents


def test_it_shows_each_units_stored_level_counts_and_share(client):
    unit = f.CareUnitFactory(name="Vårdcentralen Exempel", booking_system="ingen")
    stored(
        unit,
        level=2,
        with_exemptions=True,
        statuses={"TB1-VISA": "met", "TB1-AVBOKA": "met", "AH0-DIGITAL-KONTAKT": "not_met"},
        share=0.9333,
    )
    bare = f.CareUnitFactory(name="Utan resultat")
    client.force_login(user_in(Roles.KONCERNSTAB))
    row = row_of(html_of(client.get(URL, {"q": "Exempel"})), unit.hsa_id)
    assert "nivå 2 med avsteg" in row
    assert '<td class="num">2</td>' in row and '<td class="num">1</td>' in row  # met, not met
    assert "93,3 %" in row
    assert "Ingen</td>" in row  # the booking system, short
    row = row_of(html_of(client.get(URL, {"q": bare.hsa_id})), bare.hsa_id)
    assert row.count("–") == 4  # no stored result: no level, counts or share


def test_skanes_level_filter_and_words_follow_its_ladder(client):
    """The level's filter, column and words come from the version in force: Skåne's ladder has levels
    1–3, its response-time requirement is SV1."""
    stored(f.CareUnitFactory(), level=1)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL))
    select = html[html.index('name="niva"') : html.index("</select>", html.index('name="niva"'))]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "0", "1", "2", "3", "ingen"]
    assert 'name="med_avsteg"' in html
    assert "Nivå: den högsta tidbokningsnivå (0–3) enheten når" in html
    assert "under utvärderingsmånaden (krav SV1).</p>" in html


def test_it_reads_the_results_of_the_date_asked_for(client):
    unit = f.CareUnitFactory()
    stored(unit, level=1, day=datetime.date(2026, 11, 1))
    stored(unit, level=3)
    client.force_login(user_in(Roles.LEDNING))
    assert "nivå 3" in html_of(client.get(URL))
    html = html_of(client.get(URL, {"per": "2026-11-05"}))
    assert "nivå 1" in html and "nivå 3" not in html
    assert "sidan visar 2026-11-01" in html  # the as-of notice
    assert f'href="/enheter/{unit.hsa_id}/?per=2026-11-05"' in html  # the date is kept on the link


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"niva": "2"}, ["A"]),
        ({"niva": "0"}, ["C"]),
        ({"niva": "ingen"}, ["D"]),
        ({"med_avsteg": "ja"}, ["B"]),
        ({"med_avsteg": "nej"}, ["A", "C"]),
        ({"krav": "TB1-VISA", "status": "not_met"}, ["B"]),
        ({"krav": "SV1-SVARSTID", "status": "met"}, ["A", "C"]),
        ({"status": "exempt"}, ["B"]),
        ({"typ": "avdelning"}, ["D"]),
        ({"bokningssystem": "PMO"}, ["C"]),
        ({"q": "beta"}, ["B"]),
        ({"q": "SE2321000255-D"}, ["D"]),
    ],
)
def test_each_filter_narrows_the_list(client, params, expected):
    units = {
        "A": f.CareUnitFactory(hsa_id="SE2321000255-A0001", name="Alfa"),
        "B": f.CareUnitFactory(hsa_id="SE2321000255-B0001", name="Beta"),
        "C": f.CareUnitFactory(hsa_id="SE2321000255-C0001", name="Gamma", booking_system="PMO"),
        "D": f.CareUnitFactory(hsa_id="SE2321000255-D0001", name="Delta", unit_type="avdelning"),
    }
    stored(units["A"], level=2, statuses={"TB1-VISA": "met", "SV1-SVARSTID": "met"})
    stored(
        units["B"],
        level=1,
        with_exemptions=True,
        statuses={"TB1-VISA": "not_met", "TB3-OPPEN-KALLELSE": "exempt"},
    )
    stored(units["C"], level=0, statuses={"TB1-VISA": "met", "SV1-SVARSTID": "met"})
    stored(units["D"], level=None, statuses={"SV1-SVARSTID": "no_data"})
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, params))
    assert rows_of(html) == [units[k].hsa_id for k in sorted(expected, key=lambda k: units[k].name)]
    assert [r[0] for r in csv_rows(client.get(CSV_URL, params))[1:]] == rows_of(html)


def test_the_area_forvaltning_and_provider_filters(client):
    north, south = f.VardomradeFactory(name="Norr"), f.VardomradeFactory(name="Söder")
    provider = f.ProviderFactory()
    a = make_units(2, area=north, prefix="Norr")
    b = make_units(1, area=south, prefix="Söder", provider=provider)
    client.force_login(user_in(Roles.HS_STYRNING))
    assert rows_of(html_of(client.get(URL, {"vardomrade": north.id}))) == [u.hsa_id for u in a]
    assert rows_of(html_of(client.get(URL, {"provider": provider.id}))) == [b[0].hsa_id]
    assert len(rows_of(html_of(client.get(URL, {"forvaltning": north.forvaltning_id})))) == 3


def test_it_sorts_by_level_with_units_without_one_last_both_ways(client):
    units = [f.CareUnitFactory(name=n) for n in ("A", "B", "C")]
    stored(units[0], level=1)
    stored(units[1], level=None)
    stored(units[2], level=3)
    client.force_login(user_in(Roles.KONCERNSTAB))
    ids = [u.hsa_id for u in units]
    assert rows_of(html_of(client.get(URL, {"sort": "level"}))) == [ids[0], ids[2], ids[1]]
    html = html_of(client.get(URL, {"sort": "-level"}))
    assert rows_of(html) == [ids[2], ids[0], ids[1]]
    assert 'aria-sort="descending"' in html


def test_it_pages_fifty_units_at_a_time(client):
    units = make_units(120)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL))
    assert rows_of(html) == [u.hsa_id for u in units[:50]]
    assert "120 enheter, sida 1 av 3" in html
    html = html_of(client.get(URL, {"page": 3}))
    assert rows_of(html) == [u.hsa_id for u in units[100:]]


def test_an_htmx_filter_change_gets_only_the_results(client):
    make_units(3)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"niva": "1"}, HTTP_HX_REQUEST="true"))
    assert "<html" not in html and 'role="status"' in html
    assert len(rows_of(html)) == 1


def test_the_tables_body_follows_its_headers():
    """The template prints UnitTable.page_rows() cell by cell; the headers come from the columns."""
    from portal.units.tables import UnitRow, UnitTable

    columns = [column.name for column in UnitTable([]).columns]
    assert columns == [name for name in UnitRow.__dataclass_fields__ if name != "url"]


# ----------------------------------------------------------------------------------------------- exports


def csv_rows(response) -> list[list[str]]:
    """The CSV as Swedish Excel reads it: UTF-8 with a BOM, semicolons, lines ending in CR LF."""
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def headings_of(html: str) -> list[str]:
    """The table's column headings as the screen shows them (a soft hyphen shows only where a heading
    breaks: "Boknings-/system")."""
    import re
    from html import unescape

    thead = html[html.index("<thead>") : html.index("</thead>")]
    cells = re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).replace("\u00ad", "").strip() for cell in cells]


SCREEN_HEADINGS = [
    "HSA-id",
    "Namn",
    "Nivå",
    "Uppfyllda",
    "Ej uppfyllda",
    "Svar i tid",
    "Förvaltning",
    "Vårdområde",
    "Vårdgivare",
    "Enhetstyp",
    "Bokningssystem",
]
# The files: the screen's columns in the screen's order, with "Nivå med avsteg" beside the level (the screen
# says it in the level's cell, "nivå 2 med avsteg"; a spreadsheet counts better with its own column).
EXPORT_HEADINGS = [*SCREEN_HEADINGS[:3], "Nivå med avsteg", *SCREEN_HEADINGS[3:]]


def test_the_csv_is_for_swedish_excel_with_the_screens_headings_and_words(client):
    unit = f.CareUnitFactory(name='=HYPERLINK("http://x","klicka")', booking_system="ingen")
    stored(unit, level=2, with_exemptions=True, share=0.9333, statuses={"TB1-VISA": "met"})
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL, {"per": "2026-11-20"}))
    assert headings_of(html) == SCREEN_HEADINGS
    response = client.get(CSV_URL, {"per": "2026-11-20"})
    assert response["Content-Disposition"] == 'attachment; filename="enheter-2026-11-15.csv"'
    header, row = csv_rows(response)
    assert header == EXPORT_HEADINGS
    assert row[1] == '\'=HYPERLINK("http://x","klicka")'  # a formula is text
    # The level and counts as integers, the SV1 share as a fraction with a decimal comma; the provider
    # and booking system as the screen says them.
    assert row[2:7] == ["2", "ja", "1", "0", "0,9333"]
    assert row[9:] == ["Regionen", "Mottagning", "Ingen"]
    assert row[9] in row_of(html, unit.hsa_id)


SORTS = ["", "name", "-name", "hsa_id", "-hsa_id", "provider", "-provider", "level", "-level", "-sv1_share"]


@pytest.mark.parametrize("sort", SORTS)
def test_the_files_have_the_rows_in_the_order_the_screen_shows_them(client, sort):
    area = f.VardomradeFactory()
    units = make_units(4, area=area, prefix="Västra") + make_units(3, area=area, prefix="Annan")
    units += make_units(2, area=area, prefix="Bergets", provider=f.ProviderFactory(name="Capio AB"))
    stored(f.CareUnitFactory(name="Ärlösa", vardomrade=area, forvaltning=area.forvaltning), level=None)
    client.force_login(user_in(Roles.KONCERNSTAB))
    params = {"sort": sort} if sort else {}
    shown = rows_of(html_of(client.get(URL, params)))
    assert len(shown) == 10
    assert [r[0] for r in csv_rows(client.get(CSV_URL, params))[1:]] == shown
    sheet = xlsx_sheet(client.get(XLSX_URL, params))
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == shown


def test_the_xlsx_has_shares_as_percentages_fitted_columns_a_frozen_header_and_a_filter(client):
    long_name = "Vårdcentralen med ett mycket långt namn i Östra Göinge"
    unit = f.CareUnitFactory(name=long_name)
    stored(unit, level=0, share=0.5)
    other = f.CareUnitFactory(name="+46 mottagning", provider=f.ProviderFactory(name="Capio AB"))
    stored(other, level=2, share=0.9333)
    client.force_login(user_in(Roles.LEDNING))
    response = client.get(XLSX_URL)
    assert response["Content-Disposition"] == 'attachment; filename="enheter-2026-11-15.xlsx"'
    sheet = xlsx_sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADINGS
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["'+46 mottagning"][2:4] == (2, "nej") and by_name["'+46 mottagning"][9] == "Capio AB"
    assert by_name[long_name][9] == "Regionen"
    # The share is the number itself, shown as a percentage (never rounded up to 100 %).
    share = sheet.cell(row=2 + [r[1] for r in rows[1:]].index("'+46 mottagning"), column=7)
    assert share.value == 0.9333 and share.data_type == "n" and share.number_format == "0.00 %"
    # Columns as wide as their longest text (the name), the header row frozen, a filter on every column.
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKL"}
    assert widths["B"] >= len(long_name) and widths["B"] > widths["A"] > len("SE2321000255-U0000") - 1
    assert widths["C"] >= len("Nivå") and widths["C"] < 12
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L3"


# ------------------------------------------------------------------------------------------ query counts


@pytest.mark.parametrize("n", [20, 200])
def test_the_list_takes_the_same_queries_for_20_and_200_units(client, django_assert_num_queries, n):
    make_units(n)
    client.force_login(user_in(Roles.KONCERNSTAB))
    # 1 session, 2 user, 3 the stored date (?per=), 4 the decision in force then, 5 the user's roles,
    # 6 the decision's requirements (krav choices), 7–9 the visible förvaltningar, vårdområden and
    # providers (choices), 10 the count, 11 the page's rows with level, counts and share joined in.
    with django_assert_num_queries(11):
        html = html_of(client.get(URL, {"sort": "-sv1_share"}))
    assert len(rows_of(html)) == min(n, 50)


@pytest.mark.parametrize("n", [20, 200])
def test_a_unit_managers_filtered_list_takes_the_same_queries(client, django_assert_num_queries, n):
    area = f.VardomradeFactory()
    make_units(n, area=area)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    from units.permissions import grant_area

    grant_area(manager, area)
    client.force_login(manager)
    # As above, plus 12: the chosen vårdområde checked against the visible ones. The rights are
    # subqueries inside each query, not queries of their own.
    with django_assert_num_queries(12):
        html = html_of(client.get(URL, {"vardomrade": area.id, "krav": "SV1-SVARSTID", "status": "not_met"}))
    assert len(rows_of(html)) == min(n, 50)


@pytest.mark.parametrize("n", [20, 200])
def test_the_export_takes_the_same_queries_for_20_and_200_units(client, django_assert_num_queries, n):
    make_units(n)
    client.force_login(user_in(Roles.KONCERNSTAB))
    # 1 session, 2 user, 3 stored date, 4 decision, 5 roles, 6 requirements, 7 every row, streamed.
    with django_assert_num_queries(7):
        text = b"".join(client.get(CSV_URL).streaming_content).decode("utf-8-sig")
    assert text.count("\r\n") == n + 1
    with django_assert_num_queries(7):
        assert xlsx_sheet(client.get(XLSX_URL)).max_row == n + 1
