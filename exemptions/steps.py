"""Who moves an exemption — or a common decision (`ExemptionGroup`) — on, written once: whose approval is
the next step, who may decide, send in, withdraw or revoke it. The workflow's services check these before
every transition, the pages ask them to show a button, the lists and the weekly digest ask their query
forms (`next_body_q`, `may_decide_q`, `next_body_value`) — a test holds the Python and SQL forms equal
over every state, set of decisions and role.

The rules: a draft waits for its proposer; once sent in, Koncernstab kommunikation approves first (they
prepare the case), then Hälso- och sjukvårdsstyrning; a rejection by either body ends it. Nobody decides
on what they proposed, nor gives both decisions. Either body may reject while it is sent in, even before
the first approval. A draft is sent in, and a submitted one no one has decided on withdrawn, by whoever
manages it: for a single exemption its proposer or someone who may change the unit's facts, for a common
decision an approver; never a read-only role.

Everything here takes plain values (a state, the decisions as `Decided`, the reader's body and id), so the
same function answers for a row read under a lock and for a row of a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from .models import Exemption, ExemptionApproval

Status = Exemption.Status
Body = ExemptionApproval.Body
FIRST, SECOND = Body.KONCERNSTAB, Body.HS_STYRNING
# The workflow's order: `next_body` is the first of these that has not decided.
ORDER = (FIRST, SECOND)


@dataclass(frozen=True)
class Decided:
    """One body's decision on a subject (an `ExemptionApproval`, as plain values)."""

    body: str
    decided_by_id: int
    approved: bool


def decided(approvals: Iterable[ExemptionApproval]) -> list[Decided]:
    return [Decided(a.body, a.decided_by_id, a.approved) for a in approvals]


# --- Whose step ------------------------------------------------------------------------------------------


def next_body(status: str, decisions: Iterable[Decided]) -> str | None:
    """The body whose approval is the next step: Koncernstab's while it has not decided, then
    HS-styrning's once Koncernstab has approved; None unless sent in (a draft waits for its proposer)."""
    if status != Status.SUBMITTED:
        return None
    by_body = {d.body: d for d in decisions}
    if FIRST not in by_body:
        return FIRST
    if by_body[FIRST].approved and SECOND not in by_body:
        return SECOND
    return None


def decision_refusal(
    *,
    status: str,
    body: str,
    user_body: str | None,
    user_pk: int,
    proposed_by_id: int | None,
    decisions: Iterable[Decided],
    approved: bool,
    noun: str,
) -> str | None:
    """Why `user` may not give `body`'s decision (an approval, or a rejection) now, in Swedish; None when
    they may. `noun` names the subject ("Avsteg AV-2026-0001")."""
    if status != Status.SUBMITTED:
        return (
            f"{noun} är {Status(status).label.lower()}; bara ett inskickat avsteg kan godkännas eller avslås."
        )
    if body not in Body.values:
        return "Okänd beslutsinstans."
    if user_body != body:
        return f"Du kan inte besluta för {Body(body).label}."
    if proposed_by_id is not None and proposed_by_id == user_pk:
        return "Den som har föreslagit avsteget kan inte själv besluta om det."
    by_body = {d.body: d for d in decisions}
    if body in by_body:
        return f"{Body(body).label} har redan beslutat om {noun.lower()}."
    other = by_body.get(SECOND if body == FIRST else FIRST)
    if other is not None and other.decided_by_id == user_pk:
        return "Samma person kan inte fatta båda besluten; det andra beslutet fattas av någon annan."
    if approved and next_body(status, by_body.values()) != body:
        return f"{FIRST.label} godkänner först; därefter beslutar {SECOND.label}."
    return None


def may_decide(
    *,
    status: str,
    user_body: str | None,
    user_pk: int,
    proposed_by_id: int | None,
    decisions: Iterable[Decided],
) -> bool:
    """Whether the subject waits for this user's approval now (the page shows Godkänn/Avslå, the list
    "Väntar på mitt beslut"): their body's is the next step, they did not propose it and have not decided
    on it for the other body."""
    if user_body is None:
        return False
    return (
        decision_refusal(
            status=status,
            body=user_body,
            user_body=user_body,
            user_pk=user_pk,
            proposed_by_id=proposed_by_id,
            decisions=decisions,
            approved=True,
            noun="",
        )
        is None
    )


# --- Send in, withdraw, revoke ------------------------------------------------------------------------


def manages(*, read_only: bool, is_proposer: bool, may_change_unit: bool | Callable[[], bool]) -> bool:
    """Who sends in, changes, deletes and withdraws a single exemption no one has decided on: its proposer
    or someone who may change the unit's facts — never a read-only role. `may_change_unit` may be a
    callable, asked only when the answer depends on it (it reads the database)."""
    if read_only:
        return False
    if is_proposer:
        return True
    return may_change_unit() if callable(may_change_unit) else may_change_unit


def manages_group(*, read_only: bool, user_body: str | None) -> bool:
    """Common decisions span a booking system's units: the approvers prepare them (never a read-only role)."""
    return user_body is not None and not read_only


def may_submit(*, status: str, manages: bool) -> bool:
    return status == Status.DRAFT and manages


def may_withdraw(*, status: str, decisions: Iterable[Decided], manages: bool) -> bool:
    """Sent in, no decision yet: a decision already given is part of the record."""
    return status == Status.SUBMITTED and not list(decisions) and manages


def may_revoke(*, status: str, user_body: str | None) -> bool:
    return status == Status.APPROVED and user_body is not None


# --- The same rules as query conditions -------------------------------------------------------------------


def _decision(link: str, prefix: str, **conditions) -> Exists:
    """A decision on the outer row: `link` is "exemption" for `Exemption` rows, "group" for
    `ExemptionGroup` rows; `prefix` reaches the subject through a relation ("exemption__" from a
    follow-up)."""
    return Exists(ExemptionApproval.objects.filter(**{link: OuterRef(f"{prefix}pk")}, **conditions))


def next_body_q(body: str, *, link: str, prefix: str = "") -> Q:
    """`next_body(...) == body` as a condition on the rows (the weekly digest: what waits for a body)."""
    submitted = Q(**{f"{prefix}status": Status.SUBMITTED})
    if body == FIRST:
        return submitted & ~_decision(link, prefix, body=FIRST)
    if body == SECOND:
        return (
            submitted
            & _decision(link, prefix, body=FIRST, approved=True)
            & ~_decision(link, prefix, body=SECOND)
        )
    return Q(pk__in=[])


def may_decide_q(*, user_body: str | None, user_pk: int, link: str, prefix: str = "") -> Q:
    """`may_decide` as a condition on the rows ("Väntar på mitt beslut")."""
    if user_body is None:
        return Q(pk__in=[])
    return (
        next_body_q(user_body, link=link, prefix=prefix)
        & ~Q(**{f"{prefix}proposed_by": user_pk})
        & ~_decision(link, prefix, decided_by=user_pk)
    )


def next_body_value(*, link: str, prefix: str = "") -> Case:
    """`next_body` as an annotation ("" for none), for rows of a list that say whom they wait for."""
    return Case(
        *(When(next_body_q(body, link=link, prefix=prefix), then=Value(str(body))) for body in ORDER),
        default=Value(""),
        output_field=CharField(),
    )
