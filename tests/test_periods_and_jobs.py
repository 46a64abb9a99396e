"""As-of dates on period boundaries, the recompute's constant query count, and the daily jobs."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import services, tasks
from compliance.loader import load_context
from compliance.models import UnitResult
from exemptions import services as exemption_services
from exemptions.models import Exemption
from servicelevel.models import AuditEntry
from units.services import unit_save

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def periods():
    return [
        f.SchedulePeriodFactory(
            code="2026-T1", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 4, 30)
        ),
        f.SchedulePeriodFactory(
            code="2026-T2", start_date=dt.date(2026, 5, 4), end_date=dt.date(2026, 8, 30)
        ),
        f.SchedulePeriodFactory(
            code="2026-T3", start_date=dt.date(2026, 8, 31), end_date=dt.date(2026, 12, 31)
        ),
    ]


@pytest.mark.parametrize(
    "as_of, current, previous",
    [
        (dt.date(2026, 8, 31), "2026-T3", "2026-T2"),  # first day of a period
        (dt.date(2026, 8, 30), "2026-T2", "2026-T1"),  # last day of the one before
        (dt.date(2026, 5, 2), "2026-T1", None),  # in the gap after T1 ended: T1 is still the latest started
        (dt.date(2026, 1, 1), "2026-T1", None),
        (dt.date(2025, 12, 31), None, None),  # before any period
        (dt.date(2027, 3, 1), "2026-T3", "2026-T2"),
    ],
)
def test_current_and_previous_period_on_boundaries(periods, as_of, current, previous):
    context = load_context(as_of)
    assert (context.current_period.code if context.current_period else None) == current
    assert (context.previous_period.code if context.previous_period else None) == previous


def test_the_trend_compares_with_the_period_before_on_the_first_day(periods):
    unit = f.CareUnitFactory()
    f.BookingFiguresFactory(unit=unit, period=periods[1], booked_reschedulable=100)
    f.BookingFiguresFactory(unit=unit, period=periods[2], booked_reschedulable=120)
    on_first_day = services.evaluate(dt.date(2026, 8, 31)).units[0]
    assert on_first_day.requirements["TB2-OMBOKA-ANDEL"].status == "met"
    day_before = services.evaluate(dt.date(2026, 8, 30)).units[0]
    assert day_before.requirements["TB2-OMBOKA-ANDEL"].status == "not_applicable"  # T1 has no figures


def test_targets_apply_to_their_period_and_vardomrade_only(periods):
    unit = f.CareUnitFactory()
    f.BookingFiguresFactory(unit=unit, period=periods[1], booked_reschedulable=100)
    f.BookingFiguresFactory(unit=unit, period=periods[2], booked_reschedulable=120)  # 0.30
    f.TargetFactory(vardomrade=unit.vardomrade, period=periods[1], target_share="0.9")  # another period
    f.TargetFactory(period=periods[2], target_share="0.9")  # another vårdområde
    assert services.evaluate(dt.date(2026, 11, 15)).units[0].requirements["TB2-OMBOKA-ANDEL"].status == "met"
    f.TargetFactory(vardomrade=unit.vardomrade, period=periods[2], target_share="0.31")
    assert (
        services.evaluate(dt.date(2026, 11, 15)).units[0].requirements["TB2-OMBOKA-ANDEL"].status == "not_met"
    )


def test_month_end_case_belongs_to_its_local_month():
    unit = f.CareUnitFactory()
    # 2026-10-31 23:30 local is 22:30 UTC: an October case, evaluated on 2026-10-31 (still pending).
    f.CaseFactory(unit=unit, received_at=dt.datetime(2026, 10, 31, 22, 30, tzinfo=dt.UTC))
    f.CaseFactory(unit=unit, received_at=dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC))  # 1 Nov local
    rt = services.evaluate(dt.date(2026, 10, 31)).units[0].response_time
    assert (rt.month, rt.pending, rt.assessed) == ("2026-10", 1, 0)
    rt = services.evaluate(dt.date(2026, 11, 15)).units[0].response_time
    assert (rt.month, rt.overdue) == ("2026-10", 1)


def make_units(n, period):
    for _ in range(n):
        unit = f.CareUnitFactory()
        f.BookingFiguresFactory(unit=unit, period=period)
        f.OfferingFactory(unit=unit)
        f.AdminRoleFactory(unit=unit)
        f.CaseFactory(unit=unit)
        f.ExemptionFactory(unit=unit)


def test_recomputing_5_and_50_units_issues_the_same_number_of_queries(periods):
    """Measured on a second recompute of the day, so replacing stored results is counted too. SQLite caps a
    statement at 999 parameters, so there bulk inserts come in more batches; every other query, and on
    PostgreSQL every query, is the same in number."""

    def queries_for_recompute():
        services.recompute(as_of=dt.date(2026, 11, 15))
        with CaptureQueriesContext(connection) as ctx:
            services.recompute(as_of=dt.date(2026, 11, 15))
        sqls = [q["sql"] for q in ctx.captured_queries]
        return len(sqls), len([s for s in sqls if not s.startswith("INSERT")])

    make_units(5, periods[2])
    few, few_not_inserts = queries_for_recompute()
    make_units(45, periods[2])
    many, many_not_inserts = queries_for_recompute()
    assert many_not_inserts == few_not_inserts
    if connection.vendor == "postgresql":
        assert many == few
    assert UnitResult.objects.filter(as_of=dt.date(2026, 11, 15)).count() == 50


def test_expiry_job_moves_approved_exemptions_past_valid_until_to_expired():
    ended = f.ExemptionFactory(valid_until=dt.date(2026, 11, 20))
    today = f.ExemptionFactory(valid_until=dt.date(2026, 11, 21))
    draft = f.ExemptionFactory(valid_until=dt.date(2026, 11, 1), status="draft")
    assert exemption_services.expire_exemptions(today=dt.date(2026, 11, 21)) == [ended.exemption_id]
    assert Exemption.objects.get(pk=ended.pk).status == "expired"
    assert Exemption.objects.get(pk=today.pk).status == "approved"  # still valid through today
    assert Exemption.objects.get(pk=draft.pk).status == "draft"
    assert AuditEntry.objects.filter(action="exemption_expired", object_id=ended.exemption_id).count() == 1
    # Running twice does nothing more.
    assert exemption_services.expire_exemptions(today=dt.date(2026, 11, 21)) == []


def test_an_expired_exemption_still_covers_the_dates_it_was_valid(periods):
    unit = f.CareUnitFactory()
    f.BookingFiguresFactory(unit=unit, period=periods[2], slots_open_invitation=0)
    f.ExemptionFactory(unit=unit, valid_until=dt.date(2026, 10, 31), status="expired")
    on = services.evaluate(dt.date(2026, 10, 31)).units[0].requirements["TB3-OPPEN-KALLELSE"]
    after = services.evaluate(dt.date(2026, 11, 1)).units[0].requirements["TB3-OPPEN-KALLELSE"]
    assert (on.status, after.status) == ("exempt", "not_met")


def test_nightly_task_stores_the_day_that_ended_and_the_new_day_and_keeps_earlier_days(periods, time_machine):
    f.CareUnitFactory()
    time_machine.move_to(dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC))  # 00:30 on 21 Nov in Stockholm
    assert tasks.nightly_recompute.delay().get() == 1
    time_machine.move_to(dt.datetime(2026, 11, 21, 23, 30, tzinfo=dt.UTC))  # 00:30 on 22 Nov
    tasks.nightly_recompute.delay()
    assert sorted(UnitResult.objects.values_list("as_of", flat=True)) == [
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 21),
        dt.date(2026, 11, 22),
    ]


def test_a_past_date_is_recomputed_on_the_facts_of_then(periods, time_machine):
    """Facts are kept over time: recomputing a stored past date replaces its results with the same ones,
    and a unit asked for that is not judged on that date any more loses its stale row. Today is 22 Nov."""
    time_machine.move_to(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC))
    unit, other = f.CareUnitFactory(), f.CareUnitFactory()
    past = dt.date(2026, 11, 20)
    services.recompute(as_of=past)
    stored = {r.unit_id: r.booking_level for r in UnitResult.objects.filter(as_of=past)}
    services.recompute(as_of=past)
    services.recompute(as_of=past, unit_ids=[unit.id])
    assert {r.unit_id: r.booking_level for r in UnitResult.objects.filter(as_of=past)} == stored
    assert len(stored) == 2
    # The other unit closed from the 19th (a correction): the 20th no longer judges it.
    other.active = False
    unit_save(unit=other, actor=None, valid_from=dt.date(2026, 11, 19))
    services.recompute(as_of=past, unit_ids=[other.id])
    assert list(UnitResult.objects.filter(as_of=past).values_list("unit_id", flat=True)) == [unit.id]
    assert tasks.nightly_recompute.delay().get() == 1  # the close of the 21st, then the 22nd


def test_the_beat_schedule_names_existing_tasks():
    from servicelevel.celery import app

    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert names == {
        "exemptions.tasks.expire_exemptions",
        "compliance.tasks.nightly_recompute",
        "exemptions.tasks.send_daily_reminders",
        "exemptions.tasks.send_weekly_digest",
        "servicelevel.tasks.expire_import_uploads",
    }
    app.loader.import_default_modules()
    assert names <= set(app.tasks)


def test_monthly_counts_from_the_database_are_exact_to_the_microsecond():
    """The loader may read instants as numbers (PostgreSQL); the outcome must not change by a microsecond."""
    unit = f.CareUnitFactory()
    received = dt.datetime(2026, 10, 7, 6, 0, tzinfo=dt.UTC)
    deadline = dt.datetime(2026, 10, 9, 22, 0, tzinfo=dt.UTC)
    micro = dt.timedelta(microseconds=1)
    f.CaseFactory(unit=unit, received_at=received, first_response_at=deadline)  # in time
    f.CaseFactory(
        unit=unit, received_at=received, first_response_at=deadline + micro, delay_notified_at=deadline
    )  # late, told in time
    f.CaseFactory(
        unit=unit,
        received_at=received,
        first_response_at=deadline + micro,
        delay_notified_at=deadline + micro,
    )  # late
    f.CaseFactory(
        unit=unit, received_at=received, first_response_at=received + dt.timedelta(hours=2)
    )  # ≤ 2 h
    f.CaseFactory(unit=unit, received_at=received, first_response_at=received + dt.timedelta(hours=2) + micro)
    rt = services.evaluate(dt.date(2026, 11, 15)).units[0].response_time
    assert (rt.in_time, rt.late_notified, rt.late, rt.within_2h) == (3, 1, 1, 1)
