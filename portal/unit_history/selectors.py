"""A unit's facts over time (docs/portal-units.md "Historik" and "Jämför två datum"): every recorded change
of its attributes, offerings and role holders, newest first, with the audit entries that name the unit and
the recompute a correction set off; and the unit on two dates side by side. Both in a fixed number of
queries, whatever the number of versions (asserted in tests/portal/test_unit_history.py).

Only reads: the versions are written by units/history.py through the services and importers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from compliance.engine.types import STATUS_LABELS
from compliance.models import RecomputeJob, RequirementResult, UnitResult
from portal.units.selectors import level_label
from servicelevel.audit import action_label, object_type_label
from servicelevel.audit_words import person_name
from servicelevel.models import AuditEntry
from servicelevel.validity import BEGINNING, valid_on
from units.history import units_on
from units.models import UNIT_FACT_FIELDS, AdminRole, CareUnit, CareUnitVersion, Offering, Provider

# What a change did, in the words of both pages (a column of its own, never colour alone).
ADDED, CHANGED, REMOVED, FIRST = "Tillagd", "Ändrad", "Borttagen", "Första uppgifter"
NEW = "Ny"  # the comparison's word for a row only the later date has
NOBODY = "system/import"  # a version recorded without a person: an import from the command line, a task
AUDIT_SHOWN = 100  # the newest audit entries of the unit on the page (the audit trail has them all)
RECENT_DAYS = 7  # finished recomputes shown as a line for this long


def _label(model, name: str) -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


def _yes_no(value: bool) -> str:
    return "Ja" if value else "Nej"


def unit_value(unit_version, name: str) -> str:
    """A unit attribute's value in words (the unit row or a CareUnitVersion, its FKs read with it)."""
    if name in ("forvaltning", "vardomrade"):
        return getattr(unit_version, name).name
    if name == "provider":
        provider = unit_version.provider
        return provider.name if provider else "Regionen (regiondriven)"
    if name == "profile":
        return unit_version.profile or "– (enhetstypens profil)"
    value = getattr(unit_version, name)
    if isinstance(value, bool):
        return _yes_no(value)
    choices = dict(CareUnit._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


def offering_name(o: Offering) -> str:
    """ "Tjänst KONTAKT" — the fact an offering's versions are versions of (kind and code)."""
    return f"{o.get_kind_display()} {o.code}"


def offering_values(o: Offering) -> dict[str, str]:
    """An offering version's values (Offering.VALUES) in words, by their Swedish field names."""
    entry = o.catalogue_service or o.catalogue_template or o.catalogue_channel
    return {
        _label(Offering, "variant"): o.get_variant_display(),
        _label(Offering, "is_open"): _yes_no(o.is_open),
        "Namn i katalogen": entry.name if entry else "– (lokal)",
    }


def offering_text(o: Offering) -> str:
    """One version in a line: "Regional: Kontaktkort, öppen för invånare"."""
    entry = o.catalogue_service or o.catalogue_template or o.catalogue_channel
    name = f": {entry.name}" if entry else ""
    return f"{o.get_variant_display()}{name}, {'öppen' if o.is_open else 'stängd'} för invånare"


def role_name(r: AdminRole) -> str:
    return f"{r.get_role_display()}: {r.person_label}"


def _who(user) -> str:
    return person_name(user) if user is not None else NOBODY


# --- Historik ----------------------------------------------------------------------------------------


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
    facts that carry its id (a new or removed offering, role, booking figures, exemption: the unit id in
    the detail's changes or, for a removal, in the detail itself). A file's import names no unit."""
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
            details=tuple(f"{_label(CareUnit, n)}: {unit_value(first, n)}" for n in UNIT_FACT_FIELDS),
            recorded_at=None,
            recorded_by="–",
        )
    )
    for before, after in zip(chain, chain[1:], strict=False):
        details = tuple(
            f"{_label(CareUnit, n)}: {unit_value(before, n)} → {unit_value(after, n)}"
            for n in UNIT_FACT_FIELDS
            if unit_value(before, n) != unit_value(after, n)
        )
        if not details:
            continue
        entry = audited.get(after.valid_from.isoformat())
        if entry is not None:
            at, by = timezone.localtime(entry.at), _actor(entry)
        else:
            at, by = timezone.localtime(before.recorded_at), _who(before.recorded_by)
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
            recorded = (timezone.localtime(row.recorded_at), _who(row.recorded_by))
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
    label = object_type_label(e.object_type)
    # A natural key (an HSA-id, a code) names the object; a row id (a role's) says nothing to a reader.
    named = e.object_id and not e.object_id.isdigit()
    return AuditLine(
        at=timezone.localtime(e.at),
        action_label=action_label(e.action),
        object_label=f"{label}: {e.object_id}" if named else label,
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


# --- Jämför två datum --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    label: str
    before: str  # "" when the fact did not hold on the first date
    after: str
    difference: str  # "", CHANGED, NEW, REMOVED
    before_status: str = ""  # a stored requirement status (for the badge), else ""
    after_status: str = ""


@dataclass(frozen=True)
class Comparison:
    unit: CareUnit
    first: datetime.date
    second: datetime.date
    known_first: bool  # the unit's attributes are known on the date (a unit first imported later is not)
    known_second: bool
    attributes: list[CompareRow]
    offerings: list[CompareRow]
    roles: list[CompareRow]
    results: list[CompareRow]
    stored_first: bool  # results are stored for the unit on the date
    stored_second: bool

    @property
    def differences(self) -> int:
        rows = [*self.attributes, *self.offerings, *self.roles, *self.results]
        return sum(1 for r in rows if r.difference)


def _difference(before, after) -> str:
    if before == after:
        return ""
    if before is None:
        return NEW
    if after is None:
        return REMOVED
    return CHANGED


def compare_dates(unit: CareUnit, first: datetime.date, second: datetime.date) -> Comparison:
    """The unit on two dates: its attributes (units_on), its offerings and role holders valid each day,
    and its stored results. Eight queries (units_on twice, the offerings and the roles of both days, the
    two days' results and their requirements), and one more for the vårdgivare's names when either day
    has one."""
    on = {}
    for day in (first, second):
        found = units_on(day, [unit.pk])
        on[day] = found[0][2] if found else None
    provider_ids = {u.provider_id for u in on.values() if u is not None and u.provider_id}
    providers = Provider.objects.in_bulk(list(provider_ids)) if provider_ids else {}
    for u in on.values():  # the names read together (units_on reads förvaltning and vårdområde with them)
        if u is not None:
            u.provider = providers.get(u.provider_id) if u.provider_id else None

    def attribute(day, name):
        return unit_value(on[day], name) if on[day] is not None else None

    attributes = [
        _row(_label(CareUnit, n), attribute(first, n), attribute(second, n)) for n in UNIT_FACT_FIELDS
    ]

    either = Q(valid_on(first)) | Q(valid_on(second))
    offerings = Offering.versions.filter(either, unit=unit).select_related(
        "catalogue_service", "catalogue_template", "catalogue_channel"
    )
    offered = _by_day(offerings, (first, second), key=lambda o: (o.kind, o.code))
    offering_rows = []
    for fact in sorted(set(offered[first]) | set(offered[second])):
        a, b = offered[first].get(fact), offered[second].get(fact)
        shown = a or b
        offering_rows.append(
            _row(
                offering_name(shown),
                offering_text(a) if a else None,
                offering_text(b) if b else None,
            )
        )
    roles = AdminRole.versions.filter(either, unit=unit).with_person_names()
    held = _by_day(roles, (first, second), key=lambda r: (r.get_role_display(), r.person_id))
    role_rows = []
    for fact in sorted(set(held[first]) | set(held[second])):
        a, b = held[first].get(fact), held[second].get(fact)
        role_rows.append(_row(role_name(a or b), "Innehar" if a else None, "Innehar" if b else None))

    results = {}
    for r in UnitResult.objects.filter(unit=unit, as_of__in=[first, second]).order_by("id"):
        results[r.as_of] = r  # the latest stored for the date (as the unit page reads it)
    statuses = defaultdict(dict)
    chosen = {r.pk: day for day, r in results.items()}
    requirement_rows = RequirementResult.objects.filter(
        unit_result__unit=unit, unit_result__as_of__in=[first, second]
    ).select_related("requirement")
    order = {}
    for rr in requirement_rows:
        day = chosen.get(rr.unit_result_id)
        if day is None:
            continue
        code = rr.requirement.code
        statuses[day][code] = rr.status
        order.setdefault(code, (rr.requirement.order, code, rr.requirement.name))
    result_rows = []
    if first in results or second in results:

        def level(day):
            r = results.get(day)
            return level_label(r.booking_level, r.booking_level_with_exemptions) if r else None

        both = first in results and second in results
        result_rows.append(_row("Tidbokningsnivå", level(first), level(second), judged=both))
        for _order, code, name in sorted(order.values()):
            a, b = statuses[first].get(code), statuses[second].get(code)
            row = _row(
                f"{code} {name}",
                STATUS_LABELS.get(a, a) if a else None,
                STATUS_LABELS.get(b, b) if b else None,
                judged=both,
            )
            result_rows.append(CompareRow(row.label, row.before, row.after, row.difference, a or "", b or ""))
    return Comparison(
        unit=unit,
        first=first,
        second=second,
        known_first=on[first] is not None,
        known_second=on[second] is not None,
        attributes=attributes,
        offerings=offering_rows,
        roles=role_rows,
        results=result_rows,
        stored_first=first in results,
        stored_second=second in results,
    )


def _row(label: str, before, after, *, judged: bool = True) -> CompareRow:
    """A row of the comparison (None: the fact did not hold on that date). `judged` False: a date has no
    stored results, so no difference is claimed for them."""
    return CompareRow(label, before or "", after or "", _difference(before, after) if judged else "")


def _by_day(rows, days, *, key) -> dict[datetime.date, dict]:
    """Versions of facts read for two days at once, split per day: {day: {fact: version}}."""
    out = {day: {} for day in days}
    for row in rows:
        for day in days:
            if row.valid_from <= day and (row.valid_to is None or day < row.valid_to):
                out[day][key(row)] = row
    return out
