"""Ärendehantering genom 1177 (§2.2) and the base offering (basutbud, FAQ): AH0–AH3."""

from __future__ import annotations

from .text import count
from .types import COUNT, MET, NOT_MET, SHARE, Judgement, OfferingFact, Rulebook, UnitFacts


def judge_offerings(facts: UnitFacts, rulebook: Rulebook) -> dict[str, Judgement]:
    services = [o for o in facts.offerings if o.kind == "tjanst"]
    templates = [o for o in facts.offerings if o.kind == "mall"]
    return {
        "AH0-DIGITAL-KONTAKT": _digital_contact(services, rulebook.digital_contact_codes),
        "AH1-REGIONALA-TJANSTER": _regional_services(services),
        "AH2-REGIONALA-MALLAR": _regional_templates(templates),
        "AH3-BASUTBUD": _base_offering(
            services, rulebook.profiles.get(facts.unit_type, frozenset()), facts.unit_type
        ),
    }


# AH0 counts the open contact services; AH1–AH3 measure the share of services, templates or the base
# offering that is as required.
VALUE_KINDS = {
    "AH0-DIGITAL-KONTAKT": COUNT,
    "AH1-REGIONALA-TJANSTER": SHARE,
    "AH2-REGIONALA-MALLAR": SHARE,
    "AH3-BASUTBUD": SHARE,
}


def _regional_open(o: OfferingFact) -> bool:
    return o.variant == "regional" and o.is_open


def _digital_contact(services: list[OfferingFact], contact_codes: frozenset[str]) -> Judgement:
    # Only a regional row points at a catalogue entry; a local row's code is the unit's own name.
    found = sorted(o.code for o in services if _regional_open(o) and o.code in contact_codes)
    if found:
        return Judgement(MET, f"Öppen tjänst för digital kontakt: {', '.join(found)}", float(len(found)))
    return Judgement(
        NOT_MET, f"Ingen öppen regional tjänst för digital kontakt ({', '.join(sorted(contact_codes))})", 0.0
    )


def _regional_services(services: list[OfferingFact]) -> Judgement:
    if not services:
        return Judgement(NOT_MET, "Enheten erbjuder inga ärendehanteringstjänster", 0.0)
    local = sorted(o.code for o in services if o.variant != "regional")
    closed = sorted(o.code for o in services if not o.is_open)
    ok = len(services) - len({o.code for o in services if o.variant != "regional" or not o.is_open})
    if not local and not closed:
        return Judgement(MET, f"{count(len(services), 'tjänst', 'tjänster')}, alla regionala och öppna", 1.0)
    problems = []
    if local:
        problems.append(f"lokala: {', '.join(local)}")
    if closed:
        problems.append(f"stängda: {', '.join(closed)}")
    return Judgement(
        NOT_MET,
        f"{ok} av {len(services)} tjänster är regionala och öppna ({'; '.join(problems)})"
        " — alla ska vara det",
        ok / len(services),
    )


def _regional_templates(templates: list[OfferingFact]) -> Judgement:
    if not templates:
        return Judgement(NOT_MET, "Enheten använder inga mallar för vårdinitierat ärende", 0.0)
    local = sorted(o.code for o in templates if o.variant != "regional")
    regional = len(templates) - len(local)
    if not local:
        return Judgement(MET, f"{count(len(templates), 'mall', 'mallar')}, alla regionala", 1.0)
    return Judgement(
        NOT_MET,
        f"{regional} av {len(templates)} mallar är regionala (lokala: {', '.join(local)})"
        " — alla ska vara det",
        regional / len(templates),
    )


def _base_offering(services: list[OfferingFact], profile: frozenset[str], unit_type: str) -> Judgement:
    if not profile:
        return Judgement(MET, f"Basutbudet för enhetstypen {unit_type} kräver inget utöver digital kontakt")
    offered = {o.code for o in services if _regional_open(o)}
    missing = sorted(profile - offered)
    have = len(profile) - len(missing)
    if not missing:
        return Judgement(
            MET,
            f"Hela basutbudet för {unit_type} finns, regionalt och öppet: {', '.join(sorted(profile))}",
            1.0,
        )
    return Judgement(
        NOT_MET,
        f"{have} av {len(profile)} tjänster i basutbudet för {unit_type} finns regionalt och "
        f"öppet; saknas: {', '.join(missing)}",
        have / len(profile),
    )
