"""The rulebook is in place after a plain `migrate` (the test database is built by migrations)."""

import pytest

from servicelevel.models import (
    CatalogueService,
    CatalogueTemplate,
    Decision,
    Requirement,
)

pytestmark = pytest.mark.django_db

CODES = [
    "TB1-VISA",
    "TB1-AVBOKA",
    "TB2-OMBOKA",
    "TB2-OMBOKA-ANDEL",
    "TB2-FRAMFORHALLNING",
    "TB3-OPPEN-KALLELSE",
    "TB3-OPPEN-KALLELSE-ANDEL",
    "TB3-INVANARBOKNING",
    "TB3-INVANARBOKNING-ANDEL",
    "AH0-DIGITAL-KONTAKT",
    "AH1-REGIONALA-TJANSTER",
    "AH2-REGIONALA-MALLAR",
    "AH3-BASUTBUD",
    "SV1-SVARSTID",
    "AR1-LOKAL-ADMIN",
    "AR2-BEHORIGHETSADMIN",
]


def test_the_decision_is_loaded():
    decision = Decision.objects.get()
    assert decision.number == "2026-0000277"
    assert str(decision.in_force_from) == "2026-05-11"
    assert decision.title.startswith("Gemensam servicenivå av digitala tjänster")


def test_the_16_requirements_with_levels_sections_and_parameters():
    reqs = list(Requirement.objects.filter(decision__number="2026-0000277"))
    assert [r.code for r in reqs] == CODES
    levels = {r.code: r.level for r in reqs}
    assert [levels[c] for c in CODES[:9]] == [1, 1, 2, 2, 2, 3, 3, 3, 3]
    assert all(levels[c] is None for c in CODES[9:])
    by = {r.code: r for r in reqs}
    assert by["SV1-SVARSTID"].parameters == {
        "threshold": 0.95,
        "working_days": 2,
        "same_day_hours": 24,
        "stretch_hours": 2,
    }
    assert by["SV1-SVARSTID"].kind == "response_time" and by["TB1-VISA"].kind == "booked_all"
    assert by["TB1-VISA"].applies_if == ["contact_card", "booking_system"]
    assert by["AH3-BASUTBUD"].applies_if == ["contact_card"]
    assert by["TB1-VISA"].name == "Visa bokade tider" and by["TB1-VISA"].section == "2.1.1"
    assert by["SV1-SVARSTID"].section == "2.3" and by["AR2-BEHORIGHETSADMIN"].section.startswith("2.4")
    assert {r.code for r in reqs if r.is_trend} == {c for c in CODES if c.endswith("-ANDEL")}


def test_the_catalogue():
    assert CatalogueService.objects.count() == 20
    assert set(CatalogueService.objects.filter(digital_contact=True).values_list("code", flat=True)) == {
        "KONTAKT",
        "KONTAKTA-MIG",
    }
    assert CatalogueService.objects.get(code="REMISSTATUS").name == "Har min remiss kommit fram?"
    assert list(CatalogueTemplate.objects.values_list("code", flat=True)) == [
        "MALL-FORMULAR",
        "MALL-INFOR-BESOK",
        "MALL-MEDDELANDE",
        "MALL-UPPFOLJNING",
    ]


def test_the_base_offering_profiles():
    profiles = Decision.objects.get(number="2026-0000277").profiles
    assert {code: set(p["services"]) for code, p in profiles.items()} == {
        "mottagning": {"FORNYA-RECEPT", "AV-OMBOKA", "BESTALL-TID", "RADGIVNING"},
        "avdelning": set(),
        "annan": set(),
    }
    assert all(p["channels"] == [] for p in profiles.values())


def test_a_later_decision_stands_beside_this_one():
    from .factories import DecisionFactory, RequirementFactory

    later = DecisionFactory(number="2030-0000001")
    RequirementFactory(decision=later, code="TB1-VISA")
    assert Requirement.objects.filter(code="TB1-VISA").count() == 2
    assert Decision.in_force(__import__("datetime").date(2026, 11, 15)).number == "2026-0000277"
    assert Decision.in_force(__import__("datetime").date(2030, 2, 1)).number == "2030-0000001"


def test_of_two_versions_in_force_from_the_same_day_the_one_loaded_later_is_in_force():
    import datetime

    first = Decision.objects.get()
    later = Decision.objects.create(
        number=first.number, title=first.title, version="2.1", in_force_from=first.in_force_from
    )
    assert Decision.in_force(datetime.date(2026, 11, 15)) == later
    assert Decision.in_force(datetime.date(2026, 5, 10)) == first  # before either: the earliest
