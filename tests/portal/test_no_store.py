"""Pages with a form that changes something answer `Cache-Control: no-store` (Django's `never_cache`), so
the browser's Back after a save asks for the page again instead of showing the stale form
(docs/frontend.md). The pages are listed here by URL name; a second test walks every page of the
permission matrix and fails for any page that shows such a form without the header, so a new form page
cannot forget it."""

import re

import pytest
from django.urls import reverse

from .test_permission_matrix import RULES, url_for, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db

# Every page (GET) that shows a form which changes something, and whom to ask for it (a role that gets
# the form) and which object it names.
FORM_PAGES = {
    "unit_detail": ("enhetschef", "own"),  # "Enhetskort som PDF" asks for a report
    "unit_offerings": ("enhetschef", "own"),
    "unit_booking": ("enhetschef", "own"),
    "unit_roles": ("enhetschef", "own"),
    "import_start": ("koncernstab", None),
    "import_job": ("koncernstab", None),
    "import_status": ("koncernstab", None),  # the job page's polled status, with the confirm form
    "exemption_new": ("enhetschef", None),
    "exemption_system": ("koncernstab", None),
    "exemption_group_new": ("koncernstab", None),
    "exemption_group": ("koncernstab", None),
    "exemption_detail": ("koncernstab", "own"),
    "actionplan_activity_new": ("enhetschef", None),
    "actionplan_activity": ("enhetschef", "own"),
    "actionplan_target_new": ("koncernstab", None),
    "actionplan_target": ("koncernstab", "own"),
    "actionplan_phase_out": ("enhetschef", "own"),
    "actionplan_obstacle_new": ("enhetschef", None),
    "actionplan_obstacle": ("koncernstab", "own"),
    "reports": ("enhetschef", None),
}
LOGOUT = reverse("logout")


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def changing_forms(html: str) -> list[str]:
    """The POST forms of a page, other than the header's "Logga ut" (on every page)."""
    forms = re.findall(r"<form\b[^>]*>", html)
    return [f for f in forms if re.search(r'method="post"', f, re.I) and f'action="{LOGOUT}"' not in f]


@pytest.mark.parametrize("name", sorted(FORM_PAGES))
def test_every_form_page_answers_no_store(client, world, name):  # noqa: F811
    role, which = FORM_PAGES[name]
    client.force_login(world["users"][role])
    response = client.get(url_for(world, name, role, which))
    assert response.status_code == 200
    assert changing_forms(response.content.decode()), f"{name} shows no form: not a form page"
    assert no_store(response), response.get("Cache-Control")
    # never_cache: nothing may keep the page, not even for a moment.
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }


def test_no_page_shows_a_changing_form_without_no_store(client, world):  # noqa: F811
    """Every GET page of the matrix, as each role that may open it: a POST form means no-store."""
    missing, checked = [], 0
    for name, row in RULES.items():
        if row.get is None:
            continue
        variants = [w for w in ("own", "regional", "foreign") if w in row.get] or [None]
        for which in variants:
            statuses = row.get[which] if which else row.get
            for role in ("koncernstab", "styrning", "ledning", "enhetschef", "vardgivare"):
                if statuses.get(role) != 200:
                    continue
                client.force_login(world["users"][role])
                response = client.get(url_for(world, name, role, which))
                if response.streaming or not response["Content-Type"].startswith("text/html"):
                    continue
                checked += 1
                if changing_forms(response.content.decode()) and not no_store(response):
                    missing.append((name, role, which))
    assert checked > 40
    assert sorted({name for name, _role, _which in missing}) == [], missing


def test_a_read_only_page_may_be_kept(client, world):  # noqa: F811
    """The dashboard, lists and comparison show no changing form: no need to refuse the browser's cache."""
    client.force_login(world["users"]["koncernstab"])
    for name in ("dashboard", "unit_list", "comparison", "exemption_list", "audit_trail"):
        response = client.get(reverse(f"portal:{name}"))
        assert not changing_forms(response.content.decode()), name
