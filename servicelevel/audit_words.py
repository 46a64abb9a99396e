"""The audit trail in people's words: an entry's changes named by the model's Swedish field names, values
by their labels (a status "approved" reads "Godkänt", a unit id reads its HSA-id, a person id the
person's name), and who did it by name.

The stored entry keeps the codes (field attnames, choice values, ids): they are stable and exports
filter on them; only what people read is translated. References are resolved for a whole page of
entries at once: one query per model referred to, whatever the number of entries."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from .audit import detail_text, shown_value

# Keys an entry's detail may hold that are no model field of its object (the workflow's own words).
EXTRA_NAMES = {
    "body": "beslutande",
    "approved": "godkänt",
    "comment": "kommentar",
    "group": "gemensamt beslut",
    "valid_until_before": "gällde till före",
    "due_on": "uppföljningsdatum",
    "note": "anteckning",
    "follow_up_done_on": "uppföljning gjord",
    "follow_ups": "uppföljningsdatum",
    "links": "kopplingar",
    "services": "tjänster",
    "name": "namn",
    # rulebook versions and drafts (servicelevel/rulebooks.py, servicelevel/rulebook_drafts.py)
    "region": "region",
    "requirements": "krav",
    "new_catalogue_entries": "nya poster i katalogen",
    "source": "källa",
    "from_version": "utgår från",
    "version": "version",
    "change": "ändring",
    "requirement": "krav",
    "parameters": "parametrar",
    "profile": "profil",
    "kind": "slag",
    "channels": "kanaler",
}


def _model(object_type: str) -> type[models.Model] | None:
    return next((m for m in apps.get_models() if m._meta.model_name == object_type), None)


def _field(model, key: str) -> models.Field | None:
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if key in (field.attname, field.name):
            return field
    return None


def person_name(user) -> str:
    """A person as the portal names them: their full name, else their username."""
    return (user.get_full_name() or user.get_username()).strip()


def _natural_key(obj) -> str:
    if isinstance(obj, get_user_model()):
        return person_name(obj)
    for name in ("hsa_id", "exemption_id", "group_id", "code", "case_id"):
        if getattr(obj, name, None):
            return str(getattr(obj, name))
    return str(obj)


def _body_labels() -> dict:
    approval = apps.get_model("exemptions", "ExemptionApproval")
    return dict(approval._meta.get_field("body").flatchoices)


class AuditWords:
    """Swedish for a batch of entries: `detail(entry)` and `actor(entry)`."""

    def __init__(self, entries):
        self.entries = list(entries)
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for entry in self.entries:
            model = _model(entry.object_type)
            for key, value in self._changed_values(entry):
                field = _field(model, key)
                if field is not None and field.many_to_one and value not in (None, ""):
                    wanted[field.related_model].add(value)
        self.names: dict[type[models.Model], dict] = {
            model: {pk: _natural_key(obj) for pk, obj in model._default_manager.in_bulk(list(pks)).items()}
            for model, pks in wanted.items()
        }
        self._bodies = None

    @staticmethod
    def _changed_values(entry):
        changes = entry.detail.get("changes") if isinstance(entry.detail, dict) else None
        if not isinstance(changes, dict):
            return
        for key, pair in changes.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                yield key, pair[0]
                yield key, pair[1]

    def actor(self, entry) -> str:
        """Who did it: the person's name (their username when they have none), or "system"."""
        if entry.actor_id and entry.actor is not None:
            return person_name(entry.actor)
        return entry.actor_label or "system"

    def detail(self, entry) -> str:
        detail = entry.detail
        if not isinstance(detail, dict):
            return str(detail)
        model = _model(entry.object_type)
        changes = detail.get("changes")
        parts = []
        if isinstance(changes, dict):
            for key, pair in changes.items():
                old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
                parts.append(
                    f"{self.name(model, key)}: {self.value(model, key, old)} → {self.value(model, key, new)}"
                )
            rest = {k: v for k, v in detail.items() if k != "changes"}
        elif "summary" in detail or "counts" in detail:
            return detail_text(detail)  # an import's outcome
        else:
            rest = detail
        parts += [f"{self.name(model, key)}: {self.value(model, key, value)}" for key, value in rest.items()]
        return "; ".join(parts)

    def name(self, model, key: str) -> str:
        field = _field(model, key)
        if field is not None:
            return str(field.verbose_name)
        return EXTRA_NAMES.get(key, key)

    def value(self, model, key: str, value) -> str:
        field = _field(model, key)
        if value is None or value == "":
            return "–"
        if key == "body":
            if self._bodies is None:
                self._bodies = _body_labels()
            return str(self._bodies.get(value, value))
        if field is not None:
            if field.many_to_one:
                return self.names.get(field.related_model, {}).get(value, f"(borttagen, id {value})")
            if field.choices:
                return str(dict(field.flatchoices).get(value, value))
            if isinstance(field, models.DecimalField | models.FloatField) and not isinstance(value, bool):
                return str(Decimal(str(value))).replace(".", ",")
        return shown_value(value)
