"""Deployment: behind a TLS-terminating proxy, `check --deploy` clean with production
settings, and the demo accounts closed outside development."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from servicelevel.auth import DEMO_GROUP, PortalModelBackend, is_demo_account

from . import factories as f

SECURITY_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_BEHIND_PROXY",
    "DJANGO_TRUSTED_PROXIES",
    "DJANGO_SESSION_HOURS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_HSTS_PRELOAD",
    "DJANGO_SSL_REDIRECT",
)
PROBE = (
    "import json; from servicelevel import settings as s; print(json.dumps({"
    "'proxy': s.SECURE_PROXY_SSL_HEADER, 'origins': s.CSRF_TRUSTED_ORIGINS, 'hsts': s.SECURE_HSTS_SECONDS,"
    " 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'preload': s.SECURE_HSTS_PRELOAD,"
    " 'redirect': s.SECURE_SSL_REDIRECT, 'exempt': s.SECURE_REDIRECT_EXEMPT,"
    " 'silenced': s.SILENCED_SYSTEM_CHECKS, 'backends': s.AUTHENTICATION_BACKENDS,"
    " 'trusted': s.TRUSTED_PROXIES, 'session_age': s.SESSION_COOKIE_AGE,"
    " 'session_sliding': 'servicelevel.security.SlidingSessionMiddleware' in s.MIDDLEWARE}))"
)
PRODUCTION = {"DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "portal.example.se"}


def run(args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (tests/browser/conftest.py), never a deployment's.
    base = {
        k: v for k, v in os.environ.items() if k not in SECURITY_VARS and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=django_settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def load(**env):
    ran = run(["-c", PROBE], **env)
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


# --- settings from the environment ---------------------------------------------------------------


def test_production_defaults_are_secure():
    values = load(**PRODUCTION)
    assert values["proxy"] is None  # trusting X-Forwarded-Proto is opt-in: only a proxy may set it
    assert values["origins"] == []
    assert values["hsts"] == 31536000 and values["subdomains"] is True and values["preload"] is False
    assert values["redirect"] is True
    assert values["exempt"] == [r"^healthz$"]  # the container health check asks over plain HTTP
    assert values["trusted"] == []  # no address may speak for another
    # A session ends after a working day without a request; each request moves the end.
    assert values["session_age"] == 10 * 3600 and values["session_sliding"] is True


def test_development_defaults_stay_out_of_the_way():
    values = load(DJANGO_DEBUG="1")
    assert values["hsts"] == 0 and values["redirect"] is False and values["proxy"] is None


def test_behind_a_proxy_the_forwarded_protocol_and_the_trusted_origins_are_read():
    values = load(
        **PRODUCTION,
        DJANGO_BEHIND_PROXY="ja",
        DJANGO_TRUSTED_PROXIES="10.20.0.5, 10.30.0.0/28, 2001:db8::/64",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://portal.example.se, https://sl.region.example",
    )
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["trusted"] == ["10.20.0.5", "10.30.0.0/28", "2001:db8::/64"]
    assert values["origins"] == ["https://portal.example.se", "https://sl.region.example"]


@pytest.mark.parametrize(
    "env, said",
    [
        # A proxy that is trusted from nowhere: every HTTPS request would be redirected again, in a loop.
        ({"DJANGO_BEHIND_PROXY": "1"}, "DJANGO_TRUSTED_PROXIES"),
        # Trusted addresses without the proxy setting: a contradiction, not a default to guess.
        ({"DJANGO_TRUSTED_PROXIES": "10.20.0.5"}, "DJANGO_BEHIND_PROXY"),
        ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_TRUSTED_PROXIES": "10.20.0.5, proxyn"}, "proxyn"),
        ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_TRUSTED_PROXIES": "10.20.0.5/24"}, "10.20.0.5/24"),
        ({"DJANGO_SESSION_HOURS": "en arbetsdag"}, "DJANGO_SESSION_HOURS"),
        ({"DJANGO_SESSION_HOURS": "0"}, "DJANGO_SESSION_HOURS"),
    ],
)
def test_a_proxy_or_session_setting_that_cannot_work_stops_startup(env, said):
    ran = run(["-c", PROBE], **PRODUCTION, **env)
    assert ran.returncode != 0
    assert said in ran.stderr


def test_the_session_length_is_configurable():
    assert load(**PRODUCTION, DJANGO_SESSION_HOURS="2")["session_age"] == 2 * 3600


def gunicorn_config(**env) -> str:
    """gunicorn's settings as the image starts it (the working directory's gunicorn.conf.py)."""
    ran = run(["-m", "gunicorn", "--print-config", "servicelevel.wsgi"], **env)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def test_gunicorn_trusts_forwarded_headers_only_from_the_trusted_proxies():
    """gunicorn's own default trusts X-Forwarded-Proto from 127.0.0.1, i.e. from any local process."""
    assert re.search(r"^forwarded_allow_ips\s*=\s*\[\]$", gunicorn_config(**PRODUCTION), re.M)
    behind = gunicorn_config(
        **PRODUCTION, DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXIES="10.20.0.5, 10.30.0.0/28"
    )
    assert re.search(r"^forwarded_allow_ips\s*=\s*\['10.20.0.5', '10.30.0.0/28'\]$", behind, re.M)


def test_docker_compose_publishes_no_web_port_and_the_local_override_only_to_this_computer():
    base = django_settings.BASE_DIR
    compose = (base / "docker-compose.yml").read_text()
    web = re.search(r"^  web:\n((?:    .*\n|\n)+)", compose, re.M).group(1)
    assert "ports:" not in web and "expose:" in web
    local = (base / "docker-compose.local.yml").read_text()
    assert re.search(r'- "127\.0\.0\.1:\$\{PORT:-8000\}:8000"', local)
    # The image starts gunicorn from /app, where gunicorn.conf.py is read; nothing overrides its trust.
    for text in (compose, local, (base / "Dockerfile").read_text()):
        assert "forwarded-allow-ips" not in text and "FORWARDED_ALLOW_IPS" not in text


def test_hsts_and_the_redirect_are_configurable():
    values = load(
        **PRODUCTION,
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="nej",
        DJANGO_HSTS_PRELOAD="ja",
        DJANGO_SSL_REDIRECT="0",
    )
    assert values["hsts"] == 3600 and values["subdomains"] is False and values["preload"] is True
    assert values["redirect"] is False
    # Preload chosen: nothing is silenced any more.
    assert "security.W021" not in values["silenced"]


def test_a_bad_hsts_value_stops_startup_with_a_clear_message():
    ran = run(["-c", PROBE], **PRODUCTION, DJANGO_HSTS_SECONDS="ett år")
    assert ran.returncode != 0
    assert "DJANGO_HSTS_SECONDS" in ran.stderr and "heltal" in ran.stderr


def test_authentication_keeps_guardian_and_the_demo_guard():
    backends = load(**PRODUCTION)["backends"]
    # Others may stand in front (django-axes' lockout backend goes first); these two stay, in this order.
    assert "django.contrib.auth.backends.ModelBackend" not in backends
    mine, guardian = (
        backends.index("servicelevel.auth.PortalModelBackend"),
        backends.index("guardian.backends.ObjectPermissionBackend"),
    )
    assert mine < guardian


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    ran = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="portal.example.se",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_TRUSTED_PROXIES="10.20.0.5",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://portal.example.se",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert ran.returncode == 0, ran.stderr + ran.stdout
    assert "System check identified no issues" in ran.stdout


# --- the login behind the proxy -----------------------------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    """The settings the production stack gets from DJANGO_BEHIND_PROXY=1 and its defaults; the proxy is
    the test client's address."""
    settings.DEBUG = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.ALLOWED_HOSTS = ["portal.example.se"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.example.se"]
    return settings


@pytest.mark.django_db
def test_login_works_behind_a_tls_terminating_proxy(behind_proxy):
    f.UserFactory(username="analytiker", password="rätt-lösenord-2026", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    # The proxy speaks plain HTTP to gunicorn and says the browser's request was HTTPS.
    headers = {"HTTP_HOST": "portal.example.se", "HTTP_X_FORWARDED_PROTO": "https"}
    page = client.get("/admin/login/", **headers)
    assert page.status_code == 200  # not a redirect loop to https://
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "analytiker", "password": "rätt-lösenord-2026", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://portal.example.se",
        HTTP_REFERER="https://portal.example.se/admin/login/",
        **headers,
    )
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/", **headers).status_code == 200


@pytest.mark.django_db
def test_plain_http_is_sent_to_https_but_the_health_check_is_not(behind_proxy):
    client = Client()
    response = client.get("/admin/login/", HTTP_HOST="portal.example.se")
    assert response.status_code == 301 and response.url == "https://portal.example.se/admin/login/"
    behind_proxy.ALLOWED_HOSTS = ["portal.example.se", "127.0.0.1"]
    assert client.get("/healthz", HTTP_HOST="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_a_client_past_the_proxy_cannot_claim_https(behind_proxy):
    """Only the trusted proxy says which requests were HTTPS; from anywhere else the claim is ignored."""
    client = Client(REMOTE_ADDR="192.0.2.44")
    response = client.get("/admin/login/", HTTP_HOST="portal.example.se", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response.url == "https://portal.example.se/admin/login/"


# --- demo accounts ----------------------------------------------------------------------------


def demo_user(username="koncernstab"):
    user = f.UserFactory(username=username, password="demo-2026", is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get_or_create(name=DEMO_GROUP)[0])
    return user


@pytest.mark.django_db
def test_a_demo_account_logs_in_in_development(settings):
    settings.DEBUG = True
    demo_user()
    assert Client().login(username="koncernstab", password="demo-2026")


@pytest.mark.django_db
def test_a_demo_account_cannot_log_in_outside_development(settings):
    settings.DEBUG = False
    demo_user()
    client = Client()
    assert not client.login(username="koncernstab", password="demo-2026")
    response = client.post("/admin/login/", {"username": "koncernstab", "password": "demo-2026"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_demo_session_from_development_ends_when_debug_is_turned_off(settings):
    settings.DEBUG = True
    client = Client()
    client.force_login(demo_user())
    assert client.get("/admin/").status_code == 200
    settings.DEBUG = False
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


@pytest.mark.django_db
def test_an_ordinary_account_logs_in_outside_development(settings):
    settings.DEBUG = False
    f.UserFactory(username="karin", password="ett-långt-lösenord")
    assert Client().login(username="karin", password="ett-långt-lösenord")


@pytest.mark.django_db
def test_reading_the_session_user_costs_no_extra_query(settings, django_assert_num_queries):
    settings.DEBUG = False
    user, demo = f.UserFactory(), demo_user()
    backend = PortalModelBackend()
    with django_assert_num_queries(1):  # the user, with whether it is a demo account, in one SELECT
        assert backend.get_user(user.pk) == user
    with django_assert_num_queries(1):
        assert backend.get_user(demo.pk) is None
    assert is_demo_account(get_user_model().objects.get(pk=demo.pk))


@pytest.mark.django_db
def test_seed_demo_marks_its_accounts_and_only_koncernstab_is_staff(settings):
    from .helpers import manage

    settings.DEBUG = True
    ran = manage("seed_demo", "--units", "12", "--cases", "50", "--today", "2026-11-21")
    assert ran.code == 0, ran.err
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(groups__name=DEMO_GROUP)}
    assert set(users) == {"koncernstab", "styrning", "ledning", "enhetschef", "vardgivare"}
    assert {name for name, u in users.items() if u.is_staff} == {"koncernstab"}
    assert Client().login(username="styrning", password="demo-2026")
    settings.DEBUG = False
    for username in users:
        assert not Client().login(username=username, password="demo-2026"), username


def test_make_run_says_it_runs_in_development_mode_with_debug_on():
    """`make run` serves with DJANGO_DEBUG=1: it says so before it starts, so nobody mistakes the demo for
    a production set-up (`make -n` prints the recipe without running it)."""
    recipe = subprocess.run(
        ["make", "-n", "run"], cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    said = [line for line in recipe.splitlines() if line.startswith("echo ")]
    assert any("utvecklingsläge, DJANGO_DEBUG=1" in line for line in said)
    assert any("Aldrig så i produktion" in line for line in said)
    assert recipe.index("utvecklingsläge") < recipe.index("runserver")
