"""A real Celery worker against the local Redis: an import's recompute request reaches it, debounced.

Runs where REDIS_URL is set (CI sets it); skipped otherwise. The worker is a separate process, so the
test's data is committed (transaction=True) and the catalogue restored afterwards (serialized_rollback).
"""

import os
import subprocess
import sys
import time

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection

from compliance import tasks
from compliance.models import UnitResult

from . import factories as f

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker():
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}",
        "DJANGO_DEBUG": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "servicelevel",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    current_app.conf.task_always_eager = False
    yield process
    current_app.conf.task_always_eager = True
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_recompute_requests_reach_a_real_worker_debounced_into_one_run(worker):
    import redis

    first, second = f.CareUnitFactory(), f.CareUnitFactory()
    tasks.request_recompute({first.id})
    tasks.request_recompute({second.id})  # within the debounce window: joins the same run
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert client.smembers(tasks.PENDING_UNITS) == {str(first.id).encode(), str(second.id).encode()}
    ok = wait_for(lambda: UnitResult.objects.filter(unit__in=[first, second]).count() == 2)
    if not ok:
        worker.terminate()
        pytest.fail("the worker did not recompute in time:\n" + worker.stdout.read()[-3000:])
    assert not client.exists(tasks.PENDING_UNITS) and not client.exists(tasks.SCHEDULED)
    # Each result is written once: the second request did not schedule a second run.
    assert UnitResult.objects.filter(unit=first).count() == 1
