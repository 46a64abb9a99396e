"""The facts that held on a date, in the import's own format (`export_facts`): importing the file with
`--valid-from` that date changes nothing (docs/importing.md "Facts over time")."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from servicelevel.validity import valid_on

from .history import units_on
from .importers import AdminRolesImporter, OfferingsImporter, UnitsImporter
from .models import AdminRole, Offering, Person, Provider

KINDS = ("units", "offerings", "admin_roles")

# The import's own columns, in its order: the file goes back in as it came out.
UNIT_COLUMNS = [c.name for c in UnitsImporter.columns]
OFFERING_COLUMNS = [c.name for c in OfferingsImporter.columns]
ROLE_COLUMNS = [c.name for c in AdminRolesImporter.columns]


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _in_order(columns: list[str], row: dict) -> list:
    """A row by column name, in the import's column order (a column the export does not know: empty)."""
    return [row.get(name, "") for name in columns]


def unit_rows(as_of: datetime.date) -> Iterator[list]:
    """Every unit known on `as_of` (active or not), sorted by HSA-id."""
    yield UNIT_COLUMNS
    providers = dict(Provider.objects.values_list("id", "name"))
    for _, hsa_id, u in units_on(as_of):
        row = {
            "hsa_id": hsa_id,
            "name": u.name,
            "forvaltning": u.forvaltning.name,
            "vardomrade": u.vardomrade.name,
            "unit_kind": u.unit_kind,
            "unit_type": u.unit_type,
            "booking_system": u.booking_system,
            "has_contact_card": _bool(u.has_contact_card),
            "same_day_contact": _bool(u.same_day_contact),
            "provider": providers.get(u.provider_id, "") if u.provider_id else "",
            "active": _bool(u.active),
            "profile": u.profile,
        }
        yield _in_order(UNIT_COLUMNS, row)


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
        row = {"unit_hsa_id": hsa_id, "kind": kind, "code": code, "variant": variant, "open": _bool(is_open)}
        yield _in_order(OFFERING_COLUMNS, row)


def role_rows(as_of: datetime.date) -> Iterator[list]:
    """The roles held on `as_of` with the holder's known name, sorted by unit, role and person."""
    yield ROLE_COLUMNS
    hsa = _hsa_ids(as_of)
    held = AdminRole.versions.filter(valid_on(as_of)).values_list("unit_id", "person_id", "role")
    names = dict(Person.objects.values_list("person_id", "name"))
    rows = sorted((hsa[u], role, person) for u, person, role in held if u in hsa)
    for hsa_id, role, person in rows:
        row = {"person_id": person, "unit_hsa_id": hsa_id, "role": role, "name": names.get(person, "")}
        yield _in_order(ROLE_COLUMNS, row)


ROWS = {"units": unit_rows, "offerings": offering_rows, "admin_roles": role_rows}


def fact_rows(kind: str, as_of: datetime.date) -> Iterator[list]:
    return ROWS[kind](as_of)
