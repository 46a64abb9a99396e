"""Parsers for one cell each. They raise `FieldError` with a Swedish message; empty cells never reach
them (the framework handles blanks and defaults)."""

import datetime
import re
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.backends.base.operations import BaseDatabaseOperations

from servicelevel.dates import YEAR_MAX, YEAR_MIN, YEARS_TEXT, in_bounds


class FieldError(ValueError):
    pass


def accepts(text: str):
    """Say in Swedish what a parser takes; /import/ and the templates show it beside each column."""

    def mark(parse):
        parse.accepts = text
        return parse

    return mark


QUOTE_LIMIT = 60


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` quoted for a message, cut to `limit` characters with "…": a huge cell must not become a
    huge message (one per bad row, a million rows)."""
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)


TRUE = {"true", "ja", "1"}
FALSE = {"false", "nej", "0"}

# Instants and dates outside 1900–2100 are typing errors (0001-01-01 from an empty Excel date, 20260 for
# 2026) and, once stored, break every later conversion to local time (exports, the admin's lists). The
# portal's forms, query parameters and the admin hold the same years: the rule is servicelevel.dates.

# Every count is stored in a PositiveIntegerField; PostgreSQL refuses more, SQLite would store it.
COUNT_MAX = BaseDatabaseOperations.integer_field_ranges["PositiveIntegerField"][1]


@accepts("ja/nej, true/false eller 1/0")
def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise FieldError(f"ogiltigt sant/falskt-värde {quote(text)}: använd ja/nej, true/false eller 1/0")


@accepts("text")
def parse_text(text: str) -> str:
    # A NUL byte cannot be stored in PostgreSQL text and is never meant: the file is not plain text.
    if "\x00" in text:
        raise FieldError(
            "innehåller ett NUL-tecken (byte 0), som inte kan sparas: är filen verkligen en CSV-fil?"
        )
    return text.strip()


_SPACES = re.compile(r"[\s\u00a0\u202f]")
# ASCII only: str.isdigit(), int(), Decimal() and a str pattern's \d also take other scripts' digits,
# superscripts and full-width digits, which look like numbers but are not what the file means.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]00:00(?::00)?)?", re.ASCII)


@accepts("heltal ≥ 0")
def parse_count(text: str) -> int:
    """A whole number ≥ 0 (spaces as thousands separators allowed), at most COUNT_MAX."""
    cleaned = _SPACES.sub("", text)
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise FieldError(f"ska vara ett heltal ≥ 0, inte {quote(text)}")
    # Length first: int() of thousands of digits is refused (sys.int_info) or slow.
    if len(cleaned.lstrip("0")) > len(str(COUNT_MAX)) or int(cleaned) > COUNT_MAX:
        raise FieldError(f"högst {COUNT_MAX}, inte {quote(text)}")
    return int(cleaned)


@accepts("tal med decimalkomma eller decimalpunkt")
def parse_decimal(text: str) -> Decimal:
    """Decimal point or decimal comma; ASCII digits, no exponent (`1e3` is no way to write a share)."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    if not _DECIMAL.fullmatch(cleaned):
        message = f"ska vara ett tal (decimalpunkt eller decimalkomma), inte {quote(text)}"
        if not cleaned.isascii():
            message += ": bara siffrorna 0–9"
        elif "e" in cleaned.lower():
            message += ": skriv talet utan exponent (t.ex. 1000, inte 1e3)"
        raise FieldError(message)
    return Decimal(cleaned)


@accepts(f"datum ÅÅÅÅ-MM-DD, år {YEAR_MIN}–{YEAR_MAX}")
def parse_date(text: str) -> datetime.date:
    """YYYY-MM-DD, 1900–2100. A date-time at exactly midnight is taken as its date: that is what an Excel
    date cell becomes (openpyxl reads every date cell as a datetime)."""
    match = _DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        day = datetime.date(*map(int, match.groups()))
    except ValueError:
        raise FieldError(f"ogiltigt datum {quote(text)}: använd ÅÅÅÅ-MM-DD") from None
    if not in_bounds(day):
        raise FieldError(f"ogiltigt datum {quote(text)}: {YEARS_TEXT}")
    return day


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


_day_offsets: dict[datetime.date, str] = {}  # local day → "+01:00", "+02:00" or "change"


def _day_offset(day: datetime.date) -> str:
    """The local zone's UTC offset as ISO text if it is the same all `day`, else "change" (the day of a
    change, or the day before it: a zone may change at midnight). Kept per day: a file spans a few
    hundred days, and every day of YEAR_MIN–YEAR_MAX is at most 73,000 entries."""
    zone, midnight = local_zone(), datetime.datetime.combine(day, datetime.time())
    offsets = {
        (midnight + datetime.timedelta(hours=h)).replace(tzinfo=zone, fold=f).utcoffset()
        for h in (0, 24)
        for f in (0, 1)
    }
    if len(offsets) == 1 and not offsets_with_seconds(offsets):
        minutes = int(offsets.pop().total_seconds()) // 60
        text = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    else:
        text = "change"
    _day_offsets[day] = text
    return text


def offsets_with_seconds(offsets) -> bool:
    return any(o.total_seconds() % 60 for o in offsets)  # local mean time before 1900 in some zones


@accepts(
    "tidpunkt enligt ISO 8601: 2026-06-19T15:00 (svensk tid) eller med UTC-offset, "
    "t.ex. 2026-06-19T15:00:00+02:00"
)
def parse_datetime(text: str) -> datetime.datetime:
    """ISO 8601, 1900–2100; without an offset the time is local (Europe/Stockholm). A local time that
    does not exist (the hour skipped when summer time starts) is an error; one that exists twice (the
    hour repeated when it ends) is the earlier of the two instants (fold=0, summer time)."""
    value = text.strip()
    if len(value) == 10:
        raise FieldError(f"ogiltig tidpunkt {quote(text)}: klockslag saknas (ÅÅÅÅ-MM-DDTHH:MM)")
    try:
        if not value.isascii():
            raise ValueError
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(
            f"ogiltig tidpunkt {quote(text)}: använd ISO 8601, t.ex. 2026-06-19T15:00:00+02:00"
        ) from None
    if not in_bounds(moment):
        raise FieldError(f"ogiltig tidpunkt {quote(text)}: {YEARS_TEXT}")
    if moment.tzinfo is None:
        # Most days have one offset all day: the time is read again with it appended (parsing is cheaper
        # than datetime.replace, and this runs for every time of a million cases). The instant is the same
        # as with the zone attached; only days with a change take the zone's rules below.
        offset = _day_offsets.get(moment.date()) or _day_offset(moment.date())
        if offset != "change":
            try:
                return datetime.datetime.fromisoformat(value + offset)
            except ValueError:
                pass  # a form fromisoformat reads bare but not with an offset appended: the zone's way
        moment = moment.replace(tzinfo=local_zone())
        # In the spring gap fold=0 reads the time with the offset before the change and fold=1 with the
        # one after, so the first is the smaller; in the autumn repeat it is the other way round.
        if moment.utcoffset() < moment.replace(fold=1).utcoffset():
            raise FieldError(
                f"tidpunkten {quote(value)} finns inte i svensk tid (klockan ställs fram en timme när "
                f"sommartid börjar): ange rätt klockslag eller en UTC-offset, t.ex. +01:00"
            )
    return moment


def choice(*allowed: str, case_sensitive: bool = True):
    lookup = {a if case_sensitive else a.lower(): a for a in allowed}

    # Words may be written in any case unless `case_sensitive` (the page says so once, for all columns).
    @accepts(f"ett av: {', '.join(allowed)}" + (" (exakt så)" if case_sensitive else ""))
    def parse(text: str) -> str:
        key = text.strip() if case_sensitive else text.strip().lower()
        if key not in lookup:
            raise FieldError(f"ogiltigt värde {quote(text.strip())}: tillåtna är {', '.join(allowed)}")
        return lookup[key]

    return parse
