"""seed_demo --region halland|norrbotten: the region's shipped rulebook loaded, units and facts that fit
the region, results under that region's decision only; another region's units refused."""

import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from compliance.demo import SPECS
from compliance.management.commands.seed_demo import DEMO_USERS
from compliance.models import UnitResult
from exemptions.models import Exemption
from servicelevel.models import Decision, Requirement
from units.models import CareUnit, Forvaltning

from .helpers import manage

pytestmark = pytest.mark.django_db

TODAY = "2026-11-21"
NUMBERS = {"halland": ("RS220477", "1.0"), "norrbotten": ("678-2021", "1.0")}


@pytest.fixture(autouse=True)
def _no_region_setting(settings):
    # The region is the version loaded last (servicelevel/region.py), as on a fresh demo database.
    settings.SERVICELEVEL_REGION = ""
    settings.DEBUG = True


def seed(*args):
    return manage("seed_demo", "--units", "40", "--cases", "600", "--today", TODAY, *args)


@pytest.mark.parametrize("region", ["halland", "norrbotten"])
def test_a_region_demo_serves_that_regions_decision_only(region):
    skane_codes = set(
        Requirement.objects.filter(decision__region_code="skane").values_list("code", flat=True)
    )
    assert skane_codes  # migrate stored Skåne's version

    ran = seed("--region", region)
    assert ran.code == 0, ran.err
    number, version = NUMBERS[region]
    assert f"regelverk: {number} version {version} ({region}) inläst" in ran.out
    assert "cases: 600 created" in ran.out

    decision = Decision.objects.get(region_code=region)
    assert Decision.in_force(TODAY) == decision
    codes = set(decision.requirements.values_list("code", flat=True))

    spec = SPECS[region]
    units = CareUnit.objects.all()
    assert units.count() == 40
    # The region's own HSA-ids (the private providers' their own), förvaltningar and places.
    assert all(u.hsa_id.startswith((f"SE{spec.org}-", "SE5565")) for u in units)
    assert set(Forvaltning.objects.values_list("name", flat=True)) == set(spec.areas)
    assert not CareUnit.objects.filter(name__contains="Malmö").exists()

    document = json.loads(manage("export_compliance", "--as-of", TODAY).out)
    assert (document["decision"], document["decision_version"], document["region"]) == (
        number,
        version,
        region,
    )
    assert len(document["units"]) == 40
    statuses = Counter()
    for unit in document["units"]:
        assert set(unit["requirements"]) == codes  # every code of the version, and no Skåne code
        assert not set(unit["requirements"]) & skane_codes
        if not decision.ladder:
            assert unit["booking_level"] is None
        statuses.update(r["status"] for r in unit["requirements"].values())
    # Varied facts: some units meet everything, some miss services or channels, some lack a contact card.
    assert statuses["met"] and statuses["not_met"], statuses
    per_unit = [{r["status"] for r in u["requirements"].values()} for u in document["units"]]
    assert any(s == {"met"} for s in per_unit)
    assert CareUnit.objects.filter(has_contact_card=False).exists() or statuses["not_applicable"]

    # The month ends the cases cover and the demo's today, as Skåne's demo.
    dates = sorted({str(d) for d in UnitResult.objects.values_list("as_of", flat=True)})
    assert dates == ["2026-08-31", "2026-09-30", "2026-10-31", TODAY]
    assert UnitResult.objects.filter(decision=decision).count() == 4 * 40

    # Exemptions on the region's own requirement codes, in more than one state.
    exemptions = Exemption.objects.select_related("requirement")
    assert exemptions.exists()
    assert {e.requirement.code for e in exemptions} <= codes
    assert len({e.status for e in exemptions}) > 1

    # The five demo users with Skåne's demo's names and password; the unit manager has the region's area.
    User = get_user_model()
    for username, *_rest in DEMO_USERS:
        assert User.objects.get(username=username).check_password("demo-2026")
    from units.permissions import visible_units

    mine = visible_units(User.objects.get(username="enhetschef"))
    assert mine.exists() and {u.vardomrade.name for u in mine} == {spec.manager_area}
    assert visible_units(User.objects.get(username="vardgivare")).exists()


def test_halland_offers_its_own_catalogue_and_the_booking_systems_table_names_its_requirements():
    from exemptions.models import SystemCapability
    from units.models import Offering

    assert seed("--region", "halland").code == 0
    catalogue = Decision.objects.get(region_code="halland").catalogue
    halland_services = {s["code"] for s in catalogue["services"]}
    offered = set(Offering.objects.filter(variant="regional", kind="tjanst").values_list("code", flat=True))
    assert offered and offered <= halland_services
    assert "KONTAKT" not in offered  # Skåne's digital contact service is not Halland's
    if hasattr(Offering.Kind, "KANAL"):  # channels, once the offerings import takes them
        channels = set(Offering.objects.filter(kind="kanal").values_list("code", flat=True))
        assert channels and channels <= {c["code"] for c in catalogue["channels"]}
    assert {c.requirement.code for c in SystemCapability.objects.select_related("requirement")} <= {
        "WT-SE-ALLA",
        "WT-OMBOKA-ALLA",
        "WT-AVBOKA-ALLA",
        "WT-BOKA",
    }
    assert CareUnit.objects.filter(name__startswith="Vårdcentralen").exists()


def test_a_region_demo_refuses_a_database_with_another_regions_units():
    assert manage("seed_demo", "--units", "12", "--cases", "50", "--today", TODAY).code == 0
    ran = seed("--region", "halland")
    assert ran.code == 2
    assert "redan enheter för en annan region (Region Skåne)" in ran.err
    # Nothing loaded or written: the portal still follows Skåne's decision with Skåne's units.
    assert not Decision.objects.filter(region_code="halland").exists()
    assert CareUnit.objects.count() == 12
    # --if-empty does nothing on a database with units, whatever the region.
    again = seed("--region", "halland", "--if-empty")
    assert again.code == 0 and "inget ändrat" in again.out


def test_skanes_demo_is_refused_on_a_halland_demo_and_a_halland_demo_may_run_again():
    assert seed("--region", "norrbotten").code == 0
    ran = manage("seed_demo", "--units", "12", "--cases", "50", "--today", TODAY)
    assert ran.code == 2 and "Region Norrbotten" in ran.err
    again = seed("--region", "norrbotten")
    assert again.code == 0, again.err
    assert "(norrbotten) oförändrad" in again.out and "units: 0 created" in again.out
    assert CareUnit.objects.count() == 40


def test_a_region_demo_is_refused_when_the_setting_names_another_region(settings):
    settings.SERVICELEVEL_REGION = "skane"
    ran = seed("--region", "halland")
    assert ran.code == 2 and "SERVICELEVEL_REGION" in ran.err
    assert not CareUnit.objects.exists()
