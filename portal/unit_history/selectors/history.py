"""A unit's history (/enheter/<hsa_id>/historik/): every recorded change of its attributes, offerings
and role holders, newest first, from their versions (units/history.py writes them through the services
and importers), with the audit entries that name the unit and the recomputes a correction set off. Six
queries whatever the number of versions (asserted in tests/portal/test_unit_history.py)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from compliance.models import RecomputeJob
from servicelevel.audit import action_label, object_type_label
from servicelevel.audit_words import person_name
from servicelevel.models import AuditEntry
from servicelevel.validity import BEGINNING
from units.models import UNIT_FACT_FIELDS, AdminRole, CareUnit, CareUnitVersion, Offering

from .words import (
    ADDED,
    CHANGED,
    FIRST,
    REMOVED,
    label,
    offering_name,
    offering_values,
    role_name,
    unit_value,
    who,
)

AUDIT_SHOWN = 100  # the newest audit entries of the unit on the page (the audit trail has them all)
RECENT_DAYS = 7  # finished recomputes shown as a line for this long


@dataclass(frozen=True)
class Change:
    """One change of one fact from one date."""

    valid_from: datetime.date
    subject: str  # "Enhetens uppgifter", "Utbud", "Administrativ roll"
    what: str  # the fact: "" for the unit's attributes, "Tjänst KONTAKT", "Lokal administratör: …"
    change: str  # ADDED, CHANGED, REMOVED, FIRST
    details: tuple[str, ...]  # "Vårdområde: Primärvård Sydväst → Primärvård Nordost", …
    recorded_at: datetime.datetime | None  # local time; None when nothing says when
    recorded_by: str  # a person's name, NOBODY, or "–" when nothing says who

    @property
    def from_beginning(self) -> bool:
        """The first facts the portal learnt, holding from before anything else is known."""
        return self.valid_from == BEGINNING


@dataclass(frozen=True)
class AuditLine:
    at: datetime.datetime
    action_label: str
    object_label: str
    actor: str
    valid_from: str  # the detail's "valid_from" (ISO date), "" when none
    correction: str  # the detail's "correction" text, "" when none


@dataclass(frozen=True)
class JobLine:
    """A recompute of stored results that covers the unit."""

    status: str
    status_label: str
    since: datetime.date
    done: int
    total: int
    percent: int
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    message: str

    @property
    def running(self) -> bool:
        return self.status in (RecomputeJob.Status.QUEUED, RecomputeJob.Status.RUNNING)


@dataclass(frozen=True)
class UnitHistory:
    unit: CareUnit
    changes: list[Change]
    audit: list[AuditLine]
    audit_more: bool  # more entries than AUDIT_SHOWN name the unit
    jobs: list[JobLine] = field(default_factory=list)

    @property
    def running_jobs(self) -> list[JobLine]:
        return [j for j in self.jobs if j.running]

    @property
    def finished_jobs(self) -> list[JobLine]:
        return [j for j in self.jobs if not j.running]


def audit_of_unit(unit: CareUnit) -> Q:
    """The audit entries that name the unit: its own (object type careunit, by HSA-id) and those of its
    facts that carry its id (every offering and role entry has `unit_id` in its detail; new booking
    figures and exemptions have it in their changes, removed ones in the detail). A file's import names
    no unit."""
    return (
        Q(object_type="careunit", object_id=unit.hsa_id)
        | Q(detail__changes__unit_id__0=unit.pk)
        | Q(detail__changes__unit_id__1=unit.pk)
        | Q(detail__unit_id=unit.pk)
    )


def unit_history(unit: CareUnit) -> UnitHistory:
    """Everything /enheter/<hsa_id>/historik/ shows, in six queries: the unit with its organisation, its
    earlier versions, its offerings' and role holders' versions (with the people who recorded them), the
    audit entries that name it, and the recompute jobs of the last week."""
    unit = CareUnit.objects.select_related("forvaltning", "vardomrade", "provider").get(pk=unit.pk)
    versions = list(
        CareUnitVersion.objects.filter(unit=unit)
        .select_related("forvaltning", "vardomrade", "provider", "recorded_by")
        .order_by("valid_from")
    )
    offerings = list(
        Offering.versions.filter(unit=unit)
        .select_related("catalogue_service", "catalogue_template", "catalogue_channel", "recorded_by")
        .order_by("kind", "code", "valid_from")
    )
    roles = list(
        AdminRole.versions.filter(unit=unit)
        .with_person_names()
        .select_related("recorded_by")
        .order_by("role", "person_id", "valid_from")
    )
    entries = list(
        AuditEntry.objects.filter(audit_of_unit(unit))
        .select_related("actor")
        .order_by("-at", "-id")[: AUDIT_SHOWN + 1]
    )
    removals = _removals(entries)
    changes = [
        *_unit_changes(unit, versions, entries),
        *_set_changes(
            offerings,
            key=lambda o: (o.kind, o.code),
            name=offering_name,
            values=offering_values,
            subject="Utbud",
            removals=removals,
            action="offering_deleted",
        ),
        *_set_changes(
            roles,
            key=lambda r: (r.person_id, r.role),
            name=role_name,
            values=lambda r: {},
            subject="Administrativ roll",
            removals=removals,
            action="adminrole_deleted",
        ),
    ]
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    changes.sort(key=lambda c: c.recorded_at or never, reverse=True)
    changes.sort(key=lambda c: c.valid_from, reverse=True)  # stable: newest date first, then newest recorded
    return UnitHistory(
        unit=unit,
        changes=changes,
        audit=[_audit_line(e) for e in entries[:AUDIT_SHOWN]],
        audit_more=len(entries) > AUDIT_SHOWN,
        jobs=_jobs(unit),
    )


def _unit_changes(unit: CareUnit, versions: list[CareUnitVersion], entries: list[AuditEntry]) -> list[Change]:
    """Between consecutive versions of the unit's attributes, the fields that changed, old → new. When
    and by whom: the unit's own audit entry for a change from that date where there is one (a form, the
    admin), else the version that ended there (its row was written when the change was recorded: an
    import names no unit in the trail)."""
    audited = {}
    for e in entries:  # newest first: the latest entry for a date wins
        if e.object_type == "careunit" and isinstance(e.detail, dict) and e.detail.get("valid_from"):
            audited.setdefault(e.detail["valid_from"], e)
    chain = [*versions, unit]
    out = []
    first = chain[0]
    out.append(
        Change(
            valid_from=first.valid_from,
            subject="Enhetens uppgifter",
            what="",
            change=FIRST,
            details=tuple(f"{label(CareUnit, n)}: {unit_value(first, n)}" for n in UNIT_FACT_FIELDS),
            recorded_at=None,
            recorded_by="–",
        )
    )
    for before, after in zip(chain, chain[1:], strict=False):
        details = tuple(
            f"{label(CareUnit, n)}: {unit_value(before, n)} → {unit_value(after, n)}"
            for n in UNIT_FACT_FIELDS
            if unit_value(before, n) != unit_value(after, n)
        )
        if not details:
            continue
        entry = audited.get(after.valid_from.isoformat())
        if entry is not None:
            at, by = timezone.localtime(entry.at), _actor(entry)
        else:
            at, by = timezone.localtime(before.recorded_at), who(before.recorded_by)
        out.append(
            Change(
                valid_from=after.valid_from,
                subject="Enhetens uppgifter",
                what="",
                change=CHANGED,
                details=details,
                recorded_at=at,
                recorded_by=by,
            )
        )
    return out


def _removals(entries: list[AuditEntry]) -> dict[tuple, AuditEntry]:
    """The audit entries of removed offerings and roles, by (action, fact key, from date)."""
    found = {}
    for e in entries:
        detail = e.detail if isinstance(e.detail, dict) else {}
        if e.action == "offering_deleted":
            key = (detail.get("kind"), detail.get("code"))
        elif e.action == "adminrole_deleted":
            key = (detail.get("person_id"), detail.get("role"))
        else:
            continue
        found.setdefault((e.action, key, detail.get("valid_from")), e)
    return found


def _set_changes(rows, *, key, name, values, subject: str, removals: dict, action: str) -> list[Change]:
    """Per fact (one offering, one role), its versions in date order: the first added, each next that
    starts where the one before ended changed (the fields that differ), one that starts after a gap added
    again; a version that ends with nothing after it removed."""
    facts = defaultdict(list)
    for row in rows:
        facts[key(row)].append(row)
    out = []
    for fact, versions in facts.items():
        versions.sort(key=lambda r: r.valid_from)
        previous = None
        for row in versions:
            recorded = (timezone.localtime(row.recorded_at), who(row.recorded_by))
            now = values(row)
            if previous is not None and previous.valid_to == row.valid_from:
                before = values(previous)
                details = tuple(f"{k}: {before[k]} → {v}" for k, v in now.items() if before.get(k) != v)
                if details:
                    out.append(Change(row.valid_from, subject, name(row), CHANGED, details, *recorded))
            else:
                details = tuple(f"{k}: {v}" for k, v in now.items())
                out.append(Change(row.valid_from, subject, name(row), ADDED, details, *recorded))
            previous = row
        last = versions[-1]
        if last.valid_to is not None:
            entry = removals.get((action, fact, last.valid_to.isoformat()))
            at, by = (timezone.localtime(entry.at), _actor(entry)) if entry else (None, "–")
            out.append(Change(last.valid_to, subject, name(last), REMOVED, (), at, by))
        for row, following in zip(versions, versions[1:], strict=False):
            if row.valid_to is not None and row.valid_to != following.valid_from:  # ended, later again
                entry = removals.get((action, fact, row.valid_to.isoformat()))
                at, by = (timezone.localtime(entry.at), _actor(entry)) if entry else (None, "–")
                out.append(Change(row.valid_to, subject, name(row), REMOVED, (), at, by))
    return out


def _actor(entry: AuditEntry) -> str:
    if entry.actor_id and entry.actor is not None:
        return person_name(entry.actor)
    return entry.actor_label or "system"


def _audit_line(e: AuditEntry) -> AuditLine:
    detail = e.detail if isinstance(e.detail, dict) else {}
    kind = object_type_label(e.object_type)
    # A natural key (an HSA-id, a code) names the object; a row id (a role's) says nothing to a reader.
    named = e.object_id and not e.object_id.isdigit()
    return AuditLine(
        at=timezone.localtime(e.at),
        action_label=action_label(e.action),
        object_label=f"{kind}: {e.object_id}" if named else kind,
        actor=_actor(e),
        valid_from=str(detail.get("valid_from") or ""),
        correction=str(detail.get("correction") or ""),
    )


def _jobs(unit: CareUnit) -> list[JobLine]:
    """Queued and running recomputes that cover the unit, and those finished in the last week (one
    query; a job's units are a JSON list, read here rather than searched in SQL, which SQLite cannot)."""
    Status = RecomputeJob.Status
    recent = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    rows = RecomputeJob.objects.filter(
        Q(status__in=[Status.QUEUED, Status.RUNNING])
        | Q(status__in=[Status.DONE, Status.FAILED], finished_at__gte=recent)
    ).order_by("-created_at", "-id")
    return [
        JobLine(
            status=job.status,
            status_label=job.get_status_display(),
            since=job.since,
            done=job.dates_done,
            total=job.dates_total,
            percent=job.percent,
            created_at=timezone.localtime(job.created_at),
            finished_at=timezone.localtime(job.finished_at) if job.finished_at else None,
            message=job.message,
        )
        for job in rows
        if job.covers(unit.pk)
    ]
