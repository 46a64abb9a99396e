"""E-mail reminders about exemptions (exemptions/reminders.py): 30 and 7 days before an exemption ends and
when a follow-up is due, to the unit's managers and the approvers; a weekly digest to each approver of what
waits for them; each sent exactly once, under a rerun and under two workers at the same moment."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail

from exemptions import reminders, tasks
from exemptions.models import ReminderSent
from units.permissions import Roles, grant_provider, grant_units

from . import factories as f
from .helpers import user_with_address as user_in

pytestmark = pytest.mark.django_db

END = datetime.date(2026, 12, 31)


def day(d: datetime.date):
    """The clock on the morning of `d` (the task reads today's local date)."""
    return time_machine.travel(datetime.datetime.combine(d, datetime.time(7, 0)).astimezone(), tick=False)


@pytest.fixture
def people():
    unit = f.CareUnitFactory(hsa_id="SE2321000255-RE01", name="Vårdcentralen Påminnelse")
    other = f.CareUnitFactory(hsa_id="SE2321000255-RE02", name="Vårdcentralen Annan")
    private = f.CareUnitFactory(
        hsa_id="SE2321000255-RE03",
        name="Privatläkarna Syd",
        provider=f.ProviderFactory(name="Privatläkarna AB"),
    )
    chef = user_in(Roles.VERKSAMHETSCHEF, "chef")
    grant_units(chef, [unit])
    other_chef = user_in(Roles.VERKSAMHETSCHEF, "annanchef")
    grant_units(other_chef, [other])
    provider_user = user_in(Roles.VARDGIVARE, "vardgivare")
    grant_provider(provider_user, private.provider)
    return {
        "unit": unit,
        "private": private,
        "chef": chef,
        "koncernstab": user_in(Roles.KONCERNSTAB, "koncernstab"),
        "styrning": user_in(Roles.HS_STYRNING, "styrning"),
        "ledning": user_in(Roles.LEDNING, "ledning"),
        "no_email": user_in(Roles.KONCERNSTAB, "utanepost", email=False),
    }


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def run_daily(d: datetime.date) -> dict:
    with day(d):
        return tasks.send_daily_reminders.delay().get()


# ---------------------------------------------------------------------------------------- ending soon


def test_the_30_day_reminder_goes_out_on_the_30th_day_before_the_end_and_only_once(people):
    f.ExemptionFactory(exemption_id="AV-2026-0100", unit=people["unit"], valid_until=END)

    run_daily(END - datetime.timedelta(days=31))
    assert mail.outbox == []

    result = run_daily(END - datetime.timedelta(days=30))
    # The unit's manager and both approvers; not another unit's manager, not Ledning, not a user without
    # an address.
    assert recipients() == ["chef@skane.se", "koncernstab@skane.se", "styrning@skane.se"]
    assert result["ending"] == {"sent": 3, "skipped": 0, "failed": 0}
    message = mail.outbox[0]
    assert message.subject == "Avsteg AV-2026-0100 för Vårdcentralen Påminnelse slutar 2026-12-31"
    assert "slutar 31 december 2026, om 30 dagar" in message.body
    assert "http://localhost:8000/avsteg/AV-2026-0100/" in message.body

    rerun = run_daily(END - datetime.timedelta(days=30))
    assert rerun["ending"] == {"sent": 0, "skipped": 3, "failed": 0}
    run_daily(END - datetime.timedelta(days=29))
    run_daily(END - datetime.timedelta(days=8))
    assert len(mail.outbox) == 3  # nothing more until the 7-day reminder


def test_the_7_day_reminder_goes_out_on_the_7th_day_before_the_end_and_only_once(people):
    f.ExemptionFactory(exemption_id="AV-2026-0101", unit=people["unit"], valid_until=END)
    run_daily(END - datetime.timedelta(days=30))
    mail.outbox.clear()

    run_daily(END - datetime.timedelta(days=7))
    assert recipients() == ["chef@skane.se", "koncernstab@skane.se", "styrning@skane.se"]
    assert "om 7 dagar" in mail.outbox[0].body
    run_daily(END - datetime.timedelta(days=7))
    run_daily(END - datetime.timedelta(days=3))
    run_daily(END)
    assert len(mail.outbox) == 3
    kinds = set(ReminderSent.objects.values_list("kind", flat=True))
    assert kinds == {ReminderSent.Kind.ENDS_IN_30, ReminderSent.Kind.ENDS_IN_7}


def test_a_missed_day_loses_no_reminder(people):
    """The job did not run on the 30th day before: the next run sends the reminder, with the true date."""
    f.ExemptionFactory(exemption_id="AV-2026-0102", unit=people["unit"], valid_until=END)
    run_daily(END - datetime.timedelta(days=28))
    assert len(mail.outbox) == 3 and "om 28 dagar" in mail.outbox[0].body


def test_only_approved_exemptions_are_reminded(people):
    for status in ("draft", "submitted", "rejected", "expired"):
        f.ExemptionFactory(unit=people["unit"], valid_until=END, status=status)
    # Ended early: no reminder of an end that has already come.
    f.ExemptionFactory(
        unit=people["unit"], valid_until=END, status="revoked", ended_on=datetime.date(2026, 11, 1)
    )
    run_daily(END - datetime.timedelta(days=30))
    assert mail.outbox == []


def test_a_providers_user_is_told_about_the_providers_unit(people):
    f.ExemptionFactory(exemption_id="AV-2026-0103", unit=people["private"], valid_until=END)
    run_daily(END - datetime.timedelta(days=7))
    assert recipients() == ["koncernstab@skane.se", "styrning@skane.se", "vardgivare@skane.se"]


# ----------------------------------------------------------------------------------------- follow-ups


def test_a_follow_up_due_is_reminded_once_and_a_done_one_never(people):
    exemption = f.ExemptionFactory(exemption_id="AV-2026-0104", unit=people["unit"], valid_until=END)
    due = datetime.date(2026, 9, 1)
    f.FollowUpFactory(exemption=exemption, due_on=due, note="Kontrollera PMO:s införande")
    f.FollowUpFactory(
        exemption=exemption, due_on=datetime.date(2026, 8, 1), done_on=datetime.date(2026, 8, 2)
    )

    run_daily(due - datetime.timedelta(days=1))
    assert mail.outbox == []
    run_daily(due)
    assert recipients() == ["chef@skane.se", "koncernstab@skane.se", "styrning@skane.se"]
    assert (
        mail.outbox[0].subject
        == "Uppföljning av avsteg AV-2026-0104 för Vårdcentralen Påminnelse (2026-09-01)"
    )
    assert "Anteckning: Kontrollera PMO:s införande" in mail.outbox[0].body
    run_daily(due)
    run_daily(due + datetime.timedelta(days=1))
    assert len(mail.outbox) == 3


# ------------------------------------------------------------------------------------------ the digest


def test_the_weekly_digest_tells_each_body_what_waits_for_it(people):
    waiting = f.ExemptionFactory(exemption_id="AV-2026-0105", unit=people["unit"], status="submitted")
    f.ExemptionFactory(exemption_id="AV-2026-0106", unit=people["unit"], status="draft")
    monday = datetime.date(2026, 11, 16)

    with day(monday):
        tasks.send_weekly_digest.delay()
    assert recipients() == ["koncernstab@skane.se"]  # Koncernstab decides first
    assert "AV-2026-0105" in mail.outbox[0].body and "AV-2026-0106" not in mail.outbox[0].body
    assert mail.outbox[0].body.startswith("Hej koncernstab!")

    with day(monday + datetime.timedelta(days=2)):  # a rerun in the same week
        tasks.send_weekly_digest.delay()
    assert len(mail.outbox) == 1

    f.ExemptionApprovalFactory(exemption=waiting, body="koncernstab", decided_by=people["koncernstab"])
    mail.outbox.clear()
    with day(monday + datetime.timedelta(days=7)):
        tasks.send_weekly_digest.delay()
    assert recipients() == ["styrning@skane.se"]  # now it waits for the second approval
    assert "AV-2026-0105" in mail.outbox[0].body


def test_no_digest_when_nothing_waits(people):
    with day(datetime.date(2026, 11, 16)):
        assert tasks.send_weekly_digest.delay().get() == {"sent": 0, "skipped": 0, "failed": 0}
    assert mail.outbox == []


# ----------------------------------------------------------------------------------------- exactly once


def test_a_failed_send_is_kept_with_its_error_and_not_sent_again(people, monkeypatch):
    f.ExemptionFactory(exemption_id="AV-2026-0107", unit=people["unit"], valid_until=END)

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(reminders, "send_mail", refused)
    result = run_daily(END - datetime.timedelta(days=30))
    assert result["ending"] == {"sent": 0, "skipped": 0, "failed": 3}
    assert set(ReminderSent.objects.values_list("error", flat=True)) == {"smtp down"}
    assert not ReminderSent.objects.filter(sent_at__isnull=False).exists()

    monkeypatch.undo()
    assert run_daily(END - datetime.timedelta(days=30))["ending"]["sent"] == 0
    # Deleting a failed row is how a person asks for it again.
    ReminderSent.objects.filter(recipient="chef@skane.se").delete()
    assert run_daily(END - datetime.timedelta(days=30))["ending"]["sent"] == 1
    assert recipients() == ["chef@skane.se"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_moment_send_each_reminder_once(people, monkeypatch):
    """Two runs in two threads (two database connections) reach each claim together — a barrier makes
    them — and the unique constraint lets exactly one of them send."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL")
    f.ExemptionFactory(exemption_id="AV-2026-0108", unit=people["unit"], valid_until=END)
    real_claim, barrier = reminders._claim, threading.Barrier(2, timeout=20)

    def claim_together(**key):
        barrier.wait()  # both runs have checked nothing; now both insert
        return real_claim(**key)

    monkeypatch.setattr(reminders, "_claim", claim_together)
    outcomes, errors = [], []

    def worker():
        from django.db import connection as own

        try:
            outcomes.append(reminders.send_ending_reminders(today=END - datetime.timedelta(days=30)))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(o.sent for o in outcomes) == 3
    assert sum(o.skipped for o in outcomes) == 3
    assert recipients() == ["chef@skane.se", "koncernstab@skane.se", "styrning@skane.se"]
    assert ReminderSent.objects.count() == 3


def test_the_database_keeps_each_reminder_and_each_digest_to_one_row():
    """The last word on "exactly once", on PostgreSQL and SQLite alike (two partial unique constraints)."""
    from django.db import IntegrityError, transaction

    exemption = f.ExemptionFactory()
    day = datetime.date(2026, 11, 23)
    ReminderSent.objects.create(kind="ends_30", exemption=exemption, recipient="a@example.se", due_date=day)
    ReminderSent.objects.create(kind="digest", exemption=None, recipient="a@example.se", due_date=day)
    for kind, on in (("ends_30", exemption), ("digest", None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReminderSent.objects.create(kind=kind, exemption=on, recipient="a@example.se", due_date=day)
    ReminderSent.objects.create(kind="digest", exemption=None, recipient="b@example.se", due_date=day)
    assert ReminderSent.objects.count() == 3
