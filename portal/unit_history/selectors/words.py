"""The words both pages of a unit's facts over time use: a unit attribute's value, an offering's and a
role's name and values, who recorded a version, and what a change did."""

from __future__ import annotations

from servicelevel.audit_words import person_name
from units.models import AdminRole, CareUnit, Offering

# What a change did, in the words of both pages (a column of its own, never colour alone).
ADDED, CHANGED, REMOVED, FIRST = "Tillagd", "Ändrad", "Borttagen", "Första uppgifter"
NEW = "Ny"  # the comparison's word for a row only the later date has
NOBODY = "system/import"  # a version recorded without a person: an import from the command line, a task


def label(model, name: str) -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


def yes_no(value: bool) -> str:
    return "Ja" if value else "Nej"


def unit_value(unit_version, name: str) -> str:
    """A unit attribute's value in words (the unit row or a CareUnitVersion, its FKs read with it)."""
    if name in ("forvaltning", "vardomrade"):
        return getattr(unit_version, name).name
    if name == "provider":
        provider = unit_version.provider
        return provider.name if provider else "Regionen (regiondriven)"
    if name == "profile":
        return unit_version.profile or "– (enhetstypens profil)"
    value = getattr(unit_version, name)
    if isinstance(value, bool):
        return yes_no(value)
    choices = dict(CareUnit._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


def offering_name(o: Offering) -> str:
    """ "Tjänst KONTAKT" — the fact an offering's versions are versions of (kind and code)."""
    return f"{o.get_kind_display()} {o.code}"


def offering_values(o: Offering) -> dict[str, str]:
    """An offering version's values (Offering.VALUES) in words, by their Swedish field names."""
    entry = o.catalogue_service or o.catalogue_template or o.catalogue_channel
    return {
        label(Offering, "variant"): o.get_variant_display(),
        label(Offering, "is_open"): yes_no(o.is_open),
        "Namn i katalogen": entry.name if entry else "– (lokal)",
    }


def offering_text(o: Offering) -> str:
    """One version in a line: "Regional: Kontaktkort, öppen för invånare"."""
    entry = o.catalogue_service or o.catalogue_template or o.catalogue_channel
    name = f": {entry.name}" if entry else ""
    return f"{o.get_variant_display()}{name}, {'öppen' if o.is_open else 'stängd'} för invånare"


def role_name(r: AdminRole) -> str:
    return f"{r.get_role_display()}: {r.person_label}"


def who(user) -> str:
    return person_name(user) if user is not None else NOBODY
