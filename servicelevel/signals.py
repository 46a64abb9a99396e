"""Signals that let fact-owning apps tell the engine something changed, without depending on it."""

from django.dispatch import Signal

# Sent after a commit that changed facts. kwargs: kind (import kind or "edit"), unit_ids (set of CareUnit
# pks whose facts changed; None = possibly all units), same_day_changed (unit pks whose same_day_contact
# changed, so their case deadlines must be recomputed).
facts_changed = Signal()
