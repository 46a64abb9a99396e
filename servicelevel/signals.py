"""Signals that let fact-owning apps tell the engine something changed, without depending on it."""

from django.db import transaction
from django.dispatch import Signal

# Sent after a commit that changed facts. kwargs: kind (import kind, "edit" or "calendar"), unit_ids (set of
# CareUnit pks whose facts changed; None = possibly all units), same_day_changed (unit pks whose
# same_day_contact changed, so their case deadlines must be recomputed).
facts_changed = Signal()


def notify_facts_changed(*, unit_ids, same_day_changed=(), kind: str = "edit") -> None:
    """Send `facts_changed` once the current transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: facts_changed.send(
            sender=None, kind=kind, unit_ids=unit_ids, same_day_changed=set(same_day_changed)
        )
    )
