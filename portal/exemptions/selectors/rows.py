"""What every exemption page reads the same way: the exemptions a user may see (and the 404 for the rest),
one exemption as a row of a list, whom it waits for and the reader's next step ("Att göra").

Whose step it is and who may take it is `exemptions.steps`: here its query forms are annotated on the
rows (`next_body`, `reader_may_decide`) and its Python forms read them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef
from django.http import Http404

from exemptions import steps
from exemptions.models import Exemption, ExemptionApproval, ExemptionGroup, FollowUp
from units.permissions import approval_body, changeable_units, is_read_only, sees_everything, visible_units

Status = Exemption.Status
Body = ExemptionApproval.Body
WORKLIST_LIMIT = 200
PAGE_SIZE = 50

# The bodies' names are their labels (exemptions.models.ExemptionApproval.Body): the decision's
# "Koncernstab kommunikation" and "Avdelningen för hälso- och sjukvårdsstyrning", written once.
WHICH = {Body.KONCERNSTAB: "första godkännandet", Body.HS_STYRNING: "andra godkännandet"}
WAITS_FOR = {body: f"{body.label} ({which})" for body, which in WHICH.items()}
# "Att göra": what the reader must do about a row — a verb phrase — or whom it waits for when nothing.
DECIDE = {body: f"Besluta ({which})" for body, which in WHICH.items()}
NOTHING = "Inget att göra"


def waits_for(status: str, next_body: str | None) -> str:
    """Whose move it is: the proposer while a draft, then the body of `steps.next_body`; nobody after."""
    if status == Status.DRAFT:
        return "Förslagsställaren (utkast, inte inskickat)"
    if next_body:
        return WAITS_FOR[Body(next_body)]
    return "–"


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
    to decide and tells its proposer whom it waits for). Reads the annotations of `for_reader` and
    `with_next_body`."""
    if who is None:
        return ""
    manages = steps.manages(
        read_only=who.read_only,
        is_proposer=e.proposed_by_id == who.pk,
        may_change_unit=getattr(e, "reader_may_change", False),
    )
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
    next_body = getattr(e, "next_body", "")
    if e.status == Status.SUBMITTED and next_body:
        if getattr(e, "reader_may_decide", False):
            return DECIDE[Body(next_body)]
        return f"Väntar på {Body(next_body).label}"
    return NOTHING


def for_reader(qs, user):
    """The annotations `to_do` reads, in the same query: whether the reader may change the row's unit
    (a subquery of `changeable_units`) and may decide on it now (`steps.may_decide_q`)."""
    return with_next_body(qs).annotate(
        reader_may_change=Exists(changeable_units(user).filter(pk=OuterRef("unit_id"))),
        reader_may_decide=ExpressionWrapper(
            steps.may_decide_q(user_body=approval_body(user), user_pk=user.pk, link="exemption"),
            output_field=BooleanField(),
        ),
    )


def visible_exemptions(user):
    """Exemptions of the units the user may see (no filter at all for region-wide roles)."""
    qs = Exemption.objects.all()
    return qs if sees_everything(user) else qs.filter(unit__in=visible_units(user))


def with_next_body(qs, *, link: str = "exemption"):
    """Each row's `next_body` ("" for none), `steps.next_body` in the same query."""
    return qs.annotate(next_body=steps.next_body_value(link=link))


def exemption_for_user(user, exemption_id: str) -> Exemption:
    """The exemption if the user may see its unit, else 404 (an outsider learns nothing)."""
    exemption = (
        with_next_body(visible_exemptions(user))
        .select_related("unit__vardomrade", "unit__forvaltning", "requirement", "group", "proposed_by")
        .filter(exemption_id=exemption_id)
        .first()
    )
    if exemption is None:
        raise Http404("Avsteget finns inte eller så saknar du behörighet till det.")
    return exemption


def follow_up_of(exemption: Exemption, pk: int) -> FollowUp:
    """One of the exemption's follow-ups (404 for another's)."""
    follow_up = FollowUp.objects.filter(pk=pk, exemption=exemption).first()
    if follow_up is None:
        raise Http404("Uppföljningen finns inte.")
    return follow_up


def proposal_made(user, token: str) -> list[Exemption]:
    """What a new-exemption form's token made already (the person went Back to a saved form): the
    exemptions the user may see, for the page's "already saved" notice. One query, none without a token."""
    if not token:
        return []
    return list(visible_exemptions(user).filter(proposal=token).order_by("exemption_id"))


def group_for_user(user, group_id: str) -> ExemptionGroup:
    """Common decisions name many units: region-wide roles only (404 for others)."""
    if not sees_everything(user):
        raise Http404("Beslutet finns inte eller så saknar du behörighet till det.")
    group = ExemptionGroup.objects.select_related("proposed_by").filter(group_id=group_id).first()
    if group is None:
        raise Http404("Beslutet finns inte.")
    return group


def units_to_propose_for(user):
    """The units the user may propose exemptions for (those whose facts they may change)."""
    return changeable_units(user)


def may_propose(user) -> bool:
    return not is_read_only(user) and changeable_units(user).exists()


def unit_chosen(units, hsa_id: str):
    """The unit of `units` with this HSA-id, or None (a link's ?enhet= that names another's unit)."""
    return units.filter(hsa_id=hsa_id).first() if hsa_id else None


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


def row(e: Exemption, who: Reader | None = None, *, worklist: str = "", due=None) -> Row:
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
        waits_for(e.status, getattr(e, "next_body", "")),
        e.group.group_id if e.group_id else "",
        to_do(e, who, worklist=worklist, due=due),
    )
