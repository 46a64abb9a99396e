"""A rulebook file as plain, frozen records: what `parse` gives and `dump` writes.

Lists are tuples in the file's order. `parameters` holds the kind's defaults for those the file leaves
out, so a reader never needs to know them; `profiles` maps a profile's code to its lists. Nothing here
is reassigned; the dicts are not to be changed either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Region:
    code: str  # lower-case letters, e.g. `skane`: SERVICELEVEL_REGION names a deployment's region by it
    name: str


@dataclass(frozen=True)
class Decision:
    number: str
    version: str
    title: str
    in_force_from: datetime.date
    in_force_until: datetime.date | None = None
    replaces: str | None = None  # NUMBER or NUMBER@VERSION of the decision this one replaces
    approved_by: str | None = None


@dataclass(frozen=True)
class Group:
    code: str
    name: str


@dataclass(frozen=True)
class Ladder:
    name: str


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    digital_contact: bool = False


@dataclass(frozen=True)
class Template:
    code: str
    name: str


@dataclass(frozen=True)
class Channel:
    code: str
    name: str


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...] = ()
    templates: tuple[Template, ...] = ()
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True)
class Profile:
    services: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    code: str
    group: str
    name: str
    kind: str
    section: str | None = None
    level: int | None = None
    parameters: dict = field(default_factory=dict)
    applies_if: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulebookFile:
    region: Region
    decision: Decision
    groups: tuple[Group, ...]
    ladder: Ladder | None
    catalogue: Catalogue
    profiles: dict[str, Profile]
    requirements: tuple[Requirement, ...]

    def requirement(self, code: str) -> Requirement | None:
        return next((r for r in self.requirements if r.code == code), None)
