from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def expire_exemptions() -> int:
    """Daily: approved exemptions past valid_until become expired. Results do not change (an expired
    exemption still covers the dates it was valid), so no recompute is needed."""
    return len(services.expire_exemptions(today=timezone.localdate()))
