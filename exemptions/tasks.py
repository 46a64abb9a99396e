from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def expire_exemptions() -> int:
    """Daily: approved exemptions past valid_until become expired. Results do not change (an expired
    exemption still covers the dates it was valid), so no recompute is needed."""
    return len(services.expire_exemptions(today=timezone.localdate()))


# --- E-mail reminders (exemptions/reminders.py, docs/reports.md) --------------------------------------------
# Idempotent by the ReminderSent claim: a rerun or a second worker sends nothing twice. Retried with backoff
# only when the database is unreachable (nothing was claimed then); a mail that fails is kept on its row.

from django.db import InterfaceError, OperationalError  # noqa: E402

from . import reminders  # noqa: E402

REMINDER_TASK = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "soft_time_limit": 600,
    "time_limit": 660,
    "acks_late": True,
}


@shared_task(**REMINDER_TASK)
def send_daily_reminders() -> dict:
    """Daily: the 30- and 7-day reminders of exemptions ending, and follow-ups due."""
    today = timezone.localdate()
    ending = reminders.send_ending_reminders(today=today)
    follow_ups = reminders.send_follow_up_reminders(today=today)
    return {"ending": ending.__dict__, "follow_ups": follow_ups.__dict__}


@shared_task(**REMINDER_TASK)
def send_weekly_digest() -> dict:
    """Mondays: each approver's list of what waits for their decision."""
    return reminders.send_weekly_digest(today=timezone.localdate()).__dict__


@shared_task(**REMINDER_TASK)
def send_workflow_mail(event_ids: list[int]) -> dict:
    """On commit of a step of the workflow (sent in, approved, rejected, withdrawn): tell the proposer and
    the next body (exemptions/notices.py). Idempotent by the WorkflowMail claim."""
    from . import notices

    return notices.send_workflow_mail(event_ids=event_ids).__dict__
