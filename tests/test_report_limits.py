"""Report requests are limited per person (docs/reports.md): a region report costs seconds of
a worker's CPU, so one person may have at most REPORT_MAX_RUNNING_PER_PERSON reports being made at a time
and ask for at most REPORT_MAX_PER_HOUR an hour. The rule is the service's (`report_request`); the pages
only show its refusal: 429, the form kept as it was sent, and when the person may ask again.

The reports asked for here are never rendered: outside a transactional test the request's on-commit task
does not run, so each stays queued, which is what "being made" means."""

import datetime
import re
import threading
import time

import pytest
from django.db import transaction
from django.urls import reverse

from compliance import reports
from compliance.models import Report
from units.permissions import Roles, grant_units

from . import factories as f
from .helpers import user_in
from .test_concurrency import WAIT, Worker, racing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
LIST = reverse("portal:reports")
FORM = {"kind": "efterlevnad", "omfattning": "region", "per": "2026-11-15"}


def ask(client, **data):
    return client.post(LIST, {**FORM, **data})


def report_of(response) -> Report:
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def refusal(response) -> str:
    """The refusal's words on the page (the alert above the form), whitespace collapsed."""
    match = re.search(r'<div[^>]*id="rapportgrans"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert match, "the page shows no refusal"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_defaults_are_ones_an_analyst_never_meets(settings):
    assert settings.REPORT_MAX_RUNNING_PER_PERSON == 3
    assert settings.REPORT_MAX_PER_HOUR == 30


def test_a_fourth_report_while_three_are_made_is_refused_with_429_and_the_form_kept(client):
    analyst = user_in(Roles.HS_STYRNING)
    client.force_login(analyst)
    made = [report_of(ask(client)) for _ in range(3)]

    response = ask(client, kind="handlingsplan", omfattning="region", per="2026-11-01")

    assert response.status_code == 429
    assert refusal(response) == (
        "Rapporten beställdes inte. Du har redan 3 rapporter som skapas. Beställ nästa när någon av dem är klar – oftast inom någon minut."
    )
    page = response.content.decode()
    # The form is kept as it was sent, ready to send again.
    assert re.search(r'<input[^>]*value="handlingsplan"[^>]*checked', page)
    assert 'value="2026-11-01"' in page
    assert "Skapa rapport</button>" in page
    assert Report.objects.filter(requested_by=analyst).count() == 3

    # One is done: the next may be asked for.
    Report.objects.filter(pk=made[0].pk).update(status=Report.Status.DONE)
    assert report_of(ask(client)).status == Report.Status.QUEUED


def test_a_failed_report_and_a_long_lost_one_hold_no_place(client, pinned_clock):
    analyst = user_in(Roles.KONCERNSTAB)
    client.force_login(analyst)
    f.ReportFactory(requested_by=analyst, status=Report.Status.FAILED)
    f.ReportFactory(requested_by=analyst, status=Report.Status.DONE)
    pinned_clock.shift(datetime.timedelta(hours=-2))
    f.ReportFactory(requested_by=analyst, status=Report.Status.QUEUED)  # its worker died two hours ago
    pinned_clock.shift(datetime.timedelta(hours=2))
    f.ReportFactory(requested_by=analyst, status=Report.Status.RENDERING)

    report_of(ask(client))
    report_of(ask(client))
    assert ask(client).status_code == 429  # rendering + the two just asked for


def test_thirty_an_hour_and_the_refusal_says_at_what_time_the_next_may_be_asked_for(client, pinned_clock):
    analyst = user_in(Roles.HS_STYRNING)
    client.force_login(analyst)
    # 30 finished reports: the first at 11:05:20, then one every two minutes (the last at 11:59:20).
    pinned_clock.move_to("2026-11-20 11:05:20 +01:00")
    for _ in range(30):
        f.ReportFactory(requested_by=analyst, status=Report.Status.DONE)
        pinned_clock.shift(datetime.timedelta(minutes=2))
    pinned_clock.move_to(NOW)

    response = ask(client)

    assert response.status_code == 429
    assert refusal(response) == (
        "Rapporten beställdes inte. Du har beställt 30 rapporter den senaste timmen, så många som går. "
        "Du kan beställa nästa kl. 12:06."  # 11:05:20 + one hour, rounded up to the minute
    )
    assert response["Retry-After"] == "320"
    assert Report.objects.filter(requested_by=analyst).count() == 30

    pinned_clock.move_to("2026-11-20 12:06 +01:00")
    assert report_of(ask(client)).status == Report.Status.QUEUED
    assert ask(client).status_code == 429  # the 11:07:20 report is still within the hour


def test_the_limits_are_per_person(client):
    first, second = user_in(Roles.HS_STYRNING), user_in(Roles.HS_STYRNING)
    for _ in range(3):
        f.ReportFactory(requested_by=first)
    client.force_login(second)
    assert report_of(ask(client)).requested_by == second


def test_ledning_may_ask_for_reports_and_meets_the_same_limit(client):
    ledning = user_in(Roles.LEDNING)
    client.force_login(ledning)
    for _ in range(3):
        report_of(ask(client))
    assert ask(client).status_code == 429


def test_the_limits_come_from_the_settings(client, settings):
    settings.REPORT_MAX_RUNNING_PER_PERSON = 1
    settings.REPORT_MAX_PER_HOUR = 2
    analyst = user_in(Roles.HS_STYRNING)
    client.force_login(analyst)
    first = report_of(ask(client))
    response = ask(client)
    assert response.status_code == 429
    assert refusal(response).startswith(
        "Rapporten beställdes inte. Du har redan 1 rapport som skapas. Beställ nästa när den är klar"
    )
    Report.objects.filter(pk=first.pk).update(status=Report.Status.DONE)
    report_of(ask(client))
    Report.objects.filter(requested_by=analyst).update(status=Report.Status.DONE)
    assert refusal(ask(client)).startswith(
        "Rapporten beställdes inte. Du har beställt 2 rapporter den senaste timmen"
    )

    settings.REPORT_MAX_RUNNING_PER_PERSON = settings.REPORT_MAX_PER_HOUR = 0  # 0: no limit
    report_of(ask(client))


def test_the_unit_pages_scorecard_is_refused_on_the_reports_page_with_the_form_filled_in(client):
    unit = f.CareUnitFactory(name="Vårdcentralen Egen", hsa_id="SE2321000255-EGEN")
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [unit])
    client.force_login(manager)
    for _ in range(3):
        f.ReportFactory(requested_by=manager)

    response = client.post(reverse("portal:report_unit_scorecard", args=[unit.hsa_id]) + "?per=2026-11-10")

    assert response.status_code == 429
    assert refusal(response).startswith("Rapporten beställdes inte. Du har redan 3 rapporter som skapas.")
    page = response.content.decode()
    assert re.search(r'<input[^>]*value="enhetskort"[^>]*checked', page)
    assert re.search(r'<option value="SE2321000255-EGEN" selected>', page)
    assert 'value="2026-11-10"' in page
    assert Report.objects.filter(requested_by=manager).count() == 3


def test_the_rule_is_the_services(client):
    """Whoever asks through `report_request` meets the limit, not only the pages."""
    analyst = user_in(Roles.HS_STYRNING)
    for _ in range(3):
        reports.report_request(requested_by=analyst, kind="efterlevnad", as_of=datetime.date(2026, 11, 15))
    with pytest.raises(reports.ReportLimitReached) as refused:
        reports.report_request(requested_by=analyst, kind="efterlevnad", as_of=datetime.date(2026, 11, 15))
    assert refused.value.retry_at is None
    assert "Du har redan 3 rapporter som skapas." in str(refused.value)


@racing
def test_two_requests_at_the_same_moment_cannot_both_take_the_last_place(settings, monkeypatch):
    """The count and the new report are one transaction under the person's lock: a second request waits
    for the first to commit, then counts its report."""
    settings.REPORT_MAX_RUNNING_PER_PERSON = 1
    monkeypatch.setattr("compliance.tasks.render_report.delay", lambda pk: None)  # nothing to render here
    analyst = user_in(Roles.HS_STYRNING)
    asked, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            report = reports.report_request(
                requested_by=analyst, kind="efterlevnad", as_of=datetime.date.today()
            )
            asked.set()
            release.wait(WAIT)  # holds its transaction open: the report is not committed yet
        return report

    def second():
        return reports.report_request(requested_by=analyst, kind="efterlevnad", as_of=datetime.date.today())

    one = Worker(first, "first")
    one.start()
    assert asked.wait(WAIT)
    two = Worker(second, "second")
    two.start()
    time.sleep(0.5)
    still_waiting = two.is_alive()
    release.set()
    one.finish(), two.finish()

    assert one.error is None
    assert isinstance(two.error, reports.ReportLimitReached), two.error or two.result
    assert still_waiting  # it waited for the first request's commit instead of counting without it
    assert Report.objects.filter(requested_by=analyst).count() == 1
