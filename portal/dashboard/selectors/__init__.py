"""The region dashboard's reads (`/`): `page.dashboard` puts the page together from the scope and reader
(`board`), the figures read from the stored results (`figures`), and the lists beside them (exemptions
ending, imports, schedule periods, comparison: `page`)."""

from .board import (
    EXEMPTIONS_LISTED,
    MONTHS_SHOWN,
    PERIODS_SHOWN,
    AdminsMonth,
    Comparison,
    Dashboard,
    ExemptionEnding,
    HeatRow,
    Import,
    LevelCount,
    PeriodTrend,
    ResponseMonth,
    Scope,
    StatusCounts,
    Trend,
    Visible,
    scope_for,
)
from .figures import last_months
from .page import dashboard, exemptions_ending

__all__ = [
    "EXEMPTIONS_LISTED",
    "MONTHS_SHOWN",
    "PERIODS_SHOWN",
    "AdminsMonth",
    "Comparison",
    "Dashboard",
    "ExemptionEnding",
    "HeatRow",
    "Import",
    "LevelCount",
    "PeriodTrend",
    "ResponseMonth",
    "Scope",
    "StatusCounts",
    "Trend",
    "Visible",
    "dashboard",
    "exemptions_ending",
    "last_months",
    "scope_for",
]
