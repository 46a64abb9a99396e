"""Reads for the exemption pages (/avsteg/): the list with its worklists, one exemption with its history,
the engine's effect before approving, the booking systems' capabilities and common decisions.

Every read starts from `units.permissions.visible_units(user)`: a unit manager or provider sees only
their units' exemptions; region-wide roles see all. Common decisions span many units and are shown only
to region-wide roles. Each function runs a fixed number of queries whatever the number of units.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from compliance.engine import evaluate_unit
from compliance.engine import types as t
from compliance.loader import load_context, load_units
from compliance.models import RequirementResult, UnitResult
from exemptions.models import Exemption, ExemptionApproval, ExemptionGroup, FollowUp, SystemCapability
from exemptions.rules import siblings_note
from exemptions.services import affected_units, proposal_siblings
from portal.preview import compare, level_text
from servicelevel.dates import clamp
from servicelevel.models import AuditEntry
from units.permissions import approval_body, changeable_units, is_read_only, sees_everything, visible_units

Status = Exemption.Status
Body = ExemptionApproval.Body
WORKLIST_LIMIT = 200
PAGE_SIZE = 50
ENDING_DAYS = 30

# The bodies' names are their labels (exemptions.models.ExemptionApproval.Body): the decision's
# "Koncernstab kommunikation" and "Avdelningen för hälso- och sjukvårdsstyrning", written once.
WHICH = {Body.KONCERNSTAB: "första godkännandet", Body.HS_STYRNING: "andra godkännandet"}
WAITS_FOR = {body: f"{body.label} ({which})" for body, which in WHICH.items()}


def waits_for(status: str, first_given: bool) -> str:
    """Whose move it is: the proposer while a draft, then Koncernstab, then the second body; nobody after."""
    if status == Status.DRAFT:
        return "Förslagsställaren (utkast, inte inskickat)"
    if status == Status.SUBMITTED:
        return WAITS_FOR[Body.HS_STYRNING if first_given else Body.KONCERNSTAB]
    return "–"


# "Att göra": what the reader must do about a row — a verb phrase — or whom it waits for when nothing.
DECIDE = {body: f"Besluta ({which})" for body, which in WHICH.items()}
NOTHING = "Inget att göra"


@dataclass(frozen=True)
class Reader:
    """Who reads the list, for the "Att göra" column."""

    pk: int
    body: str | None
    read_only: bool


def reader(user) -> Reader:
    return Reader(user.pk, approval_body(user), is_read_only(user))


def to_do(e: Exemption, who: Reader | None, *, worklist: str = "", due: datetime.date | None = None) -> str:
    """The reader's next step for `e`, in the worklist it is shown in (the same exemption asks an approver
    to decide and tells its proposer whom it waits for). Reads the annotations of `_for_reader`."""
    if who is None:
        return ""
    manages = not who.read_only and (e.proposed_by_id == who.pk or getattr(e, "reader_may_change", False))
    if worklist == "uppfoljning":
        if who.body or manages:
            return f"Följ upp och markera uppföljningen som gjord (skulle följas upp {due:%Y-%m-%d})"
        return f"Väntar på uppföljning (skulle följas upp {due:%Y-%m-%d})"
    if worklist == "upphor":
        if manages:
            return f"Föreslå ett nytt avsteg i tid om det behövs efter {e.valid_until:%Y-%m-%d}"
        return f"{NOTHING} – upphör efter {e.valid_until:%Y-%m-%d}"
    if worklist == "behovs-inte":
        if who.body:
            return "Återkalla avsteget: kravet är uppfyllt ändå"
        return "Väntar på återkallelse: kravet är uppfyllt ändå"
    if e.status == Status.DRAFT:
        return "Skicka in eller ta bort utkastet" if manages else "Väntar på förslagsställaren"
    if e.status == Status.SUBMITTED:
        next_body = Body.HS_STYRNING if getattr(e, "first_given", False) else Body.KONCERNSTAB
        if who.body == next_body and e.proposed_by_id != who.pk and not getattr(e, "reader_decided", False):
            return DECIDE[next_body]
        return f"Väntar på {next_body.label}"
    return NOTHING


def _for_reader(qs, user):
    """The annotations `to_do` reads, in the same query: whether the reader may change the row's unit
    (a subquery of `changeable_units`) and has decided on it."""
    return qs.annotate(
        reader_may_change=Exists(changeable_units(user).filter(pk=OuterRef("unit_id"))),
        reader_decided=Exists(ExemptionApproval.objects.filter(exemption=OuterRef("pk"), decided_by=user.pk)),
    )


def _visible(user):
    """Exemptions of the units the user may see (no filter at all for region-wide roles)."""
    qs = Exemption.objects.all()
    return qs if sees_everything(user) else qs.filter(unit__in=visible_units(user))


def _with_first(qs):
    first = ExemptionApproval.objects.filter(exemption=OuterRef("pk"), body=Body.KONCERNSTAB, approved=True)
    return qs.annotate(first_given=Exists(first))


def exemption_for_user(user, exemption_id: str) -> Exemption:
    """The exemption if the user may see its unit, else 404 (an outsider learns nothing)."""
    exemption = (
        _with_first(_visible(user))
        .select_related("unit__vardomrade", "unit__forvaltning", "requirement", "group", "proposed_by")
        .filter(exemption_id=exemption_id)
        .first()
    )
    if exemption is None:
        raise Http404("Avsteget finns inte eller så saknar du behörighet till det.")
    return exemption


def proposal_made(user, token: str) -> list[Exemption]:
    """What a new-exemption form's token made already (the person went Back to a saved form): the
    exemptions the user may see, for the page's "already saved" notice. One query, none without a token."""
    if not token:
        return []
    return list(_visible(user).filter(proposal=token).order_by("exemption_id"))


def group_for_user(user, group_id: str) -> ExemptionGroup:
    """Common decisions name many units: region-wide roles only (404 for others)."""
    if not sees_everything(user):
        raise Http404("Beslutet finns inte eller så saknar du behörighet till det.")
    group = ExemptionGroup.objects.select_related("proposed_by").filter(group_id=group_id).first()
    if group is None:
        raise Http404("Beslutet finns inte.")
    return group


# --- The list --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    exemption_id: str
    unit_name: str
    hsa_id: str
    requirement_code: str
    requirement_name: str
    reason: str
    status: str
    status_label: str
    valid_from: datetime.date
    valid_until: datetime.date
    ended_on: datetime.date | None
    waits_for: str
    group_id: str = ""
    to_do: str = ""  # "Att göra" for the reader: "Besluta (första godkännandet)", "Väntar på …"


def _row(e: Exemption, who: Reader | None = None, *, worklist: str = "", due=None) -> Row:
    return Row(
        e.exemption_id,
        e.unit.name,
        e.unit.hsa_id,
        e.requirement.code,
        e.requirement.name,
        e.get_reason_display().split(" (")[0],
        e.status,
        e.get_status_display(),
        e.valid_from,
        e.valid_until,
        e.ended_on,
        waits_for(e.status, getattr(e, "first_given", False)),
        e.group.group_id if e.group_id else "",
        to_do(e, who, worklist=worklist, due=due),
    )


@dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    description: str
    rows: tuple[Row, ...]
    more: bool  # more than WORKLIST_LIMIT rows exist


@dataclass(frozen=True)
class GroupRow:
    group_id: str
    booking_system: str
    requirements: str
    status: str
    status_label: str
    valid_from: datetime.date
    valid_until: datetime.date
    waits_for: str
    exemptions: int


@dataclass
class ListPage:
    worklists: list[Worklist]
    rows: list[Row]
    page: object  # django Paginator page (numbers, has_next …)
    status: str
    statuses: list[tuple[str, str]]
    body: str | None
    groups_waiting: list[GroupRow] = field(default_factory=list)
    to_end: list[EndSuggestion] = field(default_factory=list)


def _limited(qs, who: Reader, worklist: str):
    found = list(qs[: WORKLIST_LIMIT + 1])
    return tuple(_row(e, who, worklist=worklist) for e in found[:WORKLIST_LIMIT]), len(found) > WORKLIST_LIMIT


def _awaiting(user, body: str | None):
    """Submitted exemptions whose next decision is the user's body — not the user's own proposals, nor
    ones the user already decided for the other body."""
    qs = _with_first(_visible(user)).filter(status=Status.SUBMITTED)
    if body == Body.KONCERNSTAB:
        qs = qs.exclude(approvals__body=Body.KONCERNSTAB)
    else:
        qs = qs.filter(first_given=True).exclude(approvals__body=Body.HS_STYRNING)
    return qs.exclude(proposed_by=user).exclude(approvals__decided_by=user)


def _my_drafts(user, base):
    """The drafts the reader is to send in or delete: their own, and — for a unit manager or provider —
    every draft of their units (a colleague's too). Koncernstab may change every unit's draft (support) but
    is shown only its own here: the others are the units' business."""
    mine = Q(proposed_by=user)
    if not sees_everything(user):
        mine |= Q(unit__in=changeable_units(user))
    return base.filter(mine, status=Status.DRAFT)


def list_page(user, *, today: datetime.date, status: str = "", page_number=1) -> ListPage:
    """Queries: the user's roles (1, cached on the user), awaiting my decision (1, approvers only), my drafts
    (1, for who may propose), ending within 30 days (1), follow-ups due (1), the latest stored date and no
    longer needed (2), all exemptions (count + page: 2), common decisions waiting for me and the ones to
    end (2–4, approvers only). "Att göra" is annotated in each list's own query."""
    body = approval_body(user)
    who = reader(user)
    stored_as_of = (
        UnitResult.objects.filter(as_of__lte=today).order_by("-as_of").values_list("as_of", flat=True).first()
    )
    base = _with_first(_for_reader(_visible(user), user)).select_related("unit", "requirement", "group")
    worklists = []
    if body:
        rows, more = _limited(
            _for_reader(_awaiting(user, body), user)
            .select_related("unit", "requirement", "group")
            .order_by("created_at", "exemption_id"),
            who,
            "mitt-beslut",
        )
        worklists.append(
            Worklist(
                "mitt-beslut",
                "Väntar på mitt beslut",
                f"Inskickade avsteg där {Body(body).label} ska besluta nu.",
                rows,
                more,
            )
        )
    if not who.read_only and (body is None or body == Body.KONCERNSTAB):
        rows, more = _limited(_my_drafts(user, base).order_by("created_at", "exemption_id"), who, "utkast")
        worklists.append(
            Worklist(
                "utkast",
                "Utkast att skicka in",
                "Utkast som du har föreslagit eller som gäller dina enheter: "
                "ändra, skicka in eller ta bort dem.",
                rows,
                more,
            )
        )
    rows, more = _limited(
        base.filter(
            status=Status.APPROVED,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=ENDING_DAYS),
        ).order_by("valid_until", "exemption_id"),
        who,
        "upphor",
    )
    worklists.append(
        Worklist(
            "upphor",
            "Upphör inom 30 dagar",
            "Godkända avsteg som slutar gälla inom 30 dagar: "
            "förläng genom ett nytt förslag, eller låt dem upphöra.",
            rows,
            more,
        )
    )
    due = (
        FollowUp.objects.filter(
            done_on__isnull=True,
            due_on__lte=today,
            exemption__status__in=[Status.APPROVED, Status.SUBMITTED],
            exemption__in=_visible(user),
        )
        .annotate(reader_may_change=Exists(changeable_units(user).filter(pk=OuterRef("exemption__unit_id"))))
        .select_related("exemption__unit", "exemption__requirement", "exemption__group")
        .order_by("due_on", "exemption__exemption_id")
    )
    found = list(due[: WORKLIST_LIMIT + 1])
    for fu in found:
        fu.exemption.reader_may_change = fu.reader_may_change
    worklists.append(
        Worklist(
            "uppfoljning",
            "Uppföljning att göra",
            "Avsteg vars uppföljningsdatum har kommit; markera uppföljningen som gjord på avstegets sida.",
            tuple(
                _row(fu.exemption, who, worklist="uppfoljning", due=fu.due_on)
                for fu in found[:WORKLIST_LIMIT]
            ),
            len(found) > WORKLIST_LIMIT,
        )
    )
    unneeded = RequirementResult.objects.filter(
        unit_result__as_of=stored_as_of, exemption_unneeded=True
    ).values("exemption_code")
    rows, more = _limited(
        base.filter(status=Status.APPROVED, exemption_id__in=unneeded).order_by("exemption_id")
        if stored_as_of
        else base.none(),
        who,
        "behovs-inte",
    )
    worklists.append(
        Worklist(
            "behovs-inte",
            "Behövs inte längre",
            "Kravet är uppfyllt utan avsteget enligt de senast sparade resultaten"
            + (f" ({stored_as_of:%Y-%m-%d})" if stored_as_of else "")
            + ": avsteget kan återkallas.",
            rows,
            more,
        )
    )
    qs = base.order_by("-created_at", "-exemption_id")
    if status in Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    result = ListPage(
        worklists=worklists,
        rows=[_row(e, who) for e in page.object_list],
        page=page,
        status=status if status in Status.values else "",
        statuses=list(Status.choices),
        body=body,
    )
    if body:
        result.groups_waiting = [
            g for g in group_rows() if g.status == Status.SUBMITTED and _group_waits_for_me(g, body)
        ]
        result.to_end = end_suggestions()
    return result


def _group_waits_for_me(g: GroupRow, body: str) -> bool:
    return g.waits_for == WAITS_FOR[body]


# --- One exemption ----------------------------------------------------------------------------------------


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


def _history(object_type: str, object_id: str) -> list[HistoryLine]:
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


def _decisions(approvals) -> list[Decision]:
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


def _may_decide(user, subject, approvals, body) -> bool:
    """Whether to show Godkänn/Avslå: the services check the same again."""
    if body is None or subject.status != Status.SUBMITTED or subject.proposed_by_id == user.pk:
        return False
    decided = {a.body: a.decided_by_id for a in approvals}
    if body in decided or user.pk in decided.values():
        return False
    return body == Body.KONCERNSTAB or Body.KONCERNSTAB in decided


def detail_page(
    user, exemption: Exemption, *, may_change: bool, today: datetime.date, may_manage: bool | None = None
) -> DetailPage:
    """`may_change`: the reader may change the unit's facts (follow-ups); `may_manage`: the reader sends
    in, changes, deletes and withdraws it (`exemptions.services.may_manage`; by default the proposer or
    `may_change`)."""
    approvals = list(exemption.approvals.select_related("decided_by"))
    body = approval_body(user)
    may_decide = _may_decide(user, exemption, approvals, body)
    if may_manage is None:
        may_manage = may_change or exemption.proposed_by_id == user.pk
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
        row=_row(exemption),
        decisions=_decisions(approvals),
        follow_ups=list(exemption.follow_ups.all()),
        history=_history("exemption", exemption.exemption_id),
        may_decide=may_decide,
        body=body,
        may_revoke=body is not None and exemption.status == Status.APPROVED,
        may_submit=exemption.status == Status.DRAFT and may_manage,
        may_follow_up=exemption.status in (Status.APPROVED, Status.SUBMITTED)
        and (body is not None or may_change),
        effects=effects,
        may_withdraw=exemption.status == Status.SUBMITTED and not approvals and may_manage,
        siblings_note=siblings_note(proposal_siblings(exemption), rejected=False) if may_decide else "",
    )


def _effect_day(valid_from: datetime.date, valid_until: datetime.date, today: datetime.date) -> datetime.date:
    """Judge the effect today, or on its first day if it starts later (or its last, if already over) —
    inside the date rule's bounds, for a row stored before the rule held (valid_from 9999-12-31)."""
    return clamp(min(max(today, valid_from), valid_until))


def exemption_effect(exemption: Exemption, exemptions: list[Exemption], *, today: datetime.date) -> Effect:
    """The unit judged by the pure engine on its current facts, without and with `exemptions` approved
    (the loader's fixed queries for one unit; nothing is written). Reuses the self-service preview's
    comparison."""
    as_of = _effect_day(exemption.valid_from, exemption.valid_until, today)
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
    )
    return Effect(as_of, _sentence(preview.level_before, preview.level_after), preview, others)


def _sentence(before: str, after: str) -> str:
    if before == after:
        return f"Med avsteget: oförändrat, {before}"
    return f"Med avsteget: {before} → {after}"


# --- Common decisions and capabilities --------------------------------------------------------------------


def group_rows(qs=None) -> list[GroupRow]:
    """Every common decision with its requirements and number of exemptions (2 queries)."""
    first = ExemptionApproval.objects.filter(group=OuterRef("pk"), body=Body.KONCERNSTAB, approved=True)
    qs = (
        (qs if qs is not None else ExemptionGroup.objects.all())
        .annotate(first_given=Exists(first), n=Count("exemptions", distinct=True))
        .prefetch_related("requirements")
        .order_by("-created_at", "-group_id")
    )
    return [
        GroupRow(
            g.group_id,
            g.booking_system,
            ", ".join(sorted(r.code for r in g.requirements.all())),
            g.status,
            g.get_status_display(),
            g.valid_from,
            g.valid_until,
            waits_for(g.status, g.first_given),
            g.n,
        )
        for g in qs
    ]


@dataclass(frozen=True)
class EndSuggestion:
    """A booking system now supports a requirement: its exemptions for that requirement can end."""

    booking_system: str
    requirement_code: str
    groups: tuple[str, ...]
    single: int  # approved technical exemptions outside a common decision


def end_suggestions() -> list[EndSuggestion]:
    """From the capability table: for each supported (system, requirement), the approved common decisions
    and single technical exemptions still covering it (3 queries)."""
    supported = list(SystemCapability.objects.filter(supported=True).select_related("requirement"))
    if not supported:
        return []
    pairs = Q()
    for c in supported:
        pairs |= Q(booking_system=c.booking_system, requirements=c.requirement)
    groups = {}
    for gid, system, code in (
        ExemptionGroup.objects.filter(pairs, status=Status.APPROVED)
        .values_list("group_id", "booking_system", "requirements__code")
        .distinct()
    ):
        groups.setdefault((system, code), []).append(gid)
    single_q = Q()
    for c in supported:
        single_q |= Q(unit__booking_system=c.booking_system, requirement=c.requirement)
    singles = Counter(
        Exemption.objects.filter(
            single_q, status=Status.APPROVED, group__isnull=True, reason=Exemption.Reason.TEKNISK
        ).values_list("unit__booking_system", "requirement__code")
    )
    out = []
    for c in supported:
        key = (c.booking_system, c.requirement.code)
        if groups.get(key) or singles.get(key):
            out.append(EndSuggestion(*key, tuple(sorted(groups.get(key, []))), singles.get(key, 0)))
    return out


@dataclass
class SystemPage:
    capabilities: list[SystemCapability]
    groups: list[GroupRow]
    to_end: list[EndSuggestion]
    unit_counts: dict[str, int]


def system_page() -> SystemPage:
    counts = dict(
        affected_units_all()
        .values("booking_system")
        .annotate(n=Count("id"))
        .values_list("booking_system", "n")
    )
    capabilities = list(
        SystemCapability.objects.select_related("requirement").order_by("booking_system", "requirement__code")
    )
    for c in capabilities:
        c.units = counts.get(c.booking_system, 0)  # the units a common decision would cover
    return SystemPage(
        capabilities=capabilities,
        groups=group_rows(),
        to_end=end_suggestions(),
        unit_counts=counts,
    )


def affected_units_all():
    from units.models import CareUnit

    return CareUnit.objects.filter(active=True, has_contact_card=True).exclude(
        booking_system=CareUnit.BookingSystem.INGEN
    )


@dataclass(frozen=True)
class GroupEffect:
    as_of: datetime.date
    units: int
    transitions: list[tuple[str, str, int]]  # level before, after, number of units
    requirement_changes: int  # requirement statuses that become exempt


@dataclass
class GroupPage:
    group: ExemptionGroup
    row: GroupRow
    decisions: list[Decision]
    history: list[HistoryLine]
    may_decide: bool
    body: str | None
    may_revoke: bool
    may_submit: bool  # a draft: also "Ändra utkastet" and "Ta bort utkastet"
    effect: GroupEffect | None
    exemptions: list[Row]
    follow_ups: list[str]
    may_withdraw: bool = False


def group_page(user, group: ExemptionGroup, *, today: datetime.date) -> GroupPage:
    approvals = list(group.approvals.select_related("decided_by"))
    body = approval_body(user)
    (row,) = group_rows(ExemptionGroup.objects.filter(pk=group.pk))
    exemptions = [
        _row(e)
        for e in group.exemptions.select_related("unit", "requirement", "group").order_by(
            "unit__hsa_id", "requirement__code"
        )[:WORKLIST_LIMIT]
    ]
    return GroupPage(
        group=group,
        row=row,
        decisions=_decisions(approvals),
        history=_history("exemptiongroup", group.group_id),
        may_decide=_may_decide(user, group, approvals, body),
        body=body,
        may_revoke=body is not None and group.status == Status.APPROVED,
        may_submit=group.status == Status.DRAFT and body is not None,
        may_withdraw=group.status == Status.SUBMITTED and not approvals and body is not None,
        effect=group_effect(group, today=today) if group.status in (Status.DRAFT, Status.SUBMITTED) else None,
        exemptions=exemptions,
        follow_ups=list(group.follow_up_dates),
    )


def group_effect(group: ExemptionGroup, *, today: datetime.date) -> GroupEffect:
    """Every affected unit judged without and with the decision's exemptions (the loader's fixed queries
    for all of them at once), summed up as level transitions."""
    as_of = _effect_day(group.valid_from, group.valid_until, today)
    context = load_context(as_of)
    ids = list(affected_units(group.booking_system).values_list("id", flat=True))
    facts = load_units(context, ids) if ids else []
    codes = [r.code for r in group.requirements.all()]
    transitions: Counter = Counter()
    changed = 0
    rulebook = context.rulebook
    for f in facts:
        added = tuple(
            t.ExemptionFact(
                f"{group.group_id}-{code}", code, Status.APPROVED, group.valid_from, group.valid_until, None
            )
            for code in codes
        )
        before = evaluate_unit(f, rulebook, as_of)
        after = evaluate_unit(replace(f, exemptions=f.exemptions + added), rulebook, as_of)
        transitions[
            (
                level_text(before.booking_level, before.booking_level_with_exemptions),
                level_text(after.booking_level, after.booking_level_with_exemptions),
            )
        ] += 1
        changed += sum(
            1
            for code in codes
            if code in after.requirements
            and after.requirements[code].status != before.requirements[code].status
        )
    return GroupEffect(
        as_of,
        len(facts),
        sorted(((b, a, n) for (b, a), n in transitions.items()), key=lambda x: (-x[2], x[0])),
        changed,
    )
