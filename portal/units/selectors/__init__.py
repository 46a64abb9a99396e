"""Reads for the unit list (/enheter/) and the unit page (/enheter/<hsa_id>/), one module per part:
`unit_list` (the annotated list queryset), `unit_page` (the page's dataclasses in a fixed set of queries),
`cases` (the evaluation month's late cases and their CSV), `unit_facts` (offering and exemptions),
`shared` (level words, the decision of a stored date). Callers import from here."""

from .cases import CASES_CSV_HEADER, late_case_rows, late_cases, late_cases_csv_rows, valid_month
from .shared import (
    ListTerms,
    decision_for,
    level_label,
    level_top,
    list_terms,
    requirements_of,
    short_code,
)
from .unit_list import requirement_status_exists, unit_rows
from .unit_page import MonthResponse, UnitPage, unit_page

__all__ = [
    "CASES_CSV_HEADER",
    "ListTerms",
    "MonthResponse",
    "UnitPage",
    "decision_for",
    "late_case_rows",
    "late_cases",
    "late_cases_csv_rows",
    "level_label",
    "level_top",
    "list_terms",
    "requirement_status_exists",
    "requirements_of",
    "short_code",
    "unit_page",
    "unit_rows",
    "valid_month",
]
