"""Reads for the audit trail at /granskning/ (docs/reports.md): filtered entries, newest first, in Swedish.

A page is three queries whatever the size of the trail, plus one per kind of object its entries refer to
(servicelevel.audit_words: a unit id worded as its HSA-id, a person's id as their name): the action
codes for the filter's choices (one DISTINCT over the trail), the count for the pager, and the page's
entries with their actors. The CSV export streams every matching entry (one query, read and worded in
chunks).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.calendar import end_of_day, local_midnight
from servicelevel.audit import action_label, object_type_label
from servicelevel.audit_words import AuditWords
from servicelevel.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    """What the page's form asks for; empty fields filter nothing."""

    action: str = ""
    object_type: str = ""
    object_id: str = ""
    actor: str = ""  # part of the person's name or username (or "system")
    since: datetime.date | None = None
    until: datetime.date | None = None


@dataclass(frozen=True)
class AuditLine:
    at: datetime.datetime  # local time
    actor: str
    action: str
    action_label: str
    object_type: str
    object_type_label: str
    object_id: str
    detail: str


def entries(f: AuditFilter) -> QuerySet[AuditEntry]:
    q = Q()
    if f.action:
        q &= Q(action=f.action)
    if f.object_type:
        q &= Q(object_type=f.object_type)
    if f.object_id:
        q &= Q(object_id=f.object_id)
    if f.actor:
        q &= (
            Q(actor_label__icontains=f.actor)
            | Q(actor__first_name__icontains=f.actor)
            | Q(actor__last_name__icontains=f.actor)
        )
    # Dates are whole local days (Europe/Stockholm), both ends included.
    if f.since:
        q &= Q(at__gte=local_midnight(f.since))
    if f.until:
        q &= Q(at__lt=end_of_day(f.until))
    return AuditEntry.objects.filter(q).select_related("actor").order_by("-at", "-id")


def action_choices() -> list[tuple[str, str]]:
    """Every action code in the trail with its Swedish words, alphabetically by the words."""
    codes = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(((code, action_label(code)) for code in codes), key=lambda c: c[1].casefold())


def lines(rows) -> list[AuditLine]:
    """The entries in Swedish: their references resolved together (one query per model referred to)."""
    rows = list(rows)
    words = AuditWords(rows)
    return [_line(e, words) for e in rows]


def _line(e: AuditEntry, words: AuditWords) -> AuditLine:
    return AuditLine(
        at=timezone.localtime(e.at),
        actor=words.actor(e),
        action=e.action,
        action_label=action_label(e.action),
        object_type=e.object_type,
        object_type_label=object_type_label(e.object_type),
        object_id=e.object_id,
        detail=words.detail(e),
    )


CSV_HEADER = ["Tidpunkt", "Av", "Händelse", "Händelsekod", "Objekttyp", "Objekt", "Vad (gammalt → nytt)"]


def csv_rows(f: AuditFilter) -> Iterator[list]:
    """The header and every matching entry, streamed (the trail may hold millions of entries)."""
    yield CSV_HEADER
    batch: list[AuditEntry] = []
    for e in entries(f).iterator(chunk_size=CHUNK):
        batch.append(e)
        if len(batch) == CHUNK:
            yield from _csv_lines(batch)
            batch = []
    yield from _csv_lines(batch)


CHUNK = 2000  # entries read and worded together: memory stays bounded, references cost a query per chunk


def _csv_lines(batch: list[AuditEntry]) -> Iterator[list]:
    for line in lines(batch):
        yield [
            line.at.isoformat(timespec="seconds"),
            line.actor,
            line.action_label,
            line.action,
            line.object_type_label,
            line.object_id,
            line.detail,
        ]
