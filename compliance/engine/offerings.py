"""The offering kinds: `contact_card`, `digital_contact`, `regional_services`, `regional_templates` and
`base_offering` (of services or of channels), judged on what the unit offers."""

from __future__ import annotations

from .text import count
from .types import MET, NO_DATA, NOT_MET, Judgement, OfferingFact, RequirementRule, Rulebook, UnitFacts


def _services(facts: UnitFacts) -> list[OfferingFact]:
    return [o for o in facts.offerings if o.kind == "tjanst"]


def _regional_open(o: OfferingFact) -> bool:
    return o.variant == "regional" and o.is_open


def contact_card(facts: UnitFacts, _rule, _rulebook, _as_of) -> Judgement:
    if facts.has_contact_card:
        return Judgement(MET, "Enheten har ett kontaktkort på 1177.se")
    return Judgement(NOT_MET, "Enheten har inget kontaktkort på 1177.se")


def digital_contact(facts: UnitFacts, _rule, rulebook: Rulebook, _as_of) -> Judgement:
    # Only a regional row points at a catalogue entry; a local row's code is the unit's own name.
    contact_codes = rulebook.digital_contact_codes
    found = sorted(o.code for o in _services(facts) if _regional_open(o) and o.code in contact_codes)
    if found:
        return Judgement(MET, f"Öppen tjänst för digital kontakt: {', '.join(found)}", float(len(found)))
    return Judgement(
        NOT_MET, f"Ingen öppen regional tjänst för digital kontakt ({', '.join(sorted(contact_codes))})", 0.0
    )


def regional_services(facts: UnitFacts, _rule, _rulebook, _as_of) -> Judgement:
    services = _services(facts)
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


def regional_templates(facts: UnitFacts, _rule, _rulebook, _as_of) -> Judgement:
    templates = [o for o in facts.offerings if o.kind == "mall"]
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


def base_offering(facts: UnitFacts, rule: RequirementRule, rulebook: Rulebook, _as_of) -> Judgement:
    """Every code in the unit's profile's list offered: services regional and open, channels present."""
    profile = facts.profile or facts.unit_type
    channels = rule.parameters["of"] == "channels"
    profiles = rulebook.channel_profiles if channels else rulebook.profiles
    if profile not in profiles:
        return Judgement(NO_DATA, f"Regelverket har ingen basutbudsprofil {profile}")
    required = profiles[profile]
    what = ("kanal", "kanaler") if channels else ("tjänst", "tjänster")
    if not required:
        return Judgement(MET, f"Basutbudet för enhetstypen {profile} kräver inget utöver digital kontakt")
    if channels:
        offered = {o.code for o in facts.offerings if o.kind == "kanal"}
        how = "finns"
    else:
        offered = {o.code for o in _services(facts) if _regional_open(o)}
        how = "finns regionalt och öppet"
    missing = sorted(required - offered)
    have = len(required) - len(missing)
    if not missing:
        return Judgement(
            MET,
            f"Hela basutbudet för {profile} finns"
            + ("" if channels else ", regionalt och öppet")
            + f": {', '.join(sorted(required))}",
            1.0,
        )
    return Judgement(
        NOT_MET,
        f"{have} av {len(required)} {what[1]} i basutbudet för {profile} {how}; saknas: {', '.join(missing)}",
        have / len(required),
    )
