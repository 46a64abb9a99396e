"""The facts that held on a date, in the import's own format (`export_facts`): importing the file with
`--valid-from` that date changes nothing (docs/importing.md "Facts over time")."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from servicelevel.validity import valid_on

from .history import units_on
from .models import AdminRole, Offering, Person, Provider

KINDS = ("units", "offerings", "admin_roles")

UNIT_COLUMNS = [
    "hsa_id",
    "name",
    "forvaltning",
    "vardomrade",
    "unit_kind",
    "unit_type",
    "booking_system",
    "has_contact_card",
    "same_day_contact",
    "provider",
    "active",
    "profile",
]
OFFERING_COLUMNS = ["unit_hsa_id", "kind", "code", "variant", "open"]
ROLE_COLUMNS = ["person_id", "unit_hsa_id", "role", "name"]


def _bool(value: bool) -> str:
    return "true" if value else "false"


def unit_rows(as_of: datetime.date) -> Iterator[list]:
    """Every unit known on `as_of` (active or not), sorted by HSA-id."""
    yield UNIT_COLUMNS
    providers = dict(Provider.objects.values_list("id", "name"))
    for _, hsa_id, u in units_on(as_of):
        yield [
            hsa_id,
            u.name,
            u.forvaltning.name,
            u.vardomrade.name,
            u.unit_kind,
            u.unit_type,
            u.booking_system,
            _bool(u.has_contact_card),
            _bool(u.same_day_contact),
            providers.get(u.provider_id, "") if u.provider_id else "",
            _bool(u.active),
            u.profile,
        ]


def _hsa_ids(as_of: datetime.date) -> dict[int, str]:
    return {unit_id: hsa_id for unit_id, hsa_id, _ in units_on(as_of)}


def offering_rows(as_of: datetime.date) -> Iterator[list]:
    """The offerings that held on `as_of`, sorted by unit, kind and code."""
    yield OFFERING_COLUMNS
    hsa = _hsa_ids(as_of)
    held = Offering.versions.filter(valid_on(as_of)).values_list(
        "unit_id", "kind", "code", "variant", "is_open"
    )
    rows = sorted(
        (hsa[u], kind, code, variant, is_open) for u, kind, code, variant, is_open in held if u in hsa
    )
    for hsa_id, kind, code, variant, is_open in rows:
        yield [hsa_id, kind, code, variant, _bool(is_open)]


def role_rows(as_of: datetime.date) -> Iterator[list]:
    """The roles held on `as_of` with the holder's known name, sorted by unit, role and person."""
    yield ROLE_COLUMNS
    hsa = _hsa_ids(as_of)
    held = AdminRole.versions.filter(valid_on(as_of)).values_list("unit_id", "person_id", "role")
    names = dict(Person.objects.values_list("person_id", "name"))
    rows = sorted((hsa[u], role, person) for u, person, role in held if u in hsa)
    for hsa_id, role, person in rows:
        yield [person, hsa_id, role, names.get(person, "")]


ROWS = {"units": unit_rows, "offerings": offering_rows, "admin_roles": role_rows}


def fact_rows(kind: str, as_of: datetime.date) -> Iterator[list]:
    return ROWS[kind](as_of)
