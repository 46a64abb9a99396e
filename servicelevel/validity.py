"""Facts kept over time (docs/rules.md "Facts over time"): a version of a fact holds from `valid_from`
(inclusive) until `valid_to` (exclusive; empty = still holds). The versions of one fact never overlap:
PostgreSQL refuses it with an exclusion constraint, and `restate` — the only way the write path changes a
versioned fact — builds versions that cannot.

A change is always *restating* one fact from a date: "from D, the fact is V" (or "from D, there is no such
fact"). It holds from D until the fact's next recorded change, so a later change that is already recorded
stays as it was; a date in the past is a correction. `restate` is pure (spans in, spans out) so the rule is
tested once; `Plan` writes the difference to a model's rows, in bulk.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .dates import DATE_MIN

# The date before which nothing is known: a fact recorded without a date of its own holds from here
# (the first facts an import brings about a unit, rows written before facts were kept over time).
BEGINNING = DATE_MIN


def today() -> datetime.date:
    return timezone.localdate()


# A change is recorded when it holds: "Gäller från" after today is refused, by every form, the import and
# the services alike (`refuse_future`).
FUTURE_MESSAGE = "Gäller från kan inte ligga efter i dag."


def refuse_future(day: datetime.date) -> datetime.date:
    """`day`, or ValidationError when it lies after today."""
    from django.core.exceptions import ValidationError

    if day > today():
        raise ValidationError(FUTURE_MESSAGE, code="future")
    return day


def change_day(valid_from: datetime.date | None) -> datetime.date:
    """From when a change holds: the date given (never after today), else today."""
    return today() if valid_from is None else refuse_future(valid_from)


def valid_on(day: datetime.date, prefix: str = "") -> Q:
    """The versions that hold on `day` (prefix e.g. "unit__" for a related model)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & valid_on_or_after(day, prefix)


def valid_on_or_after(day: datetime.date, prefix: str = "") -> Q:
    """The versions that have not ended by `day`: they hold on it or start after it."""
    return Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})


class CurrentManager(models.Manager):
    """The default manager of a versioned model: the versions that hold now (no later one exists, as a
    change never starts after today). `versions` on the model reaches every version."""

    def get_queryset(self):
        return super().get_queryset().filter(valid_to__isnull=True)


@dataclass(frozen=True)
class Span:
    """One version of one fact: its values from `start` (inclusive) to `end` (exclusive, None = open)."""

    start: datetime.date
    end: datetime.date | None
    values: tuple
    pk: int | None = None

    def holds_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def restate(spans: Iterable[Span], day: datetime.date, values: tuple | None) -> list[Span]:
    """The versions of one fact after "from `day` the fact is `values`" (None: the fact is gone from
    `day`). The new state holds until the fact's next recorded change: the end of the version holding on
    `day`, or, when none holds, the start of the next one. Neighbours with equal values are merged, so
    restating what already holds changes nothing and versions stay as few as the changes."""
    spans = sorted(spans, key=lambda s: s.start)
    holding = next((s for s in spans if s.holds_on(day)), None)
    if (holding.values if holding else None) == values:
        return spans
    later = min((s.start for s in spans if s.start > day), default=None)
    end = holding.end if holding is not None else later
    out = []
    for s in spans:
        if s is holding:
            if s.start < day:
                out.append(replace(s, end=day))
        else:
            out.append(s)
    if values is not None:
        out.append(Span(day, end, values))
    return _merged(sorted(out, key=lambda s: s.start))


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        last = out[-1] if out else None
        if last is not None and last.end == s.start and last.values == s.values:
            out[-1] = Span(last.start, s.end, s.values, last.pk if last.pk is not None else s.pk)
        else:
            out.append(s)
    return out


def overlap(spans: Iterable[Span]) -> tuple[Span, Span] | None:
    """Two versions of one fact that overlap, or None: the rule PostgreSQL's exclusion constraint holds,
    checked by the write path on every database."""
    ordered = sorted(spans, key=lambda s: s.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.end is None or a.end > b.start:
            return a, b
    return None


def altered_from(before: list[Span], after: list[Span]) -> tuple[datetime.date, datetime.date | None] | None:
    """The dates on which the fact's state differs between the two lists, as (first, end exclusive), or
    None when every date reads the same."""
    points = sorted({s.start for s in [*before, *after]} | {s.end for s in [*before, *after] if s.end})
    differs = [
        (a, b)
        for a, b in zip(points, [*points[1:], None], strict=True)
        if _value_on(before, a) != _value_on(after, a)
    ]
    if not differs:
        return None
    return differs[0][0], differs[-1][1]


def _value_on(spans: list[Span], day: datetime.date):
    return next((s.values for s in spans if s.holds_on(day)), None)


@dataclass
class Plan:
    """The writes that turn stored versions into restated ones, for many facts of one model at once."""

    deleted: list = field(default_factory=list)  # pks
    shrunk: list = field(default_factory=list)  # rows whose days only get fewer (written first)
    grown: list = field(default_factory=list)  # rows that cover days they did not
    created: list = field(default_factory=list)  # new rows
    altered: dict = field(default_factory=dict)  # fact key → (first, end) of the dates it changes

    @property
    def changed(self) -> bool:
        return bool(self.deleted or self.shrunk or self.grown or self.created)

    def add(
        self,
        key,
        rows: list[models.Model],
        after: list[Span],
        *,
        value_fields: tuple[str, ...],
        make: Callable[[Span], models.Model],
    ) -> None:
        """Plan the writes for one fact: its stored `rows` (every version that may change) → `after`."""
        before = spans_of(rows, value_fields)
        altered = altered_from(before, after)
        if altered is None:
            return
        problem = overlap(after)
        if problem:  # restate cannot build one; a caller that built its own spans is stopped here
            raise ValueError(f"versions overlap: {problem[0]} and {problem[1]}")
        self.altered[key] = altered
        by_pk = {r.pk: r for r in rows}
        kept = {s.pk for s in after if s.pk is not None}
        self.deleted.extend(pk for pk in by_pk if pk not in kept)
        for s in after:
            if s.pk is None:
                row = make(s)
                row.valid_from, row.valid_to = s.start, s.end
                for name, value in zip(value_fields, s.values, strict=True):
                    setattr(row, name, value)
                self.created.append(row)
                continue
            row = by_pk[s.pk]
            new = {"valid_from": s.start, "valid_to": s.end, **dict(zip(value_fields, s.values, strict=True))}
            if all(getattr(row, name) == value for name, value in new.items()):
                continue
            grows = s.start < row.valid_from or (
                row.valid_to is not None and (s.end is None or s.end > row.valid_to)
            )
            for name, value in new.items():
                setattr(row, name, value)
            (self.grown if grows else self.shrunk).append(row)

    def execute(self, model: type[models.Model], value_fields: tuple[str, ...]) -> None:
        """Deletes, then shrinking rows, then growing ones, then new rows: at no moment do two versions of
        one fact overlap (PostgreSQL's exclusion constraints are checked row by row)."""
        if self.deleted:
            for start in range(0, len(self.deleted), 5000):
                model._base_manager.filter(pk__in=self.deleted[start : start + 5000]).delete()
        fields = ["valid_from", "valid_to", *value_fields]
        for rows in (self.shrunk, self.grown):
            if rows:
                model._base_manager.bulk_update(rows, fields, batch_size=2000)
        if self.created:
            model._base_manager.bulk_create(self.created, batch_size=2000)


def spans_of(rows: Iterable[models.Model], value_fields: tuple[str, ...]) -> list[Span]:
    return [Span(r.valid_from, r.valid_to, tuple(getattr(r, f) for f in value_fields), r.pk) for r in rows]


def describe_altered(altered: tuple[datetime.date, datetime.date | None] | None) -> str:
    """ "2026-10-01–2026-10-31" or "från 2026-10-01" for a change that still holds."""
    if altered is None:
        return ""
    start, end = altered
    if end is None:
        return f"från {start.isoformat()}"
    return f"{start.isoformat()}–{(end - datetime.timedelta(days=1)).isoformat()}"


# The results app tells which dates have stored results (it sits above this one: apps depend one way).
_stored_dates: Callable[[dict], list[datetime.date]] | None = None


def register_stored_dates(function: Callable[[dict], list[datetime.date]]) -> None:
    global _stored_dates
    _stored_dates = function


def correction_text(altered: dict, valid_from: datetime.date | None) -> str:
    """What a change from a date does to stored dates, in Swedish, for an import's summary and a form's
    message: "" unless it is a correction — a date given before today, or stored results it alters (a
    unit's first facts, which hold from the beginning, alter nothing stored unless results exist)."""
    if not altered:
        return ""
    start = min(a for a, _ in altered.values())
    dates = _stored_dates(altered) if _stored_dates else []
    given_past = valid_from is not None and valid_from < today()
    if not dates and not given_past:
        return ""
    units = len(altered)
    words = f"gäller från {start.isoformat()}"
    if not dates:
        return f"{words} (inga sparade resultat berörs)"
    span = dates[0].isoformat() if len(dates) == 1 else f"{dates[0].isoformat()}–{dates[-1].isoformat()}"
    stored = f"{len(dates)} {'sparat' if len(dates) == 1 else 'sparade'} datum"
    whom = f"{units} {'enhet' if units == 1 else 'enheter'}"
    return f"{words} (rättelse: {stored}, {span}, räknas om för {whom})"
