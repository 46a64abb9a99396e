"""A unit that moves takes no history along (issue 17): the pages that count or filter a date's stored
results by förvaltning, vårdområde or vårdgivare read where the unit belonged on that date (the
organisation its result kept, compliance/organisation.py) — the dashboard, the unit list and its files,
the API's list, the comparison and the compliance report. Who may see the unit is still decided on the
unit as it is now.

The move is written as a person writes it (`units.services.unit_save` from a date), and both dates are
judged by the engine itself (`compliance.services.recompute`)."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from api import tokens
from compliance.models import Report, UnitResult
from compliance.organisation import unit_held_id
from compliance.services import recompute
from portal.comparison.selectors import Filters, comparison_for
from portal.dashboard.selectors import Scope, dashboard
from portal.reports.content import as_of_for, compliance_report
from units.models import CareUnit
from units.permissions import Roles, grant_area
from units.services import unit_save

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
OLD = datetime.date(2026, 10, 31)  # the unit was in Primärvård Malmö (Primärvård Skåne), run by the region
MOVED = datetime.date(2026, 11, 1)  # from here: Vuxenpsykiatri (Psykiatri Skåne), run by a provider
NEW = datetime.date(2026, 11, 15)
MOVER = "SE2321000255-FLYT"

UNITS = reverse("portal:unit_list")
UNITS_CSV = reverse("portal:unit_export_csv")
DASHBOARD = reverse("portal:dashboard")
COMPARISON = reverse("portal:comparison")


@pytest.fixture
def region():
    """Three units in Malmö, three in Vuxenpsykiatri, one in Lund, and the mover: Malmö until October,
    Vuxenpsykiatri (and a provider's) from November; results stored for a date before and after."""
    primar = f.ForvaltningFactory(name="Primärvård Skåne")
    malmo = f.VardomradeFactory(name="Primärvård Malmö", forvaltning=primar)
    lund = f.VardomradeFactory(name="Primärvård Lund", forvaltning=primar)
    psyk = f.VardomradeFactory(
        name="Vuxenpsykiatri", forvaltning=f.ForvaltningFactory(name="Psykiatri Skåne")
    )
    provider = f.ProviderFactory(name="Hälsohuset AB")
    for i in range(3):
        f.CareUnitFactory(hsa_id=f"SE2321000255-MA0{i}", name=f"Malmö {i}", vardomrade=malmo)
        f.CareUnitFactory(hsa_id=f"SE2321000255-PS0{i}", name=f"Psykiatri {i}", vardomrade=psyk)
    f.CareUnitFactory(hsa_id="SE2321000255-LU00", name="Lund 0", vardomrade=lund)
    mover = f.CareUnitFactory(hsa_id=MOVER, name="Flyttande mottagningen", vardomrade=malmo)
    mover.vardomrade, mover.forvaltning, mover.provider = psyk, psyk.forvaltning, provider
    unit_save(unit=mover, actor=f.UserFactory(username="admin"), valid_from=MOVED)
    for day in (OLD, NEW):
        recompute(as_of=day)
    return {
        "primar": primar,
        "malmo": malmo,
        "lund": lund,
        "psyk": psyk,
        "provider": provider,
        "mover": mover,
    }


def boss():
    return user_in(Roles.KONCERNSTAB)


def rows_of(board) -> dict[str, int]:
    """The heatmap's rows: label → units."""
    return {row.label: row.units for row in board.rows}


def test_the_move_is_a_fact_from_its_date_and_each_stored_result_keeps_its_own(region):
    mover = CareUnit.objects.get(hsa_id=MOVER)
    assert (mover.vardomrade, mover.valid_from) == (region["psyk"], MOVED)
    old, new = (UnitResult.objects.get(unit=mover, as_of=day) for day in (OLD, NEW))
    assert (old.forvaltning, old.vardomrade, old.provider) == (region["primar"], region["malmo"], None)
    assert (new.forvaltning, new.vardomrade, new.provider) == (
        region["psyk"].forvaltning,
        region["psyk"],
        region["provider"],
    )


# ------------------------------------------------------------------------------------------- dashboard


def test_the_dashboard_counts_the_unit_where_it_belonged_on_each_date(region):
    user = boss()
    old, new = (dashboard(user, as_of_for(day), Scope()) for day in (OLD, NEW))
    assert rows_of(old) == {"Primärvård Skåne": 5, "Psykiatri Skåne": 3}
    assert rows_of(new) == {"Primärvård Skåne": 4, "Psykiatri Skåne": 4}

    primar = Scope(forvaltning=region["primar"])
    assert rows_of(dashboard(user, as_of_for(OLD), primar)) == {"Primärvård Lund": 1, "Primärvård Malmö": 4}
    assert rows_of(dashboard(user, as_of_for(NEW), primar)) == {"Primärvård Lund": 1, "Primärvård Malmö": 3}

    malmo = Scope(forvaltning=region["primar"], vardomrade=region["malmo"])
    psyk = Scope(forvaltning=region["psyk"].forvaltning, vardomrade=region["psyk"])
    for day, in_malmo, in_psyk in ((OLD, True, False), (NEW, False, True)):
        at_malmo, at_psyk = (dashboard(user, as_of_for(day), scope) for scope in (malmo, psyk))
        assert (MOVER in {r.hsa_id for r in at_malmo.rows}, MOVER in {r.hsa_id for r in at_psyk.rows}) == (
            in_malmo,
            in_psyk,
        )
        assert (at_malmo.units, at_psyk.units) == (3 + in_malmo, 3 + in_psyk)  # the level table's units


def test_the_dashboard_page_shows_the_old_area_on_the_old_date(client, region):
    client.force_login(boss())
    html = html_of(client.get(DASHBOARD, {"forvaltning": region["primar"].pk, "per": OLD.isoformat()}))
    assert "Primärvård Malmö" in html and "Vuxenpsykiatri" not in html
    drilled = html_of(client.get(DASHBOARD, {"vardomrade": region["malmo"].pk, "per": OLD.isoformat()}))
    assert "Flyttande mottagningen" in drilled
    drilled = html_of(client.get(DASHBOARD, {"vardomrade": region["malmo"].pk, "per": NEW.isoformat()}))
    assert "Flyttande mottagningen" not in drilled


def test_an_exemption_ending_soon_is_listed_where_its_unit_belonged_on_the_date(region):
    f.ExemptionFactory(
        exemption_id="AV-2026-0042",
        unit=region["mover"],
        requirement=f.requirement("TB3-OPPEN-KALLELSE"),
        status="approved",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 11, 10),
    )
    user = boss()
    malmo = Scope(forvaltning=region["primar"], vardomrade=region["malmo"])
    psyk = Scope(forvaltning=region["psyk"].forvaltning, vardomrade=region["psyk"])
    listed = {
        scope.vardomrade.name: [e.exemption_id for e in dashboard(user, as_of_for(OLD), scope).exemptions]
        for scope in (malmo, psyk)
    }
    assert listed == {"Primärvård Malmö": ["AV-2026-0042"], "Vuxenpsykiatri": []}


def test_a_unit_manager_of_the_new_area_sees_the_units_history_under_its_old_forvaltning(region):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_area(manager, region["psyk"])  # the mover's area now: its history comes with the right
    old = dashboard(manager, as_of_for(OLD), Scope())
    assert rows_of(old) == {"Primärvård Skåne": 1, "Psykiatri Skåne": 3}
    # Their förvaltning's levels as numbers: the units that were in it then (not the mover on OLD).
    assert {c.name: c.units for c in old.comparison} == {"Psykiatri Skåne": 3}
    new = dashboard(manager, as_of_for(NEW), Scope())
    assert {c.name: c.units for c in new.comparison} == {"Psykiatri Skåne": 4}


def test_the_old_forvaltning_is_named_not_linked_for_a_manager_who_may_not_open_it(client, region):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_area(manager, region["psyk"])
    client.force_login(manager)
    html = html_of(client.get(DASHBOARD, {"per": OLD.isoformat()}))
    primar, psyk = region["primar"].pk, region["psyk"].forvaltning_id
    links = re.findall(r'href="([^"]+)"', html.replace("&amp;", "&"))
    assert "Primärvård Skåne" in html
    assert not [h for h in links if f"forvaltning={primar}" in h]  # it would be a 404 or filter nothing
    assert f"/?forvaltning={psyk}&per={OLD.isoformat()}" in links
    assert client.get(DASHBOARD, {"forvaltning": primar}).status_code == 404  # rights as they were


def test_a_result_that_kept_no_organisation_counts_where_its_unit_is(region):
    UnitResult.objects.filter(unit=region["mover"], as_of=OLD).update(
        forvaltning=None, vardomrade=None, provider=None
    )
    assert rows_of(dashboard(boss(), as_of_for(OLD), Scope())) == {
        "Primärvård Skåne": 4,
        "Psykiatri Skåne": 4,
    }


# ------------------------------------------------------------------------------------------- unit list


def listed(client, **params) -> list[str]:
    html = html_of(client.get(UNITS, params))
    return sorted(hsa for hsa in {row["hsa_id"] for row in csv_rows(client, **params)} if hsa in html)


def csv_rows(client, **params) -> list[dict]:
    response = client.get(UNITS_CSV, params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [{"hsa_id": r["HSA-id"], **r} for r in csv.DictReader(io.StringIO(text), delimiter=";")]


def test_the_unit_list_filters_a_past_date_by_where_the_unit_belonged_then(client, region):
    client.force_login(boss())
    malmo, psyk, provider = region["malmo"].pk, region["psyk"].pk, region["provider"].pk
    assert MOVER in listed(client, per=OLD.isoformat(), vardomrade=malmo)
    assert MOVER not in listed(client, per=OLD.isoformat(), vardomrade=psyk)
    assert MOVER not in listed(client, per=NEW.isoformat(), vardomrade=malmo)
    assert MOVER in listed(client, per=NEW.isoformat(), vardomrade=psyk)
    assert MOVER in listed(client, per=OLD.isoformat(), forvaltning=region["primar"].pk)
    assert listed(client, per=OLD.isoformat(), provider=provider) == []
    assert listed(client, per=NEW.isoformat(), provider=provider) == [MOVER]


def test_the_unit_list_and_its_file_show_the_area_of_the_date(client, region):
    client.force_login(boss())
    old = {r["hsa_id"]: r for r in csv_rows(client, per=OLD.isoformat())}[MOVER]
    new = {r["hsa_id"]: r for r in csv_rows(client, per=NEW.isoformat())}[MOVER]
    assert (old["Förvaltning"], old["Vårdområde"], old["Vårdgivare"]) == (
        "Primärvård Skåne",
        "Primärvård Malmö",
        "Regionen",
    )
    assert (new["Förvaltning"], new["Vårdområde"], new["Vårdgivare"]) == (
        "Psykiatri Skåne",
        "Vuxenpsykiatri",
        "Hälsohuset AB",
    )
    assert old["Namn"] == new["Namn"] == "Flyttande mottagningen"
    html = html_of(client.get(UNITS, {"per": OLD.isoformat(), "vardomrade": region["malmo"].pk}))
    row = html[html.index(MOVER) : html.index("</tr>", html.index(MOVER))]
    assert "Primärvård Malmö" in row and "Vuxenpsykiatri" not in row


def test_the_unit_list_sorts_by_the_area_of_the_date(client, region):
    client.force_login(boss())
    shown = ("SE2321000255-LU00", "SE2321000255-MA02", MOVER, "SE2321000255-PS00")
    for day, order in (
        (OLD, ["SE2321000255-LU00", MOVER, "SE2321000255-MA02", "SE2321000255-PS00"]),  # Lund, Malmö …
        (NEW, ["SE2321000255-LU00", "SE2321000255-MA02", MOVER, "SE2321000255-PS00"]),  # … Vuxenpsykiatri
    ):
        html = html_of(client.get(UNITS, {"per": day.isoformat(), "sort": "vardomrade"}))
        assert sorted(shown, key=lambda hsa: html.index(f">{hsa}<")) == order


def test_a_unit_manager_of_the_new_area_finds_the_unit_in_the_list_of_an_old_date(client, region):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_area(manager, region["psyk"])
    client.force_login(manager)
    rows = {r["hsa_id"]: r for r in csv_rows(client, per=OLD.isoformat())}
    assert set(rows) == {MOVER, "SE2321000255-PS00", "SE2321000255-PS01", "SE2321000255-PS02"}
    assert rows[MOVER]["Vårdområde"] == "Primärvård Malmö"
    # Filtering by their own area on the old date finds the units that were in it then.
    assert MOVER not in {
        r["hsa_id"] for r in csv_rows(client, per=OLD.isoformat(), vardomrade=region["psyk"].pk)
    }


def test_the_api_list_filters_and_names_the_area_of_the_date(client, region):
    secret = tokens.create(user=boss(), name="test", scope="read", days=30)[1]

    def units(**params):
        response = client.get(reverse("api:units"), params, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.content
        return {row["hsa_id"]: row for row in response.json()["results"]}

    old = units(as_of=OLD.isoformat(), vardomrade=region["malmo"].pk)
    assert MOVER in old
    assert (old[MOVER]["forvaltning"], old[MOVER]["vardomrade"], old[MOVER]["provider"]) == (
        "Primärvård Skåne",
        "Primärvård Malmö",
        None,
    )
    assert MOVER not in units(as_of=NEW.isoformat(), vardomrade=region["malmo"].pk)
    assert (
        units(as_of=NEW.isoformat(), provider=region["provider"].pk)[MOVER]["vardomrade"] == "Vuxenpsykiatri"
    )


# ------------------------------------------------------------------------------------------ comparison


def test_the_comparison_groups_the_equivalent_units_of_the_date(client, region):
    user = boss()
    malmo = Filters(vardomrade_id=region["malmo"].pk, unit_type="mottagning")
    psyk = Filters(vardomrade_id=region["psyk"].pk, unit_type="mottagning")

    def group(filters, day):
        return {c.hsa_id for c in comparison_for(user, filters=filters, results_date=day).columns}

    assert MOVER in group(malmo, OLD) and MOVER not in group(psyk, OLD)
    assert MOVER not in group(malmo, NEW) and MOVER in group(psyk, NEW)
    assert len(group(malmo, OLD)) == 4 and len(group(psyk, OLD)) == 3

    client.force_login(user)
    page = {"vardomrade": region["malmo"].pk, "typ": "mottagning"}
    assert "Alla likvärdiga enheter (4 st)" in html_of(
        client.get(COMPARISON, {**page, "per": OLD.isoformat()})
    )
    assert "Alla likvärdiga enheter (3 st)" in html_of(
        client.get(COMPARISON, {**page, "per": NEW.isoformat()})
    )


def test_the_comparisons_peers_of_a_date_are_equivalent_by_their_facts_of_then(region):
    """A unit of Malmö that became an avdelning from November (and one that closed) is a mottagning peer
    in October only."""
    user = boss()
    changed = CareUnit.objects.get(hsa_id="SE2321000255-MA00")
    changed.unit_type = "avdelning"
    unit_save(unit=changed, actor=None, valid_from=MOVED)
    closed = CareUnit.objects.get(hsa_id="SE2321000255-MA01")
    closed.active = False
    unit_save(unit=closed, actor=None, valid_from=MOVED)
    for day in (OLD, NEW):
        recompute(as_of=day)
    malmo = Filters(vardomrade_id=region["malmo"].pk, unit_type="mottagning")

    def group(day):
        return {c.hsa_id for c in comparison_for(user, filters=malmo, results_date=day).columns}

    assert {"SE2321000255-MA00", "SE2321000255-MA01"} <= group(OLD)
    assert not {"SE2321000255-MA00", "SE2321000255-MA01"} & group(NEW)


def test_the_comparisons_offerings_of_a_date_are_those_that_held_then(region):
    from portal.comparison.selectors.facts import GroupFacts, group_queryset
    from portal.comparison.selectors.shapes import Scope
    from units.services import OfferingRow, offerings_replace

    unit = CareUnit.objects.get(hsa_id="SE2321000255-MA02")
    offerings_replace(unit=unit, rows=[OfferingRow("tjanst", "Egen", "lokal")], actor=None, valid_from=MOVED)
    malmo = region["malmo"]
    scope = Scope(malmo.forvaltning_id, "", malmo.pk, malmo.name, "mottagning", "")

    def local(day):
        group = group_queryset(scope, day)
        return GroupFacts.load(group, scope, day, [unit.pk]).units[unit.pk].local

    assert (local(OLD), local(NEW), local(None)) == (0, 1, 1)


# --------------------------------------------------------------------------------------------- reports


def test_an_area_report_of_a_past_date_holds_the_units_that_were_in_the_area_then(region):
    user = boss()

    def report_text(area, day) -> str:
        report = Report.objects.create(
            kind=Report.Kind.EFTERLEVNAD,
            scope=Report.Scope.VARDOMRADE,
            vardomrade=area,
            as_of=day,
            requested_by=user,
        )
        return compliance_report(report).html

    old_malmo, old_psyk = report_text(region["malmo"], OLD), report_text(region["psyk"], OLD)
    assert MOVER in old_malmo and MOVER not in old_psyk
    assert "Enheternas status (4)" in old_malmo and "Enheternas status (3)" in old_psyk
    new_malmo, new_psyk = report_text(region["malmo"], NEW), report_text(region["psyk"], NEW)
    assert MOVER not in new_malmo and MOVER in new_psyk
    # The unit's line names the area it belonged to on the report's date.
    start = old_malmo.index(f"<td>{MOVER}</td>")
    line = old_malmo[start : old_malmo.index("</tr>", start)]
    assert "Primärvård Malmö" in line


def test_a_units_organisation_on_a_date_is_its_results_and_its_own_without_one(region):
    """compliance.organisation.unit_held_id: no vårdgivare kept is a value (the region ran the unit), not a
    gap to fill from the unit; a date without results reads the unit's own."""
    mover = CareUnit.objects.filter(hsa_id=MOVER)

    def held(day):
        return mover.annotate(
            p=unit_held_id("provider", day),
            v=unit_held_id("vardomrade", day),
            fv=unit_held_id("forvaltning", day),
        ).values_list("p", "v", "fv")[0]

    psyk = region["psyk"]
    assert held(OLD) == (None, region["malmo"].pk, region["primar"].pk)
    assert held(NEW) == (region["provider"].pk, psyk.pk, psyk.forvaltning_id)
    assert held(datetime.date(2026, 1, 1)) == (region["provider"].pk, psyk.pk, psyk.forvaltning_id)
