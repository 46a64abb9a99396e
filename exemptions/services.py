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
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from servicelevel.audit import audit
from servicelevel.models import AuditEntry, Requirement
from servicelevel.signals import notify_facts_changed
from servicelevel.writes import Saved, delete_fact, no_unit, save_fact
from units.applicability import BOOKING_CONDITIONS, applies_q, books_through_1177
from units.models import CareUnit
from units.permissions import approval_body, is_read_only, may_change_unit, may_keep_capabilities

from . import notices, steps
from .models import Exemption, ExemptionApproval, ExemptionGroup, ExemptionNumber, FollowUp, SystemCapability
from .rules import bound_problem, duplicating

Status = Exemption.Status
Body = ExemptionApproval.Body


class Refused(ValidationError):
    """A transition the rules do not allow; the message says why, in Swedish."""


class Duplicates(Refused):
    """The proposal would duplicate exemptions already pending or active for the same unit and requirement
    (`found`); proposed anyway only when the person confirms (`allow_duplicates`)."""

    def __init__(self, found: list[Exemption]):
        self.found = found
        super().__init__([f"{e.exemption_id} {duplicate_text(e)}" for e in found])


def duplicate_text(e: Exemption) -> str:
    """What an exemption a proposal duplicates is, after its id (the page links the id)."""
    return (
        f"gäller redan samma enhet och krav ({e.requirement.code}): {_status_label(e.status)}, "
        f"{e.valid_from:%Y-%m-%d} – {e.valid_until:%Y-%m-%d}."
    )


class Proposed(list):
    """The exemptions of one proposal. `repeated`: the form's one-time token had been used already (the
    same form sent twice: browser Back, then "Spara utkast" again), so these are what the first sending made
    and nothing new was created."""

    repeated = False


# --- Ids ------------------------------------------------------------------------------------------------


def _counter(prefix: str, year: int) -> ExemptionNumber:
    """The year's counter row, locked until the transaction ends: proposals of a kind wait for each other
    here (so ids never collide, and a second sending of the same form finds what the first one made)."""
    ExemptionNumber.objects.get_or_create(prefix=prefix, year=year)  # savepoint-safe under a race
    return ExemptionNumber.objects.select_for_update().get(prefix=prefix, year=year)


def _next_ids(
    prefix: str, year: int, count: int, *, model=Exemption, field: str = "exemption_id"
) -> list[str]:
    """`count` new ids PREFIX-YEAR-NNNN under the locked counter; an id already used (an imported
    exemption may have any id) is skipped, and an id is never given twice (a deleted draft's stays used:
    the audit trail names it)."""
    counter = _counter(prefix, year)
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
    *,
    requirements,
    valid_from,
    valid_until,
    follow_ups: Sequence[datetime.date],
    submit: bool,
    requirement_field: str = "requirements",
) -> dict[str, str]:
    problems = {}
    if not requirements:
        problems[requirement_field] = "Välj minst ett krav som avsteget gäller."
    if valid_from is None:
        problems["valid_from"] = "Ange från vilken dag avsteget gäller."
    if valid_until is None:
        problems["valid_until"] = (
            "Ange till och med vilken dag avsteget gäller: ett avsteg är alltid tidsbegränsat."
        )
    elif valid_from is not None and valid_until < valid_from:
        problems["valid_until"] = "Slutdagen ligger före startdagen."
    elif too_long := bound_problem(valid_from=valid_from, valid_until=valid_until):
        problems["valid_until"] = too_long
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


def _move(obj, *, to: str, actor, action: str, extra: dict | None = None, **fields) -> AuditEntry:
    """Conditional UPDATE from the state read under the lock to `to` (plus `fields`), and its audit entry
    (returned: the e-mails about the step name it)."""
    old = obj.status
    updated = type(obj).objects.filter(pk=obj.pk, status=old).update(status=to, **fields)
    if updated != 1:  # cannot happen under the row lock; never write an audit entry for nothing
        raise Refused(f"{_noun(obj)} ändrades samtidigt av någon annan; ladda om sidan.")
    changes = {"status": [old, to]}
    for name, value in fields.items():
        changes[name] = [_plain(getattr(obj, name)), _plain(value)]
        setattr(obj, name, value)
    obj.status = to
    return audit(
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


def may_manage(user, exemption: Exemption) -> bool:
    """Who sends in, changes, deletes and withdraws an exemption that no one has decided on yet
    (`exemptions.steps.manages`): its proposer, or anyone who may change the unit's facts — the same
    people who may propose for the unit. Never a read-only role."""
    return steps.manages(
        read_only=is_read_only(user),
        is_proposer=exemption.proposed_by_id == user.pk,
        may_change_unit=lambda: may_change_unit(user, exemption.unit),
    )


def may_manage_group(user) -> bool:
    """Who prepares, sends in, changes, deletes and withdraws a common decision (`steps.manages_group`)."""
    return steps.manages_group(read_only=is_read_only(user), user_body=approval_body(user))


MANAGE_REFUSED = "Bara den som föreslagit avsteget eller enhetens ansvariga kan {verb} det."


def _token(token) -> str:
    """The proposal's one-time token as stored: the form's (a UUID), or a new one for a call without."""
    try:
        return str(uuid.UUID(str(token))) if token else str(uuid.uuid4())
    except ValueError:
        return str(uuid.uuid4())  # a token tampered with protects nothing, but breaks nothing either


def duplicates(
    *,
    unit: CareUnit,
    requirements: Iterable[Requirement],
    valid_from: datetime.date,
    valid_until: datetime.date,
    exclude: Iterable[int] = (),
) -> list[Exemption]:
    """The exemptions a proposal would duplicate: same unit and requirement, pending or active on a day of
    the range (`exemptions.rules.duplicating`)."""
    return list(
        Exemption.objects.filter(unit=unit, requirement__in=list(requirements))
        .filter(duplicating(valid_from=valid_from, valid_until=valid_until))
        .exclude(pk__in=list(exclude))
        .select_related("requirement")
        .order_by("exemption_id")
    )


def proposal_siblings(exemption: Exemption) -> list[Exemption]:
    """The other exemptions proposed together with this one (one per requirement of the same form). Each is
    decided on its own: rejecting one leaves the others as they are (`rules.siblings_note` says so)."""
    return list(Exemption.objects.siblings_of(exemption).select_related("requirement"))


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
    token=None,
    allow_duplicates: bool = False,
) -> Proposed:
    """One draft exemption per requirement for `unit` (the engine's contract: one unit, one requirement),
    each with the follow-up dates; sent in at once with `submit`. All or nothing.

    `token` is the form's one-time token, stored on what it makes (`Exemption.proposal`, shared by the
    siblings): the same token again returns what the first call made (`repeated`) and creates nothing.
    A proposal that duplicates an exemption pending or active for the same unit and requirement raises
    `Duplicates` unless `allow_duplicates` (the person has seen them and confirms)."""
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
    token = _token(token)
    made = Proposed()
    steps = []
    with transaction.atomic():
        # Under the year's counter lock: a second sending of the same form waits for the first and then
        # sees what it made (READ COMMITTED reads what committed before this statement).
        _counter("AV", today.year)
        already = list(Exemption.objects.filter(proposal=token).order_by("exemption_id"))
        if already:
            made += already
            made.repeated = True
            return made
        if not allow_duplicates:
            found = duplicates(
                unit=unit, requirements=requirements, valid_from=valid_from, valid_until=valid_until
            )
            if found:
                raise Duplicates(found)
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
                proposal=token,
            )
            exemption_draft_save(exemption=exemption, actor=proposed_by)
            _set_follow_ups(exemption, follow_ups, actor=proposed_by, new_draft=True)
            if submit:
                steps.append(_submit(exemption, proposed_by))
            made.append(exemption)
        notices.tell(steps)  # one message per person for all of them, on commit
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


def _set_follow_ups(exemption: Exemption, dates: Sequence[datetime.date], *, actor, new_draft=False) -> bool:
    """The draft's follow-up dates become `dates` (those kept keep their row); audited old → new."""
    existing = {} if new_draft else {fu.due_on: fu for fu in exemption.follow_ups.all()}
    old, new = sorted(existing), sorted(set(dates))
    if old == new:
        return False
    FollowUp.objects.filter(pk__in=[fu.pk for d, fu in existing.items() if d not in new]).delete()
    FollowUp.objects.bulk_create(FollowUp(exemption=exemption, due_on=d) for d in new if d not in existing)
    audit(
        action="exemption_follow_ups_set",
        object_type="exemption",
        object_id=exemption.exemption_id,
        actor=actor,
        detail={"changes": {"follow_ups": [[d.isoformat() for d in old], [d.isoformat() for d in new]]}},
    )
    return True


def exemption_edit(
    *,
    exemption: Exemption,
    actor,
    unit: CareUnit,
    requirement: Requirement | None,
    reason: str,
    justification: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    follow_ups: Iterable[datetime.date] = (),
    allow_duplicates: bool = False,
    submit: bool = False,
) -> Saved:
    """A draft's new terms (/avsteg/<id>/andra/), by its proposer or the unit's people (`may_manage`):
    the same rules as a proposal (an end date within the bound, follow-ups inside the range, a unit the
    person may change, the duplicate warning), only what changed is saved and audited; with `submit` it is
    then sent in. A draft is never active: nothing is recomputed."""
    follow_ups = sorted(set(follow_ups))
    with transaction.atomic():
        e = Exemption.objects.select_for_update().select_related("unit").get(pk=exemption.pk)
        if e.status != Status.DRAFT:
            raise Refused(
                f"{_noun(e)} är {_status_label(e.status)}; bara ett utkast kan ändras "
                "(ett inskickat avsteg som ingen har beslutat om kan dras tillbaka först)."
            )
        if not may_manage(actor, e):
            raise Refused(MANAGE_REFUSED.format(verb="ändra"))
        problems = _terms_problems(
            requirements=[requirement] if requirement else [],
            valid_from=valid_from,
            valid_until=valid_until,
            follow_ups=follow_ups,
            submit=submit,
            requirement_field="requirement",
        )
        if reason not in Exemption.Reason.values:
            problems["reason"] = "Välj skäl: patientsäkerhet eller teknisk."
        if unit.pk != e.unit_id and not may_change_unit(actor, unit):
            problems["unit"] = "Du kan inte föreslå avsteg för den här enheten."
        if problems:
            raise Refused(problems)
        if not allow_duplicates:
            found = duplicates(
                unit=unit,
                requirements=[requirement],
                valid_from=valid_from,
                valid_until=valid_until,
                exclude=[e.pk],
            )
            if found:
                raise Duplicates(found)
        e.unit, e.requirement, e.reason, e.justification = unit, requirement, reason, justification
        e.valid_from, e.valid_until = valid_from, valid_until
        saved = exemption_draft_save(exemption=e, actor=actor)
        if _set_follow_ups(e, follow_ups, actor=actor):
            saved.changes["follow_ups"] = (None, [d.isoformat() for d in follow_ups])
        if submit:
            notices.tell([_submit(e, actor)])
    exemption.status = e.status
    return saved


@transaction.atomic
def exemption_delete(*, exemption: Exemption, actor) -> None:
    """A draft deleted by its proposer or the unit's people, with its follow-ups; the audit trail keeps
    what it was (`exemption_deleted`) and its id is never given again. Only a draft: anything sent in is
    part of the decision record (withdraw it first, then delete)."""
    e = Exemption.objects.select_for_update().select_related("unit").get(pk=exemption.pk)
    if e.status != Status.DRAFT:
        raise Refused(f"{_noun(e)} är {_status_label(e.status)}; bara ett utkast kan tas bort.")
    if not may_manage(actor, e):
        raise Refused(MANAGE_REFUSED.format(verb="ta bort"))
    delete_fact(e, actor=actor, touches=no_unit)  # a draft is never active: no recompute


@transaction.atomic
def exemption_submit(*, exemption: Exemption, actor) -> Exemption:
    """draft → submitted, by the proposer or someone who may change the unit's facts."""
    e = _locked(exemption)
    notices.tell([_submit(e, actor)])
    exemption.status = e.status
    return e


def _submit(e: Exemption, actor) -> AuditEntry:
    if not steps.may_submit(status=e.status, manages=e.status == Status.DRAFT and may_manage(actor, e)):
        if e.status != Status.DRAFT:
            raise Refused(f"{_noun(e)} är {_status_label(e.status)}; bara ett utkast kan skickas in.")
        raise Refused(MANAGE_REFUSED.format(verb="skicka in"))
    if e.valid_until is None:
        raise Refused("Ange till och med vilken dag avsteget gäller innan det skickas in.")
    if not e.imported and (too_long := bound_problem(valid_from=e.valid_from, valid_until=e.valid_until)):
        raise Refused(f"{too_long} Ändra utkastet innan det skickas in.")
    if not e.follow_ups.exists():
        raise Refused("Ange minst ett datum då avsteget ska följas upp innan det skickas in.")
    return _move(e, to=Status.SUBMITTED, actor=actor, action="exemption_submitted")


@transaction.atomic
def exemption_withdraw(*, exemption: Exemption, actor) -> Exemption:
    """submitted → draft ("Dra tillbaka"), before the first decision, by its proposer or the unit's
    people: it can then be changed, sent in again or deleted. No new state (the exemptions import lists the
    states); the step is audited `exemption_withdrawn`, and Koncernstab is told it no longer waits."""
    e = _locked(exemption)
    _withdraw(e, allowed=may_manage(actor, e), actor=actor)
    exemption.status = e.status
    return e


def _withdraw(subject, *, allowed: bool, actor) -> None:
    """The move if `steps.may_withdraw` holds; else the reason it does not, the state first."""
    noun = _noun(subject)
    decisions = steps.decided(subject.approvals.all())
    if not steps.may_withdraw(status=subject.status, decisions=decisions, manages=allowed):
        if subject.status != Status.SUBMITTED:
            raise Refused(
                f"{noun} är {_status_label(subject.status)}; bara ett inskickat förslag kan dras tillbaka."
            )
        if not allowed:
            if isinstance(subject, Exemption):
                raise Refused(MANAGE_REFUSED.format(verb="dra tillbaka"))
            raise Refused(GROUP_REFUSED.format(verb="drar tillbaka"))
        raise Refused(
            f"{noun} kan inte dras tillbaka: {Body.KONCERNSTAB.label} har redan fattat det första beslutet."
        )
    step = _move(subject, to=Status.DRAFT, actor=actor, action=f"{_object_type(subject)}_withdrawn")
    notices.tell([step])


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

GROUP_REFUSED = f"Bara {Body.KONCERNSTAB.label} och {Body.HS_STYRNING.label} {{verb}} gemensamma beslut."


def _group_problems(
    *, booking_system, requirements, valid_from, valid_until, follow_ups, submit: bool
) -> dict[str, str]:
    problems = _terms_problems(
        requirements=requirements,
        valid_from=valid_from,
        valid_until=valid_until,
        follow_ups=follow_ups,
        submit=submit,
    )
    if booking_system not in CareUnit.BookingSystem.values or not books_through_1177(booking_system):
        problems["booking_system"] = "Välj ett bokningssystem."
    return problems


def _group_terms_audit(group: ExemptionGroup, requirements) -> dict:
    return {
        "booking_system": group.booking_system,
        "requirements": sorted(r.code for r in requirements),
        "valid_from": group.valid_from.isoformat(),
        "valid_until": group.valid_until.isoformat(),
        "follow_up_dates": list(group.follow_up_dates),
        "justification": group.justification,
    }


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
    token=None,
) -> ExemptionGroup:
    """A technical exemption for every unit on `booking_system`, prepared by Koncernstab or the second body.
    The same form's token twice returns the decision the first sending made (`repeated`)."""
    requirements = list(requirements)
    follow_ups = sorted(set(follow_ups))
    problems = _group_problems(
        booking_system=booking_system,
        requirements=requirements,
        valid_from=valid_from,
        valid_until=valid_until,
        follow_ups=follow_ups,
        submit=submit,
    )
    if not may_manage_group(proposed_by):
        problems["booking_system"] = (
            f"Gemensamma beslut för ett bokningssystem bereds av {Body.KONCERNSTAB.label} eller "
            f"{Body.HS_STYRNING.label}."
        )
    if problems:
        raise Refused(problems)
    today = today or timezone.localdate()
    token = _token(token)
    with transaction.atomic():
        _counter("GB", today.year)  # a second sending of the same form waits here, then finds the first's
        already = ExemptionGroup.objects.filter(proposal=token).first()
        if already is not None:
            already.repeated = True
            return already
        (code,) = _next_ids("GB", today.year, 1, model=ExemptionGroup, field="group_id")
        group = ExemptionGroup(
            group_id=code,
            booking_system=booking_system,
            valid_from=valid_from,
            valid_until=valid_until,
            justification=justification,
            follow_up_dates=[d.isoformat() for d in follow_ups],
            proposed_by=proposed_by,
            proposal=token,
        )
        group.full_clean()
        group.save()
        group.requirements.set(requirements)
        audit(
            action="exemptiongroup_created",
            object_type="exemptiongroup",
            object_id=code,
            actor=proposed_by,
            detail={"changes": {k: [None, v] for k, v in _group_terms_audit(group, requirements).items()}},
        )
        if submit:
            exemption_group_submit(group=group, actor=proposed_by)
    group.repeated = False
    return group


def exemption_group_edit(
    *,
    group: ExemptionGroup,
    actor,
    booking_system: str,
    requirements: Iterable[Requirement],
    justification: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    follow_ups: Iterable[datetime.date] = (),
    submit: bool = False,
) -> ExemptionGroup:
    """A common decision's draft changed (/avsteg/system/<id>/andra/) by an approver — the people who
    prepare them; only what changed is audited (`exemptiongroup_changed`), with `submit` then sent in."""
    requirements = list(requirements)
    follow_ups = sorted(set(follow_ups))
    with transaction.atomic():
        g = _locked(group)
        if g.status != Status.DRAFT:
            raise Refused(
                f"{_noun(g)} är {_status_label(g.status)}; bara ett utkast kan ändras "
                "(ett inskickat beslut som ingen har beslutat om kan dras tillbaka först)."
            )
        if not may_manage_group(actor):
            raise Refused(GROUP_REFUSED.format(verb="ändrar"))
        problems = _group_problems(
            booking_system=booking_system,
            requirements=requirements,
            valid_from=valid_from,
            valid_until=valid_until,
            follow_ups=follow_ups,
            submit=submit,
        )
        if problems:
            raise Refused(problems)
        before = _group_terms_audit(g, g.requirements.all())
        g.booking_system, g.justification = booking_system, justification
        g.valid_from, g.valid_until = valid_from, valid_until
        g.follow_up_dates = [d.isoformat() for d in follow_ups]
        after = _group_terms_audit(g, requirements)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            g.full_clean()
            g.save(
                update_fields=[
                    "booking_system",
                    "justification",
                    "valid_from",
                    "valid_until",
                    "follow_up_dates",
                ]
            )
            g.requirements.set(requirements)
            audit(
                action="exemptiongroup_changed",
                object_type="exemptiongroup",
                object_id=g.group_id,
                actor=actor,
                detail={"changes": changes},
            )
        if submit:
            exemption_group_submit(group=g, actor=actor)
    return g


@transaction.atomic
def exemption_group_delete(*, group: ExemptionGroup, actor) -> None:
    """A common decision's draft deleted by an approver; the audit trail keeps what it was."""
    g = _locked(group)
    if g.status != Status.DRAFT:
        raise Refused(f"{_noun(g)} är {_status_label(g.status)}; bara ett utkast kan tas bort.")
    if not may_manage_group(actor):
        raise Refused(GROUP_REFUSED.format(verb="tar bort"))
    gone = _group_terms_audit(g, g.requirements.all())
    code = g.group_id
    g.delete()
    audit(
        action="exemptiongroup_deleted",
        object_type="exemptiongroup",
        object_id=code,
        actor=actor,
        detail=gone,
    )


@transaction.atomic
def exemption_group_submit(*, group: ExemptionGroup, actor) -> ExemptionGroup:
    g = _locked(group)
    if not steps.may_submit(status=g.status, manages=may_manage_group(actor)):
        if g.status != Status.DRAFT:
            raise Refused(f"{_noun(g)} är {_status_label(g.status)}; bara ett utkast kan skickas in.")
        raise Refused(GROUP_REFUSED.format(verb="skickar in"))
    if not g.follow_up_dates:
        raise Refused("Ange minst ett datum då avstegen ska följas upp innan beslutet skickas in.")
    if too_long := bound_problem(valid_from=g.valid_from, valid_until=g.valid_until):
        raise Refused(f"{too_long} Ändra utkastet innan det skickas in.")
    notices.tell([_move(g, to=Status.SUBMITTED, actor=actor, action="exemptiongroup_submitted")])
    group.status = g.status
    return g


@transaction.atomic
def exemption_group_withdraw(*, group: ExemptionGroup, actor) -> ExemptionGroup:
    """submitted → draft before the first decision, by an approver (who prepares common decisions)."""
    g = _locked(group)
    _withdraw(g, allowed=may_manage_group(actor), actor=actor)
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


def affected_units(booking_system: str | None = None):
    """The units a common decision for `booking_system` covers (every booking system's when None): those
    the booking requirements apply to (`units.applicability`: active, with a 1177 contact card, with
    bookable visits) on that system, whatever the rulebook calls their group."""
    units = CareUnit.objects.filter(applies_q(BOOKING_CONDITIONS))
    return units if booking_system is None else units.filter(booking_system=booking_system)


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
    decisions = steps.decided(s.approvals.all())
    refusal = steps.decision_refusal(
        status=s.status,
        body=body,
        user_body=approval_body(decided_by),
        user_pk=decided_by.pk,
        proposed_by_id=s.proposed_by_id,
        decisions=decisions,
        approved=approved,
        noun=noun,
    )
    if refusal:
        raise Refused(refusal)
    if not approved and not comment.strip():
        raise Refused("Skriv skälet till avslaget.")
    owner = {"exemption": s} if isinstance(s, Exemption) else {"group": s}
    ExemptionApproval.objects.create(
        **owner, body=body, decided_by=decided_by, approved=approved, comment=comment
    )
    kind = _object_type(s)
    step = audit(
        action=f"{kind}_{'approval' if approved else 'rejection'}",
        object_type=kind,
        object_id=_code(s),
        actor=decided_by,
        detail={"body": body, "approved": approved, "comment": comment},
    )
    if not approved:
        step = _move(s, to=Status.REJECTED, actor=decided_by, action=f"{kind}_rejected", extra={"body": body})
    elif steps.next_body(s.status, [*decisions, steps.Decided(body, decided_by.pk, True)]) is None:
        # This approval was the last step: in force.
        step = _move(s, to=Status.APPROVED, actor=decided_by, action=f"{kind}_approved")
        if isinstance(s, ExemptionGroup):
            unit_ids = _create_group_exemptions(s, decided_by, today or timezone.localdate())
        else:
            unit_ids = {s.unit_id}
        notify_facts_changed(unit_ids=unit_ids)  # on commit: today's results recomputed
    notices.tell([step])  # on commit: the proposer, and the body that decides next
    subject.status = s.status
    return s


@transaction.atomic
def _revoke(subject, *, decided_by, ended_on, today):
    user_body = approval_body(decided_by)
    if user_body is None:
        raise Refused(f"Bara {Body.KONCERNSTAB.label} och {Body.HS_STYRNING.label} kan återkalla ett avsteg.")
    if ended_on is None:
        raise Refused("Ange dagen avsteget upphör att gälla.")
    s = _locked(subject)
    noun = _noun(s)
    if not steps.may_revoke(status=s.status, user_body=user_body):
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
