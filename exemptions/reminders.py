"""E-mail reminders about exemptions (docs/reports.md, Reminders), sent by the daily and weekly tasks.

- 30 and 7 days before an approved exemption ends: to the unit's managers and every approver. The
  30-day reminder goes out on the first run with 8–30 days left, the 7-day one on the first run with 0–7
  days left, so a day the job did not run loses nothing; each says the exemption's last day.
- A follow-up due (its date reached, not done): the same people, on the first run from its date on.
- Each Monday, a digest to each approver of what waits for their body's decision (Koncernstab first,
  then Hälso- och sjukvårdsstyrning), when something does.

Each mail is sent at most once: a `ReminderSent` row (kind, exemption, recipient, day) is inserted
*before* sending, and its unique constraint makes a rerun, or a second worker running the same job at the
same moment, skip a reminder already claimed. If sending then fails, the row stays with the error: the
reminder is not retried automatically (a mail server that took the message but answered with an error
would otherwise make people get it twice; the row shows what was not delivered, and deleting it lets the
next run send it again). Recipients are people, never a unit's name sent to someone who may not see it:
managers are asked for per unit (`units.permissions.unit_managers`), approvers see every unit.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from units.permissions import approvers, unit_managers

from . import steps
from .models import Exemption, ExemptionApproval, ExemptionGroup, FollowUp, ReminderSent
from .rules import ENDING_SOON_DAYS

log = logging.getLogger(__name__)

# The first reminder goes out when the exemption starts to "end soon" (the exemption list's and the
# dashboard's rule), the last a week before its last day.
FIRST_NOTICE_DAYS = ENDING_SOON_DAYS
LAST_NOTICE_DAYS = 7
Kind = ReminderSent.Kind
Body = ExemptionApproval.Body


@dataclass(frozen=True)
class Outcome:
    sent: int = 0
    skipped: int = 0  # already claimed by an earlier run or another worker
    failed: int = 0


def _link(path: str) -> str:
    return f"{settings.PORTAL_URL}{path}"


def _claim(*, kind: str, exemption: Exemption | None, recipient: str, due_date: datetime.date) -> bool:
    """Insert the reminder's row; False when it already exists (sent or being sent by someone else)."""
    key = {"kind": kind, "exemption": exemption, "recipient": recipient, "due_date": due_date}
    # Checked first as well: the digest has no exemption, and SQLite's unique index lets NULLs repeat.
    if ReminderSent.objects.filter(**key).exists():
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(**key)
    except IntegrityError:
        return False
    return True


def _send(*, kind, exemption, recipient: str, due_date, subject: str, template: str, context: dict) -> str:
    """Claim, then send; 'sent', 'skipped' or 'failed' (the error is kept on the claimed row)."""
    if not _claim(kind=kind, exemption=exemption, recipient=recipient, due_date=due_date):
        return "skipped"
    body = render_to_string(template, {**context, "portal_url": settings.PORTAL_URL})
    row = ReminderSent.objects.filter(kind=kind, exemption=exemption, recipient=recipient, due_date=due_date)
    try:
        send_mail(subject, body, None, [recipient])
    except Exception as exc:  # SMTP refusals, timeouts: kept on the row, never retried (see above)
        log.warning("reminder %s to %s failed: %s", kind, recipient, exc)
        row.update(error=str(exc)[:500])
        return "failed"
    row.update(sent_at=timezone.now())
    return "sent"


def _tally(results: list[str]) -> Outcome:
    return Outcome(results.count("sent"), results.count("skipped"), results.count("failed"))


def _recipients(exemption: Exemption) -> list[str]:
    people = list(unit_managers(exemption.unit)) + list(approvers())
    return sorted({p.email.strip().lower() for p in people if p.email and p.email.strip()})


def _exemption_context(e: Exemption, today: datetime.date) -> dict:
    return {
        "e": e,
        "days_left": (e.valid_until - today).days,
        "link": _link(f"/avsteg/{e.exemption_id}/"),
    }


def send_ending_reminders(*, today: datetime.date) -> Outcome:
    """The 30- and 7-day reminders for approved exemptions in force today that end within 30 days (one
    revoked early has had its end announced already)."""
    ending = (
        Exemption.objects.active_on(today)
        .filter(
            status=Exemption.Status.APPROVED,
            valid_until__lte=today + datetime.timedelta(days=FIRST_NOTICE_DAYS),
        )
        .select_related("unit", "requirement")
        .order_by("valid_until", "exemption_id")
    )
    results = []
    for e in ending:
        days_left = (e.valid_until - today).days
        kind = Kind.ENDS_IN_7 if days_left <= LAST_NOTICE_DAYS else Kind.ENDS_IN_30
        subject = f"Avsteg {e.exemption_id} för {e.unit.name} slutar {e.valid_until:%Y-%m-%d}"
        for recipient in _recipients(e):
            results.append(
                _send(
                    kind=kind,
                    exemption=e,
                    recipient=recipient,
                    due_date=e.valid_until,
                    subject=subject,
                    template="emails/exemption_ending.txt",
                    context=_exemption_context(e, today),
                )
            )
    return _tally(results)


def send_follow_up_reminders(*, today: datetime.date) -> Outcome:
    """A reminder for each follow-up whose date has come and that is not done, of an exemption in force."""
    due = (
        FollowUp.objects.filter(
            due_on__lte=today,
            done_on__isnull=True,
            exemption__status=Exemption.Status.APPROVED,
        )
        .select_related("exemption__unit", "exemption__requirement")
        .order_by("due_on", "exemption__exemption_id")
    )
    results = []
    for f in due:
        e = f.exemption
        subject = f"Uppföljning av avsteg {e.exemption_id} för {e.unit.name} ({f.due_on:%Y-%m-%d})"
        for recipient in _recipients(e):
            results.append(
                _send(
                    kind=Kind.FOLLOW_UP,
                    exemption=e,
                    recipient=recipient,
                    due_date=f.due_on,
                    subject=subject,
                    template="emails/follow_up_due.txt",
                    context={**_exemption_context(e, today), "follow_up": f},
                )
            )
    return _tally(results)


def waiting_for(body: str) -> tuple[list[Exemption], list[ExemptionGroup]]:
    """Submitted exemptions and common decisions whose next decision is `body`'s (`steps.next_body_q`):
    Koncernstab's when it has not decided, HS-styrning's once Koncernstab has approved and it has not."""
    exemptions = list(
        Exemption.objects.filter(steps.next_body_q(body, link="exemption"))
        .select_related("unit", "requirement")
        .order_by("created_at")
    )
    groups = list(ExemptionGroup.objects.filter(steps.next_body_q(body, link="group")).order_by("created_at"))
    return exemptions, groups


def send_weekly_digest(*, today: datetime.date) -> Outcome:
    """To each approver, what waits for their body's decision; nothing when nothing waits. Once per
    recipient and week (the row's day is the week's Monday)."""
    monday = today - datetime.timedelta(days=today.weekday())
    results = []
    for body in (Body.KONCERNSTAB, Body.HS_STYRNING):
        exemptions, groups = waiting_for(body)
        if not exemptions and not groups:
            continue
        count = len(exemptions) + len(groups)
        subject = f"Avsteg som väntar på ert beslut: {count} (vecka {monday.isocalendar().week})"
        for person in approvers(body).order_by("username"):
            if not person.email:
                continue
            results.append(
                _send(
                    kind=Kind.DIGEST,
                    exemption=None,
                    recipient=person.email.strip().lower(),
                    due_date=monday,
                    subject=subject,
                    template="emails/weekly_digest.txt",
                    context={
                        "person": person,
                        "body_label": Body(body).label,
                        "exemptions": exemptions,
                        "groups": groups,
                        "link": _link("/avsteg/"),
                    },
                )
            )
    return _tally(results)
