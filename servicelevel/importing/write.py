"""Generic all-or-nothing writers: upsert on a natural key, and replace-per-unit. Both compare before
writing, so importing the same file twice changes nothing the second time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models

from .base import Counts

BATCH = 2000


@dataclass
class Upserted:
    counts: Counts
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    deleted_keys: list = field(default_factory=list)

    def unit_ids(self) -> set[int]:
        ids = {o.unit_id for o in self.created} | {o.unit_id for o in self.updated}
        return ids | {k[0] for k in self.deleted_keys}


def _key(obj_or_dict, key_fields):
    if isinstance(obj_or_dict, dict):
        return tuple(obj_or_dict[f] for f in key_fields)
    return tuple(getattr(obj_or_dict, f) for f in key_fields)


def upsert(
    model: type[models.Model],
    records: list[dict],
    key_fields: tuple[str, ...],
    existing: Iterable[models.Model],
) -> Upserted:
    """Create what is new, update what differs, count what is the same. `records` hold model field
    values (ids for foreign keys, e.g. `unit_id`); `existing` is the rows the records may match."""
    by_key = {_key(o, key_fields): o for o in existing}
    result = Upserted(Counts())
    changed_fields: set[str] = set()
    for record in records:
        obj = by_key.get(_key(record, key_fields))
        if obj is None:
            result.created.append(model(**record))
            continue
        diff = [name for name, value in record.items() if getattr(obj, name) != value]
        if diff:
            for name in diff:
                setattr(obj, name, record[name])
            changed_fields.update(diff)
            result.updated.append(obj)
        else:
            result.counts.unchanged += 1
    model.objects.bulk_create(result.created, batch_size=BATCH)
    if result.updated:
        model.objects.bulk_update(result.updated, sorted(changed_fields), batch_size=BATCH)
    result.counts.created = len(result.created)
    result.counts.updated = len(result.updated)
    return result


def replace_per_unit(model: type[models.Model], records: list[dict], key_fields: tuple[str, ...]) -> Upserted:
    """For every unit in `records`, make its rows exactly the records' rows (key_fields[0] is `unit_id`);
    units not in the records are left as they are."""
    assert key_fields[0] == "unit_id"
    unit_ids = {r["unit_id"] for r in records}
    existing = list(model.objects.filter(unit_id__in=unit_ids))
    wanted = {_key(r, key_fields) for r in records}
    stale = [o for o in existing if _key(o, key_fields) not in wanted]
    result = upsert(model, records, key_fields, [o for o in existing if _key(o, key_fields) in wanted])
    if stale:
        model.objects.filter(pk__in=[o.pk for o in stale]).delete()
    result.deleted_keys = [_key(o, key_fields) for o in stale]
    result.counts.deleted = len(stale)
    return result


def existing_by(model: type[models.Model], field_name: str, values: Iterable, chunk: int = 5000) -> list:
    """Rows whose `field_name` is in `values`, fetched in chunks (databases cap the parameters)."""
    values = list(values)
    rows: list = []
    for start in range(0, len(values), chunk):
        rows.extend(model.objects.filter(**{f"{field_name}__in": values[start : start + chunk]}))
    return rows
