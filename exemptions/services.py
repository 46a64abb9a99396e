"""State changes of exemptions (avsteg, §2.1.2). One service per transition of the spec's state machine:

    draft → submitted → approved | rejected;  approved → revoked (ended_on);  approved → expired (daily job)

Each service locks the row (`SELECT … FOR UPDATE`), checks the current state and who is asking, saves only
what changed, writes the audit trail (who, what, old → new) and — when the exemption's effect on the
engine can change (approval, revocation) — tells the engine which units to recompute, on commit. A refused
transition raises `Refused` (a ValidationError with a Swedish message) and changes nothing.

Approval takes two decisions by two different people, neither the proposer: Koncernstab kommunikation
first (they prepare the case, §2.1.2 "bereds och beslutas av Koncernstab kommunikation tillsammans med
Avdelningen för hälso- och sjukvårdsstyrning"), then Hälso- och sjukvårdsstyrning. The order is enforced
so that "waiting for whom" always has one answer; either body may reject at any time while the exemption
is submitted.

Common decisions (`ExemptionGroup`, gemensamt beslut) for a whole booking system go through the same
two approvals once; the second approval creates one approved `Exemption` per affected unit and
requirement, linked to the decision, so the engine still reads one unit, one requirement.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from servicelevel.audit import audit
from servicelevel.models import AuditEntry, Requirement
from servicelevel.signals import notify_facts_changed
from servicelevel.writes import Saved, no_unit, save_fact
from units.models import CareUnit
from units.permissions import approval_body, may_change_unit, may_keep_capabilities

from .models import Exemption, ExemptionApproval, ExemptionGroup, ExemptionNumber, FollowUp, SystemCapability

Status = Exemption.Status
Body = ExemptionApproval.Body
FIRST, SECOND = Body.KONCERNSTAB, Body.HS_STYRNING


class Refused(ValidationError):
    """A transition the rules do not allow; the message says why, in Swedish."""


# --- Ids ------------------------------------------------------------------------------------------------


def _next_ids(
    prefix: str, year: int, count: int, *, model=Exemption, field: str = "exemption_id"
) -> list[str]:
    """`count` new ids PREFIX-YEAR-NNNN. The year's counter row is locked until the transaction ends, so
    concurrent proposals wait for each other instead of colliding; an id already used (an imported
    exemption may have any id) is skipped."""
    ExemptionNumber.objects.get_or_create(prefix=prefix, year=year)  # savepoint-safe under a race
    counter = ExemptionNumber.objects.select_for_update().get(prefix=prefix, year=year)
    ids: list[str] = []
    last = counter.last
    while len(ids) < count:
        batch = [f"{prefix}-{year}-{n:04d}" for n in range(last + 1, last + 1 + count - len(ids))]
        taken = set(model.objects.filter(**{f"{field}__in": batch}).values_list(field, flat=True))
        ids += [code for code in batch if code not in taken]
        last += len(batch)
    counter.last = last
    counter.save(update_fields=["last"])
    return ids


# --- Checks shared by proposals -------------------------------------------------------------------------


def _terms_problems(
    *, requirements, valid_from, valid_until, follow_ups: Sequence[datetime.date], submit: bool
) -> dict[str, str]:
    problems = {}
    if not requirements:
        problems["requirements"] = "Välj minst ett krav som avsteget gäller."
    if valid_from is None:
        problems["valid_from"] = "Ange från vilken dag avsteget gäller."
    if valid_until is None:
        problems["valid_until"] = (
            "Ange till och med vilken dag avsteget gäller: ett avsteg är alltid tidsbegränsat."
        )
    elif valid_from is not None and valid_until < valid_from:
        problems["valid_until"] = "Slutdagen ligger före startdagen."
    if valid_from and valid_until and any(not valid_from <= d <= valid_until for d in follow_ups):
        problems["follow_ups"] = "Uppföljningsdatumen ska ligga inom tiden avsteget gäller."
    if submit and not follow_ups:
        problems["follow_ups"] = "Ange minst ett datum då avsteget ska följas upp."
    return problems


def _status_label(status: str) -> str:
    return Status(status).label.lower()


def _locked(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _code(obj) -> str:
    return obj.exemption_id if isinstance(obj, Exemption) else obj.group_id


def _object_type(obj) -> str:
    return "exemption" if isinstance(obj, Exemption) else "exemptiongroup"


def _noun(obj) -> str:
    return (
        f"Avsteg {obj.exemption_id}"
        if isinstance(obj, Exemption)
        else f"Det gemensamma beslutet {obj.group_id}"
    )


def _move(obj, *, to: str, actor, action: str, extra: dict | None = None, **fields) -> None:
    """Conditional UPDATE from the state read under the lock to `to` (plus `fields`), and its audit entry."""
    old = obj.status
    updated = type(obj).objects.filter(pk=obj.pk, status=old).update(status=to, **fields)
    if updated != 1:  # cannot happen under the row lock; never write an audit entry for nothing
        raise Refused(f"{_noun(obj)} ändrades samtidigt av någon annan; ladda om sidan.")
    changes = {"status": [old, to]}
    for name, value in fields.items():
        changes[name] = [_plain(getattr(obj, name)), _plain(value)]
        setattr(obj, name, value)
    obj.status = to
    audit(
        action=action,
        object_type=_object_type(obj),
        object_id=_code(obj),
        actor=actor,
        detail={"changes": changes, **(extra or {})},
    )


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _unit_ids(obj) -> set[int]:
    if isinstance(obj, Exemption):
        return {obj.unit_id}
    return set(obj.exemptions.values_list("unit_id", flat=True))


# --- Single exemptions ------------------------------------------------------------------------------------


def exemption_propose(
    *,
    unit: CareUnit,
    requirements: Iterable[Requirement],
    reason: str,
    justification: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    follow_ups: Iterable[datetime.date] = (),
    proposed_by,
    submit: bool = False,
    today: datetime.date | None = None,
) -> list[Exemption]:
    """One draft exemption per requirement for `unit` (the engine's contract: one unit, one requirement),
    each with the follow-up dates; sent in at once with `submit`. All or nothing."""
    requirements = list(requirements)
    follow_ups = sorted(set(follow_ups))
    problems = _terms_problems(
        requirements=requirements,
        valid_from=valid_from,
        valid_until=valid_until,
        follow_ups=follow_ups,
        submit=submit,
    )
    if reason not in Exemption.Reason.values:
        problems["reason"] = "Välj skäl: patientsäkerhet eller teknisk."
    if not may_change_unit(proposed_by, unit):
        problems["unit"] = "Du kan inte föreslå avsteg för den här enheten."
    if problems:
        raise Refused(problems)
    today = today or timezone.localdate()
    made = []
    with transaction.atomic():
        ids = _next_ids("AV", today.year, len(requirements))
        for code, requirement in zip(ids, requirements, strict=True):
            exemption = Exemption(
                exemption_id=code,
                unit=unit,
                requirement=requirement,
                reason=reason,
                valid_from=valid_from,
                valid_until=valid_until,
                justification=justification,
                proposed_by=proposed_by,
            )
            exemption_draft_save(exemption=exemption, actor=proposed_by)
            FollowUp.objects.bulk_create(FollowUp(exemption=exemption, due_on=d) for d in follow_ups)
            if follow_ups:
                audit(
                    action="exemption_follow_ups_set",
                    object_type="exemption",
                    object_id=code,
                    actor=proposed_by,
                    detail={"changes": {"follow_ups": [[], [d.isoformat() for d in follow_ups]]}},
                )
            if submit:
                exemption_submit(exemption=exemption, actor=proposed_by)
            made.append(exemption)
    return made


def exemption_draft_save(*, exemption: Exemption, actor) -> Saved:
    """A draft's terms (unit, requirement, reason, dates, justification). Once sent in, the terms are
    what the approvers decide on: they change only through the workflow's own services. A draft is never
    active, so saving one changes no result (no recompute)."""
    if (
        exemption.pk
        and Exemption.objects.filter(pk=exemption.pk).exclude(status=Exemption.Status.DRAFT).exists()
    ):
        raise ValidationError(
            "Bara ett utkast kan ändras; ett inskickat eller beslutat avsteg ändras inte här."
        )
    if exemption.status != Exemption.Status.DRAFT:
        raise ValidationError("Ett nytt avsteg börjar som utkast.")
    return save_fact(exemption, actor=actor, touches=no_unit)


@transaction.atomic
def exemption_submit(*, exemption: Exemption, actor) -> Exemption:
    """draft → submitted, by the proposer or someone who may change the unit's facts."""
    e = _locked(exemption)
    if e.status != Status.DRAFT:
        raise Refused(f"{_noun(e)} är {_status_label(e.status)}; bara ett utkast kan skickas in.")
    if not (e.proposed_by_id == actor.pk or may_change_unit(actor, e.unit)):
        raise Refused("Bara den som föreslagit avsteget eller enhetens ansvariga kan skicka in det.")
    if e.valid_until is None:
        raise Refused("Ange till och med vilken dag avsteget gäller innan det skickas in.")
    if not e.follow_ups.exists():
        raise Refused("Ange minst ett datum då avsteget ska följas upp innan det skickas in.")
    _move(e, to=Status.SUBMITTED, actor=actor, action="exemption_submitted")
    exemption.status = e.status
    return e


def exemption_approve(*, exemption: Exemption, decided_by, body: str, comment: str = "") -> Exemption:
    """One body's approval; the second one (HS-styrning, after Koncernstab) makes it approved, turns its
    requirement `exempt` from today and recomputes the unit."""
    return _decide(exemption, decided_by=decided_by, body=body, approved=True, comment=comment)


def exemption_reject(*, exemption: Exemption, decided_by, body: str, reason: str) -> Exemption:
    """submitted → rejected, by either body, with a reason."""
    return _decide(exemption, decided_by=decided_by, body=body, approved=False, comment=reason)


def exemption_revoke(
    *, exemption: Exemption, decided_by, ended_on: datetime.date | None, today: datetime.date | None = None
) -> Exemption:
    """approved → revoked, ended early on `ended_on` (it covers the days before it; results stored for
    earlier dates stay as they were)."""
    return _revoke(exemption, decided_by=decided_by, ended_on=ended_on, today=today)


@transaction.atomic
def follow_up_done(
    *, follow_up: FollowUp, actor, note: str = "", today: datetime.date | None = None
) -> FollowUp:
    """Mark a follow-up as done today, with a note — by an approver or someone who may change the unit."""
    f = FollowUp.objects.select_for_update().select_related("exemption__unit").get(pk=follow_up.pk)
    if not (approval_body(actor) or may_change_unit(actor, f.exemption.unit)):
        raise Refused("Du kan inte följa upp det här avsteget.")
    if f.done_on is not None:
        raise Refused(f"Uppföljningen {f.due_on} är redan gjord ({f.done_on}).")
    done_on = today or timezone.localdate()
    FollowUp.objects.filter(pk=f.pk, done_on__isnull=True).update(done_on=done_on, note=note)
    audit(
        action="exemption_follow_up_done",
        object_type="exemption",
        object_id=f.exemption.exemption_id,
        actor=actor,
        detail={
            "changes": {"follow_up_done_on": [None, done_on.isoformat()]},
            "due_on": f.due_on.isoformat(),
            "note": note,
        },
    )
    f.done_on, f.note = done_on, note
    return f


@transaction.atomic
def expire_exemptions(*, today: datetime.date) -> list[str]:
    """approved → expired for every exemption (and common decision) whose valid_until is before `today`
    (the daily job). Claims with a conditional UPDATE, so two runs at once expire each one once."""
    expired = []
    for model, field in ((Exemption, "exemption_id"), (ExemptionGroup, "group_id")):
        due = list(
            model.objects.select_for_update()
            .filter(status=Status.APPROVED, valid_until__lt=today)
            .values_list("id", field)
        )
        for pk, code in due:
            if model.objects.filter(pk=pk, status=Status.APPROVED).update(status=Status.EXPIRED):
                audit(
                    action=f"{model._meta.model_name}_expired",
                    object_type=model._meta.model_name,
                    object_id=code,
                    detail={"changes": {"status": ["approved", "expired"]}, "valid_until_before": str(today)},
                )
                expired.append(code)
    return expired


exemption_expire = expire_exemptions


# --- Common decisions for a booking system ------------------------------------------------------------


def exemption_group_propose(
    *,
    booking_system: str,
    requirements: Iterable[Requirement],
    justification: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    follow_ups: Iterable[datetime.date] = (),
    proposed_by,
    submit: bool = False,
    today: datetime.date | None = None,
) -> ExemptionGroup:
    """A technical exemption for every unit on `booking_system`, prepared by Koncernstab or HS-styrning."""
    requirements = list(requirements)
    follow_ups = sorted(set(follow_ups))
    problems = _terms_problems(
        requirements=requirements,
        valid_from=valid_from,
        valid_until=valid_until,
        follow_ups=follow_ups,
        submit=submit,
    )
    if booking_system not in CareUnit.BookingSystem.values or booking_system == CareUnit.BookingSystem.INGEN:
        problems["booking_system"] = "Välj ett bokningssystem."
    if approval_body(proposed_by) is None:
        problems["booking_system"] = (
            "Gemensamma beslut för ett bokningssystem bereds av Koncernstab kommunikation eller "
            "Hälso- och sjukvårdsstyrning."
        )
    if problems:
        raise Refused(problems)
    today = today or timezone.localdate()
    with transaction.atomic():
        (code,) = _next_ids("GB", today.year, 1, model=ExemptionGroup, field="group_id")
        group = ExemptionGroup(
            group_id=code,
            booking_system=booking_system,
            valid_from=valid_from,
            valid_until=valid_until,
            justification=justification,
            follow_up_dates=[d.isoformat() for d in follow_ups],
            proposed_by=proposed_by,
        )
        group.full_clean()
        group.save()
        group.requirements.set(requirements)
        audit(
            action="exemptiongroup_created",
            object_type="exemptiongroup",
            object_id=code,
            actor=proposed_by,
            detail={
                "changes": {
                    "booking_system": [None, booking_system],
                    "requirements": [None, sorted(r.code for r in requirements)],
                    "valid_from": [None, valid_from.isoformat()],
                    "valid_until": [None, valid_until.isoformat()],
                    "follow_up_dates": [None, group.follow_up_dates],
                    "justification": [None, justification],
                }
            },
        )
        if submit:
            exemption_group_submit(group=group, actor=proposed_by)
    return group


@transaction.atomic
def exemption_group_submit(*, group: ExemptionGroup, actor) -> ExemptionGroup:
    g = _locked(group)
    if g.status != Status.DRAFT:
        raise Refused(f"{_noun(g)} är {_status_label(g.status)}; bara ett utkast kan skickas in.")
    if approval_body(actor) is None:
        raise Refused(
            "Bara Koncernstab kommunikation och Hälso- och sjukvårdsstyrning skickar in gemensamma beslut."
        )
    if not g.follow_up_dates:
        raise Refused("Ange minst ett datum då avstegen ska följas upp innan beslutet skickas in.")
    _move(g, to=Status.SUBMITTED, actor=actor, action="exemptiongroup_submitted")
    group.status = g.status
    return g


def exemption_group_approve(
    *, group: ExemptionGroup, decided_by, body: str, comment: str = ""
) -> ExemptionGroup:
    return _decide(group, decided_by=decided_by, body=body, approved=True, comment=comment)


def exemption_group_reject(*, group: ExemptionGroup, decided_by, body: str, reason: str) -> ExemptionGroup:
    return _decide(group, decided_by=decided_by, body=body, approved=False, comment=reason)


def exemption_group_revoke(
    *, group: ExemptionGroup, decided_by, ended_on: datetime.date | None, today: datetime.date | None = None
) -> ExemptionGroup:
    """ "Återkalla alla": the decision and every one of its exemptions still approved end on `ended_on`."""
    return _revoke(group, decided_by=decided_by, ended_on=ended_on, today=today)


def affected_units(booking_system: str):
    """The units a common decision for `booking_system` covers: active, with a 1177 contact card (else
    no requirement applies) and on that system (TB requirements apply to every such unit)."""
    return CareUnit.objects.filter(active=True, has_contact_card=True, booking_system=booking_system).exclude(
        booking_system=CareUnit.BookingSystem.INGEN
    )


def _create_group_exemptions(group: ExemptionGroup, actor, today: datetime.date) -> set[int]:
    """The approved decision's exemptions: one per affected unit and requirement, in bulk (hundreds of
    units), each audited as approved through the decision."""
    unit_ids = list(affected_units(group.booking_system).order_by("hsa_id").values_list("id", flat=True))
    requirements = list(group.requirements.order_by("code"))
    pairs = [(u, r) for u in unit_ids for r in requirements]
    ids = _next_ids("AV", today.year, len(pairs))
    made = Exemption.objects.bulk_create(
        Exemption(
            exemption_id=code,
            unit_id=unit_id,
            requirement=requirement,
            reason=group.reason,
            valid_from=group.valid_from,
            valid_until=group.valid_until,
            status=Status.APPROVED,
            justification=f"Gemensamt beslut {group.group_id}: {group.justification}".strip(),
            proposed_by=group.proposed_by,
            group=group,
        )
        for code, (unit_id, requirement) in zip(ids, pairs, strict=True)
    )
    made = list(Exemption.objects.filter(group=group).only("id", "exemption_id"))
    dates = [datetime.date.fromisoformat(d) for d in group.follow_up_dates]
    FollowUp.objects.bulk_create(FollowUp(exemption=e, due_on=d) for e in made for d in dates)
    label = actor.get_username()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="exemption_approved",
            object_type="exemption",
            object_id=e.exemption_id,
            actor=actor,
            actor_label=label,
            detail={"changes": {"status": [None, "approved"]}, "group": group.group_id},
        )
        for e in made
    )
    return set(unit_ids)


# --- The shared parts of a decision and a revocation ---------------------------------------------------


@transaction.atomic
def _decide(subject, *, decided_by, body: str, approved: bool, comment: str, today=None):
    s = _locked(subject)
    noun = _noun(s)
    if s.status != Status.SUBMITTED:
        raise Refused(
            f"{noun} är {_status_label(s.status)}; bara ett inskickat avsteg kan godkännas eller avslås."
        )
    if body not in Body.values:
        raise Refused("Okänd beslutsinstans.")
    if approval_body(decided_by) != body:
        raise Refused(f"Du kan inte besluta för {Body(body).label}.")
    if s.proposed_by_id is not None and s.proposed_by_id == decided_by.pk:
        raise Refused("Den som har föreslagit avsteget kan inte själv besluta om det.")
    decisions = {a.body: a for a in s.approvals.all()}
    if body in decisions:
        raise Refused(f"{Body(body).label} har redan beslutat om {noun.lower()}.")
    other = decisions.get(SECOND if body == FIRST else FIRST)
    if other is not None and other.decided_by_id == decided_by.pk:
        raise Refused("Samma person kan inte fatta båda besluten; det andra beslutet fattas av någon annan.")
    if approved and body == SECOND and FIRST not in decisions:
        raise Refused(
            "Koncernstab kommunikation godkänner först; därefter beslutar Hälso- och sjukvårdsstyrning."
        )
    if not approved and not comment.strip():
        raise Refused("Skriv skälet till avslaget.")
    owner = {"exemption": s} if isinstance(s, Exemption) else {"group": s}
    ExemptionApproval.objects.create(
        **owner, body=body, decided_by=decided_by, approved=approved, comment=comment
    )
    kind = _object_type(s)
    audit(
        action=f"{kind}_{'approval' if approved else 'rejection'}",
        object_type=kind,
        object_id=_code(s),
        actor=decided_by,
        detail={"body": body, "approved": approved, "comment": comment},
    )
    if not approved:
        _move(s, to=Status.REJECTED, actor=decided_by, action=f"{kind}_rejected", extra={"body": body})
    elif len(decisions) + 1 == len(Body.values):
        _move(s, to=Status.APPROVED, actor=decided_by, action=f"{kind}_approved")
        if isinstance(s, ExemptionGroup):
            unit_ids = _create_group_exemptions(s, decided_by, today or timezone.localdate())
        else:
            unit_ids = {s.unit_id}
        notify_facts_changed(unit_ids=unit_ids)  # on commit: today's results recomputed
    subject.status = s.status
    return s


@transaction.atomic
def _revoke(subject, *, decided_by, ended_on, today):
    if approval_body(decided_by) is None:
        raise Refused(
            "Bara Koncernstab kommunikation och Hälso- och sjukvårdsstyrning kan återkalla ett avsteg."
        )
    if ended_on is None:
        raise Refused("Ange dagen avsteget upphör att gälla.")
    s = _locked(subject)
    noun = _noun(s)
    if s.status != Status.APPROVED:
        raise Refused(f"{noun} är {_status_label(s.status)}; bara ett godkänt avsteg kan återkallas.")
    if not s.valid_from <= ended_on <= s.valid_until:
        raise Refused(f"Dagen avsteget upphör ska ligga mellan {s.valid_from} och {s.valid_until}.")
    today = today or timezone.localdate()
    if ended_on < today:
        raise Refused(
            "Dagen avsteget upphör kan inte ligga före i dag: "
            "resultaten för passerade dagar står kvar som de var."
        )
    _move(s, to=Status.REVOKED, actor=decided_by, action=f"{_object_type(s)}_revoked", ended_on=ended_on)
    unit_ids = {s.unit_id} if isinstance(s, Exemption) else set()
    if isinstance(s, ExemptionGroup):
        ending = list(
            s.exemptions.filter(status=Status.APPROVED).values_list("id", "exemption_id", "unit_id")
        )
        Exemption.objects.filter(id__in=[pk for pk, _c, _u in ending], status=Status.APPROVED).update(
            status=Status.REVOKED, ended_on=ended_on
        )
        AuditEntry.objects.bulk_create(
            AuditEntry(
                action="exemption_revoked",
                object_type="exemption",
                object_id=code,
                actor=decided_by,
                actor_label=decided_by.get_username(),
                detail={
                    "changes": {"status": ["approved", "revoked"], "ended_on": [None, ended_on.isoformat()]},
                    "group": s.group_id,
                },
            )
            for _pk, code, _u in ending
        )
        unit_ids = {u for _pk, _c, u in ending}
    notify_facts_changed(unit_ids=unit_ids)
    subject.status, subject.ended_on = s.status, s.ended_on
    return s


# --- What each booking system supports ------------------------------------------------------------------


def capability_save(*, capability: SystemCapability, actor) -> Saved:
    """Koncernstab keeps the table; the engine does not read it (it only says which exemptions to
    propose or end), so no recompute."""
    if not may_keep_capabilities(actor):
        raise Refused("Bara Koncernstab kommunikation för tabellen över bokningssystemens stöd.")
    return save_fact(capability, actor=actor, touches=no_unit)
