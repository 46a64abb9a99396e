"""Requirement parameters: the settings Koncernstab may edit on a requirement (e.g. SV1's threshold).

The defaults are written here once: the rulebook data loads them, the engine falls back on them when a
stored requirement lacks a key, and `Requirement.clean` checks edits against the same kinds.
"""

from __future__ import annotations

from decimal import Decimal

# requirement code → {parameter: default}
DEFAULTS: dict[str, dict[str, float | int]] = {
    "SV1-SVARSTID": {"threshold": 0.95},  # share of assessed cases answered in time (§2.3)
    "TB2-FRAMFORHALLNING": {"weeks": 8},  # weeks of bookable times ahead (§2.1.1 nivå 2)
}

# parameter → (check, message)
_KINDS = {
    "threshold": (lambda v: 0 <= v <= 1, "threshold ska vara en andel mellan 0 och 1, t.ex. 0.95"),
    "weeks": (lambda v: 0 <= v <= 104, "weeks ska vara ett antal veckor mellan 0 och 104, t.ex. 8"),
}


def with_defaults(code: str, parameters: dict | None) -> dict:
    """The requirement's parameters, with the defaults for any it does not set."""
    return {**DEFAULTS.get(code, {}), **(parameters or {})}


def parameter_problems(parameters) -> dict[str, str]:
    """Per known parameter, a Swedish message when its value is not allowed. Unknown keys are kept as
    they are (a later decision may bring settings this version of the portal does not read)."""
    if not isinstance(parameters, dict):
        return {"-": 'parametrarna ska vara ett JSON-objekt, t.ex. {"threshold": 0.95}'}
    problems = {}
    for name, (allowed, message) in _KINDS.items():
        if name not in parameters:
            continue
        value = parameters[name]
        number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        if not number or not allowed(value):
            problems[name] = message
    return problems
