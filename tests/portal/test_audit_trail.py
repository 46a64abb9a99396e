"""The audit trail at /granskning/: the region-wide roles read every entry in Swedish, filter, page and export
it; others get 403; the database refuses to change or delete an entry (PostgreSQL)."""

import csv
import io

import pytest
import time_machine
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.shortcuts import resolve_url
from django.urls import reverse

from servicelevel.audit import audit
from servicelevel.models import AuditEntry
from units.permissions import Roles

from ..helpers import user_in

pytestmark = pytest.mark.django_db

URL = reverse("portal:audit_trail")
EXPORT = reverse("portal:audit_export_csv")


@pytest.fixture
def trail():
    """Entries on three days: an import, a unit's offering changed in self-service, an exemption approved,
    a report downloaded (by two people)."""
    anna = user_in(Roles.VERKSAMHETSCHEF, username="anna")
    kurt = user_in(Roles.KONCERNSTAB, username="kurt")
    with time_machine.travel("2026-11-02 09:00 +01:00", tick=False):
        audit(action="import", object_type="offerings", actor=kurt, detail={"rows": 12, "summary": "3 nya"})
    with time_machine.travel("2026-11-10 14:30 +01:00", tick=False):
        audit(
            action="offering_changed",
            object_type="offering",
            object_id="SE2321000255-A1B2/AH1-X",
            actor=anna,
            detail={"changes": {"is_open": [False, True]}},
        )
        audit(action="exemption_approved", object_type="exemption", object_id="AV-2026-0001", actor=kurt)
    with time_machine.travel("2026-11-20 08:00 +01:00", tick=False):
        audit(
            action="report_downloaded", object_type="report", object_id="7", actor=kurt, detail={"kind": "x"}
        )
    return {"anna": anna, "kurt": kurt}


# ----------------------------------------------------------------------------------------------- rights


def test_it_sends_an_anonymous_visitor_to_the_login(client):
    for url in (URL, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Roles.KONCERNSTAB, 200),
        (Roles.HS_STYRNING, 200),
        (Roles.LEDNING, 200),
        (Roles.VERKSAMHETSCHEF, 403),
        (Roles.VARDGIVARE, 403),
    ],
)
def test_only_the_region_wide_roles_read_the_trail(client, role, status):
    client.force_login(user_in(role))
    assert client.get(URL).status_code == status
    assert client.get(EXPORT).status_code == status


def test_the_page_only_reads(client, trail):
    client.force_login(user_in(Roles.KONCERNSTAB))
    assert client.post(URL).status_code == 405


# ---------------------------------------------------------------------------------------------- content


def test_it_lists_who_when_what_and_old_to_new_in_swedish_newest_first(client, trail):
    client.force_login(user_in(Roles.LEDNING))
    html = client.get(URL).content.decode()
    assert "4 poster." in html
    # Newest first, times local.
    assert (
        html.index("2026-11-20 08:00:00")
        < html.index("2026-11-10 14:30:00")
        < html.index("2026-11-02 09:00:00")
    )
    assert "Rapport hämtad" in html and "Fil importerad" in html
    assert "Import: utbud" in html and "12 rader: 3 nya" in html
    # A self-service change, old → new, with the model's Swedish name.
    assert "öppen för invånare: nej → ja" in html and "anna" in html


def test_it_filters_by_action_object_actor_and_date_range(client, trail):
    client.force_login(user_in(Roles.HS_STYRNING))

    def shown(**params):
        return client.get(URL, params).content.decode()

    assert "1 post." in shown(handelse="report_downloaded")
    assert "1 post." in shown(objekttyp="exemption", objekt="AV-2026-0001")
    assert "1 post." in shown(av="ann")
    assert "2 poster." in shown(fran="2026-11-10", till="2026-11-10")  # a whole local day, both ends
    assert "3 poster." in shown(fran="2026-11-03")
    html = shown(fran="2026-11-20", till="2026-11-01")
    assert "Slutdatumet ligger före startdatumet." in html


def test_it_pages_fifty_at_a_time(client):
    for i in range(51):
        audit(action="import", object_type="cases", object_id=str(i))
    client.force_login(user_in(Roles.KONCERNSTAB))
    first = client.get(URL).content.decode()
    assert "Sida 1 av 2" in first and "sida=2" in first
    second = client.get(URL, {"sida": 2}).content.decode()
    assert second.count("<tr>") == 1 + 1  # the head and the one entry left


def test_a_page_is_three_queries_whatever_the_trail(client, trail, django_assert_num_queries):
    user = user_in(Roles.KONCERNSTAB)
    client.force_login(user)
    client.get(URL)  # warm the session and the user
    for i in range(120):
        audit(action="import", object_type="cases", object_id=str(i))
    with django_assert_num_queries(6):
        # 1 the session, 2 the user, 3 the user's roles (sees_everything),
        # 4 the action codes for the filter, 5 the count for the pager, 6 the page's entries
        assert client.get(URL).status_code == 200


def test_the_export_has_every_matching_entry_and_is_formula_safe(client, trail):
    audit(
        action="exemption_rejected", object_type="exemption", object_id="=HYPERLINK(1)", actor=trail["kurt"]
    )
    client.force_login(user_in(Roles.LEDNING))
    response = client.get(EXPORT, {"objekttyp": "exemption"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == [
        "Tidpunkt",
        "Av",
        "Händelse",
        "Händelsekod",
        "Objekttyp",
        "Objekt",
        "Vad (gammalt → nytt)",
    ]
    assert [r[5] for r in rows[1:]] == ["'=HYPERLINK(1)", "AV-2026-0001"]
    assert rows[2][:4] == ["2026-11-10T14:30:00+01:00", "kurt", rows[2][2], "exemption_approved"]


# ------------------------------------------------------------------------------------------ append-only


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_an_entry(trail):
    entry = AuditEntry.objects.order_by("id").first()
    with pytest.raises(DatabaseError, match="Granskningsloggen kan inte ändras"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="import")
    with pytest.raises(DatabaseError, match="Granskningsloggen kan inte ändras"), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM servicelevel_auditentry")
    assert AuditEntry.objects.count() == 4
    # Appending still works.
    audit(action="import", object_type="units")
    assert AuditEntry.objects.count() == 5


def test_no_job_deletes_the_trail():
    """Kept for years: nothing scheduled touches it (the schedule is the one in servicelevel/celery.py)."""
    from servicelevel.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert not any("audit" in t or "cleanup" in t or "purge" in t for t in tasks)
