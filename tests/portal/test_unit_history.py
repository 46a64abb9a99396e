"""A unit's facts over time in the portal (docs/portal-units.md "Historik", "Jämför två datum"): the
history of its attributes, offerings and role holders with the audit entries and recomputes; the unit on
two dates side by side; the unit page on a past date showing the offerings and roles valid then.

The facts are written the way people write them: the first files without a date, then imports with
`--valid-from` and the services with `valid_from`, under a pinned clock."""

import datetime
import html as html_module
import re

import pytest
from django.urls import reverse

from compliance.models import RecomputeJob, UnitResult
from compliance.services import recompute
from portal.unit_history.selectors import compare_dates, unit_history
from units.models import CareUnit, Offering, Person, Vardomrade
from units.permissions import Roles
from units.services import OfferingRow, admin_roles_replace, offerings_replace, unit_save

from ..helpers import UNITS_HEADER, unit_line, user_in
from ..helpers import manage as manage_in_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-12-07 12:00 +01:00"
D = datetime.date
HSA = "SE2321000255-A1B2"
OTHER = "SE2321000255-ANNAN"
P1, P2 = "SE2321000255-P1111", "SE2321000255-P2222"

PERIODS = "code,name,start_date,end_date\n2026-T2,,2026-05-01,2026-08-31\n2026-T3,,2026-09-01,2026-12-31\n"
OFFERINGS_OLD = f"unit_hsa_id,kind,code,variant,open\n{HSA},tjanst,KONTAKT,regional,true\n"
OFFERINGS_NEW = (
    OFFERINGS_OLD + f"{HSA},tjanst,FORNYA-RECEPT,regional,true\n{HSA},tjanst,EGEN-TJANST,lokal,true\n"
)
STORED = (D(2026, 10, 15), D(2026, 11, 15), D(2026, 12, 7))


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """What a commit sets off (the recompute, a correction's job) runs as it would."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def editor():
    return user_in(Roles.KONCERNSTAB, first_name="Anna", last_name="Redaktör")


@pytest.fixture
def region(write_file, commits, editor):
    """One unit (and a neighbour of nobody's) from the region's first files, results stored on three
    dates, then: offerings added from 1 November (a correction), the unit moved to another vårdområde
    from 1 November (import), its booking system changed from 20 November by a person (a correction),
    a local service removed and KONTAKT closed from 25 November, a role holder from 5 November and
    another instead from 28 November."""

    def manage(*args):
        ran = commits(manage_in_transaction, *args)
        assert ran.code == 0, ran.err
        return ran

    units = UNITS_HEADER + unit_line() + unit_line(hsa=OTHER, name="Annan enhet", vo="Primärvård Nordost")
    manage("import_data", "units", write_file(units, "units.csv"))
    manage("import_data", "periods", write_file(PERIODS, "periods.csv"))
    manage("import_data", "offerings", write_file(OFFERINGS_OLD, "offerings.csv"))
    for day in STORED:
        recompute(as_of=day)
    manage("import_data", "offerings", write_file(OFFERINGS_NEW, "new.csv"), "--valid-from", "2026-11-01")
    moved = UNITS_HEADER + unit_line(vo="Primärvård Nordost", name="Vårdcentralen Ny")
    manage("import_data", "units", write_file(moved, "moved.csv"), "--valid-from", "2026-11-01")
    unit = CareUnit.objects.get(hsa_id=HSA)
    unit.booking_system = "PASiS"
    commits(unit_save, unit=unit, actor=editor, valid_from=D(2026, 11, 20))
    current = {o.code: o for o in Offering.objects.filter(unit=unit)}
    rows = [
        OfferingRow(
            "tjanst", "KONTAKT", "regional", False, catalogue_service=current["KONTAKT"].catalogue_service
        ),
        OfferingRow(
            "tjanst",
            "FORNYA-RECEPT",
            "regional",
            catalogue_service=current["FORNYA-RECEPT"].catalogue_service,
        ),
    ]
    commits(offerings_replace, unit=unit, rows=rows, actor=editor, valid_from=D(2026, 11, 25))
    Person.objects.create(person_id=P1, name="Anna Svensson")
    commits(
        admin_roles_replace,
        unit=unit,
        rows=[(P1, "lokal_administrator")],
        actor=editor,
        valid_from=D(2026, 11, 5),
    )
    commits(
        admin_roles_replace,
        unit=unit,
        rows=[(P2, "lokal_administrator")],
        actor=editor,
        valid_from=D(2026, 11, 28),
    )
    return CareUnit.objects.get(hsa_id=HSA)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html_module.unescape(response.content.decode())


def rows_of(html: str, section: str) -> list[list[str]]:
    """The body rows of the table in the section with this heading id, as cell texts."""
    part = html[html.index(f'id="{section}"') :]
    part = part[: part.index("</table>")]
    body = part[part.index("<tbody>") :]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def staff(client, editor):
    client.force_login(editor)
    return editor


def history_url(hsa=HSA):
    return reverse("portal:unit_history", args=[hsa])


def compare_url(hsa=HSA):
    return reverse("portal:unit_compare_dates", args=[hsa])


# --- Historik ------------------------------------------------------------------------------------------


def test_the_history_lists_every_change_newest_first(client, staff, region):
    rows = rows_of(text(client.get(history_url())), "andringar")
    dates = [r[0] for r in rows]
    assert dates == sorted(dates, key=lambda d: "0" if d == "Från början" else d, reverse=True)
    assert dates[-1] == "Från början"
    by = {(r[0], r[1], r[2]): r for r in rows}

    moved = by[("2026-11-01", "Enhetens uppgifter", "Ändrad")]
    assert "Namn: Vårdcentralen Exempel → Vårdcentralen Ny" in moved[3]
    assert "Vårdområde: Primärvård Sydväst → Primärvård Nordost" in moved[3]
    assert moved[5] == "system/import"  # the command line's import names no person
    booking = by[("2026-11-20", "Enhetens uppgifter", "Ändrad")]
    assert booking[3] == "Bokningssystem: PMO → PASiS"
    assert booking[4] == "2026-12-07 12:00" and booking[5] == "Anna Redaktör"

    added = by[("2026-11-01", "Utbud Tjänst FORNYA-RECEPT", "Tillagd")]
    assert "Variant: Regional" in added[3] and added[5] == "system/import"
    closed = by[("2026-11-25", "Utbud Tjänst KONTAKT", "Ändrad")]
    assert closed[3] == "Öppen för invånare: Ja → Nej" and closed[5] == "Anna Redaktör"
    removed = by[("2026-11-25", "Utbud Tjänst EGEN-TJANST", "Borttagen")]
    assert (removed[4], removed[5]) == ("2026-12-07 12:00", "Anna Redaktör")  # from its audit entry
    assert ("Från början", "Utbud Tjänst KONTAKT", "Tillagd") in by

    role = "Administrativ roll Lokal administratör: Anna Svensson (SE2321000255-P1111)"
    assert by[("2026-11-05", role, "Tillagd")][5] == "Anna Redaktör"
    assert ("2026-11-28", role, "Borttagen") in by
    assert ("2026-11-28", f"Administrativ roll Lokal administratör: {P2}", "Tillagd") in by
    first = by[("Från början", "Enhetens uppgifter", "Första uppgifter")]
    assert "Vårdområde: Primärvård Sydväst" in first[3]


def test_the_history_shows_the_units_audit_entries_with_their_dates(client, staff, region, editor):
    # Another unit's audited change is not the unit's: the rows stay the same.
    alone = len(rows_of(text(client.get(history_url())), "granskning"))
    other = CareUnit.objects.get(hsa_id=OTHER)
    offerings_replace(unit=other, rows=[OfferingRow("tjanst", "Egen annan", "lokal")], actor=editor)
    html = text(client.get(history_url()))
    rows = rows_of(html, "granskning")
    assert len(rows) == alone
    unit_entry = next(r for r in rows if r[2] == "Vårdenhet ändrad")
    assert unit_entry[1] == "Anna Redaktör"
    assert unit_entry[4] == "2026-11-20"
    assert unit_entry[5] == "från 2026-11-20"  # a correction: the dates it alters (still holding)
    assert any(r[2] == "Utbud borttaget" for r in rows)
    assert any(r[2] == "Administrativ roll skapad" for r in rows)
    assert all(OTHER not in " ".join(r) for r in rows)
    assert f"{reverse('portal:audit_trail')}?objekttyp=careunit&objekt={HSA}" in html


def test_a_unit_manager_sees_their_units_history_without_the_audit_trails_link(client, region):
    client.force_login(user_in(Roles.VERKSAMHETSCHEF, [region]))
    html = text(client.get(history_url()))
    assert "Vårdcentralen Ny" in html
    # The audit trail is the region-wide roles' (portal/audit/views.py): neither its link nor its entries.
    assert reverse("portal:audit_trail") not in html and "I granskningsloggen" not in html
    assert client.get(history_url(OTHER)).status_code == 404
    assert client.get(compare_url(OTHER)).status_code == 404
    assert client.post(history_url(OTHER)).status_code == 404
    assert client.post(history_url()).status_code == 405


def test_a_running_recompute_shows_its_progress_and_a_finished_one_a_line(client, staff, region):
    other = CareUnit.objects.get(hsa_id=OTHER)
    RecomputeJob.objects.all().delete()
    RecomputeJob.objects.create(
        since=D(2026, 10, 1), unit_ids=[region.pk], status="running", dates_done=12, dates_total=38
    )
    RecomputeJob.objects.create(since=D(2026, 9, 1), unit_ids=[other.pk], status="running", dates_total=5)
    now = datetime.datetime.fromisoformat("2026-12-07T11:00+00:00")
    RecomputeJob.objects.create(
        since=D(2026, 11, 2), unit_ids=None, status="done", dates_done=4, dates_total=4, finished_at=now
    )
    old = RecomputeJob.objects.create(
        since=D(2026, 8, 1), unit_ids=[region.pk], status="done", dates_total=3, finished_at=now
    )
    RecomputeJob.objects.filter(pk=old.pk).update(finished_at=now - datetime.timedelta(days=8))
    html = text(client.get(history_url()))
    assert "Sparade resultat räknas om: 12 av 38 datum (31 %)" in html
    assert re.search(r'<progress max="38" value="12" aria-labelledby="omrakning-1">31 %</progress>', html)
    assert "Från 2026-09-01" not in html  # the other unit's job
    assert "Sparade resultat från 2026-11-02 räknades om (4 datum), klart 2026-12-07 12:00." in html
    assert "2026-08-01" not in html  # finished more than a week ago


def test_the_history_takes_a_fixed_number_of_queries(
    client, staff, region, commits, editor, django_assert_num_queries
):
    def count():
        # 1 session, 2 user, 3 roles (kept for the audit trail's link), 4 the unit (visible to the user),
        # 5 the unit with its organisation, 6 its earlier versions, 7 offerings' versions, 8 roles'
        # versions with names, 9 audit entries, 10 recompute jobs.
        with django_assert_num_queries(10):
            client.get(history_url())

    count()
    unit = CareUnit.objects.get(hsa_id=HSA)
    unit.has_contact_card = False
    commits(unit_save, unit=unit, actor=editor, valid_from=D(2026, 12, 1))
    commits(
        admin_roles_replace,
        unit=unit,
        rows=[(P1, "behorighetsadministrator")],
        actor=editor,
        valid_from=D(2026, 12, 2),
    )
    count()


def test_the_selector_alone_is_six_queries(region, django_assert_num_queries):
    with django_assert_num_queries(6):
        history = unit_history(region)
    assert len(history.changes) > 8


# --- Jämför två datum ------------------------------------------------------------------------------------


def test_the_comparison_defaults_to_30_days_back_and_today(client, staff, region):
    response = client.get(compare_url())
    html = text(response)
    assert 'value="2026-11-07"' in html and 'value="2026-12-07"' in html
    assert response.context["comparison"].first == D(2026, 11, 7)
    assert "Från datum" in html and "Till datum" in html and ">Jämför</button>" in html


def test_the_comparison_marks_what_differs_in_words(client, staff, region):
    html = text(client.get(compare_url(), {"fran": "2026-10-15", "till": "2026-12-07"}))
    attributes = {r[0]: r for r in rows_of(html, "jamfor-uppgifter")}
    assert attributes["Vårdområde"] == ["Vårdområde", "Primärvård Sydväst", "Primärvård Nordost", "Ändrad"]
    assert attributes["Bokningssystem"][1:] == ["PMO", "PASiS", "Ändrad"]
    assert attributes["Aktiv"][1:] == ["Ja", "Ja", "–"]
    offerings = {r[0]: r for r in rows_of(html, "jamfor-utbud")}
    assert offerings["Tjänst FORNYA-RECEPT"][1] == "Fanns inte"
    assert offerings["Tjänst FORNYA-RECEPT"][3] == "Ny"
    assert offerings["Tjänst KONTAKT"][3] == "Ändrad"
    assert "stängd för invånare" in offerings["Tjänst KONTAKT"][2]
    assert "Tjänst EGEN-TJANST" not in offerings  # added and removed between the dates
    roles = {r[0]: r for r in rows_of(html, "jamfor-roller")}
    assert roles[f"Lokal administratör: {P2}"][1:] == ["Innehar inte", "Innehar", "Ny"]
    results = {r[0]: r for r in rows_of(html, "jamfor-resultat")}
    assert "Tidbokningsnivå" in results
    assert any(r[3] == "Ändrad" for r in results.values()), results  # judged again on the new facts
    assert "Inga sparade resultat" not in html
    assert re.search(r"\d+ rader skiljer sig mellan 2026-10-15 och 2026-12-07", html)
    assert '<th scope="col">Skillnad</th>' in html and "<caption" in html


def test_a_date_with_nothing_stored_says_so_and_a_removed_role_is_marked(client, staff, region):
    html = text(client.get(compare_url(), {"fran": "2026-11-10", "till": "2026-11-30"}))
    assert "2026-11-10: Inga sparade resultat." in html
    assert "2026-11-30: Inga sparade resultat." in html
    roles = {r[0]: r for r in rows_of(html, "jamfor-roller")}
    assert roles["Lokal administratör: Anna Svensson (SE2321000255-P1111)"][1:] == [
        "Innehar",
        "Innehar inte",
        "Borttagen",
    ]
    offerings = {r[0]: r for r in rows_of(html, "jamfor-utbud")}
    assert offerings["Tjänst EGEN-TJANST"][1:] == ["Lokal, öppen för invånare", "Fanns inte", "Borttagen"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"fran": "2026-13-01"}, "Från datum: ”2026-13-01” är inget datum (ÅÅÅÅ-MM-DD)."),
        ({"till": "7 dec"}, "Till datum: ”7 dec” är inget datum (ÅÅÅÅ-MM-DD)."),
        ({"fran": "20261107"}, "Från datum: ”20261107” är inget datum (ÅÅÅÅ-MM-DD)."),
        ({"fran": "0001-01-01"}, "Från datum: Ange ett datum mellan 1900-01-01 och 2100-12-31."),
        ({"fran": "2026-12-07", "till": "2026-11-01"}, "Till datum: Till datum ligger före från datum."),
    ],
)
def test_bad_dates_are_a_swedish_message_with_status_400(client, staff, region, query, message):
    response = client.get(compare_url(), query)
    assert response.status_code == 400
    html = html_module.unescape(response.content.decode())
    assert message in html
    assert response.context["comparison"] is None
    assert 'aria-invalid="true"' in html


def test_the_comparison_takes_a_fixed_number_of_queries(client, staff, region, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 the unit, then the selector's 8 (below).
    with django_assert_num_queries(12):
        client.get(compare_url(), {"fran": "2026-10-15", "till": "2026-12-07"})


def test_the_comparison_selector_is_eight_queries_and_one_for_providers(region, django_assert_num_queries):
    # units_on twice (2 + 2), offerings, roles, the two days' results, their requirements' results.
    with django_assert_num_queries(8):
        comparison = compare_dates(region, D(2026, 10, 15), D(2026, 12, 7))
    assert comparison.stored_first and comparison.stored_second
    from tests import factories as f

    CareUnit.objects.filter(pk=region.pk).update(provider=f.ProviderFactory(name="Capio AB"))
    with django_assert_num_queries(9):
        comparison = compare_dates(region, D(2026, 10, 15), D(2026, 12, 7))
    vardgivare = next(r for r in comparison.attributes if r.label == "Vårdgivare")
    assert (vardgivare.before, vardgivare.after, vardgivare.difference) == (
        "Regionen (regiondriven)",
        "Capio AB",
        "Ändrad",
    )


def test_a_unit_not_yet_known_on_the_first_date_is_new(region, commits, editor):
    area = Vardomrade.objects.get(name="Primärvård Nordost")
    later = CareUnit(
        hsa_id="SE2321000255-NY1",
        name="Ny mottagning",
        forvaltning=area.forvaltning,
        vardomrade=area,
        unit_kind="VUE",
        unit_type="mottagning",
        booking_system="PMO",
    )
    commits(unit_save, unit=later, actor=editor, valid_from=D(2026, 12, 1))
    comparison = compare_dates(later, D(2026, 11, 1), D(2026, 12, 7))
    assert not comparison.known_first and comparison.known_second
    assert {r.difference for r in comparison.attributes} == {"Ny"}


# --- The unit page on a past date -----------------------------------------------------------------------


def test_the_unit_page_on_a_past_date_shows_the_offerings_and_roles_valid_then(client, staff, region):
    def section(html, start, end):
        return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]

    past = text(client.get(reverse("portal:unit_detail", args=[HSA]), {"per": "2026-10-15"}))
    assert "Uppgifterna gällde 15 oktober 2026" in past
    offerings = section(past, "utbud", "roller")
    assert "KONTAKT" in offerings and "FORNYA-RECEPT" not in offerings and "EGEN-TJANST" not in offerings
    assert "Inga administrativa roller registrerade för 15 oktober 2026." in section(past, "roller", "avsteg")

    november = text(client.get(reverse("portal:unit_detail", args=[HSA]), {"per": "2026-11-15"}))
    offerings = section(november, "utbud", "roller")
    assert "FORNYA-RECEPT" in offerings and "EGEN-TJANST" in offerings
    assert "Anna Svensson (SE2321000255-P1111)" in section(november, "roller", "avsteg")
    assert "Uppgifterna gällde 15 november 2026" in november

    today = text(client.get(reverse("portal:unit_detail", args=[HSA])))
    assert "Uppgifterna gällde" not in today
    assert "EGEN-TJANST" not in section(today, "utbud", "roller")
    assert P2 in section(today, "roller", "avsteg")
    assert reverse("portal:unit_history", args=[HSA]) in today
    assert reverse("portal:unit_compare_dates", args=[HSA]) in today
    assert ">Historik</a>" in today and ">Jämför två datum</a>" in today


def test_the_unit_pages_query_count_is_the_same_on_a_past_date(
    client, staff, region, django_assert_num_queries
):
    assert UnitResult.objects.filter(as_of=D(2026, 10, 15)).exists()
    client.get(reverse("portal:unit_detail", args=[HSA]), {"per": "2026-10-15"})  # the page cache warmed…
    from django.core.cache import cache

    cache.clear()  # …and emptied: the count is the page's own
    with django_assert_num_queries(16):
        client.get(reverse("portal:unit_detail", args=[HSA]), {"per": "2026-10-15"})
