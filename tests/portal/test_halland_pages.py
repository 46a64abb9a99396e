"""The unit list, the unit page, the comparison and the exemption forms in a Region Halland deployment: they
take groups, levels and requirements from the rulebook in force (Halland's RS220477, which has no ladder
and no response-time requirement), so they show Halland's requirements by name, no level column, filter or
history, no response-time row in the comparison, and none of Skåne's codes.

The results are the engine's own: the nightly recompute stores them for the pinned day."""

import datetime
import re

import pytest
from django.urls import reverse

from compliance.services import recompute
from exemptions.models import Exemption
from servicelevel.models import Decision, Requirement
from servicelevel.rulebooks import load_shipped
from units.models import CareUnit
from units.permissions import Roles

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
DAY = datetime.date(2026, 11, 20)
# Skåne's requirement codes and their short forms: none belongs on a Halland page.
SKANE_CODES = re.compile(r"\b(TB[0-3]|AH[0-3]|SV1|AR[12])(-[A-Z-]+)?\b")


@pytest.fixture
def halland(settings):
    settings.SERVICELEVEL_REGION = "halland"
    load_shipped()
    decision = Decision.in_force(DAY)
    assert decision.number == "RS220477" and not decision.ladder
    return decision


@pytest.fixture
def area(halland):
    """Four mottagningar in one vårdområde, judged by the engine: two offer e-services and book through
    1177, one books nothing ("ingen"), one has no contact card."""
    area = f.VardomradeFactory(name="Vårdområde Halmstad")
    period = f.SchedulePeriodFactory(code="2026-T3")
    units = [
        f.CareUnitFactory(name=f"Vårdcentralen {name}", vardomrade=area, booking_system=system, **kw)
        for name, system, kw in (
            ("Andersberg", "PASiS", {}),
            ("Brunnsåsen", "PASiS", {}),
            ("Centrum", "ingen", {}),
            ("Dalen", "PMO", {"has_contact_card": False}),
        )
    ]
    for unit in units[:2]:
        f.BookingFiguresFactory(unit=unit, period=period)
        for code in ("FORNYA-RECEPT", "KONTAKTA-MIG"):
            f.OfferingFactory(unit=unit, code=code)
    recompute(as_of=DAY)
    return area


def no_skane_codes(html: str) -> None:
    found = sorted({m.group(0) for m in SKANE_CODES.finditer(html)})
    assert found == [], found


def names_of(decision) -> list[str]:
    return list(
        Requirement.objects.filter(decision=decision).order_by("order").values_list("name", flat=True)
    )


def test_the_results_are_halland_s(area, halland):
    units = CareUnit.objects.filter(vardomrade=area)
    results = {r.unit.name: r for r in halland.unitresult_set.filter(as_of=DAY).select_related("unit")}
    assert set(results) == {u.name for u in units}
    assert all(r.booking_level is None for r in results.values())  # no ladder, no level


def test_the_unit_list_has_halland_s_requirements_and_no_level(client, area, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(reverse("portal:unit_list"))
    assert response.status_code == 200
    html = html_of(response)
    for name in names_of(halland):  # the requirement filter offers Halland's requirements
        assert f"{name}</option>" in html.replace("&amp;", "&"), name
    assert 'name="niva"' not in html and 'name="med_avsteg"' not in html
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert "Nivå" not in head and "Uppfyllda" in head
    assert "tidbokningsnivå" not in html and "regelverket har inget krav på svarstid" in html
    assert "Vårdcentralen Andersberg" in html
    no_skane_codes(html)


def test_the_unit_list_filters_by_a_halland_requirement(client, area, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(
        client.get(reverse("portal:unit_list"), {"krav": "WT-SE-ALLA", "status": "not_applicable"})
    )
    # Centrum books nothing and Dalen has no contact card: the booking requirement does not apply to them.
    assert "Vårdcentralen Centrum" in html and "Vårdcentralen Dalen" in html
    assert "Vårdcentralen Andersberg" not in html


def test_the_unit_list_files_have_no_level_columns(client, area, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(reverse("portal:unit_export_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = text.split("\r\n")[0].split(";")
    assert header == [
        "HSA-id",
        "Namn",
        "Uppfyllda",
        "Ej uppfyllda",
        "Svar i tid",
        "Förvaltning",
        "Vårdområde",
        "Vårdgivare",
        "Enhetstyp",
        "Bokningssystem",
    ]
    assert text.count("\r\n") == 5


def test_the_unit_page_shows_halland_s_requirements_by_its_groups_without_levels(client, area, halland):
    unit = CareUnit.objects.get(name="Vårdcentralen Andersberg")
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(reverse("portal:unit_detail", args=[unit.hsa_id]))
    assert response.status_code == 200
    html = html_of(response)
    for group in halland.groups:
        assert f"<caption>{group['name']}</caption>" in html, group
    for name in names_of(halland):
        assert name in html.replace("&amp;", "&"), name
    assert 'id="krav-WT-SE-ALLA"' in html
    assert "Tidbokningsnivå" not in html and "nivahistorik" not in html and "Till nästa nivå" not in html
    assert '<th scope="col">Nivå</th>' not in html
    assert re.search(r"Kraven per 20 november 2026:\s*<span class=\"unit-level\">\d+ av \d+ uppfyllda", html)
    assert "regelverket har inget krav på svarstid" in html
    no_skane_codes(html)


def test_the_comparison_has_halland_s_base_offering_rows_and_no_level_or_response_time(client, area, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(reverse("portal:comparison"), {"vardomrade": area.pk})
    assert response.status_code == 200
    html = html_of(response)
    assert 'id="rad-tjanst-FORNYA-RECEPT"' in html
    assert 'id="rad-niva"' not in html and 'id="rad-svarstid"' not in html
    bases = [r for r in Requirement.objects.filter(decision=halland, kind="base_offering").order_by("order")]
    assert [r.code for r in bases] == ["GU-KANALER", "ET-GRUNDPAKET"]
    assert 'id="rad-basutbud"' in html and 'id="rad-basutbud-ET-GRUNDPAKET"' in html
    assert f"{bases[0].name} (GU-KANALER)" in html  # GU is shared with GU-HEMSIDA: the whole code
    assert f"{bases[1].name} (ET)" in html
    assert "utbud, nivå och svarstid" not in html and "nivå i tidbokning" not in html
    assert "Vårdområde Halmstad: utbud" in html
    no_skane_codes(html)
    csv = b"".join(
        client.get(reverse("portal:comparison_export_csv"), {"vardomrade": area.pk}).streaming_content
    )
    assert "Basutbud" in csv.decode("utf-8-sig") and "svar inom" not in csv.decode("utf-8-sig").lower()


def test_the_exemption_forms_offer_halland_s_requirements_and_its_booking_ones_for_a_system(
    client, area, halland
):
    client.force_login(user_in(Roles.KONCERNSTAB))
    single = html_of(client.get(reverse("portal:exemption_new"), follow=True))
    for requirement in Requirement.objects.filter(decision=halland):
        assert f"{requirement.code} – {requirement.name}" in single.replace("&amp;", "&"), requirement.code
    no_skane_codes(single)

    common = html_of(client.get(reverse("portal:exemption_group_new"), follow=True))
    offered = set(re.findall(r"([A-Z0-9-]+) – ", common))
    booking = {
        r.code for r in Requirement.objects.filter(decision=halland) if "booking_system" in r.applies_if
    }
    assert offered == booking == {"WT-SE-ALLA", "WT-OMBOKA-ALLA", "WT-AVBOKA-ALLA", "WT-BOKA"}
    no_skane_codes(common)


def test_an_exemptions_effect_says_which_requirements_change_not_a_level(client, area, halland):
    unit = CareUnit.objects.get(name="Vårdcentralen Andersberg")
    boka = Requirement.objects.get(decision=halland, code="WT-BOKA")
    exemption = f.ExemptionFactory(
        unit=unit,
        requirement=boka,
        status=Exemption.Status.DRAFT,
        valid_from=DAY,
        valid_until=DAY.replace(month=12),
    )
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(reverse("portal:exemption_detail", args=[exemption.exemption_id])))
    assert "Med avsteget:" in html and "nivå" not in html.split("Med avsteget:", 1)[1].split("</strong>")[0]
    no_skane_codes(html)


def test_the_action_plan_offers_halland_s_requirements_and_no_skane_targets(client, area, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(reverse("portal:actionplan"))
    assert response.status_code == 200
    no_skane_codes(html_of(response))
    # Targets are for trend requirements: Halland has none, and Skåne's (in the same database, from the
    # first migrations) are not this region's to set.
    target = html_of(client.get(reverse("portal:actionplan_target_new"), follow=True))
    assert "TB2-OMBOKA-ANDEL" not in target
    no_skane_codes(target)


def test_the_unit_page_names_a_channel_from_the_catalogue_and_has_no_targets(client, area, halland):
    """A channel offering shows the catalogue channel's name (not "(lokal)"); Halland's decision has no
    trend requirement, so the unit page has no action-plan targets section."""
    from units.models import Offering

    unit = CareUnit.objects.get(name="Vårdcentralen Andersberg")
    f.OfferingFactory(unit=unit, kind=Offering.Kind.KANAL, code="JOURNALEN", variant="regional")
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(reverse("portal:unit_detail", args=[unit.hsa_id])))
    assert "Journalen (via nätet)" in html
    assert 'id="mal"' not in html and "Mål i handlingsplanen" not in html


def test_a_skane_unit_page_keeps_its_targets_section(client):
    unit = f.CareUnitFactory()
    f.BookingFiguresFactory(unit=unit, period=f.SchedulePeriodFactory(code="2026-T3"))
    recompute(as_of=DAY)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(reverse("portal:unit_detail", args=[unit.hsa_id])))
    assert 'id="mal"' in html
