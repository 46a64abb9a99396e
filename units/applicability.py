"""Which units a requirement applies to, written once: the engine judges by it (`compliance/engine`), a
common decision for a booking system covers the units it names (`exemptions.services.affected_units`),
and the booking systems' page counts them. Pure: plain values in, an answer out, and the same rule as a
query condition on `CareUnit` (`applies_q`); a test holds the two equal.

Each requirement carries its own conditions (`Requirement.applies_if`, from the rulebook file; the
condition names are `servicelevel.kinds.CONDITIONS`), checked in order:

- `contact_card`: a unit without a contact card on 1177.se is not judged on it (the decision is about
  what invånare meet there).
- `booking_system`: a unit with no bookable visits (booking system "ingen") is not judged on it. The
  requirements with this condition are the rulebook's *booking requirements* (Skåne's group TB, Halland's
  WT): a common decision for a booking system is about them (`is_booking_requirement`, `booking_q`).
- Only active units are judged at all (the loader reads no other).

A unit's profile chooses its base offering and same-day contact its response-time deadline: both change
*how* a requirement is judged, not *whether* it applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

NO_BOOKING = "ingen"  # units.models.CareUnit.BookingSystem.INGEN
BOOKING_CONDITION = "booking_system"
# The conditions of a booking requirement in every shipped rulebook: the units a common decision for a
# booking system covers (a unit the booking requirements cannot apply to needs no exemption from them).
BOOKING_CONDITIONS = ("contact_card", BOOKING_CONDITION)

NO_CONTACT_CARD = "Enheten har inget kontaktkort på 1177.se"
NO_BOOKABLE_VISITS = "Enheten har inga bokningsbara besök (bokningssystem: ingen)"


# A requirement's `applies_if` names these conditions, checked in order; the first the unit fails makes
# the requirement not applicable, with this reason.
CONDITIONS = {
    "contact_card": lambda *, has_contact_card, booking_system: None if has_contact_card else NO_CONTACT_CARD,
    BOOKING_CONDITION: lambda *, has_contact_card, booking_system: (
        NO_BOOKABLE_VISITS if booking_system == NO_BOOKING else None
    ),
}


def conditions_of(requirement_or_conditions) -> tuple[str, ...]:
    """The conditions of a requirement (anything with `applies_if`: a `Requirement`, the engine's
    `RequirementRule`) or the conditions themselves. A bare text is refused: it was a group code once,
    and a group says nothing of where a requirement applies."""
    if isinstance(requirement_or_conditions, str):
        raise TypeError("conditions_of takes a requirement or its applies_if, not a text")
    conditions = getattr(requirement_or_conditions, "applies_if", requirement_or_conditions)
    return tuple(conditions or ())


def unmet_condition(conditions, *, has_contact_card: bool, booking_system: str) -> str | None:
    """Why a requirement with these `applies_if` conditions does not apply to a unit, in Swedish (the
    first condition it fails); None when it applies."""
    for name in conditions_of(conditions):
        why = CONDITIONS[name](has_contact_card=has_contact_card, booking_system=booking_system)
        if why:
            return why
    return None


def not_applicable_reason(requirement, *, has_contact_card: bool, booking_system: str) -> str | None:
    """Why `requirement` (or a list of conditions) does not apply to a unit, in Swedish; None when it
    applies."""
    return unmet_condition(
        conditions_of(requirement), has_contact_card=has_contact_card, booking_system=booking_system
    )


def applies(requirement, *, has_contact_card: bool, booking_system: str) -> bool:
    return (
        not_applicable_reason(requirement, has_contact_card=has_contact_card, booking_system=booking_system)
        is None
    )


def is_booking_requirement(requirement) -> bool:
    """A requirement that only units with bookable visits are judged on: what a common decision for a
    booking system (and the booking-only exemption forms) offer."""
    return BOOKING_CONDITION in conditions_of(requirement)


def booking_q(*, prefix: str = "") -> Q:
    """The booking requirements as a condition on `servicelevel.models.Requirement` (`prefix` for a query
    through a relation)."""
    return Q(**{f"{prefix}applies_if__contains": [BOOKING_CONDITION]})


def books_through_1177(booking_system: str) -> bool:
    """A booking system whose units the booking requirements apply to (every one but "ingen"): the systems
    a common decision may be made for."""
    return booking_system != NO_BOOKING


# Each condition as a condition on `CareUnit`: the units that meet it.
_CONDITION_Q = {
    "contact_card": lambda prefix: Q(**{f"{prefix}has_contact_card": True}),
    BOOKING_CONDITION: lambda prefix: ~Q(**{f"{prefix}booking_system": NO_BOOKING}),
}


def applies_q(requirement: Iterable[str] | object = (), *, prefix: str = "") -> Q:
    """The active units `requirement` (or a list of conditions) applies to, as a condition on `CareUnit`
    (`prefix`, e.g. "unit__", for a query through a relation)."""
    q = Q(**{f"{prefix}active": True})
    for name in conditions_of(requirement):
        q &= _CONDITION_Q[name](prefix)
    return q
