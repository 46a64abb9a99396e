"""A lockout no client can steer, and the headers, methods and sessions every
response and page keep to (docs/deployment.md, docs/frontend.md).

Two kinds of test: the Django test client for what holds in any mode, and gunicorn started with
production settings (DJANGO_DEBUG=0, WhiteNoise, the image's gunicorn.conf.py) for what only the real
server shows — who may set X-Forwarded-For and X-Forwarded-Proto, the static files, the headers on them.
The proxy is played by connections from 127.0.0.2, the only address in DJANGO_TRUSTED_PROXIES; anyone
else reaches gunicorn from 127.0.0.1, as a client would where the web port is published.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from units.permissions import Roles, ensure_groups

from . import factories as f
from .portal import test_permission_matrix as matrix
from .test_deployment import SECURITY_VARS

world = matrix.world  # the permission matrix's world (a fixture), walked here with every method

PASSWORD = "ett-långt-lösenord-2026"
PROXY = "127.0.0.2"  # the reverse proxy: the one trusted address
DIRECT = "127.0.0.1"  # a client reaching gunicorn itself, past the proxy
COLLEAGUE = "198.51.100.7"  # a colleague's computer, behind the proxy

# Methods the portal never answers (405 with Allow, whatever the path); PROPFIND stands for any other.
REFUSED_METHODS = ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS", "PROPFIND"]
ALLOW = "GET, HEAD, POST"
# Browser features the portal does not use: each must be switched off by Permissions-Policy.
UNUSED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"]


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parsed = {}
    for part in policy.split(";"):
        if part.strip():
            name, *sources = part.split()
            parsed[name] = sources
    return parsed


def assert_policies(headers, where: str) -> None:
    """The CSP and Permissions-Policy every response carries (headers: a case-insensitive mapping)."""
    csp = headers.get("Content-Security-Policy")
    assert csp, f"no Content-Security-Policy on {where}"
    csp = directives(csp)
    assert csp["default-src"] == ["'self'"], where
    # Scripts only from the portal's own files (the vendored htmx): no inline script, no eval.
    assert csp["script-src"] == ["'self'"], where
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"], where
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"], where
    assert not any("unsafe-eval" in s for sources in csp.values() for s in sources), where
    features = dict(
        item.strip().split("=", 1)
        for item in headers.get("Permissions-Policy", "").split(",")
        if item.strip()
    )
    for feature in UNUSED_FEATURES:
        assert features.get(feature) == "()", f"{feature} not switched off on {where}"


# --- headers in any mode (the test client) ----------------------------------------------------------


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_csp_and_the_permissions_policy(client):
    user = f.UserFactory(username="karin", is_staff=True, is_superuser=True)
    answers = {
        "the login page": client.get("/konto/logga-in/"),
        "a redirect to the login": client.get("/"),
        "a page that does not exist": client.get("/finns-inte/"),
        "a refused method": client.put("/konto/logga-in/"),
        "the health check": client.get("/healthz"),
    }
    assert answers["a redirect to the login"].status_code == 302
    assert answers["a page that does not exist"].status_code == 404
    client.force_login(user)
    answers["the start page"] = client.get("/")
    answers["the admin"] = client.get("/admin/")
    assert answers["the start page"].status_code == answers["the admin"].status_code == 200
    for where, response in answers.items():
        assert_policies(response.headers, where)


def test_the_templates_hold_no_inline_script():
    """What the CSP forbids, the templates do not do: every script is a file (src=), no on…= handler, no
    javascript: address, and nothing htmx would evaluate as code ('unsafe-eval'): hx-on, js: values,
    trigger filters."""
    found = []
    for path in sorted(Path(django_settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\ssrc=)[^>]*>",
            r"\son[a-z]+\s*=",
            r"javascript:",
            r"\shx-on",
            r"\shx-(?:vals|headers)[\w:-]*\s*=\s*['\"]\s*(?:js|javascript):",
            r"\shx-trigger[\w:-]*\s*=\s*['\"][^'\"]*\[",
        ):
            found += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text, re.IGNORECASE)]
    assert found == []


# --- methods --------------------------------------------------------------------------------------------


def every_path(world) -> list[str]:
    """Every page, export, fragment and POST endpoint of the permission matrix (as Koncernstab names them),
    and the paths outside the portal's own pages."""
    paths = {
        matrix.url_for(world, name, "koncernstab", which)
        for name, row in matrix.RULES.items()
        for which in matrix.variants(row)
    }
    return sorted(paths) + ["/konto/logga-in/", "/konto/logga-ut/", "/admin/", "/healthz", "/finns-inte/"]


@pytest.mark.django_db
def test_methods_the_portal_does_not_speak_are_refused_on_every_path(client, world):
    for who in ("anonym", "koncernstab"):
        if who != "anonym":
            client.force_login(world["users"][who])
        for path in every_path(world):
            for method in REFUSED_METHODS:
                response = client.generic(method, path)
                assert (response.status_code, response.get("Allow")) == (405, ALLOW), (who, method, path)


@pytest.mark.django_db
def test_head_is_answered_as_get_is_on_every_path(client, world):
    """HEAD is GET without the body (RFC 9110): the same status wherever GET is answered or refused."""
    client.force_login(world["users"]["koncernstab"])
    for path in every_path(world):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert matrix.body_of(head) == "", path


# --- sessions -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_ends_after_ten_idle_hours_and_each_request_moves_the_end(client, time_machine):
    user = f.UserFactory(username="karin")
    user.set_password(PASSWORD)
    user.save()
    time_machine.move_to("2026-11-20 08:00 +01:00", tick=False)
    response = client.post("/konto/logga-in/", {"username": "karin", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 10 * 3600
    # Working: each request moves the end to ten hours after it.
    for moment in ("2026-11-20 17:59 +01:00", "2026-11-21 03:58 +01:00"):
        time_machine.move_to(moment, tick=False)
        assert client.get("/").status_code == 200, moment
    # Ten hours and a minute without a request: the session is over, the login asks again.
    time_machine.move_to("2026-11-21 13:59 +01:00", tick=False)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


# --- gunicorn with production settings ------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Visitor:
    """One browser talking to gunicorn over plain HTTP from `source`: it keeps its cookies, Secure ones
    too (the proxy's side of the connection would be HTTPS), and may claim an address and HTTPS in the
    headers a proxy sets."""

    port: int
    source: str
    https: bool = False
    cookies: dict = field(default_factory=dict)

    def request(
        self, method: str, path: str, *, body: dict | None = None, forwarded_for: str = "", headers=None
    ):
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if forwarded_for:
            sent["X-Forwarded-For"] = forwarded_for
        if self.https:
            sent["X-Forwarded-Proto"] = "https"
        data = None
        if body is not None:
            data = urlencode(body).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = ("https" if self.https else "http") + "://127.0.0.1"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers, text)

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def login(self, username: str, password: str, *, forwarded_for: str = "") -> int:
        """The real login form: GET it (the CSRF cookie and token), POST it; the POST's status."""
        page = self.get("/konto/logga-in/", forwarded_for=forwarded_for)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        body = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        return self.request("POST", "/konto/logga-in/", body=body, forwarded_for=forwarded_for).status


class QuickPBKDF2(PBKDF2PasswordHasher):
    """The production hasher with few rounds: gunicorn checks against the rounds stored in the hash, so a
    wrong password costs milliseconds instead of the real hasher's deliberate second."""

    iterations = 1000


def account(username: str):
    user = f.UserFactory(username=username)
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    hasher = QuickPBKDF2()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save()
    return user


def shared_database_url() -> str:
    """The test database, for a server in another process."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def production_env(**extra) -> dict:
    base = {
        k: v for k, v in os.environ.items() if k not in SECURITY_VARS and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return {
        **base,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **extra,
    }


@pytest.fixture(scope="session")
def collected_static():
    """The production image's static files (the Dockerfile's collectstatic), once per run."""
    ran = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=django_settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr


@pytest.fixture(scope="module")
def gunicorn(django_db_setup, collected_static, tmp_path_factory):
    """start(**env) → the port of a gunicorn serving the test database with production settings and the
    project's gunicorn.conf.py (read from the working directory, as in the image)."""
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn shares the test database: PostgreSQL only (DATABASE_URL)")
    started = []

    def start(**env) -> int:
        log = tmp_path_factory.mktemp("gunicorn") / "log.txt"
        with log.open("w") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "servicelevel.wsgi",
                    "--bind",
                    "127.0.0.1:0",
                    "--workers",
                    "1",
                ],
                cwd=django_settings.BASE_DIR,
                env=production_env(DATABASE_URL=shared_database_url(), **env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
            if found:
                port = int(found.group(1))
                try:
                    if Visitor(port, DIRECT).get("/healthz").status == 200:
                        return port
                except OSError:
                    pass
            if server.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")

    yield start
    for server in started:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def behind_the_proxy(gunicorn):
    """The stack behind its proxy; plain HTTP accepted, so a client past the proxy can try its luck."""
    return gunicorn(DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXIES=PROXY, DJANGO_SSL_REDIRECT="0")


@pytest.fixture(scope="module")
def production(gunicorn):
    """The stack behind its proxy with every secure default (HTTPS redirect, HSTS)."""
    return gunicorn(DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXIES=PROXY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forged_x_forwarded_for_neither_unlocks_nor_locks_anyone(behind_the_proxy):
    account("karin"), account("sven")
    attacker = Visitor(behind_the_proxy, DIRECT)
    # Twelve wrong passwords, each claiming another address: all are counted for the one who sent them.
    tries = [attacker.login("karin", "fel", forwarded_for=f"203.0.113.{i}") for i in range(12)]
    assert tries == [200] * 4 + [429] * 8
    assert attacker.login("karin", PASSWORD, forwarded_for="203.0.113.99") == 429  # still refused
    # Five wrong passwords claiming to come from a colleague's computer do not lock the colleague out.
    for _ in range(5):
        attacker.login("sven", "fel", forwarded_for=COLLEAGUE)
    assert Visitor(behind_the_proxy, PROXY).login("sven", PASSWORD, forwarded_for=COLLEAGUE) == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_behind_the_trusted_proxy_the_forwarded_client_is_counted(behind_the_proxy):
    account("ulla"), account("karl")
    proxy = Visitor(behind_the_proxy, PROXY)
    # The proxy appends the address it saw; whatever a client wrote before it is not the client.
    tries = [proxy.login("ulla", "fel", forwarded_for=f"10.9.9.{i}, {COLLEAGUE}") for i in range(5)]
    assert tries == [200] * 4 + [429]
    assert proxy.login("ulla", PASSWORD, forwarded_for=COLLEAGUE) == 429
    assert Visitor(behind_the_proxy, PROXY).login("ulla", PASSWORD, forwarded_for="198.51.100.8") == 302
    # Wrong passwords for one account from many computers: ten lock the account wherever one comes from.
    tries = [proxy.login("karl", "fel", forwarded_for=f"198.51.100.{30 + i}") for i in range(12)]
    assert tries == [200] * 9 + [429] * 3
    assert Visitor(behind_the_proxy, PROXY).login("karl", PASSWORD, forwarded_for="198.51.100.99") == 429


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_headers_static_files_and_methods_on_gunicorn(production):
    account("karin")
    browser = Visitor(production, PROXY, https=True)  # through the proxy, over HTTPS
    answers = {
        "the login page": browser.get("/konto/logga-in/"),
        "a static file": browser.get("/static/css/portal.css"),
        "a page that does not exist": browser.get("/finns-inte/"),
        "a refused method": browser.request("PUT", "/konto/logga-in/"),
    }
    assert browser.login("karin", PASSWORD) == 302
    answers["the start page"] = browser.get("/")
    assert [a.status for a in answers.values()] == [200, 200, 404, 405, 200]
    assert "<html" in answers["the start page"].text
    for where, answer in answers.items():
        assert_policies(answer.headers, where)
    assert answers["the login page"].headers["Strict-Transport-Security"].startswith("max-age=31536000")

    # The static files' manifest (every file's hashed name) is the server's, not the public's.
    assert browser.get("/static/staticfiles.json").status == 404
    assert browser.get("/static/staticfiles.json.gz").status == 404

    # X-Forwarded-Proto counts only from the proxy: a client past it claiming HTTPS is sent to HTTPS.
    direct = Visitor(production, DIRECT, https=True)
    answer = direct.get("/konto/logga-in/")
    assert answer.status == 301 and answer.headers["Location"] == "https://127.0.0.1/konto/logga-in/"

    for method in ("TRACE", "DELETE", "PATCH", "OPTIONS"):
        answer = browser.request(method, "/")
        assert (answer.status, answer.headers["Allow"]) == (405, ALLOW), method
    head = browser.request("HEAD", "/enheter/")
    assert head.status == 200 and head.text == ""
