"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Run: `pytest tests/browser` (or `-m browser`). Chromium comes from apt (`.ci/run` installs it), never from
`playwright install`. Screenshots go to test-artifacts/screenshots/ (git-ignored, kept after the run).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "demo-2026"
# The WCAG 2.1 A and AA rules of axe-core: the level the portal promises. Besides them axe's best-practice
# rules, among them "region" (all content inside landmarks: header, nav, main, footer or a named region).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_TAGS = [*WCAG_TAGS, "best-practice"]


def pytest_collection_modifyitems(items):
    """Every test here is a `browser` test on a transactional database whose migration data (rulebook,
    catalogue, guardian's AnonymousUser) is put back after the flush: a flush without it loses the
    rulebook, and one test with it after one without collides on the AnonymousUser guardian recreates."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session", autouse=True)
def _async_unsafe_allowed():
    """Playwright's sync API keeps an event loop running in the test's thread, and Django refuses
    database calls from a thread with a running loop. The tests' own setup queries are not async code,
    so the check is switched off — for the browser tests only, and restored after them."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} saknas: apt-get install chromium (se .ci/run)")
    # --lang: the browser's own widgets (the date field) in Swedish, ÅÅÅÅ-MM-DD, as on the region's computers.
    args = [*browser_type_launch_args.get("args", []), "--lang=sv-SE"]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A laptop-sized window, Swedish locale and Stockholm time, as the portal's users have.
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "locale": "sv-SE",
        "timezone_id": "Europe/Stockholm",
    }


@pytest.fixture
def demo_users(transactional_db):
    """The five demo roles' users (seed_demo's names and password), enhetschef and vardgivare with two
    units each."""
    from django.contrib.auth import get_user_model

    from compliance.management.commands.seed_demo import DEMO_USERS
    from tests import factories as f
    from units.permissions import ensure_groups, grant_units

    groups = ensure_groups()
    users = {}
    for username, role, staff, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user = get_user_model().objects.create_user(
            username, password=PASSWORD, first_name=first, last_name=last, is_staff=staff
        )
        user.groups.add(groups[role])
        users[username] = user
    from units.models import CareUnit

    for username in ("enhetschef", "vardgivare"):
        units = [f.CareUnitFactory(), f.CareUnitFactory()]
        grant_units(users[username], CareUnit.objects.filter(pk__in=[u.pk for u in units]))
    return users


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open with paths relative to the live server: `page.goto("/konto/logga-in/")`."""
    return live_server.url


def login_as(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, by keyboard only: Tab to the username field, type, Tab to
    the password, type, Enter."""
    if "/konto/logga-in/" not in page.url:
        page.goto("/konto/logga-in/")
    focus_by_tab(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def focus_by_tab(page, selector: str, limit: int = 20) -> None:
    """Press Tab from the top of the page until `selector` has focus (fails after `limit` presses)."""
    page.locator("body").evaluate("body => body.focus()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} fick inte fokus med Tab efter {limit} tryck")


_axe = None


def assert_no_axe_violations(page) -> None:
    """axe-core's WCAG 2.1 A/AA rules and its best-practice rules on the current page: fail with every
    violation's id, help and the elements it found."""
    global _axe
    _axe = _axe or Axe()
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        for v in violations
    ]
    assert not violations, (
        f"axe: {len(violations)} brott mot WCAG 2.1 AA eller god praxis på {page.url}:\n" + "\n".join(lines)
    )


def screenshot(page, name: str) -> Path:
    """A full-page screenshot kept after the run: test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
