"""Services for the action plan: every change to targets, activities, progress notes, phase-out plans and
obstacle reports goes through one keyword-only function here that validates (`full_clean`, the model's
`clean()` with the rules of `actionplan/rules.py`), saves only what changed and audits old → new
(`servicelevel.writes.save_fact` / `delete_fact`). Only targets are read by the engine, so only they
tell it which units to recompute; the rest touch no unit.

Who may make a change is the view's question (`units.permissions`), asked before a service is called.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from servicelevel.audit import audit
from servicelevel.writes import Saved, delete_fact, no_unit, save_fact
from units.models import CareUnit

from .models import Activity, ActivityNote, Obstacle, PhaseOut, Target
from .rules import units_outside_scope_problem

# --- Targets (read by the engine) ------------------------------------------------------------------------


def target_save(*, target: Target, actor) -> Saved:
    return save_fact(target, actor=actor, touches=area_units)


def target_delete(*, target: Target, actor) -> None:
    delete_fact(target, actor=actor, touches=area_units)


def area_units(before, after) -> set[int]:
    """A target applies to every unit of its vårdområde (before and after an edit)."""
    areas = {t.vardomrade_id for t in (before, after) if t is not None}
    return set(CareUnit.objects.filter(vardomrade_id__in=areas).values_list("id", flat=True))


# --- Links (many-to-many), audited like fields -------------------------------------------------------------


def _set_links(obj, field: str, ids: Iterable[int] | None) -> tuple[list, list] | None:
    """Replace the links of `obj.<field>` with `ids` (None: leave them); (old, new) sorted ids if changed."""
    if ids is None:
        return None
    manager = getattr(obj, field)
    old = sorted(manager.values_list("pk", flat=True))
    new = sorted(set(ids))
    if old == new:
        return None
    manager.set(new)
    return old, new


def _audit_links(obj, label: str, object_id: str, changes: dict, actor, created: bool) -> None:
    if changes:
        audit(
            action=f"{label}_{'created' if created else 'changed'}_links",
            object_type=label,
            object_id=object_id,
            actor=actor,
            detail={"links": {k: [old, new] for k, (old, new) in changes.items()}},
        )


# --- Activities ------------------------------------------------------------------------------------------


def activity_save(
    *,
    activity: Activity,
    actor,
    requirements: Iterable[int] | None = None,
    units: Iterable[int] | None = None,
    exemptions: Iterable[int] | None = None,
) -> Saved:
    """Create or change an activity and (when given) replace its linked requirements, units and exemptions
    (ids). A vårdområde's activity takes the area's förvaltning; linked units must lie in the activity's
    scope. Raises ValidationError and writes nothing when a rule is broken."""
    if activity.vardomrade_id is not None:
        activity.forvaltning_id = activity.vardomrade.forvaltning_id
    if activity.pk is None and activity.created_by_id is None and actor is not None:
        activity.created_by = actor
    if units is not None:
        units = set(units)
        rows = CareUnit.objects.filter(pk__in=units).values_list("forvaltning_id", "vardomrade_id")
        problem = units_outside_scope_problem(
            forvaltning_id=activity.forvaltning_id, vardomrade_id=activity.vardomrade_id, unit_scopes=rows
        )
        if problem:
            raise ValidationError({"units": problem})
    with transaction.atomic():
        saved = save_fact(activity, actor=actor, touches=no_unit)
        links = {
            name: change
            for name, ids in (("requirements", requirements), ("units", units), ("exemptions", exemptions))
            if (change := _set_links(activity, name, ids)) is not None
        }
        _audit_links(activity, "activity", str(activity.pk), links, actor, saved.created)
    return saved


def activity_delete(*, activity: Activity, actor) -> None:
    delete_fact(activity, actor=actor, touches=no_unit)


def activity_note_add(
    *, activity: Activity, text: str, actor, written_on: datetime.date | None = None
) -> Saved:
    """A dated progress note on an activity (today by default); notes are added, never edited."""
    note = ActivityNote(
        activity=activity, text=text.strip(), written_on=written_on or timezone.localdate(), author=actor
    )
    return save_fact(note, actor=actor, touches=no_unit)


# --- Phase-out of local services and templates (§2.2) -----------------------------------------------------


def phase_out_save(*, phase_out: PhaseOut, actor) -> Saved:
    return save_fact(phase_out, actor=actor, touches=no_unit)


def phase_out_delete(*, phase_out: PhaseOut, actor) -> None:
    delete_fact(phase_out, actor=actor, touches=no_unit)


# --- Obstacles (hinder, §2.1.2) --------------------------------------------------------------------------


def obstacle_report(*, obstacle: Obstacle, actor) -> Saved:
    """A new obstacle report from a vårdområde: open, unanswered, reported by `actor`."""
    if obstacle.pk is not None:
        raise ValidationError("Ett hinder rapporteras en gång; Koncernstab kommunikation besvarar det.")
    obstacle.reported_by = actor
    obstacle.status = Obstacle.Status.OPEN
    obstacle.answer, obstacle.answered_by, obstacle.answered_at = "", None, None
    return save_fact(obstacle, actor=actor, touches=no_unit)


def obstacle_answer(
    *,
    obstacle: Obstacle,
    answer: str,
    status: str,
    actor,
    activities: Iterable[int] | None = None,
) -> Saved:
    """Koncernstab's answer (or a changed one): the text, answered or closed, and the linked activities."""
    if status not in (Obstacle.Status.ANSWERED, Obstacle.Status.CLOSED):
        raise ValidationError({"status": "Ett svar markerar hindret som besvarat eller avslutat."})
    stored = Obstacle.objects.filter(pk=obstacle.pk).values_list("answer", "status").first()
    obstacle.answer = answer.strip()
    obstacle.status = status
    if stored != (obstacle.answer, obstacle.status):  # who answered is whoever last changed the answer
        obstacle.answered_by = actor
        obstacle.answered_at = timezone.now()
    with transaction.atomic():
        saved = save_fact(obstacle, actor=actor, touches=no_unit)
        change = _set_links(obstacle, "activities", activities)
        _audit_links(
            obstacle, "obstacle", str(obstacle.pk), {"activities": change} if change else {}, actor, False
        )
    return saved
