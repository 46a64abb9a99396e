"""The working-day calendar (vardagar) of lag (1930:173) om beräkning av lagstadgad tid, and case deadlines.

A working day is Monday–Friday that is not a public holiday, not midsommarafton, julafton or nyårsafton,
and not one of the region's extra closed days (ClosedDay rows, handed in by
`compliance.models.region_calendar`: this module reads no database). The law's days come from the
`holidays` package (SE, categories PUBLIC + DE_FACTO; its default omits the eves). All arithmetic is on
local wall-clock dates in Europe/Stockholm: a working day always runs 00:00–24:00 local, and since Swedish
DST changes fall on Sundays, never on a working day, 24 hours of working-day time is the same on either
reading.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import DE_FACTO, PUBLIC

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ONE_DAY = datetime.timedelta(days=1)
SAME_DAY_HOURS = datetime.timedelta(hours=24)


@lru_cache(maxsize=256)
def law_holidays(year: int) -> frozenset[datetime.date]:
    """The law's non-working days of one year, besides weekends."""
    days = holidays.country_holidays(
        "SE", years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False, language="sv"
    )
    return frozenset(days)


class WorkingCalendar:
    """Pure: give it the region's extra closed days; no database inside."""

    def __init__(self, extra_closed: Iterable[datetime.date] = ()):
        self.extra_closed = frozenset(extra_closed)
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
        """End of the second working day after the local receipt date: 00:00 local of the day after it."""
        day = received.astimezone(STOCKHOLM).date()
        deadline = self._standard_cache.get(day)
        if deadline is None:  # a file of a million cases has a few hundred receipt dates
            second = self.next_working_day(self.next_working_day(day))
            deadline = self._standard_cache[day] = local_midnight(second + ONE_DAY)
        return deadline

    def same_day_deadline(self, received: datetime.datetime) -> datetime.datetime:
        """24 hours of working-day time. The clock starts at receipt on a working day, else at 00:00 of the
        next working day, and runs only through working days (whole days, 00:00–24:00)."""
        local = received.astimezone(STOCKHOLM).replace(tzinfo=None)  # wall-clock time
        day = local.date()
        if self.is_working_day(day):
            clock = local
        else:
            day = self.next_working_day(day)
            clock = datetime.datetime.combine(day, datetime.time())
        remaining = SAME_DAY_HOURS
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
