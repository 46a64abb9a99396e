"""Races between recomputes, imports and deadline upkeep, on PostgreSQL.

Each race runs real transactions on separate connections (one per thread), so the tests commit
(transaction=True) and restore the rulebook afterwards (serialized_rollback). Where a race needs an
unlucky timing, a hook pauses one side at the exact point; a hook that waits for the other side gives up
after a short timeout, so a correct (serializing) design only costs that timeout and never hangs.
SQLite serializes writers itself and has no advisory locks: these tests are skipped there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from compliance import receivers, services, tasks
from compliance.models import Case, UnitResult
from compliance.writer import response_time_dict
from servicelevel.importing import run as import_run
from servicelevel.importing.run import run_import
from units.models import BookingFigures, CareUnit

from . import factories as f
from .helpers import manage

RACE_MARKS = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="races need PostgreSQL (SQLite serializes every writer; no advisory locks)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def racing(test):
    for mark in RACE_MARKS:
        test = mark(test)
    return test


WAIT = 20  # seconds: the most any step may take before the test calls it a hang


class Worker(threading.Thread):
    """A thread with its own database connection that keeps its result or exception."""

    def __init__(self, fn, name):
        super().__init__(name=name, daemon=True)
        self.fn, self.result, self.error = fn, None, None

    def run(self):
        try:
            self.result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), f"{self.name} hung"
        return self


def stored(as_of):
    out = {}
    for result in UnitResult.objects.filter(as_of=as_of).prefetch_related("requirements__requirement"):
        out[result.unit_id] = (
            result.booking_level,
            result.booking_level_with_exemptions,
            result.response_time,
            {r.requirement.code: (r.status, r.reason, r.exemption_code) for r in result.requirements.all()},
        )
    return out


def fresh(as_of):
    return {
        e.facts.unit_id: (
            e.booking_level,
            e.booking_level_with_exemptions,
            response_time_dict(e.response_time),
            {code: (r.status, r.reason, r.exemption_id or "") for code, r in e.requirements.items()},
        )
        for e in services.evaluate(as_of).units
    }


BOOKING_HEADER = (
    "unit_hsa_id;period;booked_total;booked_visible;booked_cancellable;booked_reschedulable;slots_total;"
    "slots_open_invitation;slots_citizen_bookable;lookahead_weeks\n"
)


@pytest.fixture
def booking_region():
    """Six units with booking figures for a period around today (whatever day the tests run)."""
    today = services.today()
    period = f.SchedulePeriodFactory(
        code="NU", start_date=today - dt.timedelta(days=40), end_date=today + dt.timedelta(days=40)
    )
    units = [f.CareUnitFactory() for _ in range(6)]
    for unit in units:
        f.BookingFiguresFactory(unit=unit, period=period)
    return units


# --- Stored results are never older than the facts committed before their recompute began -------------

TIMINGS = [
    # (whose recompute pauses, where): the import lands while it is paused there
    ("full", "before_read"),
    ("full", "after_read"),
    ("full", "after_store"),
    ("import", "after_read"),
]


@racing
@pytest.mark.parametrize("paused, point", TIMINGS)
def test_an_import_during_a_full_recompute_leaves_fresh_results(
    booking_region, write_file, monkeypatch, paused, point
):
    today = services.today()
    services.recompute()  # yesterday's state of things is stored
    hidden = booking_region[:3]
    path = write_file(BOOKING_HEADER + "".join(f"{u.hsa_id};NU;400;300;400;120;500;0;50;9\n" for u in hidden))

    reached, release, committed = threading.Event(), threading.Event(), threading.Event()

    def pause_here(where):
        if threading.current_thread().name == paused and where == point:
            reached.set()
            release.wait(WAIT)

    real_evaluate, real_store = services.evaluate, services.store_results

    def evaluate(*args, **kwargs):
        pause_here("before_read")
        return real_evaluate(*args, **kwargs)

    def store_results(**kwargs):
        pause_here("after_read")
        written = real_store(**kwargs)
        pause_here("after_store")
        return written

    real_request = receivers.request_recompute

    def request_recompute(unit_ids):
        committed.set()  # called on commit: the import's facts are in
        return real_request(unit_ids)

    monkeypatch.setattr(services, "evaluate", evaluate)
    monkeypatch.setattr(services, "store_results", store_results)
    monkeypatch.setattr(receivers, "request_recompute", request_recompute)

    full = Worker(lambda: services.recompute(), "full")
    importer = Worker(lambda: run_import("booking", path), "import")
    first, second = (full, importer) if paused == "full" else (importer, full)
    first.start()
    assert reached.wait(WAIT), "the paused recompute never got there"
    second.start()
    if paused == "full":
        assert committed.wait(WAIT), "the import did not commit while the full recompute was paused"
    second.join(1.0)  # let it finish if nothing holds it back (it may rightly wait for the paused one)
    release.set()
    for worker in (first.finish(), second.finish()):
        assert worker.error is None, f"{worker.name}: {worker.error!r}"

    assert BookingFigures.objects.filter(unit__in=hidden, booked_visible=300).count() == 3
    assert stored(today) == fresh(today)


# --- Overlapping recomputes never fail --------------------------------------------------------------


@racing
def test_recomputes_that_store_at_the_same_moment_do_not_collide(booking_region, monkeypatch):
    """Three workers reach the store of the same (date, units) together: the worst timing, every run."""
    runs, threads = 3, 3
    real_store = services.store_results
    barrier = None

    def store_results(**kwargs):
        # A broken barrier: the others are (rightly) held back elsewhere.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return real_store(**kwargs)

    monkeypatch.setattr(services, "store_results", store_results)
    failures = []
    for run in range(runs):
        barrier = threading.Barrier(threads, timeout=0.3)
        workers = [Worker(lambda: services.recompute(), f"recompute-{run}-{i}") for i in range(threads)]
        for w in workers:
            w.start()
        failures += [repr(w.error) for w in workers if w.finish().error is not None]
    assert failures == []
    today = services.today()
    assert UnitResult.objects.filter(as_of=today).count() == len(booking_region)
    assert stored(today) == fresh(today)


@racing
def test_many_overlapping_recomputes_all_succeed(booking_region):
    """No hooks: four workers recompute all or some units at once, run after run."""
    runs, threads = 8, 4
    ids = [u.id for u in booking_region]
    jobs = [
        lambda: services.recompute(),
        lambda: services.recompute(unit_ids=ids[:4]),
        lambda: services.recompute(),
        lambda: services.recompute(unit_ids=ids[2:]),
    ]
    failures = []
    started = time.monotonic()
    for run in range(runs):
        workers = [Worker(jobs[i], f"recompute-{run}-{i}") for i in range(threads)]
        for w in workers:
            w.start()
        failures += [repr(w.error) for w in workers if w.finish().error is not None]
    assert failures == [], f"{len(failures)} of {runs * threads} recomputes failed: {failures[:3]}"
    assert time.monotonic() - started < 60
    today = services.today()
    assert stored(today) == fresh(today)


# --- Imports of the same kind never deadlock -------------------------------------------------------

CASES_HEADER = "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n"


def case_line(case_id, unit, answered="2026-10-07T09:30:00+02:00"):
    return f"{case_id},{unit.hsa_id},KONTAKT,2026-10-07T08:00:00+02:00,{answered},\n"


class ChunkPause:
    """Write cases one row per chunk, and hold each import after its first chunk: by default until the other
    import has written its own first chunk too (or 0.5 s have passed), so rows are locked in opposite
    orders; or, with `release`, until the test says so (at most WAIT seconds)."""

    def __init__(self):
        self.first_written = threading.Event()
        self.barrier = threading.Barrier(2, timeout=0.5)
        self.release: threading.Event | None = None
        self.active = True

    def hold(self):
        if not self.active:
            return
        self.first_written.set()
        if self.release is not None:
            self.release.wait(WAIT)
            return
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()


@pytest.fixture
def chunk_pause(monkeypatch):
    from compliance.bulk_cases import CaseStage

    pause = ChunkPause()
    monkeypatch.setattr(import_run, "STAGE_CHUNK", 1)
    real = CaseStage._write_chunk

    def write_chunk(self, *chunk):
        real(self, *chunk)
        if not getattr(self, "paused_once", False):
            self.paused_once = True
            pause.hold()

    monkeypatch.setattr(CaseStage, "_write_chunk", write_chunk)
    return pause


def wait_until_someone_waits_for_a_lock(seconds=WAIT) -> bool:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@racing
def test_two_imports_of_overlapping_case_files_do_not_deadlock(write_file, chunk_pause):
    unit = f.CareUnitFactory()
    shared = [f"C{i}" for i in range(1, 7)]
    file_a = write_file(CASES_HEADER + "".join(case_line(c, unit) for c in [*shared, "A1"]), name="a.csv")
    file_b = write_file(
        CASES_HEADER + "".join(case_line(c, unit) for c in [*reversed(shared), "B1"]), name="b.csv"
    )
    waited = []
    workers = [
        Worker(lambda p=p: run_import("cases", p, progress=waited.append), f"import-{p.name}")
        for p in (file_a, file_b)
    ]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        assert w.finish().error is None, f"{w.name}: {w.error!r}"
    assert time.monotonic() - started < 10
    assert sorted(Case.objects.values_list("case_id", flat=True)) == ["A1", "B1", *shared]
    created = sorted(w.result.counts.created for w in workers)
    assert created == [1, 7]  # the second found the shared six already there, unchanged
    assert len(waited) == 1 and "Väntar på en annan import av samma slag" in waited[0]


@racing
def test_import_data_says_when_it_waits_for_another_import(write_file):
    from servicelevel import locks

    unit = f.CareUnitFactory()
    path = write_file(CASES_HEADER + case_line("W1", unit))
    holding, done = threading.Event(), threading.Event()

    def other_import():
        with transaction.atomic():
            locks.hold(locks.import_lock("cases"))
            holding.set()
            time.sleep(0.5)
        done.set()

    other = Worker(other_import, "other")
    other.start()
    assert holding.wait(WAIT)
    ran = manage("import_data", "cases", path)
    assert done.is_set()  # it did wait for the other one to finish
    other.finish()
    assert ran.code == 0 and "cases: 1 created" in ran.out
    assert ran.err.strip() == "Väntar på en annan import av samma slag (cases) …"


@racing
def test_deadline_upkeep_and_a_cases_import_do_not_deadlock(write_file, chunk_pause):
    """A units change (same_day_contact) rewrites the unit's deadlines while a cases import rewrites the same
    cases in the opposite order."""
    from compliance.deadlines import recompute_deadlines

    unit = f.CareUnitFactory(same_day_contact=False)
    names = [f"D{i}" for i in range(1, 7)]
    old = "2026-10-07T09:30:00+02:00"
    chunk_pause.active = False
    run_import("cases", write_file(CASES_HEADER + "".join(case_line(c, unit, old) for c in names)))
    chunk_pause.active = True
    answered = "2026-10-08T10:00:00+02:00"
    path = write_file(
        CASES_HEADER + "".join(case_line(c, unit, answered) for c in reversed(names)), name="new.csv"
    )

    chunk_pause.release = threading.Event()
    importer = Worker(lambda: run_import("cases", path), "import")
    importer.start()
    assert chunk_pause.first_written.wait(WAIT)  # the import holds the row of its first case, D6
    CareUnit.objects.filter(pk=unit.pk).update(same_day_contact=True)
    upkeep = Worker(lambda: recompute_deadlines(unit_ids=[unit.pk]), "deadlines")
    upkeep.start()
    try:
        assert wait_until_someone_waits_for_a_lock(), "the deadline upkeep never waited for the import"
    finally:
        chunk_pause.release.set()
    for w in (importer.finish(), upkeep.finish()):
        assert w.error is None, f"{w.name}: {w.error!r}"
    close_old_connections()
    cases = Case.objects.filter(case_id__in=names)
    assert {c.first_response_at.isoformat() for c in cases} == {"2026-10-08T08:00:00+00:00"}
    # Same-day rule: 24 h after receipt (Wed 7 Oct 08:00 local).
    assert {(c.deadline.isoformat(), c.deadline_same_day) for c in cases} == {
        ("2026-10-08T06:00:00+00:00", True)
    }


# --- The debounce drops nothing --------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the debounce lives in Redis)")
def test_the_debounce_keeps_requests_made_during_a_run_and_the_units_of_a_failed_run(monkeypatch):
    import redis
    from celery import current_app

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(tasks.PENDING_UNITS, tasks.PENDING_ALL, tasks.SCHEDULED)
    current_app.conf.task_always_eager = False  # the conftest's fixture sets it back afterwards
    scheduled, recomputed = [], []
    monkeypatch.setattr(tasks.recompute_pending, "apply_async", lambda countdown: scheduled.append(countdown))

    def recompute_units(unit_ids, as_of=None):
        recomputed.append(unit_ids)
        if len(recomputed) == 1:
            tasks.request_recompute({3})  # an import commits while the run is under way
        return len(unit_ids)

    monkeypatch.setattr(tasks, "recompute_units", recompute_units)
    tasks.request_recompute({1})
    tasks.request_recompute({2})  # joins the run already scheduled
    assert scheduled == [tasks.DEBOUNCE_SECONDS]
    assert tasks.recompute_pending() == 2
    assert recomputed == [[1, 2]]
    assert scheduled == [tasks.DEBOUNCE_SECONDS] * 2  # the request during the run scheduled the next one
    assert tasks.recompute_pending() == 1
    assert recomputed == [[1, 2], [3]]

    def broken(unit_ids, as_of=None):
        raise RuntimeError("databasen svarar inte")

    monkeypatch.setattr(tasks, "recompute_units", broken)
    tasks.request_recompute({4})
    with pytest.raises(RuntimeError):
        tasks.recompute_pending()
    assert client.smembers(tasks.PENDING_UNITS) == {b"4"}  # handed back, and a later run scheduled
    assert scheduled[-1] == tasks.RETRY_SECONDS
    client.delete(tasks.PENDING_UNITS, tasks.PENDING_ALL, tasks.SCHEDULED)


# --- Two people publishing the same rulebook version at once -------------------------------------------


@racing
def test_two_loads_of_one_new_version_store_it_once_and_the_second_finds_it(monkeypatch):
    """Both check that the version is not stored before either writes it (the write is slowed so they
    overlap): the load lock makes the second wait and then find the first one's version, where it would
    otherwise collide on the (number, version) constraint."""
    from pathlib import Path

    from servicelevel import rulebooks
    from servicelevel.models import Decision
    from servicelevel.rulebook_file import parse

    text = (
        Path(rulebooks.__file__).parent / "fixtures" / "rulebooks" / "skane-2026-0000277.yaml"
    ).read_text()
    text = text.replace('version: "2.0"', 'version: "2.1"', 1).replace(
        "in_force_from: 2026-05-11", "in_force_from: 2027-01-01", 1
    )
    rulebook = parse(text, "x.yaml")
    write = rulebooks._write

    def slow_write(parsed):
        time.sleep(0.5)
        return write(parsed)

    monkeypatch.setattr(rulebooks, "_write", slow_write)
    first = Worker(lambda: rulebooks.load(rulebook), "first")
    second = Worker(lambda: rulebooks.load(rulebook), "second")
    first.start()
    time.sleep(0.1)
    second.start()
    outcomes = [w.finish() for w in (first, second)]
    assert [w.error for w in outcomes] == [None, None]
    assert sorted(w.result.created for w in outcomes) == [False, True]
    assert Decision.objects.filter(number="2026-0000277", version="2.1").count() == 1
