"""The working-day calendar (vardagar) of lag (1930:173) om beräkning av lagstadgad tid, and case deadlines.

A working day is Monday–Friday that is not a public holiday, not midsommarafton, julafton or nyårsafton,
and not one of the region's extra closed days (ClosedDay rows, handed in by
`compliance.models.region_calendar`: this module reads no database). The law's days come from the
`holidays` package (SE, categories PUBLIC + DE_FACTO; its default omits the eves). All arithmetic is on
local wall-clock dates in Europe/Stockholm: a working day always runs 00:00–24:00 local, and since Swedish
DST changes fall on Sundays, never on a working day, 24 hours of working-day time is the same on either
reading.

How long a unit has is the response-time terms (`ResponseTerms`: `working_days`, `same_day_hours`, and
`stretch_hours` of the indicator) of the rulebook version in force on the case's local receipt date
(RULEBOOKS.md "Response time with parameters"), handed in as a `TermsByDate`; without one, the defaults
(2 working days, 24 hours, 2 hours).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import DE_FACTO, PUBLIC

from servicelevel.kinds import with_defaults

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ONE_DAY = datetime.timedelta(days=1)


# The kind's own defaults (2 working days, 24 hours, 2 hours), written once in servicelevel/kinds.py.
_DEFAULTS = with_defaults("response_time", {})


@dataclass(frozen=True)
class ResponseTerms:
    """A version's `response_time` parameters that fix a case's deadline and its stretch indicator; the
    defaults are the kind's (servicelevel/kinds.py), used when a version has no such requirement."""

    working_days: int = _DEFAULTS["working_days"]
    same_day_hours: int = _DEFAULTS["same_day_hours"]
    stretch_hours: float = _DEFAULTS["stretch_hours"]

    @classmethod
    def of(cls, parameters: dict | None) -> ResponseTerms:
        """From a `response_time` requirement's parameters (None: the version has none)."""
        given = with_defaults("response_time", parameters or {})
        return cls(int(given["working_days"]), int(given["same_day_hours"]), given["stretch_hours"])

    @property
    def stretch(self) -> datetime.timedelta:
        return datetime.timedelta(hours=float(self.stretch_hours))


DEFAULT_TERMS = ResponseTerms()


@dataclass(frozen=True)
class VersionTerms:
    """One rulebook version's force and its terms; `order` is its id (of two versions that start the same
    day, the one loaded later is in force)."""

    in_force_from: datetime.date
    in_force_until: datetime.date | None
    order: int
    terms: ResponseTerms


class TermsByDate:
    """Pure: the region's versions (a handful), and which one's terms hold on a local receipt date, by the
    rule of `Decision.in_force` (the latest started on or before the date and not ended before it; before
    the first version, the first). Read once per import or recompute, then looked up per receipt date."""

    def __init__(self, versions: Iterable[VersionTerms] = ()):
        self.versions = sorted(versions, key=lambda v: (v.in_force_from, v.order))
        self._cache: dict[datetime.date, ResponseTerms] = {}

    def version_on(self, day: datetime.date) -> VersionTerms | None:
        in_force = [
            v
            for v in self.versions
            if v.in_force_from <= day and (v.in_force_until is None or v.in_force_until >= day)
        ]
        if in_force:
            return in_force[-1]  # sorted by (start, order): the latest start, loaded last
        return self.versions[0] if self.versions else None

    def on(self, day: datetime.date) -> ResponseTerms:
        terms = self._cache.get(day)
        if terms is None:
            version = self.version_on(day)
            terms = self._cache[day] = version.terms if version is not None else DEFAULT_TERMS
        return terms

    def segments(self, start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, ResponseTerms]]:
        """The days [start, end) as runs of equal terms: (first day of the run, its terms), in order."""
        runs: list[tuple[datetime.date, ResponseTerms]] = []
        day = start
        while day < end:
            terms = self.on(day)
            if not runs or runs[-1][1] != terms:
                runs.append((day, terms))
            day += ONE_DAY
        return runs


@lru_cache(maxsize=256)
def law_holidays(year: int) -> frozenset[datetime.date]:
    """The law's non-working days of one year, besides weekends."""
    days = holidays.country_holidays(
        "SE", years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False, language="sv"
    )
    return frozenset(days)


class WorkingCalendar:
    """Pure: give it the region's extra closed days; no database inside."""

    def __init__(self, extra_closed: Iterable[datetime.date] = (), terms: TermsByDate | None = None):
        self.extra_closed = frozenset(extra_closed)
        self.terms = terms or TermsByDate()
        self._next_cache: dict[datetime.date, datetime.date] = {}
        self._standard_cache: dict[datetime.date, datetime.datetime] = {}  # by local receipt date

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and day not in law_holidays(day.year) and day not in self.extra_closed

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """The first working day strictly after `day`."""
        cached = self._next_cache.get(day)
        if cached is None:
            cached = day + ONE_DAY
            while not self.is_working_day(cached):
                cached += ONE_DAY
            self._next_cache[day] = cached
        return cached

    def standard_deadline(self, received: datetime.datetime) -> datetime.datetime:
        """End of the `working_days`-th working day (2 by default) after the local receipt date: 00:00
        local of the day after it."""
        day = received.astimezone(STOCKHOLM).date()
        deadline = self._standard_cache.get(day)
        if deadline is None:  # a file of a million cases has a few hundred receipt dates
            last = day
            for _ in range(self.terms.on(day).working_days):
                last = self.next_working_day(last)
            deadline = self._standard_cache[day] = local_midnight(last + ONE_DAY)
        return deadline

    def same_day_deadline(self, received: datetime.datetime) -> datetime.datetime:
        """`same_day_hours` (24 by default) of working-day time. The clock starts at receipt on a working
        day, else at 00:00 of the next working day, and runs only through working days (whole days,
        00:00–24:00)."""
        local = received.astimezone(STOCKHOLM).replace(tzinfo=None)  # wall-clock time
        day = local.date()
        remaining = datetime.timedelta(hours=self.terms.on(day).same_day_hours)  # by the receipt date
        if self.is_working_day(day):
            clock = local
        else:
            day = self.next_working_day(day)
            clock = datetime.datetime.combine(day, datetime.time())
        while True:
            end_of_day = datetime.datetime.combine(day + ONE_DAY, datetime.time())
            available = end_of_day - clock
            if remaining <= available:
                return (clock + remaining).replace(tzinfo=STOCKHOLM)
            remaining -= available
            day = self.next_working_day(day)
            clock = datetime.datetime.combine(day, datetime.time())

    def deadline(self, received: datetime.datetime, *, same_day_contact: bool) -> datetime.datetime:
        if same_day_contact:
            return self.same_day_deadline(received)
        return self.standard_deadline(received)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """00:00 local time on `day` (never in a DST gap in Sweden: changes happen at 02:00/03:00)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=STOCKHOLM)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The as-of date's end, 24:00 local: the evaluation instant `now` of the rules."""
    return local_midnight(day + ONE_DAY)
