"""Issue 15, point 3: a unit's own base-offering profile (the `units` import's optional `profile` column,
the admin) and digital channels offered with kind `kanal` (the `offerings` import, the self-service form),
judged by `base_offering` under Region Halland's rulebook."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from compliance.models import RequirementResult
from servicelevel.models import CatalogueChannel
from servicelevel.rulebooks import load_shipped
from units.models import CareUnit, Offering
from units.permissions import Roles

from . import factories as f
from .helpers import UNITS_HEADER, manage, unit_line, user_in

pytestmark = pytest.mark.django_db

A, B = "SE2321000255-A1B2", "SE2321000255-A1B3"
PROFILE_HEADER = UNITS_HEADER.replace("active\n", "active;profile\n")
HALLAND_CHANNELS = ["JOURNALEN", "NPO", "DISTANSKONTAKT", "BEHANDLING-VIA-NATET"]


def with_profile(line: str, profile: str) -> str:
    return line.replace("\n", f";{profile}\n")


def rejected(write_file, kind, text):
    path = write_file(text)
    ran = manage("import_data", kind, path)
    assert ran.code == 1, ran.out
    return [line.removeprefix(f"{path}:") for line in ran.errors]


def imported(write_file, kind, text):
    ran = manage("import_data", kind, write_file(text))
    assert ran.code == 0, ran.err
    return ran.out.strip()


@pytest.fixture
def halland(settings):
    settings.SERVICELEVEL_REGION = "halland"
    load_shipped()


def status(hsa_id: str, code: str) -> str:
    return RequirementResult.objects.get(unit_result__unit__hsa_id=hsa_id, requirement__code=code).status


# The units import's profile column ------------------------------------------------------------------------


def test_a_units_file_sets_a_profile_of_the_version_in_force(write_file, halland):
    text = PROFILE_HEADER + with_profile(unit_line(hsa=A), "mottagning-behandling")
    text += with_profile(unit_line(hsa=B), "")
    imported(write_file, "units", text)
    assert dict(CareUnit.objects.values_list("hsa_id", "profile")) == {A: "mottagning-behandling", B: ""}


def test_an_unknown_profile_is_refused_with_its_line_and_the_known_ones(write_file, halland):
    text = PROFILE_HEADER + with_profile(unit_line(hsa=A), "mottagning")
    text += with_profile(unit_line(hsa=B), "vardcentral")
    assert rejected(write_file, "units", text) == [
        "3: profile: basutbudsprofilen 'vardcentral' finns inte i RS220477 version 1.0; kända profiler: "
        "annan, avdelning, mottagning, mottagning-behandling, specialistmottagning"
    ]
    assert not CareUnit.objects.exists()


def test_a_profile_that_is_no_code_is_refused(write_file, halland):
    errors = rejected(
        write_file, "units", PROFILE_HEADER + with_profile(unit_line(hsa=A), "mottagning behandling")
    )
    assert len(errors) == 1 and errors[0].startswith("2: profile: ogiltig basutbudsprofil")


def test_without_the_column_a_stored_unit_keeps_its_profile_and_a_new_one_has_none(write_file, halland):
    imported(write_file, "units", PROFILE_HEADER + with_profile(unit_line(hsa=A), "specialistmottagning"))
    summary = imported(write_file, "units", UNITS_HEADER + unit_line(hsa=A) + unit_line(hsa=B))
    assert summary.startswith("units: 1 created, 0 updated, 1 unchanged")
    assert dict(CareUnit.objects.values_list("hsa_id", "profile")) == {A: "specialistmottagning", B: ""}
    # An empty cell is a value: the unit's type is its profile again.
    imported(write_file, "units", PROFILE_HEADER + with_profile(unit_line(hsa=A), ""))
    assert CareUnit.objects.get(hsa_id=A).profile == ""


def test_skanes_units_file_without_the_column_reads_as_before(write_file):
    assert imported(write_file, "units", UNITS_HEADER + unit_line(hsa=A)).startswith("units: 1 created")
    assert CareUnit.objects.get().profile == ""


def test_the_admin_refuses_a_profile_the_version_does_not_have(halland):
    unit = f.CareUnitFactory()
    unit.profile = "vardcentral"
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert "kända profiler: annan, avdelning, mottagning" in str(refused.value.message_dict["profile"])
    unit.profile = "mottagning-behandling"
    unit.full_clean()
    # A profile stored earlier (a later version may have dropped it) does not block other edits.
    CareUnit.objects.filter(pk=unit.pk).update(profile="gammal-profil")
    unit.refresh_from_db()
    unit.active = False
    unit.full_clean()


# Channels: the offerings import ---------------------------------------------------------------------------


OFFERINGS_HEADER = "unit_hsa_id,kind,code,variant,open\n"


def test_channels_are_offered_from_the_version_in_forces_catalogue(write_file, halland):
    f.CareUnitFactory(hsa_id=A)
    text = OFFERINGS_HEADER + f"{A},kanal,JOURNALEN,regional,\n{A},KANAL,NPO,regional,nej\n"
    assert imported(write_file, "offerings", text) == "offerings: 2 created, 0 updated, 0 unchanged"
    rows = Offering.objects.filter(kind="kanal").order_by("code")
    assert [(o.code, o.variant, o.is_open, o.catalogue_channel.code) for o in rows] == [
        ("JOURNALEN", "regional", True, "JOURNALEN"),
        ("NPO", "regional", True, "NPO"),  # `open` is ignored for a channel
    ]


def test_a_channel_not_in_the_catalogue_or_a_local_one_is_refused(write_file, halland):
    f.CareUnitFactory(hsa_id=A)
    text = OFFERINGS_HEADER + f"{A},kanal,DIGITALEN,regional,\n{A},kanal,Vår egen kanal,lokal,\n"
    assert rejected(write_file, "offerings", text) == [
        "2: code: kanalen 'DIGITALEN' finns inte i beslutets katalog (kanaler: JOURNALEN, NPO, "
        "DISTANSKONTAKT, BEHANDLING-VIA-NATET)",
        "3: variant: en kanal är alltid regional: den ska vara en av katalogens kanaler",
    ]


def test_a_halland_unit_is_not_offered_skanes_own_services(write_file, halland):
    """The registry holds Skåne's services too (the first migrations store its version in every
    database): a regional service is one of the version in force's catalogue."""
    f.CareUnitFactory(hsa_id=A)
    text = OFFERINGS_HEADER + f"{A},tjanst,VARDVAL,regional,ja\n{A},tjanst,EGEN-VARDBEGARAN,regional,ja\n"
    problems = rejected(write_file, "offerings", text)
    assert len(problems) == 1 and problems[0].startswith("3: code:") and "EGEN-VARDBEGARAN" in problems[0]


def test_skane_has_no_channels_to_offer(write_file):
    f.CareUnitFactory(hsa_id=A)
    text = OFFERINGS_HEADER + f"{A},kanal,JOURNALEN,regional,\n"
    assert rejected(write_file, "offerings", text) == [
        "2: code: kanalen 'JOURNALEN' finns inte i beslutets katalog (kanaler: inga)"
    ]


def test_the_database_holds_a_channel_to_its_catalogue_entry(halland):
    unit = f.CareUnitFactory()
    journalen = CatalogueChannel.objects.get(code="JOURNALEN")
    for fields in (
        {"variant": "regional", "catalogue_channel": None},
        {"variant": "lokal", "catalogue_channel": None},
        {
            "variant": "regional",
            "catalogue_channel": journalen,
            "catalogue_service": f.service("FORNYA-RECEPT"),
        },
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Offering.objects.create(unit=unit, kind="kanal", code="JOURNALEN", **fields)
    offering = Offering(unit=unit, kind="kanal", code="NPO", variant="regional", catalogue_channel=journalen)
    with pytest.raises(ValidationError) as refused:
        offering.full_clean()
    assert refused.value.message_dict["code"] == ["koden ska vara katalogens kod 'JOURNALEN'"]


# base_offering of channels, end to end ----------------------------------------------------------------


def test_base_offering_of_channels_is_judged_by_the_units_profile(write_file, halland):
    units = PROFILE_HEADER + with_profile(unit_line(hsa=A), "")
    units += with_profile(unit_line(hsa=B), "mottagning-behandling")
    imported(write_file, "units", units)
    three = "".join(f"{hsa},kanal,{code},regional,\n" for hsa in (A, B) for code in HALLAND_CHANNELS[:3])
    imported(write_file, "offerings", OFFERINGS_HEADER + three)
    assert manage("recompute_compliance").code == 0
    # A plain mottagning needs Journalen, NPÖ and distanskontakt; the variant also behandling via nätet.
    assert status(A, "GU-KANALER") == "met"
    assert status(B, "GU-KANALER") == "not_met"
    reason = RequirementResult.objects.get(unit_result__unit__hsa_id=B, requirement__code="GU-KANALER").reason
    assert reason.endswith("saknas: BEHANDLING-VIA-NATET")

    imported(
        write_file,
        "offerings",
        OFFERINGS_HEADER
        + f"{B},kanal,BEHANDLING-VIA-NATET,regional,\n"
        + "".join(f"{B},kanal,{code},regional,\n" for code in HALLAND_CHANNELS[:3]),
    )
    assert manage("recompute_compliance").code == 0
    assert status(B, "GU-KANALER") == "met"


def test_a_unit_whose_profile_the_rulebook_lacks_has_no_data(halland):
    f.CareUnitFactory(hsa_id=A, profile="gammal-profil")
    assert manage("recompute_compliance").code == 0
    assert status(A, "GU-KANALER") == "no_data"


# The self-service offering form --------------------------------------------------------------------------


@pytest.fixture
def manager_of():
    def make(unit):
        return user_in(Roles.VERKSAMHETSCHEF, [unit])

    return make


def test_the_form_lists_the_versions_channels_and_saves_them(client, halland, manager_of):
    unit = f.CareUnitFactory(hsa_id=A)
    client.force_login(manager_of(unit))
    url = reverse("portal:unit_offerings", args=[unit.hsa_id])
    page = client.get(url).content.decode()
    assert "Digitala kanaler (4)" in page
    assert "Journalen (via nätet)" in page
    # Only Halland's catalogue: Skåne's own services are not offered to a Halland unit.
    assert "Regionala tjänster (17)" in page
    journalen = CatalogueChannel.objects.get(code="JOURNALEN")
    response = client.post(
        url,
        {
            "action": "save",
            f"kanal-{journalen.pk}": "on",
            "lokala-TOTAL_FORMS": "1",
            "lokala-INITIAL_FORMS": "0",
            "lokala-MIN_NUM_FORMS": "0",
            "lokala-MAX_NUM_FORMS": "200",
            "lokala-0-kind": "tjanst",
            "lokala-0-code": "",
            "lokala-0-is_open": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    offering = Offering.objects.get(unit=unit)
    assert (offering.kind, offering.code, offering.variant, offering.catalogue_channel) == (
        "kanal",
        "JOURNALEN",
        "regional",
        journalen,
    )
    follow = client.get(url).content.decode()
    assert "Tillagd: kanalen JOURNALEN" in follow


def test_skanes_form_has_no_channels(client, manager_of):
    unit = f.CareUnitFactory(hsa_id=A)
    client.force_login(manager_of(unit))
    page = client.get(reverse("portal:unit_offerings", args=[unit.hsa_id])).content.decode()
    assert "Digitala kanaler" not in page
    assert 'value="kanal"' not in page  # nor can a local row be a channel
