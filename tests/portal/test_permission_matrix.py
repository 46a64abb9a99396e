"""The permission matrix as data: every portal URL × every role (and anonymous) → the status it must
answer, and no page, fragment or export shown to a unit manager or provider names a unit that is not
theirs.

Every URL name of `portal.urls` must have a row in RULES: a new page without one fails here, so rights are
decided for it before it lands.
"""

import datetime

import pytest
from django.urls import URLPattern, reverse

from compliance.services import recompute, today
from portal import urls as portal_urls
from servicelevel.models import ImportJob
from units.permissions import Roles, ensure_groups, grant_provider, grant_units

from .. import factories as f

pytestmark = pytest.mark.django_db

ROLES = ["anonym", "koncernstab", "styrning", "ledning", "enhetschef", "vardgivare"]
GROUP = {
    "koncernstab": Roles.KONCERNSTAB,
    "styrning": Roles.HS_STYRNING,
    "ledning": Roles.LEDNING,
    "enhetschef": Roles.VERKSAMHETSCHEF,
    "vardgivare": Roles.VARDGIVARE,
}
OWN = {"enhetschef", "vardgivare"}  # roles that see only their own units

# What a GET answers, per kind of page, for each role; "own"/"foreign" split the unit-bound pages.
READ = dict.fromkeys(ROLES[1:], 200)
IMPORT = {"koncernstab": 200, "styrning": 200, "ledning": 403, "enhetschef": 403, "vardgivare": 403}
UNIT_READ_FOREIGN = {**READ, "enhetschef": 404, "vardgivare": 404}
UNIT_CHANGE_OWN = {**READ, "styrning": 403, "ledning": 403}
UNIT_CHANGE_FOREIGN = {**UNIT_CHANGE_OWN, "enhetschef": 404, "vardgivare": 404}

# url name → (how to fill its arguments, GET statuses, whether it takes a POST that changes something)
RULES = {
    "dashboard": (None, READ, False),
    "unit_list": (None, READ, False),
    "unit_export_csv": (None, READ, False),
    "unit_export_xlsx": (None, READ, False),
    "comparison": (None, READ, False),
    "comparison_export_csv": (None, READ, False),
    "unit_detail": ("unit", (READ, UNIT_READ_FOREIGN), False),
    "unit_cases_csv": ("unit", (READ, UNIT_READ_FOREIGN), False),
    "unit_offerings": ("unit", (UNIT_CHANGE_OWN, UNIT_CHANGE_FOREIGN), True),
    "unit_booking": ("unit", (UNIT_CHANGE_OWN, UNIT_CHANGE_FOREIGN), True),
    "unit_roles": ("unit", (UNIT_CHANGE_OWN, UNIT_CHANGE_FOREIGN), True),
    # The preview endpoints answer POST only (405 to a GET, after the rights: 403/404 first).
    "unit_offerings_preview": ("unit", (None, None), True),
    "unit_booking_preview": ("unit", (None, None), True),
    "unit_roles_preview": ("unit", (None, None), True),
    "import_start": (None, IMPORT, True),
    "import_job": ("job", IMPORT, False),
    "import_status": ("job", IMPORT, False),
    "import_confirm": ("job", (None, None), True),
}


@pytest.fixture
def world():
    """Units of the manager's, of the provider's and one of nobody's, with stored results, and a user
    per role."""
    groups = ensure_groups()
    period = f.SchedulePeriodFactory(code="2026-T3", start_date=datetime.date(2026, 9, 1))
    mine = f.CareUnitFactory(hsa_id="SE2321000255-MINE1", name="Vårdcentralen Egen")
    provider = f.ProviderFactory(name="Capio Vårdcentral AB")
    theirs = f.CareUnitFactory(hsa_id="SE5565000000-PRIV1", name="Capio Vårdcentral Eget", provider=provider)
    foreign = f.CareUnitFactory(hsa_id="SE2321000255-FRAMMANDE", name="Främmande mottagningen")
    for unit in (mine, theirs, foreign):
        f.BookingFiguresFactory(unit=unit, period=period)
        f.OfferingFactory(unit=unit)
    users = {}
    for name, role in GROUP.items():
        users[name] = f.UserFactory(username=name)
        users[name].groups.add(groups[role])
    grant_units(users["enhetschef"], [mine])
    grant_provider(users["vardgivare"], provider)
    recompute(as_of=today())
    job = f.ImportJobFactory(status=ImportJob.Status.CHECKED)
    return {
        "users": users,
        "own": {"enhetschef": mine, "vardgivare": theirs},
        "foreign": foreign,
        "job": job,
    }


def patterns():
    return [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]


# Issue 8's pages (exemptions, action plan, reports, audit trail) test their rights in their own files
# (tests/portal/test_exemptions.py, test_actionplan.py, test_audit_trail.py, tests/test_reports.py); their
# rows join this matrix when that issue is closed. Listed by name, so nothing new slips in unlisted.
ISSUE_8 = {
    "exemption_list", "exemption_new", "exemption_system", "exemption_group_new", "exemption_group",
    "exemption_group_action", "exemption_detail", "exemption_decide", "exemption_submit", "exemption_revoke",
    "exemption_follow_up", "actionplan", "actionplan_activity_new", "actionplan_activity",
    "actionplan_target_new", "actionplan_target", "actionplan_phase_out", "actionplan_obstacle_new",
    "actionplan_obstacle", "reports", "report_detail", "report_unit_scorecard", "report_status",
    "report_download", "audit_trail", "audit_export_csv",
}  # fmt: skip


def test_every_portal_url_has_a_row_in_the_matrix():
    assert sorted(p.name for p in patterns() if p.name not in RULES and p.name not in ISSUE_8) == []


def cases():
    """(url name, role, which unit: own/foreign/None) for every URL and role."""
    for name, (arg, _statuses, _post) in RULES.items():
        for role in ROLES:
            if arg == "unit":
                yield name, role, "own"
                yield name, role, "foreign"
            else:
                yield name, role, None


def url_for(world, name, role, which):
    arg = RULES[name][0]
    if arg == "unit":
        unit = world["foreign"] if which == "foreign" else world["own"].get(role, world["own"]["enhetschef"])
        return reverse(f"portal:{name}", kwargs={"hsa_id": unit.hsa_id})
    if arg == "job":
        return reverse(f"portal:{name}", kwargs={"pk": world["job"].pk})
    return reverse(f"portal:{name}")


def expected_get(name, role, which):
    _arg, statuses, _post = RULES[name]
    if role == "anonym":
        return 302
    if isinstance(statuses, tuple):
        statuses = statuses[1] if which == "foreign" else statuses[0]
    if statuses is None:  # POST-only: a GET is refused whoever asks (the rights are the POST's)
        return 405
    return statuses[role]


def expected_post(name, role, which):
    """403 for a role that may not change it, 404 for a unit not theirs; None where the POST is allowed."""
    if role == "anonym":
        return 302
    arg = RULES[name][0]
    if arg == "unit":
        table = UNIT_CHANGE_FOREIGN if which == "foreign" else UNIT_CHANGE_OWN
        status = table[role]
    else:
        status = IMPORT[role]
    return None if status == 200 else status


@pytest.mark.parametrize(("name", "role", "which"), list(cases()))
def test_get(client, world, name, role, which):
    if role != "anonym":
        client.force_login(world["users"][role])
    response = client.get(url_for(world, name, role, which))
    assert response.status_code == expected_get(name, role, which)
    if response.status_code == 302:
        assert response["Location"].startswith("/konto/logga-in/")
    if role in OWN:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        for unit in [world["foreign"], *(u for r, u in world["own"].items() if r != role)]:
            assert unit.hsa_id not in text and unit.name not in text


@pytest.mark.parametrize(
    ("name", "role", "which"), [c for c in cases() if RULES[c[0]][2] and expected_post(*c) is not None]
)
def test_a_post_that_may_not_change_anything_changes_nothing(client, world, name, role, which):
    from servicelevel.models import AuditEntry

    if role != "anonym":
        client.force_login(world["users"][role])
    before = AuditEntry.objects.count()
    response = client.post(url_for(world, name, role, which), {"action": "save"})
    assert response.status_code == expected_post(name, role, which)
    assert AuditEntry.objects.count() == before
