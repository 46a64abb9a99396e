"""Settings come from the environment. Each case loads settings in a fresh process."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import json; from servicelevel import settings as s; print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
    " 'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL,"
    " 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, 'port': s.PORT,"
    " 'whitenoise': 'servicelevel.security.StaticFilesMiddleware' in s.MIDDLEWARE}))"
)
VARS = ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "PORT")


def load(**env):
    base = {k: v for k, v in os.environ.items() if k not in VARS}
    ran = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return ran


def test_embedded_default_is_sqlite_in_the_project_folder_and_in_process_tasks():
    ran = load(DJANGO_SECRET_KEY="x")
    values = json.loads(ran.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"] == str(settings.BASE_DIR / "db.sqlite3")
    assert values["eager"] is True and values["broker"] == "memory://"
    assert values["debug"] is False
    assert (
        values["whitenoise"] is True
    )  # gunicorn serves the collected static files (WhiteNoise, no manifest)
    assert (values["lang"], values["tz"]) == ("sv", "Europe/Stockholm")


def test_database_and_redis_urls_are_used():
    ran = load(
        DJANGO_SECRET_KEY="x", DATABASE_URL="postgres://u@db:5432/sl", REDIS_URL="redis://cache:6379/1"
    )
    values = json.loads(ran.stdout)
    assert values["db"] == "django.db.backends.postgresql" and values["name"] == "sl"
    assert values["eager"] is False and values["broker"] == "redis://cache:6379/1"


def test_a_missing_secret_outside_debug_stops_startup_with_a_clear_message():
    ran = load()
    assert ran.returncode != 0
    assert "DJANGO_SECRET_KEY saknas" in ran.stderr


def test_debug_allows_the_development_key_and_local_hosts():
    values = json.loads(load(DJANGO_DEBUG="ja").stdout)
    assert values["debug"] is True and values["hosts"] == ["localhost", "127.0.0.1"]


def test_hosts_and_port_from_the_environment():
    values = json.loads(
        load(DJANGO_SECRET_KEY="x", DJANGO_ALLOWED_HOSTS="portal.skane.se, x.se", PORT="9000").stdout
    )
    assert values["hosts"] == ["portal.skane.se", "x.se"] and values["port"] == 9000


def test_a_count_in_the_environment_says_what_it_counts_when_it_is_wrong(monkeypatch):
    """A wrong number stops startup naming the variable and its unit: reports are not seconds."""
    from django.core.exceptions import ImproperlyConfigured

    from servicelevel.settings import env_int

    monkeypatch.setenv("DJANGO_REPORT_MAX_PER_HOUR", "många")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("DJANGO_REPORT_MAX_PER_HOUR", default=30, unit="rapporter")
    assert (
        str(refused.value) == "DJANGO_REPORT_MAX_PER_HOUR ska vara ett heltal ≥ 0 (rapporter), inte 'många'."
    )
    monkeypatch.setenv("EMAIL_PORT", "x")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("EMAIL_PORT", default=25)
    assert str(refused.value) == "EMAIL_PORT ska vara ett heltal ≥ 0, inte 'x'."
