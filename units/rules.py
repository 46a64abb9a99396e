"""Rules about a unit's facts that a single field cannot hold: written once, used by the models' `clean()`
(admin, portal forms, services) and by the importers, which report them per line."""

from __future__ import annotations

from collections.abc import Mapping

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


def template_open_problem(kind: str, is_open: bool) -> str | None:
    """Templates (mallar) are used or not: only services (tjänster) can be closed to citizens."""
    if kind == "mall" and not is_open:
        return "en mall kan inte vara stängd: bara tjänster kan vara stängda för invånare"
    return None


def catalogue_link_problem(kind: str, variant: str, code: str, service, template) -> dict[str, str]:
    """A regional row points at the catalogue entry of its kind, with the entry's code; a local one at
    none (its code is the unit's own name for it)."""
    if variant == "lokal":
        if service is not None or template is not None:
            return {"variant": "ett lokalt utbud pekar inte på den regionala katalogen"}
        return {}
    entry, field, other = (
        (service, "catalogue_service", template)
        if kind == "tjanst"
        else (template, "catalogue_template", service)
    )
    if other is not None:
        return {field: "ett regionalt utbud pekar bara på en post av sitt eget slag i katalogen"}
    if entry is None:
        what = "tjänst" if kind == "tjanst" else "mall"
        return {field: f"ett regionalt utbud ska peka på en regional {what} i katalogen"}
    if code and code != entry.code:
        return {"code": f"koden ska vara katalogens kod {entry.code!r}"}
    return {}
