"""The permission matrix as data: every portal URL × every role (and anonymous) → the status it must
answer, nothing changed by a POST the role may not make, and no page, fragment, export or file shown to a
unit manager or provider names a unit (or vårdområde) that is not theirs.

Every URL name of `portal.urls` must have a row in RULES: a new page without one fails here, so rights are
decided for it before it lands.

The rules (docs/exemptions.md, docs/actionplan.md, docs/reports.md): a unit manager or provider gets 404
for another's unit or for an object of another's unit (GET or POST); a role that may see but not change
something gets 403 for the change (Ledning on every POST); anonymous visitors go to the login; Ledning may
follow and download any report; the audit trail is for the region-wide roles only.
"""

import datetime
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, reverse

from actionplan.models import Activity, ActivityNote, Obstacle, PhaseOut, Target
from compliance.models import Report
from compliance.services import recompute, today
from exemptions.models import Exemption, ExemptionApproval, ExemptionGroup, FollowUp, SystemCapability
from portal import urls as portal_urls
from servicelevel.models import AuditEntry, ClaimRoleRule, Decision, ImportJob, RulebookDraft
from servicelevel.rulebook_drafts import draft_create
from units.models import Offering
from units.permissions import Roles, ensure_groups, grant_provider, grant_units

from .. import factories as f
from ..helpers import FAST_PASSWORD_HASHERS

pytestmark = pytest.mark.django_db

D = datetime.timedelta
ROLES = ["anonym", "koncernstab", "styrning", "ledning", "enhetschef", "vardgivare"]
GROUP = {
    "koncernstab": Roles.KONCERNSTAB,
    "styrning": Roles.HS_STYRNING,
    "ledning": Roles.LEDNING,
    "enhetschef": Roles.VERKSAMHETSCHEF,
    "vardgivare": Roles.VARDGIVARE,
}
OWN = {"enhetschef", "vardgivare"}  # roles that see only their own units
OK = "ok"  # a POST the role may make: not sent by the refusal test (test_the_posts_sent_here_change_…)

# Which object an object-bound URL names: "own" — of the unit manager's or provider's own unit (for the
# region-wide roles the unit manager's), "foreign" — of another unit manager's unit, "regional" — a
# regional activity linked to every unit.
WHICH = ("own", "regional", "foreign")


# What a GET answers, per kind of page, for each role.
READ = dict.fromkeys(ROLES[1:], 200)
REGION_ONLY = {**READ, "enhetschef": 403, "vardgivare": 403}  # exists for all, theirs only region-wide
FOREIGN_404 = {**READ, "enhetschef": 404, "vardgivare": 404}
IMPORT = {"koncernstab": 200, "styrning": 200, "ledning": 403, "enhetschef": 403, "vardgivare": 403}
UNIT_CHANGE_OWN = {**READ, "styrning": 403, "ledning": 403}
UNIT_CHANGE_FOREIGN = {**UNIT_CHANGE_OWN, "enhetschef": 404, "vardgivare": 404}
NOT_READ_ONLY = {**READ, "ledning": 403}
PLANNERS = {"koncernstab": 200, "styrning": 200, "ledning": 403, "enhetschef": 403, "vardgivare": 403}
APPROVERS = PLANNERS  # the two bodies that decide on exemptions
ALL_405 = dict.fromkeys(ROLES[1:], 405)
RULEBOOK_KEEPER = {**dict.fromkeys(ROLES[1:], 403), "koncernstab": 200}  # drafts, publishes, uploads


def may(statuses: dict) -> dict:
    """A GET table as a POST table: what answers 200 may POST (OK), everything else is refused."""
    return {role: OK if status == 200 else status for role, status in statuses.items()}


class Row(NamedTuple):
    """One URL name's rights. `get`/`post` map role → status, or for an object-bound URL which (WHICH) →
    role → status. `get` None: the URL takes POST only (405 to any GET). `post` None: it takes no POST
    that changes anything. `data(world, role, which)` is the POST's body — one that makes the change
    when a role may (tested below), so a refusal that changes nothing is not an accident of bad data."""

    arg: str | None
    get: dict | None
    post: dict | None = None
    data: Callable | None = None


def _proposal(w, role, which):
    return {
        "unit": unit_of(w, role, "own").pk,
        "requirements": [f.requirement("TB1-AVBOKA").pk],
        "reason": "teknisk",
        "justification": "Bokningssystemet saknar funktionen.",
        "valid_from": today().isoformat(),
        "valid_until": (today() + D(days=90)).isoformat(),
        "follow_up_1": (today() + D(days=30)).isoformat(),
        "action": "submit",
    }


def _capability(w, role, which):
    return {"booking_system": "PMO", "requirement": f.requirement("TB3-INVANARBOKNING").pk, "supported": "on"}


def _group_proposal(w, role, which):
    return {
        "booking_system": "PMO",
        "requirements": [f.requirement("TB3-INVANARBOKNING").pk],
        "justification": "PMO saknar invånarbokning.",
        "valid_from": today().isoformat(),
        "valid_until": (today() + D(days=90)).isoformat(),
        "follow_up_1": (today() + D(days=30)).isoformat(),
        "action": "save",
    }


def _draft_edit(w, role, which):
    return {
        "unit": unit_of(w, role, "own").pk,
        "requirement": f.requirement("TB1-VISA").pk,
        "reason": "teknisk",
        "justification": "Ändrad motivering.",
        "valid_from": today().isoformat(),
        "valid_until": (today() + D(days=60)).isoformat(),
        "follow_up_1": (today() + D(days=20)).isoformat(),
        "action": "draft",
    }


def _group_draft_edit(w, role, which):
    return {**_group_proposal(w, role, which), "justification": "Ändrad motivering.", "action": "draft"}


def _activity(w, role, which):
    return {
        "title": "Ny aktivitet",
        "period": w["period"].pk,
        "state": "planned",
        "omfattning": "region",
        "unit_ids": unit_of(w, role, "own").hsa_id,
    }


def _target(w, role, which):
    return {
        "vardomrade": w["objects"]["foreign"]["area"].pk,
        "period": w["period"].pk,
        "requirement": f.requirement("TB3-OPPEN-KALLELSE-ANDEL").pk,
        "share_percent": "30",
    }


def _obstacle(w, role, which):
    return {
        "vardomrade": w["objects"][owner(role, "own")]["area"].pk,
        "title": "Nytt hinder",
        "description": "Systemet stöder inte funktionen.",
    }


def _report(w, role, which):
    return {"kind": "efterlevnad", "omfattning": "region", "per": today().isoformat()}


def _rulebook_upload(w, role, which):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = w["draft"].text.replace("in_force_from: 2026-05-11", f"in_force_from: {today() + D(days=30)}", 1)
    return {
        "file": SimpleUploadedFile("regelbok.yaml", text.encode("utf-8"), content_type="application/yaml")
    }


def _rulebook_requirement(w, role, which):
    return {
        "group": "SV",
        "name": "Svar inom 2 vardagar",
        "section": "2.3",
        "applies_if": ["contact_card"],
        "p_threshold": "0,9",
        "p_working_days": "2",
        "p_same_day_hours": "24",
        "p_stretch_hours": "2",
    }


def _rulebook_new_requirement(w, role, which):
    return {
        "kind": "minimum",
        "code": "TB2-TIDER",
        "group": "TB",
        "name": "Minst 10 bokningsbara tider",
        "applies_if": ["contact_card"],
        "p_figure": "slots_total",
        "p_at_least": "10",
    }


APPROVE = lambda w, role, which: {"action": "approve", "comment": "Beredd"}  # noqa: E731
DELETE = lambda w, role, which: {"action": "delete"}  # noqa: E731
NOTHING = lambda w, role, which: {}  # noqa: E731

# url name → its row
RULES = {
    "dashboard": Row(None, READ),
    "unit_list": Row(None, READ),
    "unit_export_csv": Row(None, READ),
    "unit_export_xlsx": Row(None, READ),
    "comparison": Row(None, READ),
    "comparison_export_csv": Row(None, READ),
    "unit_detail": Row("unit", {"own": READ, "foreign": FOREIGN_404}),
    "unit_cases_csv": Row("unit", {"own": READ, "foreign": FOREIGN_404}),
    # A unit's facts over time: whoever sees the unit page (docs/portal-units.md).
    "unit_history": Row("unit", {"own": READ, "foreign": FOREIGN_404}),
    "unit_compare_dates": Row("unit", {"own": READ, "foreign": FOREIGN_404}),
    **{
        name: Row(
            "unit",
            {"own": UNIT_CHANGE_OWN, "foreign": UNIT_CHANGE_FOREIGN},
            {"own": may(UNIT_CHANGE_OWN), "foreign": may(UNIT_CHANGE_FOREIGN)},
        )
        for name in ("unit_offerings", "unit_booking", "unit_roles")
    },
    # The preview endpoints answer POST only (405 to any GET); a POST is refused 403/404 like the page's.
    **{
        name: Row("unit", None, {"own": may(UNIT_CHANGE_OWN), "foreign": may(UNIT_CHANGE_FOREIGN)})
        for name in ("unit_offerings_preview", "unit_booking_preview", "unit_roles_preview")
    },
    "import_start": Row(None, IMPORT, may(IMPORT)),
    "import_job": Row("job", IMPORT),
    "import_status": Row("job", IMPORT),
    "import_confirm": Row("job", None, may(IMPORT)),
    # A kind's template (CSV, XLSX) has the rights of the page it is offered on.
    "import_template_csv": Row("kind", IMPORT),
    "import_template_xlsx": Row("kind", IMPORT),
    # --- Exemptions (/avsteg/) ---
    "exemption_list": Row(None, READ),
    # HS-styrning changes no unit's facts: the page says who proposes, a POST is refused.
    "exemption_new": Row("form", NOT_READ_ONLY, may({**NOT_READ_ONLY, "styrning": 403}), _proposal),
    # Koncernstab keeps the booking systems' table; the others region-wide read it.
    "exemption_system": Row(None, REGION_ONLY, {**may(APPROVERS), "styrning": 403}, _capability),
    "exemption_group_new": Row("form", APPROVERS, may(APPROVERS), _group_proposal),
    # A common decision names many units: region-wide roles only, 404 for anyone else.
    "exemption_group": Row("group", FOREIGN_404),
    "exemption_group_action": Row("group", None, may({**APPROVERS, "enhetschef": 404, "vardgivare": 404}), APPROVE),
    "exemption_detail": Row("exemption:approved", {"own": READ, "foreign": FOREIGN_404}),
    "exemption_decide": Row(
        "exemption:submitted",
        None,
        {"own": may(APPROVERS), "foreign": may({**APPROVERS, "enhetschef": 404, "vardgivare": 404})},
        APPROVE,
    ),
    "exemption_submit": Row(
        "exemption:draft", None, {"own": may(UNIT_CHANGE_OWN), "foreign": may(UNIT_CHANGE_FOREIGN)}, NOTHING
    ),
    "exemption_revoke": Row(
        "exemption:approved",
        None,
        {"own": may(APPROVERS), "foreign": may({**APPROVERS, "enhetschef": 404, "vardgivare": 404})},
        lambda w, role, which: {"ended_on": today().isoformat()},
    ),
    # A draft is changed or deleted, a submitted one withdrawn before the first decision, by its proposer
    # or by someone who may change the unit (as for sending it in); deleting asks first (GET).
    **{
        name: Row(
            "exemption:draft",
            {"own": UNIT_CHANGE_OWN, "foreign": UNIT_CHANGE_FOREIGN},
            {"own": may(UNIT_CHANGE_OWN), "foreign": may(UNIT_CHANGE_FOREIGN)},
            data,
        )
        for name, data in (("exemption_edit", _draft_edit), ("exemption_delete", NOTHING))
    },
    "exemption_withdraw": Row(
        "exemption:submitted", None, {"own": may(UNIT_CHANGE_OWN), "foreign": may(UNIT_CHANGE_FOREIGN)}, NOTHING
    ),
    # A common decision's draft: changed or deleted by the approvers (who prepare them), 404 for the rest.
    **{
        name: Row(
            "group:draft",
            {**APPROVERS, "enhetschef": 404, "vardgivare": 404},
            may({**APPROVERS, "enhetschef": 404, "vardgivare": 404}),
            data,
        )
        for name, data in (("exemption_group_edit", _group_draft_edit), ("exemption_group_delete", NOTHING))
    },
    # A follow-up is done by an approver or by someone who may change the unit.
    "exemption_follow_up": Row(
        "follow_up",
        None,
        {"own": may(NOT_READ_ONLY), "foreign": may({**NOT_READ_ONLY, "enhetschef": 404, "vardgivare": 404})},
        lambda w, role, which: {"note": "Uppföljt."},
    ),
    # --- The action plan (/handlingsplan/) ---
    "actionplan": Row(None, READ),
    "actionplan_activity_new": Row(None, NOT_READ_ONLY, may(NOT_READ_ONLY), _activity),
    # A unit manager changes the activities of their own area, reads the regional ones.
    "actionplan_activity": Row(
        "activity",
        {"own": READ, "regional": READ, "foreign": FOREIGN_404},
        {
            "own": may(NOT_READ_ONLY),
            "regional": may({**PLANNERS, "enhetschef": 403, "vardgivare": 403}),
            "foreign": may({**PLANNERS, "enhetschef": 404, "vardgivare": 404}),
        },
        DELETE,
    ),
    "actionplan_target_new": Row(None, PLANNERS, may(PLANNERS), _target),
    "actionplan_target": Row(
        "target",
        {"own": PLANNERS, "foreign": {**PLANNERS, "enhetschef": 404, "vardgivare": 404}},
        {"own": may(PLANNERS), "foreign": may({**PLANNERS, "enhetschef": 404, "vardgivare": 404})},
        DELETE,
    ),
    "actionplan_phase_out": Row(
        "phase_out",
        {"own": NOT_READ_ONLY, "foreign": {**NOT_READ_ONLY, "enhetschef": 404, "vardgivare": 404}},
        {"own": may(NOT_READ_ONLY), "foreign": may({**NOT_READ_ONLY, "enhetschef": 404, "vardgivare": 404})},
        DELETE,
    ),
    "actionplan_obstacle_new": Row(None, NOT_READ_ONLY, may(NOT_READ_ONLY), _obstacle),
    # Koncernstab answers obstacles; the others read them (their own area's, for a unit manager).
    "actionplan_obstacle": Row(
        "obstacle",
        {"own": READ, "foreign": FOREIGN_404},
        {
            "own": {**dict.fromkeys(ROLES[1:], 403), "koncernstab": OK},
            "foreign": {**dict.fromkeys(ROLES[1:], 403), "koncernstab": OK, "enhetschef": 404, "vardgivare": 404},
        },
        lambda w, role, which: {"answer": "Vi tar upp det med leverantören.", "status": "answered"},
    ),
    # --- Reports (/rapporter/): anyone may ask for one (Ledning too); a report is followed and
    # downloaded by the person who asked and by the region-wide roles, 404 for anyone else.
    "reports": Row(None, READ, may(READ), _report),
    "report_detail": Row("report", {"own": READ, "foreign": FOREIGN_404}),
    "report_status": Row("report", {"own": READ, "foreign": FOREIGN_404}),
    "report_download": Row("report", {"own": READ, "foreign": FOREIGN_404}),
    # POST only, but another's unit is 404 whatever the method.
    "report_unit_scorecard": Row(
        "unit",
        {"own": ALL_405, "foreign": {**ALL_405, "enhetschef": 404, "vardgivare": 404}},
        {"own": may(READ), "foreign": may(FOREIGN_404)},
        NOTHING,
    ),
    # --- The audit trail (/granskning/): the region-wide roles only.
    "audit_trail": Row(None, REGION_ONLY),
    "audit_export_csv": Row(None, REGION_ONLY),
    # --- The rulebook (/regelverk/): every role reads the versions and their files; Koncernstab
    # kommunikation alone drafts, previews, publishes and uploads (403 for everyone else, GET and POST).
    "rulebook_list": Row(None, READ),
    "rulebook_version": Row("decision", READ),
    "rulebook_file": Row("decision", READ),
    "rulebook_draft_new": Row("decision", None, may(RULEBOOK_KEEPER), NOTHING),
    "rulebook_upload": Row(None, RULEBOOK_KEEPER, may(RULEBOOK_KEEPER), _rulebook_upload),
    "rulebook_draft": Row("draft", RULEBOOK_KEEPER),
    "rulebook_draft_text": Row(
        "draft",
        RULEBOOK_KEEPER,
        may(RULEBOOK_KEEPER),
        lambda w, role, which: {"text": w["draft"].text.replace("title: Gemensam", "title: Ny gemensam", 1)},
    ),
    "rulebook_draft_requirement": Row("draft:SV1-SVARSTID", RULEBOOK_KEEPER, may(RULEBOOK_KEEPER), _rulebook_requirement),
    "rulebook_draft_requirement_new": Row("draft", RULEBOOK_KEEPER, may(RULEBOOK_KEEPER), _rulebook_new_requirement),
    "rulebook_draft_requirement_remove": Row("draft:AR1-LOKAL-ADMIN", None, may(RULEBOOK_KEEPER), NOTHING),
    "rulebook_draft_profile": Row(
        "profile:mottagning", RULEBOOK_KEEPER, may(RULEBOOK_KEEPER), lambda w, role, which: {"services": ["INTYG"]}
    ),
    "rulebook_draft_effect": Row("draft", RULEBOOK_KEEPER),
    "rulebook_draft_publish": Row(
        "draft",
        RULEBOOK_KEEPER,
        may(RULEBOOK_KEEPER),
        lambda w, role, which: {"in_force_from": (today() + D(days=10)).isoformat()},
    ),
    "rulebook_draft_delete": Row("draft", None, may(RULEBOOK_KEEPER), NOTHING),
    # --- The roles a SITHS sign-in gives (/inloggning/rollregler/): Koncernstab keeps them.
    "sign_in_rules": Row(
        None,
        RULEBOOK_KEEPER,
        may(RULEBOOK_KEEPER),
        lambda w, role, which: {"claim_value": "ny-grupp", "role": Roles.LEDNING},
    ),
    "sign_in_rule_delete": Row("claim_rule", None, may(RULEBOOK_KEEPER), NOTHING),
}  # fmt: skip


# --- The world ------------------------------------------------------------------------------------------


def _fake_pdf(report: Report, name: str) -> Report:
    report.file.save(f"{name}.pdf", ContentFile(b"%PDF-1.7\n% matrisens testfil\n"), save=False)
    report.status, report.progress = Report.Status.DONE, 100
    report.save()
    return report


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's several hundred cases: every case only reads it, or (the
    POSTs) changes it inside its own test's transaction, which is rolled back after the test, so no case
    sees another's write. It is built inside a transaction of its own that the tests' transactions nest in
    (as savepoints) and that is rolled back at the module's end, so no later module sees it either. The
    settings it needs are set for the whole module: the function-scoped fixtures that set them come later.
    """
    settings = {"MEDIA_ROOT": tmp_path_factory.mktemp("media"), "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS}
    with django_db_blocker.unblock(), override_settings(**settings), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# The requirements the world's exemptions, common decisions and targets are on (Skåne's decision);
# another region's world names its own (test_permission_matrix_halland.py), `target` None: no targets.
SKANE_CODES = {
    "draft": "TB1-VISA",
    "submitted": "TB2-OMBOKA",
    "approved": "TB3-OPPEN-KALLELSE",
    "group": "TB3-OPPEN-KALLELSE",
    "draft_group": "TB3-INVANARBOKNING",
    "target": "TB2-OMBOKA-ANDEL",
    # the rulebook draft's requirement pages name these
    "SV1-SVARSTID": "SV1-SVARSTID",
    "AR1-LOKAL-ADMIN": "AR1-LOKAL-ADMIN",
}


def _build_world(codes=SKANE_CODES, requirement=f.requirement, decision=f.decision):
    """Units of the manager's, of the provider's and one of nobody's (each in its own vårdområde), with
    stored results and one of every exemption, report and action-plan object per unit; a user per role,
    each with a finished report of their own, and another unit manager's report of the foreign unit."""
    groups = ensure_groups()
    period = f.SchedulePeriodFactory(
        code="2026-T3", start_date=today() - D(days=40), end_date=today() + D(days=60)
    )
    provider = f.ProviderFactory(name="Capio Vårdcentral AB")
    units = {
        "enhetschef": f.CareUnitFactory(
            hsa_id="SE2321000255-MINE1",
            name="Vårdcentralen Egen",
            vardomrade=f.VardomradeFactory(name="Vårdområde Egna"),
        ),
        "vardgivare": f.CareUnitFactory(
            hsa_id="SE5565000000-PRIV1",
            name="Capio Vårdcentral Eget",
            provider=provider,
            vardomrade=f.VardomradeFactory(name="Vårdområde Privata"),
        ),
        "foreign": f.CareUnitFactory(
            hsa_id="SE2321000255-FRAMMANDE",
            name="Främmande mottagningen",
            vardomrade=f.VardomradeFactory(name="Vårdområde Främmande"),
        ),
    }
    users = {}
    for name, role in GROUP.items():
        users[name] = f.UserFactory(username=name)
        users[name].groups.add(groups[role])
    grant_units(users["enhetschef"], [units["enhetschef"]])
    grant_provider(users["vardgivare"], provider)
    other_manager = f.UserFactory(username="annan-chef")
    other_manager.groups.add(groups[Roles.VERKSAMHETSCHEF])
    grant_units(other_manager, [units["foreign"]])
    proposers = {
        "enhetschef": users["enhetschef"],
        "vardgivare": users["vardgivare"],
        "foreign": other_manager,
    }

    objects = {}
    for key, unit in units.items():
        f.BookingFiguresFactory(unit=unit, period=period)
        f.OfferingFactory(unit=unit)
        Offering.objects.create(unit=unit, kind="tjanst", code="Lokal rådgivning", variant="lokal")
        terms = {"unit": unit, "proposed_by": proposers[key], "valid_from": today() - D(days=30)}
        terms["valid_until"] = today() + D(days=60)
        draft = f.ExemptionFactory(
            status=Exemption.Status.DRAFT, requirement=requirement(codes["draft"]), **terms
        )
        f.FollowUpFactory(exemption=draft, due_on=today() + D(days=20))
        submitted = f.ExemptionFactory(
            status=Exemption.Status.SUBMITTED, requirement=requirement(codes["submitted"]), **terms
        )
        approved = f.ExemptionFactory(
            status=Exemption.Status.APPROVED, requirement=requirement(codes["approved"]), **terms
        )
        activity = f.ActivityFactory(
            title=f"Aktivitet i {unit.vardomrade.name}",
            period=period,
            vardomrade=unit.vardomrade,
            forvaltning=unit.forvaltning,
        )
        activity.units.set([unit])
        objects[key] = {
            "unit": unit,
            "area": unit.vardomrade,
            "draft": draft,
            "submitted": submitted,
            "approved": approved,
            "follow_up": f.FollowUpFactory(exemption=approved, due_on=today() - D(days=1)),
            "activity": activity,
            "target": codes["target"]
            and f.TargetFactory(
                vardomrade=unit.vardomrade, period=period, requirement=requirement(codes["target"])
            ),
            "phase_out": f.PhaseOutFactory(unit=unit, code="Lokal rådgivning"),
            "obstacle": f.ObstacleFactory(vardomrade=unit.vardomrade, reported_by=proposers[key]),
        }
    regional = f.ActivityFactory(title="Regional utbildning", period=period)
    regional.units.set(units.values())
    objects["regional"] = {"activity": regional}
    group = f.ExemptionGroupFactory(
        status=Exemption.Status.SUBMITTED,
        valid_from=today() - D(days=1),
        valid_until=today() + D(days=60),
        follow_up_dates=[(today() + D(days=30)).isoformat()],
        justification="PMO saknar öppen kallelse.",
    )
    group.requirements.set([requirement(codes["group"])])
    draft_group = f.ExemptionGroupFactory(
        valid_from=today(), valid_until=today() + D(days=60), justification="PMO saknar invånarbokning."
    )
    draft_group.requirements.set([requirement(codes["draft_group"])])

    reports = {}
    for name, user in users.items():
        unit = units.get(name)
        kind = {"kind": "enhetskort", "scope": "unit", "unit": unit} if unit else {}
        reports[name] = _fake_pdf(
            f.ReportFactory(requested_by=user, title=f"Rapport för {name}", **kind), name
        )
    reports["foreign"] = _fake_pdf(
        f.ReportFactory(
            requested_by=other_manager,
            kind="enhetskort",
            scope="unit",
            unit=units["foreign"],
            title=f"Enhetskort: {units['foreign'].name}",
        ),
        "annans",
    )
    recompute(as_of=today())
    draft = draft_create(decision=decision(), actor=users["koncernstab"])
    built = {
        "users": users,
        "period": period,
        "objects": objects,
        "group": group,
        "draft_group": draft_group,
        "reports": reports,
        "job": f.ImportJobFactory(status=ImportJob.Status.CHECKED),
        "codes": codes,
        "draft": draft,
        "claim_rule": ClaimRoleRule.objects.create(claim_value="enhetschef", role=Roles.VERKSAMHETSCHEF),
    }
    built["state"] = state()  # as every test must find it: no earlier test's write may show
    return built


def owner(role: str, which: str | None) -> str:
    """Whose objects a URL names: the role's own (the unit manager's for everyone else), or the foreign
    unit's, or the regional activity."""
    if which in ("foreign", "regional"):
        return which
    return role if role in OWN else "enhetschef"


def unit_of(world, role, which):
    return world["objects"][owner(role, which)]["unit"]


def url_for(world, name, role, which):
    arg = RULES[name].arg
    objects = world["objects"][owner(role, which)]
    if arg is None:
        return reverse(f"portal:{name}")
    if arg == "form":  # a proposal form, at the address with its one-time token (else a redirect there)
        return reverse(f"portal:{name}") + "?forslag=0b5d3c1e-8f3a-4c2e-9a7d-6f1e2d3c4b5a"
    if arg == "unit":
        return reverse(f"portal:{name}", kwargs={"hsa_id": objects["unit"].hsa_id})
    if arg == "job":
        return reverse(f"portal:{name}", kwargs={"pk": world["job"].pk})
    if arg == "kind":
        return reverse(f"portal:{name}", kwargs={"kind": "booking"})
    if arg.startswith("exemption:"):
        exemption = objects[arg.split(":")[1]]
        return reverse(f"portal:{name}", kwargs={"exemption_id": exemption.exemption_id})
    if arg == "follow_up":
        follow_up = objects["follow_up"]
        return reverse(
            f"portal:{name}", kwargs={"exemption_id": follow_up.exemption.exemption_id, "pk": follow_up.pk}
        )
    if arg == "group":
        return reverse(f"portal:{name}", kwargs={"group_id": world["group"].group_id})
    if arg == "group:draft":
        return reverse(f"portal:{name}", kwargs={"group_id": world["draft_group"].group_id})
    if arg in ("activity", "target", "obstacle"):
        return reverse(f"portal:{name}", kwargs={"pk": objects[arg].pk})
    if arg == "phase_out":
        plan = objects["phase_out"]
        return (
            reverse(f"portal:{name}")
            + "?"
            + urlencode({"enhet": plan.unit.hsa_id, "slag": plan.kind, "kod": plan.code})
        )
    if arg == "decision":
        return reverse(f"portal:{name}", kwargs={"pk": world["draft"].based_on_id})
    if arg == "draft":
        return reverse(f"portal:{name}", kwargs={"pk": world["draft"].pk})
    if arg == "claim_rule":
        return reverse(f"portal:{name}", kwargs={"pk": world["claim_rule"].pk})
    if arg.startswith(("draft:", "profile:")):
        code = arg.split(":")[1]
        code = world["codes"].get(code, code)
        return reverse(f"portal:{name}", kwargs={"pk": world["draft"].pk, "code": code})
    if arg == "report":
        mine = world["reports"].get(role, world["reports"]["enhetschef"])
        report = world["reports"]["foreign"] if which == "foreign" else mine
        return reverse(f"portal:{name}", kwargs={"pk": report.pk})
    raise AssertionError(f"no arguments for {arg}")


# --- The matrix -----------------------------------------------------------------------------------------


def patterns():
    return [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_portal_url_has_a_row_in_the_matrix():
    assert sorted(p.name for p in patterns() if p.name not in RULES) == []
    assert sorted(set(RULES) - {p.name for p in patterns()}) == []


def variants(row: Row) -> list[str | None]:
    for statuses in (row.get, row.post):
        if statuses and set(statuses) <= set(WHICH):
            return list(statuses)
    return [None]


def pick(statuses: dict, which: str | None) -> dict:
    return statuses[which] if which is not None else statuses


def cases():
    """(url name, role, which) for every URL, role and object it may name."""
    for name, row in RULES.items():
        for role in ROLES:
            for which in variants(row):
                yield name, role, which


def expected_get(name, role, which):
    row = RULES[name]
    if role == "anonym":
        return 302
    if row.get is None:  # POST-only: a GET is refused whoever asks
        return 405
    return pick(row.get, which)[role]


def expected_post(name, role, which):
    """The status of a POST the role may not make (403, 404; the login for anonymous), None where the
    role may make it."""
    if role == "anonym":
        return 302
    status = pick(RULES[name].post, which)[role]
    return None if status == OK else status


def body_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


def assert_names_no_one_elses_unit(world, role, response):
    """Nothing a unit manager or provider is shown names a unit or vårdområde that is not theirs."""
    text = body_of(response)
    others = [o for key, o in world["objects"].items() if key not in (role, "regional")]
    for objects in others:
        for thing in (objects["unit"].hsa_id, objects["unit"].name, objects["area"].name):
            assert thing not in text, thing


def state():
    """Everything a POST on these pages could change."""
    return {
        "audit": AuditEntry.objects.count(),
        "claim_rules": list(ClaimRoleRule.objects.order_by("pk").values_list("pk", "claim_value", "role")),
        "reports": Report.objects.count(),
        "exemptions": list(Exemption.objects.order_by("pk").values_list("pk", "status", "ended_on")),
        "approvals": ExemptionApproval.objects.count(),
        "follow_ups": list(FollowUp.objects.order_by("pk").values_list("pk", "done_on", "note")),
        "groups": list(ExemptionGroup.objects.order_by("pk").values_list("pk", "status")),
        "capabilities": list(SystemCapability.objects.order_by("pk").values_list("pk", "supported")),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "title")),
        "notes": ActivityNote.objects.count(),
        "targets": list(Target.objects.order_by("pk").values_list("pk", "target_share")),
        "phase_outs": list(PhaseOut.objects.order_by("pk").values_list("pk", "planned_end")),
        "obstacles": list(Obstacle.objects.order_by("pk").values_list("pk", "status", "answer")),
        "jobs": list(ImportJob.objects.order_by("pk").values_list("pk", "status")),
        "rulebook_drafts": list(
            RulebookDraft.objects.order_by("pk").values_list("pk", "text", "published_as")
        ),
        "decisions": list(Decision.objects.order_by("pk").values_list("pk", flat=True)),
    }


def checked_get(client, world, name, role, which):
    """The GET of one case, answered as the rules say and naming no one else's unit; the response."""
    if role != "anonym":
        client.force_login(world["users"][role])
    response = client.get(url_for(world, name, role, which))
    assert response.status_code == expected_get(name, role, which)
    if response.status_code == 302:
        assert response["Location"].startswith("/konto/logga-in/")
    if role in OWN:
        assert_names_no_one_elses_unit(world, role, response)
    return response


@pytest.mark.parametrize(("name", "role", "which"), list(cases()))
def test_get(client, world, name, role, which):
    checked_get(client, world, name, role, which)


def refused_posts():
    return [c for c in cases() if RULES[c[0]].post is not None and expected_post(*c) is not None]


@pytest.mark.parametrize(("name", "role", "which"), refused_posts())
def test_a_post_that_may_not_change_anything_changes_nothing(client, world, name, role, which):
    if role != "anonym":
        client.force_login(world["users"][role])
    data = RULES[name].data(world, role, which) if RULES[name].data else {"action": "save"}
    before = state()
    assert before == world["state"]
    response = client.post(url_for(world, name, role, which), data)
    assert response.status_code == expected_post(name, role, which)
    assert state() == before
    if response.status_code == 302:
        assert response["Location"].startswith("/konto/logga-in/")
    if role in OWN:
        assert_names_no_one_elses_unit(world, role, response)


def allowed_posts():
    """For every row with a POST body, the first role that may make it on its own object."""
    for name, row in RULES.items():
        if row.data is None:
            continue
        which = variants(row)[0]
        role = next(r for r in ROLES[1:] if pick(row.post, which)[r] == OK)
        yield name, role, which


@pytest.mark.parametrize(("name", "role", "which"), list(allowed_posts()))
def test_the_posts_sent_here_change_something_for_a_role_that_may(
    client, world, name, role, which, django_capture_on_commit_callbacks
):
    """The refusals above are refusals: the same POST from a role allowed to make it does change things."""
    client.force_login(world["users"][role])
    before = state()
    assert before == world["state"]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url_for(world, name, role, which), RULES[name].data(world, role, which))
    assert response.status_code == 302, body_of(response)[:2000]
    assert state() != before
