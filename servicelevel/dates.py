"""The one date rule: every date the portal takes in — typed in a form of the portal or the
admin, given as a query parameter (`?per=`, `?fran=`, `?till=`, `?manad=`) or read from an imported file —
lies in the years 1900–2100.

A date outside them is a typing error (`0001-01-01` from an empty Excel date cell, `20260` for 2026,
`9999-12-31` for "never ends"), and, once taken in, it broke every later step: the day after 9999-12-31
cannot be written (`end_of_day`, "ending in 30 days"), and 00:00 of 0001-01-01 in Stockholm is a UTC
instant before year 1 (SQLite's adapter, a stored case's export). The bounds leave a century either side
of today for anything the portal plans or records, and every date arithmetic the portal does (the end of
a day, a month back, twelve months on) stays representable from them.

Where a domain says more, its own rule follows this one: an exemption runs at most
`DJANGO_EXEMPTION_MAX_MONTHS` from its start, its follow-ups lie inside it (`exemptions/rules.py`).

- `DATE_MIN`, `DATE_MAX`, `YEAR_MIN`, `YEAR_MAX`: the bounds;
- `validate_in_bounds`: the validator on every model date and date-time field a person fills in (the
  admin's forms and the write path's `full_clean` run it);
- `DateField` / `DateInput`: the portal forms' date field — the same validator, and a date picker that
  offers only the bounds (`min`/`max`);
- `parse_day`: a query parameter's date (`InvalidDay` with a Swedish reason);
- the importers' `parse_date` / `parse_datetime` (servicelevel/importing/fields.py) check the same years.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year

BOUNDS_MESSAGE = f"Ange ett datum mellan {DATE_MIN.isoformat()} och {DATE_MAX.isoformat()}."
YEARS_TEXT = f"året ska vara {YEAR_MIN}–{YEAR_MAX}"


def year_in_bounds(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def in_bounds(value: datetime.date) -> bool:
    """A date (or a date-time: its own calendar year) inside the rule."""
    return year_in_bounds(value.year)


def validate_in_bounds(value) -> None:
    """The model fields' validator: a date or date-time outside 1900–2100 is refused in Swedish."""
    if isinstance(value, datetime.date) and not in_bounds(value):
        raise ValidationError(BOUNDS_MESSAGE, code="date_out_of_bounds")


def clamp(day: datetime.date) -> datetime.date:
    """`day` moved inside the bounds: for reading a row stored before the rule held (e.g. an exemption
    saved with 9999-12-31), so a page that judges on its date still has a date it can compute with."""
    return min(max(day, DATE_MIN), DATE_MAX)


class DateInput(forms.DateInput):
    """The browser's date picker (ISO value), offering only dates inside the bounds."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        attrs = {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(), **(attrs or {})}
        super().__init__(attrs=attrs, format=format)


class DateField(forms.DateField):
    """Every date field of the portal's forms: a date picker, refused outside 1900–2100 with one message."""

    widget = DateInput
    default_validators = [validate_in_bounds]


class InvalidDay(ValueError):
    """A query parameter that is no date of the rule; `str()` is the reason, in Swedish."""


class DayOutOfBounds(InvalidDay):
    """A date, but outside 1900–2100."""


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_day(text: str) -> datetime.date:
    """A date in a query parameter: `YYYY-MM-DD` (ASCII digits, the spec's form only: Python's own
    fromisoformat also takes `20261115` and `2026-W46-7`) in the years 1900–2100."""
    text = text.strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidDay("är inget datum (ÅÅÅÅ-MM-DD)") from None
    if not in_bounds(day):
        raise DayOutOfBounds(f"är ett ogiltigt datum: {YEARS_TEXT}")
    return day


def command_day(value: str, option: str = "--as-of") -> datetime.date:
    """A command's date option under the same rule; a wrong one is wrong usage (exit 2)."""
    from django.core.management.base import CommandError

    try:
        return parse_day(value)
    except DayOutOfBounds:
        raise CommandError(f"ogiltigt datum för {option}: {value!r} ({YEARS_TEXT})", returncode=2) from None
    except InvalidDay:
        raise CommandError(f"ogiltigt datum för {option}: {value!r} (ÅÅÅÅ-MM-DD)", returncode=2) from None
