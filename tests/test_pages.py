"""The start page, the health check and the admin pages, in Swedish, for the demo's users."""

import pytest
from django.urls import reverse

from compliance.models import RequirementResult
from units.models import CareUnit
from units.permissions import Roles, ensure_groups, grant_units, visible_units

from . import factories as f

pytestmark = pytest.mark.django_db


def test_the_start_page_sends_an_anonymous_visitor_to_the_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/?next=/"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="sv"' in html
    assert "Servicenivåportalen" in html and "Logga in" in html
    assert "2026-0000277" in html  # the decision it follows up, in the header


def test_the_start_page_shows_a_logged_in_user_the_layout(client):
    user = f.UserFactory(first_name="Karin", last_name="Koncernstab")
    user.groups.add(ensure_groups()[Roles.LEDNING])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Inloggad som <strong>Karin Koncernstab</strong>" in html
    assert 'action="/konto/logga-ut/"' in html and "Logga ut" in html
    assert reverse("admin:index") not in html  # not staff


def test_the_start_page_shows_koncernstab_staff_the_way_into_the_admin(client):
    user = f.UserFactory(is_staff=True)
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    client.force_login(user)
    html = client.get("/").content.decode()
    assert reverse("admin:index") in html and "Logga ut" in html


@pytest.mark.parametrize("status", [choice for choice, _label in RequirementResult.Status.choices])
def test_the_status_badge_says_each_status_in_words(status):
    """Colour is never the only signal: the badge carries the status's own label and an icon."""
    from django.template.loader import render_to_string

    html = render_to_string("partials/_status_badge.html", {"status": status})
    assert RequirementResult.Status(status).label in html
    assert "<svg" in html and 'aria-hidden="true"' in html


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


ADMIN_MODELS = [
    "servicelevel/decision",
    "servicelevel/requirement",
    "servicelevel/catalogueservice",
    "servicelevel/cataloguetemplate",
    "servicelevel/cataloguechannel",
    "api/apitoken",
    "servicelevel/scheduleperiod",
    "servicelevel/auditentry",
    "units/forvaltning",
    "units/vardomrade",
    "units/provider",
    "units/careunit",
    "units/offering",
    "units/bookingfigures",
    "units/adminrole",
    "compliance/closedday",
    "compliance/case",
    "compliance/unitresult",
    "exemptions/exemption",
    "actionplan/target",
    "actionplan/activity",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_admin_list_answers_in_swedish(admin_client, model):
    unit = f.CareUnitFactory()
    f.CaseFactory(unit=unit)
    f.ExemptionFactory(unit=unit)
    f.UnitResultFactory(unit=unit)
    response = admin_client.get(f"/admin/{model}/")
    assert response.status_code == 200
    assert "Servicenivåportalen" in response.content.decode()


def test_a_closed_day_added_in_the_admin_moves_deadlines(admin_client):
    import datetime

    case = f.CaseFactory(received_at=datetime.datetime(2026, 10, 7, 8, tzinfo=datetime.UTC))
    response = admin_client.post(
        "/admin/compliance/closedday/add/", {"date": "2026-10-08", "name": "Utbildningsdag"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.deadline.isoformat() == "2026-10-12T22:00:00+00:00"


def test_visible_units_follow_the_roles():
    groups = ensure_groups()
    mine, other = f.CareUnitFactory(), f.CareUnitFactory()
    manager = f.UserFactory()
    manager.groups.add(groups[Roles.VERKSAMHETSCHEF])
    grant_units(manager, CareUnit.objects.filter(pk=mine.pk))
    assert list(visible_units(manager)) == [mine]
    analyst = f.UserFactory()
    analyst.groups.add(groups[Roles.KONCERNSTAB])
    assert set(visible_units(analyst)) == {mine, other}
    assert not visible_units(f.UserFactory()).exists()


def test_seed_demo_builds_a_region_through_the_importers(settings):
    from .helpers import manage

    settings.DEBUG = True
    ran = manage("seed_demo", "--units", "30", "--cases", "500", "--today", "2026-11-21")
    assert ran.code == 0, ran.err
    assert "cases: 500 created, 0 updated, 0 unchanged" in ran.out
    assert CareUnit.objects.count() == 30
    assert CareUnit.objects.values("forvaltning").distinct().count() == 7
    assert "koncernstab" in ran.out and "demo-2026" in ran.out
    from compliance.models import UnitResult

    # The month ends the cases cover, as the nightly run would have stored them, and the demo's today.
    dates = sorted({str(d) for d in UnitResult.objects.values_list("as_of", flat=True)})
    assert dates == ["2026-08-31", "2026-09-30", "2026-10-31", "2026-11-21"]
    again = manage("seed_demo", "--if-empty")
    assert "inget ändrat" in again.out


def test_seed_demo_fills_the_booking_systems_table_as_the_readme_says(settings):
    """Öppen kallelse only in PASiS (the demo's technical exemptions for it are on PMO units), web booking
    through 1177 only for PASiS and PMO; written through the write path, so audited."""
    from exemptions.models import SystemCapability
    from servicelevel.models import AuditEntry

    from .helpers import manage

    assert manage("seed_demo", "--units", "12", "--cases", "50", "--today", "2026-11-21").code == 0
    table = {
        (c.booking_system, c.requirement.code): c.supported
        for c in SystemCapability.objects.select_related("requirement")
    }
    assert table[("PASiS", "TB3-OPPEN-KALLELSE")] is True
    assert table[("PMO", "TB3-OPPEN-KALLELSE")] is False
    assert table[("PMO", "TB3-INVANARBOKNING")] is True
    assert table[("annat", "TB1-VISA")] is False
    assert AuditEntry.objects.filter(action="systemcapability_created").count() == len(table)


def test_a_closed_day_brings_todays_results_up_to_date(admin_client, django_capture_on_commit_callbacks):
    from compliance.models import UnitResult

    unit = f.CareUnitFactory()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/compliance/closedday/add/", {"date": "2026-10-08", "name": "Utbildningsdag"}
        )
    assert UnitResult.objects.filter(unit=unit).exists()
