"""React to changed facts: keep deadlines true, then bring results up to date."""

import logging

from django.dispatch import receiver

from servicelevel.signals import facts_changed, rulebook_loaded

from . import corrections
from .deadlines import recompute_deadlines, recompute_for_version
from .services import today
from .tasks import request_recompute

log = logging.getLogger(__name__)


@receiver(facts_changed)
def on_facts_changed(sender, *, kind, unit_ids, same_day_changed=(), since=None, **kwargs):
    if same_day_changed:
        recompute_deadlines(unit_ids=same_day_changed)
    try:
        if since is not None and since < today():  # a correction: the stored dates from then on too
            corrections.request(unit_ids=unit_ids, since=since)
        request_recompute(unit_ids)
    except Exception:  # the facts are committed; only the refresh failed (e.g. the broker is down)
        log.exception(
            "Resultaten kunde inte räknas om efter %s; kör `manage.py recompute_compliance` "
            "när felet är åtgärdat (exporten räknar alltid på aktuella uppgifter).",
            kind,
        )


@receiver(rulebook_loaded)
def on_rulebook_loaded(sender, *, decision, **kwargs):
    # In the loading transaction: a version and the deadlines it sets are stored together.
    recompute_for_version(decision)
