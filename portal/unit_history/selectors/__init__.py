"""Reads for a unit's facts over time (docs/portal-units.md "Historik" and "Jämför två datum"), one module
per page: `history` (every change, the audit entries, the recomputes), `compare` (the unit on two dates);
`words` (the values in words both use). Only reads: the versions are written by units/history.py through
the services and importers. Callers import from here."""

from .compare import CompareRow, Comparison, compare_dates
from .history import Change, UnitHistory, audit_of_unit, unit_history

__all__ = [
    "Change",
    "CompareRow",
    "Comparison",
    "UnitHistory",
    "audit_of_unit",
    "compare_dates",
    "unit_history",
]
