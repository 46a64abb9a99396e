"""Decision 2026-0000277 as the engine's rulebook, for the pure engine tests: the requirements, catalogue
and profiles of servicelevel/rulebook_2026_0000277.py with the kinds, parameters and conditions migration
0009 gives them (the same the loader reads from the database after `migrate`)."""

from __future__ import annotations

import importlib

from compliance.engine import types as t
from servicelevel import rulebook_2026_0000277 as data

KINDS = importlib.import_module("servicelevel.migrations.0009_requirement_kinds").KINDS_2026_0000277


def _rule(code, group, level, name, _section, _trend, _params) -> t.RequirementRule:
    kind, parameters = KINDS[code]
    applies_if = ("contact_card", "booking_system") if group == "TB" else ("contact_card",)
    return t.RequirementRule(code, group, level, name, kind, parameters, applies_if)


RULEBOOK = t.Rulebook(
    decision=data.DECISION["number"],
    requirements=tuple(_rule(*row) for row in data.REQUIREMENTS),
    profiles={k: frozenset(v) for k, v in data.PROFILES.items()},
    digital_contact_codes=frozenset(code for code, _name, contact in data.SERVICES if contact),
    ladder="Bokningsnivå",
    version=data.DECISION["version"],
)
