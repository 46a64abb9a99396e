"""Requirement parameters by requirement kind: each kind's parameters and their defaults, written once.

The engine fills in the defaults for what a stored requirement does not set (`with_defaults`), and
`Requirement.clean` checks edits against the same limits. A parameter without a default (`REQUIRED`) must
be given by the rulebook.
"""

from __future__ import annotations

from decimal import Decimal

REQUIRED = object()

# kind → {parameter: default}
KIND_PARAMETERS: dict[str, dict[str, object]] = {
    "booked_all": {"figure": REQUIRED},
    "any_positive": {"figures": REQUIRED},
    "minimum": {"figure": REQUIRED, "at_least": REQUIRED},
    "share_trend": {"numerator": REQUIRED, "denominator": REQUIRED},
    "contact_card": {},
    "digital_contact": {},
    "regional_services": {},
    "regional_templates": {},
    "base_offering": {"of": "services"},
    # the share answered in time, the standard deadline in working days, the same-day-contact deadline in
    # working-day hours, and the stretch indicator's hours
    "response_time": {"threshold": 0.95, "working_days": 2, "same_day_hours": 24, "stretch_hours": 2},
    "local_admin_wide_mandate": {"min_units": 2},
    "role_count": {"role": REQUIRED, "min": 1, "max": 2},
}
KINDS = tuple(KIND_PARAMETERS)

# parameter → (check, message): the limits an edit must keep
_LIMITS = {
    "threshold": (lambda v: 0 <= v <= 1, "threshold ska vara en andel mellan 0 och 1, t.ex. 0.95"),
    "at_least": (lambda v: 0 <= v <= 10_000, "at_least ska vara ett tal från 0, t.ex. 8"),
    "min_units": (lambda v: v >= 1 and v == int(v), "min_units ska vara ett heltal från 1, t.ex. 2"),
    "working_days": (lambda v: 0 <= v <= 60 and v == int(v), "working_days ska vara ett heltal 0–60"),
    "same_day_hours": (lambda v: 0 < v <= 240, "same_day_hours ska vara ett antal timmar, t.ex. 24"),
    "stretch_hours": (lambda v: 0 < v <= 240, "stretch_hours ska vara ett antal timmar, t.ex. 2"),
}


def with_defaults(kind: str, parameters: dict | None) -> dict:
    """The requirement's parameters, with its kind's defaults for any it does not set."""
    defaults = {k: v for k, v in KIND_PARAMETERS.get(kind, {}).items() if v is not REQUIRED}
    return {**defaults, **(parameters or {})}


def parameter_problems(parameters) -> dict[str, str]:
    """Per known parameter, a Swedish message when its value is not allowed."""
    if not isinstance(parameters, dict):
        return {"-": 'parametrarna ska vara ett JSON-objekt, t.ex. {"threshold": 0.95}'}
    problems = {}
    for name, (allowed, message) in _LIMITS.items():
        if name not in parameters:
            continue
        value = parameters[name]
        number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        if not number or not allowed(value):
            problems[name] = message
    return problems
