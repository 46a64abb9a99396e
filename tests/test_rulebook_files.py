"""Rulebook files (docs/rulebooks.md): the three shipped files parse and survive a round trip, Skåne's
file is exactly today's rulebook, and every rule of the format refuses with its `FILE:LINE: key:
message`. No database: plain functions on text."""

from __future__ import annotations

import dataclasses
import datetime
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicelevel import kinds
from servicelevel import rulebook_2026_0000277 as today
from servicelevel.rulebook_file import RulebookRefused, dump, parse

FOLDER = Path(__file__).resolve().parent.parent / "servicelevel" / "fixtures" / "rulebooks"
FILES = ("skane-2026-0000277.yaml", "halland-RS220477.yaml", "norrbotten-678-2021.yaml")


def text_of(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8")


def shipped(name: str):
    return parse(text_of(name), name)


def refusal(text: str) -> list[str]:
    """The problems' lines of a refused text, named t.yaml."""
    with pytest.raises(RulebookRefused) as refused:
        parse(text, "t.yaml")
    return refused.value.lines()


# A small valid file; each refusal test changes one thing in it. Line numbers are this text's.
BASE = """\
region: {code: halland, name: Region Halland}
decision:
  number: RS220477
  version: "1.0"
  title: Digitalt utbud
  in_force_from: 2022-03-19
groups:
  - {code: GU, name: Grundutbud}
  - {code: WT, name: Tidbokning via webbtidbok}
ladder: {name: Bokningsnivå}
catalogue:
  services:
    - {code: FORNYA-RECEPT, name: Förnya recept}
    - {code: KONTAKTA-MIG, name: Kontakta mig, digital_contact: true}
  channels:
    - {code: JOURNALEN, name: Journalen via nätet}
profiles:
  mottagning: {services: [FORNYA-RECEPT, KONTAKTA-MIG], channels: [JOURNALEN]}
requirements:
  - code: GU-HEMSIDA
    group: GU
    name: Mottagningens hemsida via 1177 Vårdguiden
    kind: contact_card
  - code: WT-SE-ALLA
    group: WT
    name: Se alla bokade tider
    kind: booked_all
    level: 1
    parameters: {figure: booked_visible}
    applies_if: [contact_card, booking_system]
  - code: SV1
    group: GU
    name: Svar i tid
    kind: response_time
    parameters: {threshold: 0.95}
  - code: AR2
    group: GU
    name: Behörighetsadministratörer
    kind: role_count
    parameters: {role: behorighetsadministrator, min: 1, max: 2}
"""


def edited(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def refused_with(old: str, new: str) -> list[str]:
    return refusal(edited(old, new))


# -- the shipped files -----------------------------------------------------------------------------


def test_the_base_text_of_these_tests_is_a_rulebook():
    rulebook = parse(BASE, "t.yaml")
    assert [r.code for r in rulebook.requirements] == ["GU-HEMSIDA", "WT-SE-ALLA", "SV1", "AR2"]
    assert rulebook.requirement("SV1").parameters == {
        "threshold": 0.95,
        "working_days": 2,
        "same_day_hours": 24,
        "stretch_hours": 2,
    }


@pytest.mark.parametrize("name", FILES)
def test_each_shipped_file_parses(name):
    rulebook = shipped(name)
    assert rulebook.region.code == name.split("-")[0]
    assert rulebook.requirements


@pytest.mark.parametrize("name", FILES)
def test_each_shipped_file_survives_the_round_trip(name):
    rulebook = shipped(name)
    text = dump(rulebook)
    assert parse(text, "dumped.yaml") == rulebook
    assert "!!" not in text and "Region" in text  # plain values only; UTF-8 as it is, not escaped
    assert dump(parse(text, "dumped.yaml")) == text  # and the dump is stable


def test_the_dump_is_block_style_in_the_spec_key_order():
    text = dump(shipped("skane-2026-0000277.yaml"))
    tops = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert tops == ["region", "decision", "groups", "ladder", "catalogue", "profiles", "requirements"]
    assert "{" not in text and "Ärendehantering genom 1177" in text
    assert (
        "  - code: TB1-VISA\n    group: TB\n    name: Visa bokade tider\n    section: 2.1.1\n    kind: booked_all\n"
        in text
    )


def test_halland_and_norrbotten_as_the_seeds_say():
    halland = shipped("halland-RS220477.yaml")
    assert (halland.decision.number, halland.decision.version) == ("RS220477", "1.0")
    assert halland.decision.in_force_from == datetime.date(2022, 3, 19)
    assert len(halland.catalogue.services) == 17
    assert [c.code for c in halland.catalogue.channels] == [
        "JOURNALEN",
        "NPO",
        "DISTANSKONTAKT",
        "BEHANDLING-VIA-NATET",
    ]
    assert len(halland.profiles["mottagning"].services) == 17
    assert halland.ladder is None and not any(r.kind == "response_time" for r in halland.requirements)
    assert [(r.kind, r.parameters) for r in halland.requirements if r.group == "WT"] == [
        ("booked_all", {"figure": "booked_visible"}),
        ("booked_all", {"figure": "booked_reschedulable"}),
        ("booked_all", {"figure": "booked_cancellable"}),
        ("any_positive", {"figures": ["slots_citizen_bookable", "slots_open_invitation"]}),
    ]
    norrbotten = shipped("norrbotten-678-2021.yaml")
    assert (norrbotten.decision.number, norrbotten.decision.version) == ("678-2021", "1.0")
    assert norrbotten.decision.in_force_from == datetime.date(2022, 1, 1)
    assert norrbotten.profiles["mottagning"].services == (
        "FORNYA-RECEPT",
        "KONTAKTA-MIG",
        "AV-OMBOKA",
        "BESTALL-TID",
        "RADGIVNING",
    )
    assert norrbotten.profiles["mottagning"].channels == ("DIGITALEN", "DIGITALA-VARDBESOK")
    assert [r.parameters["of"] for r in norrbotten.requirements] == ["services", "channels"]


# -- the kinds ------------------------------------------------------------------------------------


def test_the_twelve_kinds_and_their_defaults_are_allowed_values():
    assert kinds.KIND_NAMES == (
        "booked_all",
        "any_positive",
        "minimum",
        "share_trend",
        "contact_card",
        "digital_contact",
        "regional_services",
        "regional_templates",
        "base_offering",
        "response_time",
        "local_admin_wide_mandate",
        "role_count",
    )
    for kind in kinds.KINDS.values():
        assert kind.description
        for parameter in kind.parameters:
            assert parameter.description
            assert parameter.required or parameter.problem(parameter.default) is None, parameter


def test_with_defaults_fills_in_what_is_left_out_in_the_kinds_order():
    assert kinds.with_defaults("role_count", {"max": None, "role": "lokal_administrator"}) == {
        "role": "lokal_administrator",
        "min": 1,
        "max": None,
    }
    assert list(kinds.with_defaults("role_count", {"max": None, "role": "x"})) == ["role", "min", "max"]
    assert kinds.with_defaults("response_time", None) == {
        "threshold": 0.95,
        "working_days": 2,
        "same_day_hours": 24,
        "stretch_hours": 2,
    }
    assert kinds.with_defaults("contact_card", {}) == {}


def test_parameter_problems_in_swedish():
    assert kinds.parameter_problems("minimum", {"figure": "lookahead_weeks", "at_least": 8}) == {}
    assert kinds.parameter_problems("minimum", {"figure": "weeks", "at_least": -1}) == {
        "figure": "ska vara en av " + ", ".join(kinds.FIGURE_NAMES),
        "at_least": "ska vara ett tal ≥ 0",
    }
    assert kinds.parameter_problems("base_offering", {"of": "kanaler"}) == {
        "of": "ska vara en av services, channels"
    }
    assert kinds.parameter_problems("any_positive", {"figures": ["slots_total", "slots_total"]}) == {
        "figures": "ska vara en lista med minst ett av " + ", ".join(kinds.FIGURE_NAMES) + ", utan upprepning"
    }
    assert kinds.parameter_problems("response_time", {"threshold": True}) == {
        "threshold": "ska vara ett tal från 0 till 1"
    }  # YAML's yes is no number
    assert kinds.parameter_problems("response_time", [0.95]) == {"-": "ska vara en mappning (namn: värde)"}
    assert set(kinds.CONDITIONS) == {"contact_card", "booking_system"}


# -- Skåne's file is today's rulebook ---------------------------------------------------------------

TB = ["contact_card", "booking_system"]
# RULEBOOKS.md's table: each of the 16 requirements, its kind and its parameters.
SKANE_KINDS = {
    "TB1-VISA": ("booked_all", {"figure": "booked_visible"}),
    "TB1-AVBOKA": ("booked_all", {"figure": "booked_cancellable"}),
    "TB2-OMBOKA": ("any_positive", {"figures": ["booked_reschedulable"]}),
    "TB2-OMBOKA-ANDEL": ("share_trend", {"numerator": "booked_reschedulable", "denominator": "booked_total"}),
    "TB2-FRAMFORHALLNING": ("minimum", {"figure": "lookahead_weeks", "at_least": 8}),
    "TB3-OPPEN-KALLELSE": ("any_positive", {"figures": ["slots_open_invitation"]}),
    "TB3-OPPEN-KALLELSE-ANDEL": (
        "share_trend",
        {"numerator": "slots_open_invitation", "denominator": "slots_total"},
    ),
    "TB3-INVANARBOKNING": ("any_positive", {"figures": ["slots_citizen_bookable"]}),
    "TB3-INVANARBOKNING-ANDEL": (
        "share_trend",
        {"numerator": "slots_citizen_bookable", "denominator": "slots_total"},
    ),
    "AH0-DIGITAL-KONTAKT": ("digital_contact", {}),
    "AH1-REGIONALA-TJANSTER": ("regional_services", {}),
    "AH2-REGIONALA-MALLAR": ("regional_templates", {}),
    "AH3-BASUTBUD": ("base_offering", {"of": "services"}),
    "SV1-SVARSTID": (
        "response_time",
        {"threshold": 0.95, "working_days": 2, "same_day_hours": 24, "stretch_hours": 2},
    ),
    "AR1-LOKAL-ADMIN": ("local_admin_wide_mandate", {"min_units": 2}),
    "AR2-BEHORIGHETSADMIN": ("role_count", {"role": "behorighetsadministrator", "min": 1, "max": 2}),
}
# Today's parameter names → the file's (TB2-FRAMFORHALLNING's weeks are the minimum's at_least).
TODAY_PARAMETER = {"weeks": "at_least", "threshold": "threshold"}


def test_skane_decision_is_todays():
    decision = shipped("skane-2026-0000277.yaml").decision
    assert decision.number == today.DECISION["number"]
    assert decision.version == today.DECISION["version"] == "2.0"
    assert decision.title == today.DECISION["title"]
    assert decision.in_force_from.isoformat() == today.DECISION["in_force_from"]
    assert decision.in_force_until is None


def test_skane_requirements_are_todays_field_for_field():
    rulebook = shipped("skane-2026-0000277.yaml")
    assert [r.code for r in rulebook.requirements] == [row[0] for row in today.REQUIREMENTS]
    for code, group, level, name, section, is_trend, parameters in today.REQUIREMENTS:
        requirement = rulebook.requirement(code)
        assert (requirement.group, requirement.level, requirement.name, requirement.section) == (
            group,
            level,
            name,
            section,
        ), code
        assert (requirement.kind == "share_trend") is is_trend, code
        for today_name, value in parameters.items():
            assert requirement.parameters[TODAY_PARAMETER[today_name]] == value, code
        assert (requirement.kind, requirement.parameters) == SKANE_KINDS[code], code
        assert list(requirement.applies_if) == (TB if group == "TB" else ["contact_card"]), code


def test_skane_groups_ladder_catalogue_and_profiles_are_todays():
    rulebook = shipped("skane-2026-0000277.yaml")
    assert [(g.code, g.name) for g in rulebook.groups] == [
        ("TB", "Tidbokning genom 1177.se"),
        ("AH", "Ärendehantering genom 1177"),
        ("SV", "Svarstid i ärendehanteringstjänster"),
        ("AR", "Administrativa roller"),
    ]
    assert rulebook.ladder.name == "Bokningsnivå"
    assert [(s.code, s.name, s.digital_contact) for s in rulebook.catalogue.services] == today.SERVICES
    assert [(t.code, t.name) for t in rulebook.catalogue.templates] == today.TEMPLATES
    assert rulebook.catalogue.channels == ()
    assert {code: list(p.services) for code, p in rulebook.profiles.items()} == today.PROFILES
    assert all(p.channels == () for p in rulebook.profiles.values())


# -- every refusal rule, with its exact line ---------------------------------------------------------


def test_a_yaml_syntax_error_names_its_line():
    assert refused_with("    name: Svar i tid\n", "    name: Svar: i tid\n") == [
        "t.yaml:33: YAML: felaktig YAML: ett kolon där inget värde får börja (saknas citattecken?)"
    ]


def test_an_unclosed_flow_mapping_is_a_syntax_error():
    assert refused_with("  - {code: GU, name: Grundutbud}", "  - {code: GU, name: Grundutbud") == [
        "t.yaml:9: YAML: felaktig YAML: komma eller } saknas i en {…}-mappning "
        "(skriv text med ?, : eller # inom citattecken)"
    ]


def test_an_empty_file_and_a_file_that_is_no_mapping():
    assert refusal("") == ["t.yaml:1: YAML: filen är tom"]
    assert refusal("# bara en kommentar\n") == ["t.yaml:1: YAML: filen är tom"]
    assert refusal("- a\n- b\n") == [
        "t.yaml:1: YAML: filen ska vara en mappning med nycklarna region, decision, groups, ladder, catalogue, "
        "profiles, requirements"
    ]


def test_two_documents_are_refused():
    assert refusal(BASE + "---\nregion: {}\n") == [
        "t.yaml:41: YAML: felaktig YAML: filen får bara innehålla ett YAML-dokument"
    ]


def test_a_duplicate_yaml_key_is_refused_at_its_second_line():
    assert refused_with("  title: Digitalt utbud\n", "  title: Digitalt utbud\n  title: Annat\n") == [
        "t.yaml:6: decision.title: nyckeln står redan på rad 5"
    ]


def test_a_duplicate_profile_is_a_duplicate_key():
    line = "  mottagning: {services: [FORNYA-RECEPT, KONTAKTA-MIG], channels: [JOURNALEN]}\n"
    assert refused_with(line, line + "  mottagning: {}\n") == [
        "t.yaml:19: profiles.mottagning: nyckeln står redan på rad 18"
    ]


def test_an_unknown_top_level_key_is_refused_with_a_suggestion():
    assert refused_with("ladder:", "ladders:") == [
        "t.yaml:10: ladders: okänd nyckel (menar du ladder?)",
        "t.yaml:28: requirements[2].level: kräver en ladder (regelbokens ladder saknas eller är null)",
    ]  # without its ladder, the file's level is refused too


def test_an_unknown_key_in_a_requirement_is_refused():
    assert refused_with("    level: 1\n", "    level: 1\n    colour: blue\n") == [
        "t.yaml:29: requirements[2].colour: okänd nyckel; tillåtna: code, group, name, section, kind, level, "
        "parameters, applies_if"
    ]


def test_an_unknown_key_in_the_catalogue_is_refused():
    assert refused_with("name: Förnya recept}", "name: Förnya recept, open: true}") == [
        "t.yaml:13: catalogue.services[1].open: okänd nyckel; tillåtna: code, name, digital_contact"
    ]


def test_an_unknown_parameter_is_refused():
    assert refused_with("{threshold: 0.95}", "{threshold: 0.95, treshold: 0.9}") == [
        "t.yaml:35: requirements[3].parameters.treshold: okänd parameter för response_time; tillåtna: "
        "threshold, working_days, same_day_hours, stretch_hours"
    ]


def test_a_parameter_on_a_kind_without_parameters_is_refused():
    assert refused_with("    kind: contact_card\n", "    kind: contact_card\n    parameters: {of: x}\n") == [
        "t.yaml:24: requirements[1].parameters.of: okänd parameter: contact_card tar inga parametrar"
    ]


def test_a_required_top_level_key_missing():
    text = edited(
        "groups:\n  - {code: GU, name: Grundutbud}\n  - {code: WT, name: Tidbokning via webbtidbok}\n", ""
    )
    lines = refusal(text)
    assert lines[0] == "t.yaml:1: groups: nyckeln saknas"
    # without groups no requirement's group can be judged, and none is reported as undefined
    assert lines == ["t.yaml:1: groups: nyckeln saknas"]


def test_a_required_key_of_a_requirement_missing():
    assert refused_with("    kind: booked_all\n", "") == ["t.yaml:24: requirements[2].kind: nyckeln saknas"]


def test_a_required_parameter_missing():
    assert refused_with("{role: behorighetsadministrator, min: 1, max: 2}", "{min: 1, max: 2}") == [
        "t.yaml:40: requirements[4].parameters.role: saknas: role_count kräver den "
        "(en av lokal_administrator, behorighetsadministrator)"
    ]


def test_a_required_parameter_missing_without_any_parameters_points_at_the_requirement():
    assert refused_with("    parameters: {figure: booked_visible}\n", "") == [
        "t.yaml:24: requirements[2].parameters.figure: saknas: booked_all kräver den "
        "(en av booked_visible, booked_cancellable, booked_reschedulable)"
    ]


def test_a_code_in_lower_case_is_refused():
    assert refused_with("code: GU-HEMSIDA", "code: gu-hemsida") == [
        "t.yaml:20: requirements[1].code: en kod består av A–Z, 0–9 och -, högst 40 tecken"
    ]


def test_a_code_with_other_characters_is_refused():
    assert refused_with("{code: JOURNALEN,", "{code: JOURNALEN_1,") == [
        "t.yaml:16: catalogue.channels[1].code: en kod består av A–Z, 0–9 och -, högst 40 tecken",
        "t.yaml:18: profiles.mottagning.channels[1]: kanalen JOURNALEN finns inte i catalogue.channels",
    ]  # a code refused defines nothing, so what refers to the old one is told too


def test_a_code_longer_than_40_characters_is_refused():
    assert refused_with("{code: WT,", "{code: " + "W" * 41 + ",") == [
        "t.yaml:9: groups[2].code: högst 40 tecken (är 41)",
        "t.yaml:25: requirements[2].group: gruppen WT finns inte i groups",
    ]


def test_a_code_that_yaml_reads_as_a_boolean_must_be_quoted():
    assert refused_with("{code: WT,", "{code: NO,") == [
        't.yaml:9: groups[2].code: ska vara text; skriv den inom citattecken: "NO"',
        "t.yaml:25: requirements[2].group: gruppen WT finns inte i groups",
    ]
    assert (
        parse(edited("{code: WT,", '{code: "NO",', edited("group: WT", "group: 'NO'")), "t.yaml")
        .groups[1]
        .code
        == "NO"
    )


def test_a_profile_code_must_be_lower_case():
    assert refused_with("  mottagning: {", "  Mottagning: {") == [
        "t.yaml:18: profiles.Mottagning: en profils kod består av a–z, 0–9 och -, högst 40 tecken"
    ]


def test_a_name_longer_than_200_characters_is_refused():
    assert refused_with("name: Se alla bokade tider", "name: " + "å" * 201) == [
        "t.yaml:26: requirements[2].name: högst 200 tecken (är 201)"
    ]


def test_a_name_with_a_line_break_is_refused():
    assert refused_with("name: Grundutbud}", 'name: "Grund\\nutbud"}') == [
        "t.yaml:8: groups[1].name: får inte innehålla radbrytningar, tabbtecken eller andra styrtecken"
    ]


def test_an_empty_name_is_refused():
    assert refused_with("name: Grundutbud}", 'name: " "}') == ["t.yaml:8: groups[1].name: får inte vara tom"]


def test_a_group_not_defined_is_refused():
    assert refused_with("    group: WT\n", "    group: WX\n") == [
        "t.yaml:25: requirements[2].group: gruppen WX finns inte i groups"
    ]


def test_a_profile_service_not_in_the_catalogue_is_refused():
    assert refused_with("[FORNYA-RECEPT, KONTAKTA-MIG]", "[FORNYA-RECEPT, RADGIVNING]") == [
        "t.yaml:18: profiles.mottagning.services[2]: tjänsten RADGIVNING finns inte i catalogue.services"
    ]


def test_a_profile_channel_not_in_the_catalogue_is_refused():
    assert refused_with("channels: [JOURNALEN]", "channels: [JOURNALEN, NPO]") == [
        "t.yaml:18: profiles.mottagning.channels[2]: kanalen NPO finns inte i catalogue.channels"
    ]


def test_a_service_twice_in_a_profile_is_refused():
    assert refused_with("[FORNYA-RECEPT, KONTAKTA-MIG]", "[FORNYA-RECEPT, FORNYA-RECEPT]") == [
        "t.yaml:18: profiles.mottagning.services[2]: tjänsten FORNYA-RECEPT står redan i listan"
    ]


def test_a_requirement_code_twice_is_refused():
    assert refused_with("  - code: AR2\n", "  - code: SV1\n") == [
        "t.yaml:36: requirements[4].code: koden SV1 finns redan på rad 31"
    ]


def test_a_catalogue_code_twice_is_refused():
    assert refused_with("{code: KONTAKTA-MIG,", "{code: FORNYA-RECEPT,") == [
        "t.yaml:14: catalogue.services[2].code: koden FORNYA-RECEPT finns redan på rad 13",
        "t.yaml:18: profiles.mottagning.services[2]: tjänsten KONTAKTA-MIG finns inte i catalogue.services",
    ]


@pytest.mark.parametrize("level", ["0", "-1", "1.5", '"1"', "true"])
def test_a_level_is_a_whole_number_of_at_least_1(level):
    assert refused_with("    level: 1\n", f"    level: {level}\n") == [
        "t.yaml:28: requirements[2].level: ska vara ett heltal ≥ 1"
    ]


def test_a_level_without_a_ladder_is_refused():
    assert refused_with("ladder: {name: Bokningsnivå}", "ladder: null") == [
        "t.yaml:28: requirements[2].level: kräver en ladder (regelbokens ladder saknas eller är null)"
    ]


def test_levels_with_a_gap_are_refused():
    text = edited("    kind: response_time\n", "    kind: response_time\n    level: 3\n")
    assert refusal(text) == [
        "t.yaml:35: requirements[3].level: nivå 2 saknas: nivåerna ska gå från 1 till 3 utan lucka"
    ]


def test_a_ladder_without_levels_is_refused():
    assert refused_with("    level: 1\n", "") == [
        "t.yaml:10: ladder: en ladder kräver krav med level (inget krav har level)"
    ]


def test_a_contact_card_requirement_takes_no_applies_if():
    assert refused_with(
        "    kind: contact_card\n", "    kind: contact_card\n    applies_if: [booking_system]\n"
    ) == [
        "t.yaml:24: requirements[1].applies_if: ett krav av sorten contact_card tar ingen applies_if "
        "(kravet gäller just kontaktkortet)"
    ]


def test_at_most_one_response_time_requirement():
    assert refused_with("    kind: role_count\n    parameters: {role: behorighetsadministrator, min: 1, max: 2}\n",
                        "    kind: response_time\n") == [
        "t.yaml:39: requirements[4].kind: högst ett krav av sorten response_time per regelbok (det första på rad 34)"
    ]  # fmt: skip


def test_an_unknown_kind_is_refused():
    assert refused_with("kind: booked_all", "kind: booked_some") == [
        "t.yaml:27: requirements[2].kind: okänd sort; sorterna: " + ", ".join(kinds.KIND_NAMES)
    ]


def test_an_unknown_condition_is_refused():
    assert refused_with("[contact_card, booking_system]", "[contact_card, has_booking]") == [
        "t.yaml:30: requirements[2].applies_if[2]: okänt villkor; villkoren: contact_card, booking_system"
    ]


@pytest.mark.parametrize(
    "value, message",
    [
        ("1.5", "ska vara ett tal från 0 till 1"),
        ("-0.1", "ska vara ett tal från 0 till 1"),
        ("hög", "ska vara ett tal från 0 till 1"),
        ("true", "ska vara ett tal från 0 till 1"),
        (".nan", "ska vara ett tal från 0 till 1"),
    ],
)
def test_a_share_outside_0_1_is_refused(value, message):
    assert refused_with("{threshold: 0.95}", f"{{threshold: {value}}}") == [
        f"t.yaml:35: requirements[3].parameters.threshold: {message}"
    ]


def test_a_negative_count_is_refused():
    assert refused_with("min: 1, max: 2", "min: -1, max: 2") == [
        "t.yaml:40: requirements[4].parameters.min: ska vara ett heltal ≥ 0"
    ]


def test_a_count_is_a_whole_number():
    assert refused_with("min: 1, max: 2", "min: 1, max: 2.5") == [
        "t.yaml:40: requirements[4].parameters.max: ska vara ett heltal ≥ 0 eller null"
    ]


def test_min_above_max_is_refused():
    assert refused_with("min: 1, max: 2", "min: 3, max: 2") == [
        "t.yaml:40: requirements[4].parameters.max: får inte vara mindre än min (3)"
    ]


def test_max_null_is_no_upper_bound():
    rulebook = parse(edited("min: 1, max: 2", "min: 3, max: null"), "t.yaml")
    assert rulebook.requirement("AR2").parameters == {
        "role": "behorighetsadministrator",
        "min": 3,
        "max": None,
    }


def test_an_unknown_figure_name_is_refused():
    text = edited(
        "    parameters: {figure: booked_visible}\n", "    parameters: {figure: lookahead_weeks}\n"
    )  # a figure, but not one booked_all takes
    assert refusal(text) == [
        "t.yaml:29: requirements[2].parameters.figure: ska vara en av booked_visible, booked_cancellable, "
        "booked_reschedulable"
    ]


def test_a_share_trend_denominator_is_booked_total_or_slots_total():
    text = edited(
        "    kind: booked_all\n    level: 1\n    parameters: {figure: booked_visible}\n",
        "    kind: share_trend\n    level: 1\n    parameters: {numerator: booked_visible, denominator: booked_cancellable}\n",
    )
    assert refusal(text) == [
        "t.yaml:29: requirements[2].parameters.denominator: ska vara en av booked_total, slots_total"
    ]


def test_any_positive_needs_a_non_empty_list_of_figures():
    text = edited("    parameters: {figure: booked_visible}\n", "    parameters: {figures: []}\n")
    text = edited("    kind: booked_all\n", "    kind: any_positive\n", text)
    assert refusal(text) == [
        "t.yaml:29: requirements[2].parameters.figures: ska vara en lista med minst ett av "
        + ", ".join(kinds.FIGURE_NAMES)
        + ", utan upprepning"
    ]


def test_parameters_must_be_a_mapping():
    assert refused_with("{threshold: 0.95}", "[0.95]") == [
        "t.yaml:35: requirements[3].parameters: ska vara en mappning (nyckel: värde)"
    ]


@pytest.mark.parametrize("code", ["Halland", "halland2", "hal-land", "skåne"])
def test_a_region_code_is_lower_case_letters(code):
    assert refused_with("{code: halland,", f"{{code: {code},") == [
        "t.yaml:1: region.code: ska vara små bokstäver a–z, t.ex. skane"
    ]


def test_an_impossible_date_is_refused():
    assert refused_with("2022-03-19", "2022-02-30") == [
        "t.yaml:6: decision.in_force_from: är inget datum (ÅÅÅÅ-MM-DD)"
    ]


def test_a_date_outside_1900_2100_is_refused():
    assert refused_with("2022-03-19", "1899-12-31") == [
        "t.yaml:6: decision.in_force_from: är ett ogiltigt datum: året ska vara 1900–2100"
    ]


def test_a_quoted_date_is_read_as_json_writes_it():
    assert parse(edited("2022-03-19", '"2022-03-19"'), "t.yaml").decision.in_force_from == datetime.date(
        2022, 3, 19
    )
    assert refused_with("2022-03-19", '"19/3 2022"') == [
        "t.yaml:6: decision.in_force_from: är inget datum (ÅÅÅÅ-MM-DD)"
    ]


def test_a_date_with_a_time_is_refused():
    assert refused_with("2022-03-19", "2022-03-19 10:00:00") == [
        "t.yaml:6: decision.in_force_from: ska vara ett datum utan klockslag (ÅÅÅÅ-MM-DD)"
    ]


def test_in_force_until_before_in_force_from_is_refused():
    text = edited(
        "  in_force_from: 2022-03-19\n", "  in_force_from: 2022-03-19\n  in_force_until: 2022-03-18\n"
    )
    assert refusal(text) == [
        "t.yaml:7: decision.in_force_until: får inte vara före in_force_from (2022-03-19)"
    ]


def test_a_version_written_as_a_number_must_be_quoted():
    assert refused_with('  version: "1.0"\n', "  version: 1.0\n") == [
        't.yaml:4: decision.version: ska vara text; skriv den inom citattecken: "1.0"'
    ]


def test_replaces_names_a_number_and_perhaps_a_version():
    rulebook = parse(edited("  title:", "  replaces: RS210001@1.0\n  title:"), "t.yaml")
    assert rulebook.decision.replaces == "RS210001@1.0"
    assert refused_with("  title:", "  replaces: RS 2100@1@2\n  title:") == [
        "t.yaml:5: decision.replaces: ärendenumret, eventuellt med @version, t.ex. 2024-0000001 eller "
        "2024-0000001@1.0"
    ]


def test_digital_contact_is_true_or_false():
    assert refused_with("digital_contact: true}", "digital_contact: ja}") == [
        "t.yaml:14: catalogue.services[2].digital_contact: ska vara true eller false"
    ]


def test_a_python_tag_is_refused_and_never_built():
    assert refused_with("name: Grundutbud}", "name: !!python/object/apply:os.system [echo]}") == [
        "t.yaml:8: groups[1].name: ska vara text"
    ]
    assert refused_with("{threshold: 0.95}", "{threshold: !!python/name:os.system ''}") == [
        "t.yaml:35: requirements[3].parameters.threshold: YAML-taggen !!python/name:os.system "
        "används inte i regelboksfiler"
    ]


def test_no_requirements_is_refused():
    text = BASE[: BASE.index("  - code: GU-HEMSIDA")]
    assert refusal(text) == ["t.yaml:19: requirements: minst ett krav"]  # an empty value (null) is no list
    assert refusal(text.replace("requirements:\n", "requirements: []\n")) == [
        "t.yaml:19: requirements: minst ett krav"
    ]
    assert refusal(text.replace("requirements:\n", "requirements: GU-HEMSIDA\n")) == [
        "t.yaml:19: requirements: ska vara en lista"
    ]


# -- several problems at once ----------------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_line_order():
    text = BASE
    for old, new in [
        ("{code: halland,", "{code: Halland,"),
        ("2022-03-19", "2022-13-01"),
        ("ladder:", "laddder:"),
        ("    group: WT\n", "    group: XX\n"),
        ("{threshold: 0.95}", "{threshold: 95}"),
        ("min: 1, max: 2", "min: 3, max: 2"),
    ]:
        text = edited(old, new, text)
    assert refusal(text) == [
        "t.yaml:1: region.code: ska vara små bokstäver a–z, t.ex. skane",
        "t.yaml:6: decision.in_force_from: är inget datum (ÅÅÅÅ-MM-DD)",
        "t.yaml:10: laddder: okänd nyckel (menar du ladder?)",
        "t.yaml:25: requirements[2].group: gruppen XX finns inte i groups",
        "t.yaml:28: requirements[2].level: kräver en ladder (regelbokens ladder saknas eller är null)",
        "t.yaml:35: requirements[3].parameters.threshold: ska vara ett tal från 0 till 1",
        "t.yaml:40: requirements[4].parameters.max: får inte vara mindre än min (3)",
    ]


def test_the_refusal_is_one_line_per_problem():
    with pytest.raises(RulebookRefused) as refused:
        parse(edited("{code: halland,", "{code: Halland,", edited("1.0", "")), "regler.yaml")
    assert str(refused.value).splitlines() == [
        "regler.yaml:1: region.code: ska vara små bokstäver a–z, t.ex. skane",
        "regler.yaml:4: decision.version: får inte vara tom",
    ]
    assert [(p.line, p.key) for p in refused.value.problems] == [(1, "region.code"), (4, "decision.version")]


# -- no mutation of a parameter crashes the reader ---------------------------------------------------

# Every (file, requirement position, parameter) of the shipped files.
PARAMETERS = [
    (name, position, parameter)
    for name in FILES
    for position, requirement in enumerate(shipped(name).requirements)
    for parameter in kinds.KINDS[requirement.kind].parameters
]
WRONG_TYPES = st.one_of(
    st.text(max_size=20),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def out_of_range(parameter: kinds.Parameter):
    """Values the parameter does not allow, by its declared type and range (the spec's: a share
    outside 0..1, a negative count, a figure name not known, …)."""
    not_allowed = WRONG_TYPES.filter(lambda v: parameter.problem(v) is not None)
    if parameter.type in (kinds.CHOICE, kinds.FIGURES_LIST):
        names = st.text(max_size=30).filter(lambda t: t not in parameter.choices)
        wrong = (
            names if parameter.type == kinds.CHOICE else st.one_of(st.just([]), st.lists(names, min_size=1))
        )
        return st.one_of(wrong, not_allowed)
    numbers = [st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not math.isfinite(f))]
    low, high = parameter.minimum, parameter.maximum
    if low is not None:
        numbers += [st.integers(max_value=math.ceil(low) - 1), st.floats(max_value=low, exclude_max=True)]
    if high is not None:
        numbers += [st.integers(min_value=math.floor(high) + 1), st.floats(min_value=high, exclude_min=True)]
    if parameter.type == kinds.WHOLE:
        numbers.append(st.floats(min_value=-1e6, max_value=1e6).filter(lambda f: not f.is_integer()))
    return st.one_of(*numbers, not_allowed)


@st.composite
def mutations(draw):
    name, position, parameter = draw(st.sampled_from(PARAMETERS))
    return name, position, parameter.name, draw(out_of_range(parameter))


def with_parameter(name: str, position: int, parameter: str, value) -> str:
    data = yaml.safe_load(text_of(name))
    data["requirements"][position].setdefault("parameters", {})[parameter] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(mutations())
def test_any_parameter_out_of_range_is_refused_never_a_crash(mutation):
    name, position, parameter, value = mutation
    with pytest.raises(RulebookRefused) as refused:
        parse(with_parameter(name, position, parameter, value), name)
    assert f"requirements[{position + 1}].parameters.{parameter}" in [p.key for p in refused.value.problems]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PARAMETERS), st.one_of(WRONG_TYPES, st.integers(), st.floats()))
def test_any_parameter_value_is_accepted_or_refused_never_a_crash(where, value):
    name, position, parameter = where
    try:
        rulebook = parse(with_parameter(name, position, parameter.name, value), name)
    except RulebookRefused:
        return
    assert rulebook.requirements[position].parameters[parameter.name] == value


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(text_of(FILES[0]))),
    st.integers(min_value=0, max_value=20),
    st.text(alphabet=":-[]{},#&*!|>'\"%@?\n \tAaÅ0.", max_size=6),
)
def test_any_edit_of_a_file_is_read_or_refused_never_a_crash(start, length, insert):
    text = text_of(FILES[0])
    try:
        parse(text[:start] + insert + text[start + length :], FILES[0])
    except RulebookRefused as refused:
        assert refused.problems and all(p.line >= 1 for p in refused.problems)


# One line of text: no control characters, no line or paragraph separators (the reader refuses them).
NAMES = st.text(st.characters(exclude_categories=("Cc", "Zl", "Zp", "Cs")), min_size=1, max_size=200).filter(
    lambda t: t == t.strip() and t
)


@settings(max_examples=200, deadline=None)
@given(NAMES, NAMES)
def test_any_name_survives_the_round_trip(group_name, section):
    rulebook = shipped(FILES[0])
    first = dataclasses.replace(rulebook.requirements[0], section=section)
    changed = dataclasses.replace(
        rulebook,
        groups=(dataclasses.replace(rulebook.groups[0], name=group_name), *rulebook.groups[1:]),
        requirements=(first, *rulebook.requirements[1:]),
    )
    assert parse(dump(changed), "dumped.yaml") == changed
