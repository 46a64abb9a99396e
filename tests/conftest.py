import pytest
import time_machine
from celery import current_app
from django.test import override_settings

from .helpers import FAST_PASSWORD_HASHERS


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    by_marker = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return bool(by_marker) or "transactional_db" in names or "live_server" in names


def _database_order(item) -> int:
    """pytest-django's order: plain database tests (0), then transactional ones (1), then the rest (2)."""
    if _transactional(item):
        return 1
    return 0 if item.get_closest_marker("django_db") or "db" in item.fixturenames else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Every transactional test rolls back by the serialized copy. A plain one's closing flush runs
    post_migrate, which makes content types, permissions and guardian's AnonymousUser anew under other
    ids, and the next serialized test's restore then collides with them (seen as errors of whichever test
    happened to come next).

    A transactional test also ends by emptying the database, so every plain database test must run before
    the first of them. pytest-django sorts them so, but pytest itself regroups tests that share a
    parametrized session fixture afterwards (Playwright's `browser_name`, for any test that asks for a
    fixture named `page`), which once pulled the browser tests in among the plain ones. Sorted again here,
    last and stably, so pytest's groups stay within each kind."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and _transactional(item) and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test needs serialized_rollback=True (tests/conftest.py)"
            )
    items.sort(key=_database_order)


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    """Tasks run in-process in tests, broker or not; the one worker test turns this off itself."""
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    current_app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _a_cache_of_its_own(worker_id):
    """Under pytest-xdist each worker has its own test database, and needs its own Redis database too:
    `cache.clear()` empties the whole Redis database, and would empty the other worker's page cache in
    the middle of its test. Worker n uses the database n + 1 below REDIS_URL's (wrapping at 0), never
    REDIS_URL's own, which the broker and the Celery worker test use."""
    from django.conf import settings

    if worker_id == "master" or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        yield
        return
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(settings.CACHES["default"]["LOCATION"])
    base = int(url.path.strip("/") or 0)
    own = (base - 1 - int(worker_id.removeprefix("gw"))) % 16
    caches = {"default": {**settings.CACHES["default"], "LOCATION": urlunsplit(url._replace(path=f"/{own}"))}}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing kept: the page cache (servicelevel/page_cache.py) and the dashboard's
    figures live in Django's cache, which outlives a test's rolled-back database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The fast hasher for every test, the browser tests' live server included (a thread of this process,
    with these settings): see FAST_PASSWORD_HASHERS."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def pinned_clock(request):
    """The clock stopped at the test module's NOW (an instant with its UTC offset, e.g. "2026-11-20 12:00
    +01:00"), so "today" and every date a page derives from it are fixed. A module takes it for all its
    tests with `pytest.mark.usefixtures("pinned_clock")`; a test that moves the clock asks for it by name
    (the traveller: `.shift()`, `.move_to()`)."""
    with time_machine.travel(request.module.NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def write_file(tmp_path):
    """Write a CSV (text) or bytes to a file and return its path."""

    def write(text, name="data.csv", encoding="utf-8"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding=encoding)
        return path

    return write


@pytest.fixture(autouse=True)
def _migration_data_present(request):
    """A transactional test (browser tests, races, the worker) starts from the migrations' data: the
    rulebook, catalogue, content types and permissions. Serialized rollback should put them back after an
    earlier test's flush, but in a session that ran ordinary database tests first they were seen missing;
    this restores them from the serialized copy (or by running the data migrations again) when absent."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from servicelevel.models import CatalogueService, Decision

    if not (Decision.objects.exists() and CatalogueService.objects.exists()):
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            # The flush after a plain transactional test ran post_migrate: content types, permissions
            # and guardian's AnonymousUser were made anew under other ids, and the serialized copy's
            # rows would collide with them. Empty every table first (without post_migrate), as a
            # serialized rollback does, then put the copy back whole.
            from django.core.management import call_command

            call_command(
                "flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False
            )
            connection.creation.deserialize_db_from_string(contents)
        else:
            from django.core.management import call_command

            call_command("migrate", "servicelevel", "0001", verbosity=0)  # back before the rulebook's data
            call_command("migrate", verbosity=0)  # and forward: the data migrations run again
    yield
