"""React to changed facts: keep deadlines true, then bring results up to date."""

from django.dispatch import receiver

from servicelevel.signals import facts_changed

from .deadlines import recompute_deadlines
from .tasks import request_recompute


@receiver(facts_changed)
def on_facts_changed(sender, *, kind, unit_ids, same_day_changed=(), **kwargs):
    if same_day_changed:
        recompute_deadlines(unit_ids=same_day_changed)
    request_recompute(unit_ids)
