"""Working days (lag 1930:173) and case deadlines, against an oracle written independently of the
`holidays` package: the law's days of 2024-12 to 2028-01 spelled out by hand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calendar import WorkingCalendar
from compliance.engine.response_time import outcome

TZ = ZoneInfo("Europe/Stockholm")
D = dt.date

# Every non-working weekday-or-weekend holiday and eve of the law, by hand (påsk 2025-04-20, 2026-04-05,
# 2027-03-28; midsommarafton the Friday 19–25 June; alla helgons dag the Saturday 31 Oct–6 Nov).
LAW_DAYS = {
    D(2024, 12, 24),
    D(2024, 12, 25),
    D(2024, 12, 26),
    D(2024, 12, 31),
    D(2025, 1, 1),
    D(2025, 1, 6),
    D(2025, 4, 18),
    D(2025, 4, 20),
    D(2025, 4, 21),
    D(2025, 5, 1),
    D(2025, 5, 29),
    D(2025, 6, 6),
    D(2025, 6, 8),
    D(2025, 6, 20),
    D(2025, 6, 21),
    D(2025, 11, 1),
    D(2025, 12, 24),
    D(2025, 12, 25),
    D(2025, 12, 26),
    D(2025, 12, 31),
    D(2026, 1, 1),
    D(2026, 1, 6),
    D(2026, 4, 3),
    D(2026, 4, 5),
    D(2026, 4, 6),
    D(2026, 5, 1),
    D(2026, 5, 14),
    D(2026, 5, 24),
    D(2026, 6, 6),
    D(2026, 6, 19),
    D(2026, 6, 20),
    D(2026, 10, 31),
    D(2026, 12, 24),
    D(2026, 12, 25),
    D(2026, 12, 26),
    D(2026, 12, 31),
    D(2027, 1, 1),
    D(2027, 1, 6),
    D(2027, 3, 26),
    D(2027, 3, 28),
    D(2027, 3, 29),
    D(2027, 5, 1),
    D(2027, 5, 6),
    D(2027, 5, 16),
    D(2027, 6, 6),
    D(2027, 6, 25),
    D(2027, 6, 26),
    D(2027, 11, 6),
    D(2027, 12, 24),
    D(2027, 12, 25),
    D(2027, 12, 26),
    D(2027, 12, 31),
    D(2028, 1, 1),
    D(2028, 1, 6),
}
CAL = WorkingCalendar()


def oracle_working(day):
    return day.weekday() < 5 and day not in LAW_DAYS


def oracle_next(day):
    day += dt.timedelta(days=1)
    while not oracle_working(day):
        day += dt.timedelta(days=1)
    return day


def oracle_standard(local: dt.datetime) -> dt.datetime:
    end_day = oracle_next(oracle_next(local.date())) + dt.timedelta(days=1)
    return dt.datetime.combine(end_day, dt.time(), TZ)


def oracle_same_day(local: dt.datetime) -> dt.datetime:
    """Closed form: on a working day at time t, the same time t on the next working day (t = 00:00: the end
    of the receipt day); on another day, the end of the next working day."""
    day, time = local.date(), local.time()
    if oracle_working(day):
        if time == dt.time():
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TZ)
        return dt.datetime.combine(oracle_next(day), time, TZ)
    return dt.datetime.combine(oracle_next(day) + dt.timedelta(days=1), dt.time(), TZ)


def local(y, m, d, hh=0, mm=0, ss=0):
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


ALL_DAYS = [D(2025, 1, 1) + dt.timedelta(days=n) for n in range((D(2027, 12, 31) - D(2025, 1, 1)).days + 1)]


def test_the_calendar_knows_exactly_the_law_days_2025_2027():
    for day in ALL_DAYS:
        assert CAL.is_working_day(day) == oracle_working(day), day


@pytest.mark.parametrize(
    "day", [D(2026, 6, 19), D(2026, 12, 24), D(2026, 12, 31), D(2025, 6, 20), D(2027, 12, 24)]
)
def test_the_eves_are_not_working_days(day):
    assert not CAL.is_working_day(day)


def test_extra_closed_days_from_the_region_are_not_working_days():
    calendar = WorkingCalendar([D(2026, 5, 15)])  # the Friday after Kristi himmelsfärd
    assert not calendar.is_working_day(D(2026, 5, 15))
    # Received Wed 2026-05-13: Thu is a holiday, Fri is closed → Mon, Tue → end of Tuesday.
    assert calendar.standard_deadline(local(2026, 5, 13, 9)) == local(2026, 5, 20)
    assert CAL.standard_deadline(local(2026, 5, 13, 9)) == local(2026, 5, 19)


@pytest.mark.parametrize("times", [(0, 0, 0), (0, 0, 1), (9, 30, 0), (15, 0, 0), (23, 59, 59)])
def test_every_day_2025_2027_standard_and_same_day_match_the_oracle(times):
    for day in ALL_DAYS:
        received = local(day.year, day.month, day.day, *times)
        assert CAL.standard_deadline(received) == oracle_standard(received), received
        assert CAL.same_day_deadline(received) == oracle_same_day(received), received


# The spec's own examples and hand-checked cases ------------------------------------------------------------

STANDARD = [
    (local(2026, 11, 16, 8), local(2026, 11, 19), "Monday → end of Wednesday"),
    (local(2026, 11, 20, 23, 59), local(2026, 11, 25), "Friday → end of Tuesday"),
    (local(2026, 11, 21, 11), local(2026, 11, 25), "Saturday → end of Tuesday"),
    (local(2026, 4, 2, 10), local(2026, 4, 9), "worked example: before långfredagen"),
    (local(2026, 6, 18, 12), local(2026, 6, 24), "Thursday before midsommarafton → Mon, Tue"),
    (local(2026, 12, 23, 12), local(2026, 12, 30), "before julafton: 24–27 closed → Mon 28, Tue 29"),
    (local(2026, 12, 30, 12), local(2027, 1, 6), "over nyårsafton and nyårsdagen → Mon 4, Tue 5"),
    (local(2027, 1, 5, 12), local(2027, 1, 9), "before trettondedag jul → Thu 7, Fri 8"),
    (local(2026, 5, 13, 12), local(2026, 5, 19), "before Kristi himmelsfärd → Fri 15, Mon 18"),
    (local(2026, 10, 23, 12), local(2026, 10, 28), "Friday before DST ends → Mon, Tue (+01:00)"),
    (local(2026, 3, 27, 12), local(2026, 4, 1), "Friday before DST starts → Mon, Tue (+02:00)"),
]


@pytest.mark.parametrize("received, deadline, why", STANDARD, ids=[s[2] for s in STANDARD])
def test_standard_deadline_table(received, deadline, why):
    assert CAL.standard_deadline(received) == deadline


SAME_DAY = [
    (local(2026, 11, 16, 10), local(2026, 11, 17, 10), "Monday 10:00 → Tuesday 10:00"),
    (local(2026, 11, 20, 15), local(2026, 11, 23, 15), "Friday 15:00 → Monday 15:00"),
    (local(2026, 11, 21, 11), local(2026, 11, 24), "Saturday 11:00 → Tuesday 00:00"),
    (
        local(2026, 4, 2, 15),
        local(2026, 4, 7, 15),
        "Thursday before Good Friday → Tuesday after Easter Monday",
    ),
    (local(2026, 6, 19, 15), local(2026, 6, 23), "worked example: midsommarafton → clock starts Mon 00:00"),
    (local(2026, 3, 27, 15), local(2026, 3, 30, 15), "across DST start: wall clock 15:00 (+02:00)"),
    (local(2026, 10, 23, 15), local(2026, 10, 26, 15), "across DST end: wall clock 15:00 (+01:00)"),
    (local(2026, 12, 23, 16), local(2026, 12, 28, 16), "julafton to annandag jul closed"),
    (local(2026, 12, 30, 9), local(2027, 1, 4, 9), "over the year end"),
    (local(2026, 11, 16, 0), local(2026, 11, 17), "received 00:00 on a working day → end of that day"),
    (local(2026, 11, 20, 0), local(2026, 11, 21), "Friday 00:00 → end of Friday, Saturday 00:00"),
]


@pytest.mark.parametrize("received, deadline, why", SAME_DAY, ids=[s[2] for s in SAME_DAY])
def test_same_day_deadline_table(received, deadline, why):
    assert CAL.same_day_deadline(received) == deadline


def test_deadlines_carry_the_local_offset_of_their_date():
    assert CAL.same_day_deadline(local(2026, 3, 27, 15)).utcoffset() == dt.timedelta(hours=2)
    assert CAL.standard_deadline(local(2026, 10, 23, 12)).utcoffset() == dt.timedelta(hours=1)


def test_receipt_date_is_the_local_date_not_utc():
    # 2026-06-18 22:30 UTC is 2026-06-19 00:30 in Stockholm: midsommarafton, not a Thursday.
    received = dt.datetime(2026, 6, 18, 22, 30, tzinfo=dt.UTC)
    assert CAL.standard_deadline(received) == local(2026, 6, 24)
    assert CAL.same_day_deadline(received) == local(2026, 6, 23)


def test_receipt_in_the_repeated_autumn_hour():
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 +02:00, a Sunday
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 +01:00
    assert CAL.same_day_deadline(first) == CAL.same_day_deadline(second) == local(2026, 10, 27)


# Outcomes at the second before, on and after each deadline --------------------------------------------------

ALL_DEADLINES = [(r, d) for r, d, _ in STANDARD + SAME_DAY]


@pytest.mark.parametrize("received, deadline", ALL_DEADLINES)
def test_outcome_around_each_deadline(received, deadline):
    second = dt.timedelta(seconds=1)
    far = deadline + dt.timedelta(days=30)
    assert (
        outcome(deadline=deadline, first_response_at=deadline - second, delay_notified_at=None, now=far)
        == "in_time"
    )
    assert (
        outcome(deadline=deadline, first_response_at=deadline, delay_notified_at=None, now=far) == "in_time"
    )
    assert (
        outcome(deadline=deadline, first_response_at=deadline + second, delay_notified_at=None, now=far)
        == "late"
    )
    assert (
        outcome(deadline=deadline, first_response_at=deadline + second, delay_notified_at=deadline, now=far)
        == "late_notified"
    )
    assert (
        outcome(
            deadline=deadline,
            first_response_at=deadline + second,
            delay_notified_at=deadline + second,
            now=far,
        )
        == "late"
    )
    assert (
        outcome(deadline=deadline, first_response_at=None, delay_notified_at=None, now=deadline) == "pending"
    )
    assert (
        outcome(deadline=deadline, first_response_at=None, delay_notified_at=None, now=deadline - second)
        == "pending"
    )
    assert (
        outcome(deadline=deadline, first_response_at=None, delay_notified_at=None, now=deadline + second)
        == "overdue"
    )


def test_responses_and_notices_after_now_are_not_yet_given():
    deadline = local(2026, 10, 9)
    now = local(2026, 10, 8)  # end of 2026-10-07
    assert (
        outcome(
            deadline=deadline, first_response_at=local(2026, 10, 8, 0, 0, 1), delay_notified_at=None, now=now
        )
        == "pending"
    )
    late_now = local(2026, 10, 12)
    assert (
        outcome(
            deadline=deadline,
            first_response_at=local(2026, 10, 12, 0, 0, 1),
            delay_notified_at=local(2026, 10, 8),
            now=late_now,
        )
        == "overdue"
    )
    assert (
        outcome(
            deadline=deadline,
            first_response_at=local(2026, 10, 12),
            delay_notified_at=local(2026, 10, 8),
            now=late_now,
        )
        == "late_notified"
    )


# Properties ------------------------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 20), timezones=st.just(dt.UTC)
)
extra_days = st.sets(st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)), max_size=20)


def working_time(calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working-day time between two instants, counted on the local wall clock, day by day."""
    a, b = start.astimezone(TZ).replace(tzinfo=None), end.astimezone(TZ).replace(tzinfo=None)
    total, day = dt.timedelta(), a.date()
    while day <= b.date():
        if calendar.is_working_day(day):
            lo = max(a, dt.datetime.combine(day, dt.time()))
            hi = min(b, dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
            total += max(hi - lo, dt.timedelta())
        day += dt.timedelta(days=1)
    return total


def in_or_at_end_of_working_day(calendar, deadline):
    wall = deadline.astimezone(TZ)
    if wall.time() == dt.time():
        return calendar.is_working_day(wall.date() - dt.timedelta(days=1))
    return calendar.is_working_day(wall.date())


@settings(max_examples=400, deadline=None)
@given(received=moments, closed=extra_days, same_day=st.booleans())
def test_every_deadline_lies_within_a_working_day_or_at_its_end(received, closed, same_day):
    calendar = WorkingCalendar(closed)
    assert in_or_at_end_of_working_day(calendar, calendar.deadline(received, same_day_contact=same_day))


@settings(max_examples=400, deadline=None)
@given(received=moments, closed=extra_days)
def test_a_two_working_day_deadline_has_exactly_two_working_days_after_the_receipt_day(received, closed):
    calendar = WorkingCalendar(closed)
    deadline = calendar.standard_deadline(received).astimezone(TZ)
    assert deadline.time() == dt.time()
    first, last = (
        received.astimezone(TZ).date() + dt.timedelta(days=1),
        deadline.date() - dt.timedelta(days=1),
    )
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    assert sum(calendar.is_working_day(d) for d in days) == 2
    assert calendar.is_working_day(last)


@settings(max_examples=400, deadline=None)
@given(received=moments, closed=extra_days)
def test_the_24_hour_clock_adds_exactly_24_working_day_hours(received, closed):
    calendar = WorkingCalendar(closed)
    deadline = calendar.same_day_deadline(received)
    assert working_time(calendar, received, deadline) == dt.timedelta(hours=24)
    # ...and stops as soon as they are reached: one second earlier is short of 24 hours.
    assert working_time(calendar, received, deadline - dt.timedelta(seconds=1)) < dt.timedelta(hours=24)


@settings(max_examples=1000, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31, 23, 59)),
    st.sampled_from(["T", " "]),
)
def test_a_local_time_in_a_file_is_the_instant_the_zone_gives(moment, separator):
    """The importers' time parser appends the day's offset instead of attaching the zone (faster): the
    instant is the zone's on every day, the spring gap is refused and the autumn hour is the earlier."""
    from servicelevel.importing.fields import FieldError, parse_datetime

    text = moment.isoformat(sep=separator)
    zoned = moment.replace(tzinfo=TZ, fold=0)  # a file cannot say fold=1: the earlier instant
    if zoned.utcoffset() < zoned.replace(fold=1).utcoffset():
        with pytest.raises(FieldError, match="finns inte i svensk tid"):
            parse_datetime(text)
    else:
        parsed = parse_datetime(text)
        assert (parsed, parsed.utcoffset()) == (zoned, zoned.utcoffset())


@pytest.mark.parametrize("text", ["2026-03-29T02:00", "2026-03-29T02:59:59", "1980-04-06T02:30"])
def test_the_hour_skipped_in_spring_is_refused(text):
    from servicelevel.importing.fields import FieldError, parse_datetime

    with pytest.raises(FieldError, match="finns inte i svensk tid"):
        parse_datetime(text)


@pytest.mark.parametrize(
    "text, utc",
    [
        ("2026-10-25T02:30", "2026-10-25T00:30:00+00:00"),  # the repeated hour: the earlier instant
        ("2026-10-25T03:00", "2026-10-25T02:00:00+00:00"),
        ("2026-03-29T03:00", "2026-03-29T01:00:00+00:00"),
        ("2026-03-29T01:59", "2026-03-29T00:59:00+00:00"),
        ("20261108T155100", "2026-11-08T14:51:00+00:00"),
    ],
)
def test_times_around_the_changes_are_read_as_swedish_time(text, utc):
    from servicelevel.importing.fields import parse_datetime

    assert parse_datetime(text).astimezone(dt.UTC).isoformat() == utc
