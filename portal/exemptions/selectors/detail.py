"""One exemption's page (/avsteg/<id>/): its decisions, follow-ups and history, what the reader may do
with it (`exemptions.steps`), and the engine's effect of approving it on the unit's current facts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from compliance.engine import evaluate_unit
from compliance.engine import types as t
from compliance.loader import load_context, load_units
from exemptions import steps
from exemptions.models import Exemption, FollowUp
from exemptions.rules import siblings_note
from exemptions.services import proposal_siblings
from portal.preview import compare, has_levels
from servicelevel.dates import clamp
from servicelevel.models import AuditEntry
from units.permissions import approval_body, is_read_only

from .rows import Body, Row, Status, row


@dataclass(frozen=True)
class HistoryLine:
    at: datetime.datetime
    who: str
    what: str
    change: str


ACTIONS = {
    "exemption_created": "Förslaget skapades (utkast)",
    "exemption_changed": "Utkastet ändrades",
    "exemption_follow_ups_set": "Uppföljningsdatum angavs",
    "exemption_submitted": "Skickades in",
    "exemption_approval": "Godkändes av {body}",
    "exemption_rejection": "Avslogs av {body}",
    "exemption_approved": "Avsteget gäller (godkänt av båda)",
    "exemption_rejected": "Avsteget avslogs",
    "exemption_revoked": "Återkallades",
    "exemption_expired": "Gick ut",
    "exemption_follow_up_done": "Uppföljning gjord",
    "exemption_withdrawn": "Drogs tillbaka (utkast igen)",
    "exemptiongroup_created": "Förslaget skapades (utkast)",
    "exemptiongroup_changed": "Utkastet ändrades",
    "exemptiongroup_submitted": "Skickades in",
    "exemptiongroup_withdrawn": "Drogs tillbaka (utkast igen)",
    "exemptiongroup_approval": "Godkändes av {body}",
    "exemptiongroup_rejection": "Avslogs av {body}",
    "exemptiongroup_approved": "Beslutet gäller (godkänt av båda); avstegen skapades",
    "exemptiongroup_rejected": "Beslutet avslogs",
    "exemptiongroup_revoked": "Återkallades, med alla dess avsteg",
    "exemptiongroup_expired": "Gick ut",
}


FIELD_LABELS = {
    "status": "status",
    "ended_on": "upphör",
    "follow_ups": "uppföljning",
    "follow_up_done_on": "uppföljd",
    "unit_id": "enhet",
    "requirement_id": "krav",
    "requirements": "krav",
    "reason": "skäl",
    "justification": "motivering",
    "valid_from": "gäller från",
    "valid_until": "gäller till",
    "booking_system": "bokningssystem",
    "follow_up_dates": "uppföljning",
}


def _value(value) -> str:
    """An audited value in words: a state's Swedish label, a list joined, nothing as a dash."""
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "–"
    if value in Status.values:
        return Status(value).label.lower()
    return "–" if value in (None, "") else str(value)


def _names(entries) -> dict[tuple[str, object], str]:
    """A changed draft's unit and requirement are audited as ids: their HSA-id and code instead (one
    query each, only when an entry names them)."""
    from servicelevel.models import Requirement
    from units.models import CareUnit

    wanted = {"unit_id": set(), "requirement_id": set()}
    for entry in entries:
        for name, values in ((entry.detail or {}).get("changes") or {}).items():
            if name in wanted:
                wanted[name] |= {v for v in values if v is not None}
    names = {}
    if wanted["unit_id"]:
        for pk, hsa in CareUnit.objects.filter(pk__in=wanted["unit_id"]).values_list("pk", "hsa_id"):
            names["unit_id", pk] = hsa
    if wanted["requirement_id"]:
        for pk, code in Requirement.objects.filter(pk__in=wanted["requirement_id"]).values_list("pk", "code"):
            names["requirement_id", pk] = code
    return names


def _named(names: dict, field: str, value):
    return names.get((field, value), value) if field in ("unit_id", "requirement_id") else value


def history(object_type: str, object_id: str) -> list[HistoryLine]:
    lines = []
    entries = list(
        AuditEntry.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("actor")
        .order_by("at", "id")
    )
    names = _names(entries)
    for entry in entries:
        d = entry.detail or {}
        body = Body(d["body"]).label if d.get("body") in Body.values else ""
        what = ACTIONS.get(entry.action, entry.action).format(body=body)
        parts = [
            f"{FIELD_LABELS.get(name, name)}: {_value(_named(names, name, old))} → "
            f"{_value(_named(names, name, new))}"
            for name, (old, new) in (d.get("changes") or {}).items()
            if entry.action not in ("exemption_created", "exemptiongroup_created")
        ]
        if d.get("comment"):
            parts.append(f"”{d['comment']}”")
        if d.get("group"):
            parts.append(f"genom gemensamt beslut {d['group']}")
        # The person's name as the rest of the page shows it; the entry's own label (the username when it
        # was written) once the account is gone.
        who = (entry.actor.get_full_name() if entry.actor else "") or entry.actor_label
        lines.append(HistoryLine(entry.at, who, what, "; ".join(str(p) for p in parts)))
    return lines


@dataclass(frozen=True)
class Decision:
    body_label: str
    approved: bool
    who: str
    at: datetime.datetime
    comment: str


@dataclass(frozen=True)
class Effect:
    """The engine's verdict with the exemption(s) approved, against today's facts."""

    as_of: datetime.date
    sentence: str  # "Med avsteget: nivå 2 → nivå 3 med avsteg"
    preview: object  # portal.preview.Preview
    together_with: tuple[str, ...] = ()


@dataclass
class DetailPage:
    exemption: Exemption
    row: Row
    decisions: list[Decision]
    follow_ups: list[FollowUp]
    history: list[HistoryLine]
    may_decide: bool
    body: str | None
    may_revoke: bool
    may_submit: bool  # a draft the reader manages: "Ändra utkastet", "Skicka in", "Ta bort utkastet"
    may_follow_up: bool
    effects: list[Effect]
    may_withdraw: bool = False  # sent in, no decision yet, the reader manages it: "Dra tillbaka"
    siblings_note: str = ""  # what a rejection does to the others of the same proposal (the decision form)


def decisions_of(approvals) -> list[Decision]:
    return [
        Decision(
            a.get_body_display(),
            a.approved,
            a.decided_by.get_full_name() or a.decided_by.get_username(),
            a.decided_at,
            a.comment,
        )
        for a in sorted(approvals, key=lambda a: a.decided_at)
    ]


def detail_page(
    user, exemption: Exemption, *, may_change: bool, today: datetime.date, may_manage: bool | None = None
) -> DetailPage:
    """`may_change`: the reader may change the unit's facts (follow-ups); `may_manage`: the reader sends
    in, changes, deletes and withdraws it (`exemptions.steps.manages`; by default from `may_change`)."""
    approvals = list(exemption.approvals.select_related("decided_by"))
    decisions = steps.decided(approvals)
    body = approval_body(user)
    may_decide = steps.may_decide(
        status=exemption.status,
        user_body=body,
        user_pk=user.pk,
        proposed_by_id=exemption.proposed_by_id,
        decisions=decisions,
    )
    if may_manage is None:
        may_manage = steps.manages(
            read_only=is_read_only(user),
            is_proposer=exemption.proposed_by_id == user.pk,
            may_change_unit=may_change,
        )
    effects = []
    if exemption.status in (Status.SUBMITTED, Status.DRAFT):
        effects.append(exemption_effect(exemption, [exemption], today=today))
        siblings = list(
            Exemption.objects.filter(unit_id=exemption.unit_id, status=exemption.status)
            .exclude(pk=exemption.pk)
            .select_related("requirement")
            .order_by("exemption_id")
        )
        if siblings:
            effects.append(exemption_effect(exemption, [exemption, *siblings], today=today))
    return DetailPage(
        exemption=exemption,
        row=row(exemption),
        decisions=decisions_of(approvals),
        follow_ups=list(exemption.follow_ups.all()),
        history=history("exemption", exemption.exemption_id),
        may_decide=may_decide,
        body=body,
        may_revoke=steps.may_revoke(status=exemption.status, user_body=body),
        may_submit=steps.may_submit(status=exemption.status, manages=may_manage),
        may_follow_up=exemption.status in (Status.APPROVED, Status.SUBMITTED)
        and (body is not None or may_change),
        effects=effects,
        may_withdraw=steps.may_withdraw(status=exemption.status, decisions=decisions, manages=may_manage),
        siblings_note=siblings_note(proposal_siblings(exemption), rejected=False) if may_decide else "",
    )


def effect_day(valid_from: datetime.date, valid_until: datetime.date, today: datetime.date) -> datetime.date:
    """Judge the effect today, or on its first day if it starts later (or its last, if already over) —
    inside the date rule's bounds, for a row stored before the rule held (valid_from 9999-12-31)."""
    return clamp(min(max(today, valid_from), valid_until))


def exemption_effect(exemption: Exemption, exemptions: list[Exemption], *, today: datetime.date) -> Effect:
    """The unit judged by the pure engine on its current facts, without and with `exemptions` approved
    (the loader's fixed queries for one unit; nothing is written). Reuses the self-service preview's
    comparison."""
    as_of = effect_day(exemption.valid_from, exemption.valid_until, today)
    context = load_context(as_of)
    facts = load_units(context, [exemption.unit_id])
    others = tuple(e.exemption_id for e in exemptions if e.pk != exemption.pk)
    if not facts:
        from portal.preview import inactive_preview

        return Effect(as_of, "Enheten är inte aktiv och bedöms inte.", inactive_preview(as_of), others)
    added = tuple(
        t.ExemptionFact(
            e.exemption_id, e.requirement.code, Status.APPROVED, e.valid_from, e.valid_until, None
        )
        for e in exemptions
    )
    before = facts[0]
    after = replace(before, exemptions=before.exemptions + added)
    rulebook = context.rulebook
    preview = compare(
        evaluate_unit(before, rulebook, as_of),
        evaluate_unit(after, rulebook, as_of),
        rulebook.requirements,
        as_of=as_of,
        has_levels=has_levels(rulebook),
    )
    return Effect(as_of, preview.sentence("Med avsteget"), preview, others)
