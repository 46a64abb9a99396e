"""The booking systems' page (/avsteg/system/) and common decisions (gemensamma beslut): the capability
table, the decisions with whom they wait for, which exemptions can end now that a system supports a
requirement, one decision's page and the engine's effect of approving it on every unit it covers."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, replace

from django.db.models import Count, Q

from compliance.engine import evaluate_unit
from compliance.engine import types as t
from compliance.loader import load_context, load_units
from exemptions import steps
from exemptions.models import Exemption, ExemptionGroup, SystemCapability
from exemptions.services import affected_units
from portal.preview import has_levels, level_text
from units.permissions import approval_body, is_read_only

from .detail import Decision, HistoryLine, decisions_of, effect_day, history
from .rows import WORKLIST_LIMIT, Row, Status, row, waits_for, with_next_body


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


def group_rows(qs=None) -> list[GroupRow]:
    """Every common decision (or those of `qs`) with its requirements and number of exemptions (2
    queries)."""
    qs = (
        with_next_body(qs if qs is not None else ExemptionGroup.objects.all(), link="group")
        .annotate(n=Count("exemptions", distinct=True))
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
            waits_for(g.status, g.next_body),
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
        affected_units().values("booking_system").annotate(n=Count("id")).values_list("booking_system", "n")
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


@dataclass(frozen=True)
class GroupEffect:
    as_of: datetime.date
    units: int
    transitions: list[tuple[str, str, int]]  # level before, after, number of units; none without a ladder
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
    decisions = steps.decided(approvals)
    body = approval_body(user)
    manages = steps.manages_group(read_only=is_read_only(user), user_body=body)
    (group_row,) = group_rows(ExemptionGroup.objects.filter(pk=group.pk))
    exemptions = [
        row(e)
        for e in group.exemptions.select_related("unit", "requirement", "group").order_by(
            "unit__hsa_id", "requirement__code"
        )[:WORKLIST_LIMIT]
    ]
    return GroupPage(
        group=group,
        row=group_row,
        decisions=decisions_of(approvals),
        history=history("exemptiongroup", group.group_id),
        may_decide=steps.may_decide(
            status=group.status,
            user_body=body,
            user_pk=user.pk,
            proposed_by_id=group.proposed_by_id,
            decisions=decisions,
        ),
        body=body,
        may_revoke=steps.may_revoke(status=group.status, user_body=body),
        may_submit=steps.may_submit(status=group.status, manages=manages),
        may_withdraw=steps.may_withdraw(status=group.status, decisions=decisions, manages=manages),
        effect=group_effect(group, today=today) if group.status in (Status.DRAFT, Status.SUBMITTED) else None,
        exemptions=exemptions,
        follow_ups=list(group.follow_up_dates),
    )


def group_form_initial(group: ExemptionGroup) -> dict:
    """A draft's terms as the form's initial values (/avsteg/system/<id>/andra/)."""
    return {
        "booking_system": group.booking_system,
        "requirements": list(group.requirements.values_list("pk", flat=True)),
        "justification": group.justification,
        "valid_from": group.valid_from,
        "valid_until": group.valid_until,
        **{f"follow_up_{i}": d for i, d in enumerate(group.follow_up_dates, start=1)},
    }


def group_exemption_count(group: ExemptionGroup) -> int:
    """How many exemptions an approved decision made (its confirmation says so)."""
    return group.exemptions.count()


def group_effect(group: ExemptionGroup, *, today: datetime.date) -> GroupEffect:
    """Every affected unit judged without and with the decision's exemptions (the loader's fixed queries
    for all of them at once), summed up as level transitions."""
    as_of = effect_day(group.valid_from, group.valid_until, today)
    context = load_context(as_of)
    ids = list(affected_units(group.booking_system).values_list("id", flat=True))
    facts = load_units(context, ids) if ids else []
    codes = [r.code for r in group.requirements.all()]
    transitions: Counter = Counter()
    changed = 0
    rulebook = context.rulebook
    levels = has_levels(rulebook)
    for f in facts:
        added = tuple(
            t.ExemptionFact(
                f"{group.group_id}-{code}", code, Status.APPROVED, group.valid_from, group.valid_until, None
            )
            for code in codes
        )
        before = evaluate_unit(f, rulebook, as_of)
        after = evaluate_unit(replace(f, exemptions=f.exemptions + added), rulebook, as_of)
        if levels:
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
