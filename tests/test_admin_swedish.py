"""The admin speaks Swedish all through: no English field names, guardian's
object-permission pages in Swedish, Swedish error pages, readable results."""

import html
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from compliance.models import RequirementResult, UnitResult
from exemptions.models import Exemption

from . import factories as f
from .helpers import manage

pytestmark = pytest.mark.django_db

# English the admin's pages once showed; each is a whole word (or phrase) in the visible
# text or in an attribute a person meets (alt, title, aria-label, button values, placeholders).
LEFTOVERS = [
    "Unit",
    "Decision",
    "Requirement",
    "REQUIREMENT",
    "Forvaltning",
    "forvaltning",
    "Vardomrade",
    "Object permissions",
    "OBJECT PERMISSIONS",
    "User permissions",
    "Group permissions",
    "Manage user",
    "Manage group",
    "User identification",
    "USERNAME_FIELD",
    "Users",
    "Groups",
    "Search",
    "Forbidden",
    "Not Found",
    "Server Error",
    "None",
    "share_in_time",
    "in_time",
    "late_notified",
]
LEFTOVER = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in LEFTOVERS) + r")(?![\w-])")
ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|placeholder|value)="([^"]*)"')


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<option value=\"[^\"]*\"", "<option", page)  # option values are codes, not text
    page = re.sub(r'<input type="hidden"[^>]*>', " ", page)
    attributes = " | ".join(a for a in ATTRIBUTES.findall(page) if not re.fullmatch(r"[\w.:/-]*", a))
    text = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(text + " | " + attributes))


def leftovers(page: str) -> list[str]:
    text = visible_text(page)
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in LEFTOVER.finditer(text)]


def admin_pages() -> list[str]:
    """The admin's index, every model's list and add page, and a change page of each model's first row,
    with guardian's object-permission pages where the model has them."""
    pages = ["/admin/"]
    for model in admin.site._registry:
        if model._meta.app_label == "auth":
            continue  # Django's own pages; permission names there are Django's (see the report)
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{info}_change", args=[first.pk]))
            if hasattr(admin.site._registry[model], "obj_perms_manage_view"):
                pages.append(reverse(f"{info}_permissions", args=[first.pk]))
    return pages


@pytest.fixture
def demo(settings):
    """The demo region and its users, logged in as koncernstab (the superuser) in development."""
    settings.DEBUG = True
    ran = manage("seed_demo", "--units", "14", "--cases", "300", "--today", "2026-11-21")
    assert ran.code == 0, ran.err
    f.ActivityFactory()  # the demo has none; its form has the foreign keys to förvaltning, område, krav
    # Nor a sent reminder (its read-only page is checked too), about one of the demo's exemptions.
    f.ReminderSentFactory(exemption=Exemption.objects.order_by("pk").first())
    client = Client()
    assert client.login(username="koncernstab", password="demo-2026")
    return client


def test_the_main_admin_pages_have_no_english_left(demo):
    found = {}
    pages = admin_pages()
    for path in pages:
        response = demo.get(path)
        assert response.status_code in (200, 403), path
        words = leftovers(response.content.decode())
        if words:
            found[path] = words[:5]
    assert found == {}
    assert len(pages) > 40


def test_guardians_object_permission_pages_are_swedish(demo):
    from units.models import CareUnit

    unit = CareUnit.objects.order_by("pk").first()
    manager = f.UserFactory(username="chef")
    change = demo.get(reverse("admin:units_careunit_change", args=[unit.pk])).content.decode()
    assert "Objektbehörigheter" in change
    page = demo.get(reverse("admin:units_careunit_permissions", args=[unit.pk]))
    text = visible_text(page.content.decode())
    assert "Behörigheter för användare" in text and "Behörigheter för grupper" in text
    assert "Lägga till" in text and "Ändra" in text and "Radera" in text and "Visa" in text
    assert leftovers(page.content.decode()) == []
    user_page = demo.get(reverse("admin:units_careunit_permissions_manage_user", args=[unit.pk, manager.pk]))
    assert user_page.status_code == 200
    assert "Hantera användare" in visible_text(user_page.content.decode())
    assert "Visa vårdenhet" in visible_text(user_page.content.decode())
    assert leftovers(user_page.content.decode()) == []
    # The Swedish form posts what guardian's did: the chosen permissions are granted on this unit only.
    saved = demo.post(
        reverse("admin:units_careunit_permissions_manage_user", args=[unit.pk, manager.pk]),
        {"permissions": ["view_careunit"]},
    )
    assert saved.status_code == 302
    assert manager.has_perm("units.view_careunit", unit) and not manager.has_perm("units.view_careunit")
    again = demo.get(reverse("admin:units_careunit_permissions_manage_user", args=[unit.pk, manager.pk]))
    assert '<option value="view_careunit" selected>' in again.content.decode()
    group = f.GroupFactory()
    group_page = demo.get(reverse("admin:units_careunit_permissions_manage_group", args=[unit.pk, group.pk]))
    assert group_page.status_code == 200
    assert leftovers(group_page.content.decode()) == []


def test_a_list_filter_names_the_forvaltning_in_swedish(demo):
    text = visible_text(demo.get("/admin/units/vardomrade/").content.decode())
    assert "På förvaltning" in text and "På forvaltning" not in text


def test_a_unit_result_shows_shares_and_response_times_readably(admin_client):
    result = f.UnitResultFactory(
        response_time={
            "month": "2026-10",
            "assessed": 120,
            "in_time": 112,
            "late_notified": 4,
            "late": 3,
            "overdue": 1,
            "pending": 0,
            "share_in_time": 0.9333,
            "share_within_2h": 0.31,
        }
    )
    f.RequirementResultFactory(unit_result=result, value=0.9333333333333333, status="not_met")
    f.RequirementResultFactory(
        unit_result=result, requirement=f.requirement("AR2-BEHORIGHETSADMIN"), value=2.0, reason="2 st"
    )
    f.RequirementResultFactory(
        unit_result=result, requirement=f.requirement("TB2-FRAMFORHALLNING"), value=8.5, reason="8,5 v"
    )
    page = admin_client.get(reverse("admin:compliance_unitresult_change", args=[result.pk]))
    text = visible_text(page.content.decode())
    assert "93,3 %" in text and "0.9333" not in text
    assert '"in_time"' not in text and "{" not in text
    assert "oktober 2026: 112 av 120 bedömda ärenden i tid (93,3 %)" in text
    assert "4 sena med besked i tid, 3 sena utan besked, 1 obesvarat efter fristen" in text
    assert "inom 2 timmar: 31 %" in text
    assert "Ej uppfyllt" in text
    assert " 2 " in text and "8,5" in text  # counts and weeks as numbers, not shares
    assert RequirementResult.objects.filter(unit_result=result).count() == 3
    assert UnitResult.objects.count() == 1


def test_a_unit_result_without_response_time_says_why(admin_client):
    result = f.UnitResultFactory(response_time=None)
    text = visible_text(
        admin_client.get(reverse("admin:compliance_unitresult_change", args=[result.pk])).content.decode()
    )
    assert "Bedöms inte" in text


def test_results_are_named_in_swedish_without_none():
    result = f.UnitResultFactory(booking_level=None)
    assert str(result) == f"{result.unit} per 2026-11-15: nivå –"
    requirement = f.RequirementResultFactory(status="not_met")
    assert str(requirement) == "TB1-VISA: Ej uppfyllt"


def test_sent_reminders_are_listed_read_only_in_swedish(admin_client):
    import datetime

    from exemptions.models import ReminderSent

    sent = f.ReminderSentFactory(
        recipient="chef@example.org", sent_at=datetime.datetime(2026, 11, 1, 7, 0, tzinfo=datetime.UTC)
    )
    f.ReminderSentFactory(kind="digest", exemption=None, recipient="ks@example.org", error="SMTP 451")
    page = admin_client.get("/admin/exemptions/remindersent/")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "Skickade påminnelser" in text and "Mottagare" in text and "Gäller dag" in text
    assert "Avsteget slutar om 30 dagar" in text and "Veckosammanfattning" in text
    assert "chef@example.org" in text and sent.exemption.exemption_id in text
    assert "Skickad" in text and "Misslyckades" in text
    assert leftovers(page.content.decode()) == []
    # Read-only: a claimed row is what keeps a rerun from mailing twice.
    shown = admin_client.get(f"/admin/exemptions/remindersent/{sent.pk}/change/")
    assert shown.status_code == 200 and "Visa skickad påminnelse" in visible_text(shown.content.decode())
    assert admin_client.get("/admin/exemptions/remindersent/add/").status_code == 403
    assert admin_client.post(f"/admin/exemptions/remindersent/{sent.pk}/change/", {}).status_code == 403
    assert (
        admin_client.post(f"/admin/exemptions/remindersent/{sent.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ReminderSent.objects.count() == 2


# --- error pages ---------------------------------------------------------------------------------


def test_forbidden_is_a_swedish_page(admin_client):
    response = admin_client.get("/admin/compliance/unitresult/add/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="sv"' in page and "Åtkomst nekad" in page
    assert leftovers(page) == []


def test_not_found_is_a_swedish_page(client):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="sv"' in page and "Sidan finns inte" in page
    assert leftovers(page) == []


def test_a_server_error_is_a_swedish_page_that_needs_nothing(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="sv"' in page and "Något gick fel" in page
    assert leftovers(page) == []


def test_a_csrf_failure_is_a_swedish_page():
    f.UserFactory(username="karin", password="ett-långt-lösenord")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "karin", "password": "ett-långt-lösenord"})
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="sv"' in page and "formuläret" in page
    assert "CSRF verification failed" not in page
    assert leftovers(page) == []


def test_the_audit_trail_and_the_decisions_parameters_read_in_swedish(admin_client):
    from servicelevel.audit import action_label, detail_text

    assert action_label("careunit_changed") == "Vårdenhet ändrad"
    assert action_label("import") == "Fil importerad"
    assert detail_text({"changes": {"booked_visible": [300, 400]}}) == "booked_visible: 300 → 400"
    assert detail_text({"rows": 3, "summary": "3 created, 0 updated, 0 unchanged"}).startswith("3 rader: ")
    f.AuditEntryFactory(action="bookingfigures_changed", detail={"changes": {"booked_visible": [300, 400]}})
    page = admin_client.get("/admin/servicelevel/auditentry/").content.decode()
    assert "Bokningsuppgifter ändrade" in page and "booked_visible: 300 → 400" in page
    page = admin_client.get(f"/admin/servicelevel/decision/{f.decision().pk}/change/").content.decode()
    assert "threshold: 0.95" in page and "{&quot;threshold&quot;" not in page


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("careunit_created", "Vårdenhet skapad"),
        ("exemption_created", "Avsteg skapat"),
        ("exemptiongroup_submitted", "Gemensamt beslut om avsteg inskickat"),
        ("target_deleted", "Mål i handlingsplanen borttaget"),
        ("bookingfigures_changed", "Bokningsuppgifter ändrade"),
        ("activity_deleted", "Aktivitet borttagen"),
        ("exemption_approval", "Godkännande av avsteg"),
        ("exemption_withdrawn", "Avsteg tillbakadraget"),
        ("report_created", "Rapport skapad"),
    ],
)
def test_an_action_agrees_with_the_gender_and_number_of_its_noun(action, label):
    from servicelevel.audit import action_label

    assert action_label(action) == label


def test_every_neuter_or_plural_noun_names_a_model():
    from django.apps import apps

    from servicelevel.audit import NEUTER, PLURAL

    assert (NEUTER | PLURAL) - {m._meta.model_name for m in apps.get_models()} == set()


def test_model_permissions_are_named_in_swedish():
    from django.contrib.auth.models import Permission

    from servicelevel.permission_names import swedish_permission_names

    swedish_permission_names()  # as after every migrate
    assert Permission.objects.get(codename="change_careunit").name == "Kan ändra vårdenhet"
    assert Permission.objects.get(codename="view_vardomrade").name == "Kan se vårdområde"
    assert (
        not Permission.objects.filter(name__startswith="Can ")
        .exclude(
            content_type__app_label__in=["auth", "contenttypes", "sessions", "admin", "axes", "guardian"]
        )
        .exists()
    )
