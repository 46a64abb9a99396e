"""The one write path for single facts: validate, save only what changed, audit old → new, and tell the
engine which units the change touches.

Each app's `services.py` names its keyword-only services (`offering_save(*, offering, actor)`, …) and says
which units a change touches; this module does the rest the same way for all of them. Files go through the
import framework instead (`servicelevel/importing/run.py`), which validates with the same model rules,
writes in bulk, audits the file and notifies once.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction

from .audit import audit
from .signals import notify_facts_changed

# Given the row as stored before (None for a new one) and as it is now (None after a delete): the units
# whose judgement may change (None = every unit).
Touches = Callable[[models.Model | None, models.Model | None], set[int] | None]


@dataclass
class Saved:
    """What a save did: `created`, the changed fields with (old, new), the units it touched and, for a
    fact kept over time, `altered`: unit id → (first, end exclusive) of the dates it changed
    (servicelevel/validity.py; a form's message says a correction with `correction_text`)."""

    obj: models.Model
    created: bool = False
    changes: dict[str, tuple] = field(default_factory=dict)
    unit_ids: set[int] | None = field(default_factory=set)
    altered: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def plain(value):
    """A value as the audit trail keeps it (JSON): dates as ISO text, decimals as text."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def plain_changes(changes: dict[str, tuple]) -> dict[str, list]:
    """{field: (old, new)} as the audit trail keeps it."""
    return {k: [plain(a), plain(b)] for k, (a, b) in changes.items()}


def _concrete_fields(obj: models.Model) -> list[models.Field]:
    return [f for f in obj._meta.concrete_fields if not f.primary_key]


def field_values(obj: models.Model) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in _concrete_fields(obj)}


def describe(obj: models.Model) -> str:
    """The id the audit trail names an object by: a natural key where the model has one."""
    for name in ("hsa_id", "exemption_id", "code", "case_id"):
        if hasattr(obj, name) and getattr(obj, name):
            return str(getattr(obj, name))[:100]
    return str(obj.pk)


def save_fact(
    obj: models.Model,
    *,
    actor,
    touches: Touches,
    exclude_validation: list[str] | None = None,
    same_day_field: str | None = None,
    extra: dict | None = None,
) -> Saved:
    """Validate `obj` (field rules, the model's `clean()` with its cross-record rules, constraints), then
    create it or save the fields that differ from the stored row, audit, and notify on commit.

    Raises django.core.exceptions.ValidationError and writes nothing when a rule is broken."""
    obj.full_clean(exclude=exclude_validation)
    model = type(obj)
    label = model._meta.model_name
    with transaction.atomic():
        before = model.objects.select_for_update().filter(pk=obj.pk).first() if obj.pk else None
        if before is None:
            obj.save(force_insert=obj.pk is None)
            saved = Saved(obj, created=True, changes={k: (None, v) for k, v in field_values(obj).items()})
        else:
            old, new = field_values(before), field_values(obj)
            changes = {k: (old[k], new[k]) for k in new if old[k] != new[k]}
            if not changes:
                return Saved(obj)
            obj.save(update_fields=[obj._meta.get_field(k).name for k in changes])
            saved = Saved(obj, changes=changes)
        saved.unit_ids = touches(before, obj)
        audit(
            action=f"{label}_{'created' if saved.created else 'changed'}",
            object_type=label,
            object_id=describe(obj),
            actor=actor,
            detail={"changes": plain_changes(saved.changes), **(extra or {})},
        )
        same_day = (
            {obj.pk} if same_day_field and not saved.created and same_day_field in saved.changes else set()
        )
        notify_facts_changed(unit_ids=saved.unit_ids, same_day_changed=same_day)
    return saved


def delete_fact(obj: models.Model, *, actor, touches: Touches) -> set[int] | None:
    """Delete `obj`, audit what it was, and notify the units it touched (computed before and after)."""
    label = type(obj)._meta.model_name
    with transaction.atomic():
        before_units = touches(obj, None)
        gone = {k: plain(v) for k, v in field_values(obj).items()}
        object_id = describe(obj)
        obj.delete()
        after_units = touches(None, obj)
        units = None if before_units is None or after_units is None else before_units | after_units
        audit(action=f"{label}_deleted", object_type=label, object_id=object_id, actor=actor, detail=gone)
        notify_facts_changed(unit_ids=units)
    return units


# Common answers to "which units does this change touch".


def unit_of(before, after) -> set[int]:
    """Facts that belong to one unit (offerings, booking figures, cases): the unit before and after."""
    return {o.unit_id for o in (before, after) if o is not None}


def every_unit(before, after) -> None:
    """Rulebook facts (periods, requirements, the catalogue): any unit may be judged differently."""
    return None


def no_unit(before, after) -> set[int]:
    """Facts the engine does not read (names of areas and providers)."""
    return set()
