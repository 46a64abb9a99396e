"""Which units a requirement applies to, written once: the engine judges by it (`compliance/engine`), a
common decision for a booking system covers the units it names (`exemptions.services.affected_units`),
and the booking systems' page counts them. Pure: plain values in, an answer out, and the same rule as a
query condition on `CareUnit` (`applies_q`); a test holds the two equal.

- A unit without a contact card on 1177.se: no requirement applies (the decision is about what invånare
  meet there).
- A unit with no bookable visits (booking system "ingen"): the booking requirements (group TB) do not
  apply; every other one does.
- Only active units are judged at all (the loader reads no other).

A unit's type chooses its base offering (AH3) and same-day contact its response-time deadline (SV1):
both change *how* a requirement is judged, not *whether* it applies.
"""

from __future__ import annotations

from django.db.models import Q

BOOKING_GROUP = "TB"  # servicelevel.models.Requirement.Group.BOOKING
NO_BOOKING = "ingen"  # units.models.CareUnit.BookingSystem.INGEN

NO_CONTACT_CARD = "Enheten har inget kontaktkort på 1177.se"
NO_BOOKABLE_VISITS = "Enheten har inga bokningsbara besök (bokningssystem: ingen)"


# A requirement's `applies_if` names these conditions, checked in order; the first the unit fails makes
# the requirement not applicable, with this reason.
CONDITIONS = {
    "contact_card": lambda *, has_contact_card, booking_system: None if has_contact_card else NO_CONTACT_CARD,
    "booking_system": lambda *, has_contact_card, booking_system: (
        NO_BOOKABLE_VISITS if booking_system == NO_BOOKING else None
    ),
}


def unmet_condition(conditions, *, has_contact_card: bool, booking_system: str) -> str | None:
    """Why a requirement with these `applies_if` conditions does not apply to a unit, in Swedish (the
    first condition it fails); None when it applies."""
    for name in conditions:
        why = CONDITIONS[name](has_contact_card=has_contact_card, booking_system=booking_system)
        if why:
            return why
    return None


def conditions_of(group: str) -> tuple[str, ...]:
    """Decision 2026-0000277's conditions: every requirement needs a contact card, the booking
    requirements also bookable visits."""
    return ("contact_card", "booking_system") if group == BOOKING_GROUP else ("contact_card",)


def not_applicable_reason(*, group: str, has_contact_card: bool, booking_system: str) -> str | None:
    """Why a requirement of `group` does not apply to a unit, in Swedish; None when it applies."""
    return unmet_condition(
        conditions_of(group), has_contact_card=has_contact_card, booking_system=booking_system
    )


def applies(*, group: str, has_contact_card: bool, booking_system: str) -> bool:
    return (
        not_applicable_reason(group=group, has_contact_card=has_contact_card, booking_system=booking_system)
        is None
    )


def books_through_1177(booking_system: str) -> bool:
    """A booking system whose units the booking requirements apply to (every one but "ingen"): the systems
    a common decision may be made for."""
    return booking_system != NO_BOOKING


def applies_q(group: str, *, prefix: str = "") -> Q:
    """The active units a requirement of `group` applies to, as a condition on `CareUnit` (`prefix`, e.g.
    "unit__", for a query through a relation)."""
    q = Q(**{f"{prefix}active": True, f"{prefix}has_contact_card": True})
    if group == BOOKING_GROUP:
        q &= ~Q(**{f"{prefix}booking_system": NO_BOOKING})
    return q
