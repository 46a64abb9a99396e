"""The Celery app and its one reviewed beat schedule. Without REDIS_URL the settings make every task run
in-process (eager), and beat is not needed."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicelevel.settings")

app = Celery("servicelevel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Europe/Stockholm (CELERY_TIMEZONE). Expiry first, so the nightly results see expired states.
app.conf.beat_schedule = {
    "exemption-expiry": {
        "task": "exemptions.tasks.expire_exemptions",
        "schedule": crontab(hour=0, minute=15),
    },
    "nightly-recompute": {
        "task": "compliance.tasks.nightly_recompute",
        "schedule": crontab(hour=0, minute=30),
    },
    # E-mail reminders in the working morning, after expiry (exemptions/reminders.py).
    "exemption-reminders": {
        "task": "exemptions.tasks.send_daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "exemption-weekly-digest": {
        "task": "exemptions.tasks.send_weekly_digest",
        "schedule": crontab(hour=7, minute=15, day_of_week="mon"),
    },
    # Uploads at /import/ checked but not imported within a day: the file is removed (import_jobs.py).
    # Hourly, so a file outlives its day by an hour at most (and "Importera" is refused from the day's end).
    "import-uploads-expiry": {
        "task": "servicelevel.tasks.expire_import_uploads",
        "schedule": crontab(minute=45),
    },
}
