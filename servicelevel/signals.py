"""Signals that let fact-owning apps tell the engine something changed, without depending on it.

Writes are grouped: inside `fact_changes()` (an admin save with its inlines, a portal form, a file) every
change is merged and the engine is told once, when the block ends; outside one each write tells it on
its own. Either way the signal is sent only after the transaction commits.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal

# Sent after a commit that changed facts. kwargs: kind (import kind, "edit" or "calendar"), unit_ids (set of
# CareUnit pks whose facts changed; None = possibly all units), same_day_changed (unit pks whose
# same_day_contact changed, so their case deadlines must be recomputed), since (the earliest date whose
# facts changed, when before today: a correction, whose stored results from then on are judged again).
facts_changed = Signal()

# Sent inside the transaction that stored a new rulebook version (servicelevel/rulebooks.py), before the
# results are judged again. kwargs: decision. The case deadlines follow the version in force on each
# case's receipt date, so those from its first day on are recomputed (compliance/receivers.py).
rulebook_loaded = Signal()


@dataclass
class _Batch:
    kind: str = "edit"
    unit_ids: set[int] | None = field(default_factory=set)
    same_day_changed: set[int] = field(default_factory=set)
    touched: bool = False
    since: datetime.date | None = None

    def merge(
        self,
        unit_ids: Iterable[int] | None,
        same_day_changed: Iterable[int],
        kind: str,
        since: datetime.date | None = None,
    ) -> None:
        self.touched = True
        if since is not None:
            self.since = since if self.since is None else min(self.since, since)
        if kind != "edit":
            self.kind = kind
        if unit_ids is None or self.unit_ids is None:
            self.unit_ids = None
        else:
            self.unit_ids.update(unit_ids)
        self.same_day_changed.update(same_day_changed)


_local = threading.local()


def _stack() -> list[_Batch]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


@contextmanager
def fact_changes(kind: str = "edit") -> Iterator[_Batch]:
    """Group the writes of one unit of work: the engine is told once, after the block (and its
    transaction) ends without an error. Nested blocks merge into the outermost one."""
    stack = _stack()
    batch = _Batch(kind=kind)
    stack.append(batch)
    try:
        yield batch
    finally:
        stack.pop()
    # Only reached without an exception: a failed block tells nobody anything.
    if batch.touched:
        notify_facts_changed(
            unit_ids=batch.unit_ids,
            same_day_changed=batch.same_day_changed,
            kind=batch.kind,
            since=batch.since,
        )


def notify_facts_changed(
    *, unit_ids, same_day_changed=(), kind: str = "edit", since: datetime.date | None = None
) -> None:
    """Tell the engine which units' facts changed: merged into the enclosing `fact_changes()` block if
    there is one, else sent once the current transaction commits (at once outside one)."""
    if unit_ids is not None and not unit_ids and not same_day_changed:
        return
    stack = _stack()
    if stack:
        stack[0].merge(unit_ids, same_day_changed, kind, since)
        return
    unit_ids = None if unit_ids is None else set(unit_ids)
    same_day = set(same_day_changed)
    transaction.on_commit(
        lambda: facts_changed.send(
            sender=None, kind=kind, unit_ids=unit_ids, same_day_changed=same_day, since=since
        )
    )
