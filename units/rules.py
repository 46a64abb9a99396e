"""Rules about a unit's facts that a single field cannot hold: written once, used by the models' `clean()`
(admin, portal forms, services) and by the importers, which report them per line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .validators import hsa_id_problem

BOOKED_PARTS = ("booked_visible", "booked_cancellable", "booked_reschedulable")
SLOT_PARTS = ("slots_open_invitation", "slots_citizen_bookable")


def booking_part_problems(values: Mapping[str, int | None]) -> dict[str, str]:
    """Per figure, a message when a part is larger than its whole (booked_* ≤ booked_total, slots_* ≤
    slots_total)."""
    problems = {}
    for whole, parts in (("booked_total", BOOKED_PARTS), ("slots_total", SLOT_PARTS)):
        total = values.get(whole)
        for name in parts:
            part = values.get(name)
            if total is not None and part is not None and part > total:
                problems[name] = f"{part} är fler än {whole} ({total})"
    return problems


def area_owner_problem(area_name: str, area_forvaltning: str, forvaltning: str) -> str | None:
    """A unit's vårdområde must belong to the unit's förvaltning."""
    if area_forvaltning != forvaltning:
        return f"vårdområdet {area_name!r} hör till förvaltningen {area_forvaltning!r}"
    return None


def profile_unknown_problem(profile: str, known: Iterable[str], decision_label: str) -> str | None:
    """A unit's own base-offering profile is one of the profiles of the decision in force (empty: the
    unit's type names it, and the engine says `no_data` if the decision has no such profile)."""
    known = sorted(known)
    if profile and profile not in known:
        names = ", ".join(known) if known else "inga"
        return f"basutbudsprofilen {profile!r} finns inte i {decision_label}; kända profiler: {names}"
    return None


def template_open_problem(kind: str, is_open: bool) -> str | None:
    """Templates (mallar) are used or not: only services (tjänster) can be closed to citizens."""
    if kind == "mall" and not is_open:
        return "en mall kan inte vara stängd: bara tjänster kan vara stängda för invånare"
    return None


def catalogue_link_problem(
    kind: str, variant: str, code: str, service, template, channel=None
) -> dict[str, str]:
    """A regional row points at the catalogue entry of its kind, with the entry's code; a local one at
    none (its code is the unit's own name for it). A channel (kanal) is always regional: it is one of the
    catalogue's channels or not offered at all (RULEBOOKS.md "Channels")."""
    if variant == "lokal":
        if kind == "kanal":
            return {"variant": CHANNEL_IS_REGIONAL}
        if service is not None or template is not None or channel is not None:
            return {"variant": "ett lokalt utbud pekar inte på den regionala katalogen"}
        return {}
    links = {"tjanst": service, "mall": template, "kanal": channel}
    field = LINK_FIELDS.get(kind)
    if field is None:
        return {}  # an unknown kind: the field's own choices say so
    if any(entry is not None for other, entry in links.items() if other != kind):
        return {field: "ett regionalt utbud pekar bara på en post av sitt eget slag i katalogen"}
    entry = links[kind]
    if entry is None:
        return {field: f"ett regionalt utbud ska peka på en regional {KIND_WORDS[kind]} i katalogen"}
    if code and code != entry.code:
        return {"code": f"koden ska vara katalogens kod {entry.code!r}"}
    return {}


CHANNEL_IS_REGIONAL = "en kanal är alltid regional: den ska vara en av katalogens kanaler"
# The catalogue link of each offering kind, and the word for an entry of it.
LINK_FIELDS = {"tjanst": "catalogue_service", "mall": "catalogue_template", "kanal": "catalogue_channel"}
KIND_WORDS = {"tjanst": "tjänst", "mall": "mall", "kanal": "kanal"}


# Obviously fictitious (no organisation has the number 0000000000): an example must never be a real id.
PERSON_ID_EXAMPLE = "SE0000000000-EXEMPEL"


def person_id_problem(value: str) -> str | None:
    """A role holder someone types (the portal's roles form, the admin) is a person's HSA-id, which has the
    form of a unit's (`hsa_id_problem`). Files keep their opaque person_id (spec): this is not used there.
    Text without a single digit is a name typed where the id belongs, and is told so."""
    problem = hsa_id_problem(value)
    if problem is None:
        return None
    expected = f"Ange personens HSA-id, t.ex. {PERSON_ID_EXAMPLE}"
    if not any("0" <= c <= "9" for c in value):
        return f"{expected} — inte ett namn"
    return f"{expected}: {problem}"
