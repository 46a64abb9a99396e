"""The exemption list (/avsteg/): the reader's worklists — waiting for my decision, drafts to send in,
ending soon, follow-ups due, no longer needed — and every exemption the reader may see, a page at a time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q

from compliance.models import RequirementResult, UnitResult
from exemptions import steps
from exemptions.models import ExemptionGroup, FollowUp
from exemptions.rules import ENDING_SOON_DAYS, active_q
from units.permissions import approval_body, changeable_units, sees_everything

from .groups import EndSuggestion, GroupRow, end_suggestions, group_rows
from .rows import (
    PAGE_SIZE,
    WORKLIST_LIMIT,
    Body,
    Reader,
    Row,
    Status,
    for_reader,
    reader,
    row,
    visible_exemptions,
)


@dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    description: str
    rows: tuple[Row, ...]
    more: bool  # more than WORKLIST_LIMIT rows exist


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
    return tuple(row(e, who, worklist=worklist) for e in found[:WORKLIST_LIMIT]), len(found) > WORKLIST_LIMIT


def _awaiting(user, body: str | None):
    """Submitted exemptions waiting for the user's decision now (`exemptions.steps.may_decide_q`)."""
    return visible_exemptions(user).filter(
        steps.may_decide_q(user_body=body, user_pk=user.pk, link="exemption")
    )


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
    base = for_reader(visible_exemptions(user), user).select_related("unit", "requirement", "group")
    worklists = []
    if body:
        rows, more = _limited(
            for_reader(_awaiting(user, body), user)
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
            active_q(today),
            status=Status.APPROVED,
            valid_until__lte=today + datetime.timedelta(days=ENDING_SOON_DAYS),
        ).order_by("valid_until", "exemption_id"),
        who,
        "upphor",
    )
    worklists.append(
        Worklist(
            "upphor",
            f"Upphör inom {ENDING_SOON_DAYS} dagar",
            f"Godkända avsteg som slutar gälla inom {ENDING_SOON_DAYS} dagar: "
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
            exemption__in=visible_exemptions(user),
        )
        .annotate(
            reader_may_change=Exists(changeable_units(user).filter(pk=OuterRef("exemption__unit_id"))),
            next_body=steps.next_body_value(link="exemption", prefix="exemption__"),
        )
        .select_related("exemption__unit", "exemption__requirement", "exemption__group")
        .order_by("due_on", "exemption__exemption_id")
    )
    found = list(due[: WORKLIST_LIMIT + 1])
    for fu in found:
        fu.exemption.reader_may_change, fu.exemption.next_body = fu.reader_may_change, fu.next_body
    worklists.append(
        Worklist(
            "uppfoljning",
            "Uppföljning att göra",
            "Avsteg vars uppföljningsdatum har kommit; markera uppföljningen som gjord på avstegets sida.",
            tuple(
                row(fu.exemption, who, worklist="uppfoljning", due=fu.due_on) for fu in found[:WORKLIST_LIMIT]
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
        rows=[row(e, who) for e in page.object_list],
        page=page,
        status=status if status in Status.values else "",
        statuses=list(Status.choices),
        body=body,
    )
    if body:
        result.groups_waiting = group_rows(
            ExemptionGroup.objects.filter(steps.may_decide_q(user_body=body, user_pk=user.pk, link="group"))
        )
        result.to_end = end_suggestions()
    return result
