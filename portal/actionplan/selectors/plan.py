"""The action plan (/handlingsplan/) and its PDF report.

    action_plan(user, *, period, forvaltning=None, vardomrade=None, as_of) -> ActionPlan

The plan of one schedule period for one scope — the region (neither given), a förvaltning, or a
vårdområde (its förvaltning is implied) — as plain dataclasses, in a fixed number of queries whatever the
number of units, activities or offerings. What a user may not see is left out here, from
`units.permissions`: a unit manager or provider gets the regional activities, those of their förvaltningar
and vårdområden, and only their own units (linked units, exemptions, local offerings) — never another
unit's name or HSA-id. Nothing here judges: exemptions are "in force" by `Exemption.objects.active_on`
(`exemptions.rules.is_active`) on `as_of`, target shares are shown as stored.

The exemptions in force are `in_force.exemptions_in_force`; who may see and change what, `access`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from actionplan.models import Activity, ActivityNote, Obstacle, Target
from compliance.engine.text import pct
from exemptions.models import Exemption
from servicelevel.models import Requirement, SchedulePeriod
from units.models import CareUnit, Forvaltning, Vardomrade
from units.permissions import (
    changeable_units,
    is_read_only,
    may_answer_obstacles,
    may_plan_regionally,
    sees_everything,
    visible_areas,
    visible_units,
)

from .access import visible_activities
from .in_force import ExemptionRow, exemptions_in_force
from .phase_out import PhaseOutArea, PhaseOutRow, phase_out_rows

# Above this many local offerings, the page lists them per unit only for a vårdområde (the per-area summary
# is always shown); `ActionPlan.phase_out` always holds every row, for exports and the PDF.
PHASE_OUT_LIST_LIMIT = 300


# --------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Scope:
    forvaltning: Forvaltning | None = None
    vardomrade: Vardomrade | None = None

    @property
    def label(self) -> str:
        if self.vardomrade is not None:
            return f"vårdområde {self.vardomrade.name}"
        if self.forvaltning is not None:
            return self.forvaltning.name
        return "hela regionen"

    @property
    def query(self) -> str:
        """The scope as the page's query parameters."""
        if self.vardomrade is not None:
            return f"omfattning=omrade-{self.vardomrade.pk}"
        if self.forvaltning is not None:
            return f"omfattning=forvaltning-{self.forvaltning.pk}"
        return ""


@dataclass(frozen=True)
class NoteRow:
    written_on: datetime.date
    text: str
    author: str


@dataclass(frozen=True)
class ActivityRow:
    pk: int
    title: str
    description: str
    scope_label: str  # "Regional", the förvaltning's or the vårdområde's name
    is_regional: bool
    requirements: list[tuple[str, str]]  # (code, name)
    units: list[tuple[str, str]]  # (HSA-id, name): only units the user may see
    exemptions: list[str]  # exemption ids of units the user may see
    owner: str
    due_on: datetime.date | None
    state: str
    state_label: str
    overdue: bool
    notes: list[NoteRow]
    may_change: bool


@dataclass(frozen=True)
class TargetRow:
    pk: int
    vardomrade: str
    requirement_code: str
    requirement_name: str
    share: str  # "20 %"
    may_change: bool


@dataclass(frozen=True)
class ObstacleRow:
    pk: int
    title: str
    description: str
    vardomrade: str
    reported_at: datetime.datetime
    reported_by: str
    status: str
    status_label: str
    answer: str
    answered_by: str
    answered_at: datetime.datetime | None
    activities: list[str]


@dataclass(frozen=True)
class ActionPlan:
    period: SchedulePeriod | None
    periods: list[SchedulePeriod]
    scope: Scope
    day: datetime.date
    forvaltningar: list[Forvaltning]  # the scopes the user may choose
    areas: list[Vardomrade]
    activities: list[ActivityRow]
    targets: list[TargetRow]
    exemptions: list[ExemptionRow]
    phase_out: list[PhaseOutRow]
    phase_out_areas: list[PhaseOutArea]
    obstacles: list[ObstacleRow]
    may_plan: bool  # targets, regional activities, every activity and phase-out plan
    may_add_local: bool  # a local activity for one's own units
    may_report: bool  # an obstacle for one's own vårdområde
    may_answer: bool
    read_only: bool

    @property
    def phase_out_listed(self) -> list[PhaseOutRow]:
        if self.scope.vardomrade is not None or len(self.phase_out) <= PHASE_OUT_LIST_LIMIT:
            return self.phase_out
        return []

    @property
    def query(self) -> str:
        """The plan's period and scope as query parameters (for links back to it)."""
        parts = [f"period={self.period.code}"] if self.period else []
        if self.scope.query:
            parts.append(self.scope.query)
        return "&".join(parts)


def period_for(code: str | None, day: datetime.date) -> SchedulePeriod | None:
    """The period named by `code`, else the one in force on `day`, else the latest before it (one query).
    An unknown code is a 404: a link to a plan that does not exist."""
    if code:
        period = SchedulePeriod.objects.filter(code=code).first()
        if period is None:
            raise Http404("Det finns ingen sådan period.")
        return period
    return (
        SchedulePeriod.objects.filter(start_date__lte=day).order_by("-start_date").first()
        or SchedulePeriod.objects.order_by("start_date").first()
    )


def _scope_units(user, scope: Scope) -> QuerySet[CareUnit]:
    units = CareUnit.objects.all() if sees_everything(user) else visible_units(user)
    if scope.vardomrade is not None:
        return units.filter(vardomrade=scope.vardomrade)
    if scope.forvaltning is not None:
        return units.filter(forvaltning=scope.forvaltning)
    return units


def _activities_in(scope: Scope, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """A scope's plan holds the regional activities and those of the scope and everything inside it."""
    if scope.vardomrade is not None:
        return activities.filter(
            Q(forvaltning=None, vardomrade=None)
            | Q(forvaltning=scope.vardomrade.forvaltning_id, vardomrade=None)
            | Q(vardomrade=scope.vardomrade)
        )
    if scope.forvaltning is not None:
        return activities.filter(Q(forvaltning=None, vardomrade=None) | Q(forvaltning=scope.forvaltning))
    return activities


def _user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def action_plan(
    user,
    *,
    period: SchedulePeriod | None,
    forvaltning: Forvaltning | None = None,
    vardomrade: Vardomrade | None = None,
    as_of: datetime.date,
) -> ActionPlan:
    """The plan of `period` for the region, a förvaltning or a vårdområde, as `user` may see it, with the
    exemptions in force on `as_of`. The caller has checked that the user may see the scope
    (`units.permissions.area_for_user` / `forvaltning_for_user`). 13–16 queries whatever the size."""
    if vardomrade is not None:
        forvaltning = vardomrade.forvaltning
    scope = Scope(forvaltning=forvaltning, vardomrade=vardomrade)
    everything = sees_everything(user)  # query: the user's roles (once per request)
    may_plan = may_plan_regionally(user)
    read_only = is_read_only(user)
    units = _scope_units(user, scope)
    # For a unit manager: the units whose facts they may change decide what they may edit.
    own_unit_ids = (
        set() if may_plan or read_only else set(changeable_units(user).values_list("id", flat=True))
    )

    # query: the areas (with their förvaltning) the user may choose as a scope
    areas = list(
        (Vardomrade.objects.all() if everything else visible_areas(user)).select_related("forvaltning")
    )
    forvaltningar = sorted({a.forvaltning for a in areas}, key=lambda f: f.name)
    periods = list(SchedulePeriod.objects.order_by("start_date"))  # query: the period chooser

    activities = (
        _activity_rows(user, scope, period, as_of, everything, may_plan, own_unit_ids) if period else []
    )
    targets = _target_rows(user, scope, period, everything, may_plan) if period else []
    exemptions = exemptions_in_force(units, as_of)
    phase_out, phase_out_areas = phase_out_rows(units, as_of, may_plan, own_unit_ids)
    obstacles = _obstacle_rows(user, scope, everything)
    return ActionPlan(
        period=period,
        periods=periods,
        scope=scope,
        day=as_of,
        forvaltningar=forvaltningar,
        areas=areas,
        activities=activities,
        targets=targets,
        exemptions=exemptions,
        phase_out=phase_out,
        phase_out_areas=phase_out_areas,
        obstacles=obstacles,
        may_plan=may_plan,
        may_add_local=bool(own_unit_ids) or may_plan,
        may_report=not read_only and (may_plan or bool(own_unit_ids)),
        may_answer=may_answer_obstacles(user),
        read_only=read_only,
    )


def _activity_rows(user, scope, period, day, everything, may_plan, own_unit_ids) -> list[ActivityRow]:
    visible = CareUnit.objects.all() if everything else visible_units(user)
    activities = (
        _activities_in(scope, visible_activities(user))
        .filter(period=period)
        .select_related("forvaltning", "vardomrade", "owner")
        .annotate(unit_count=Count("units", distinct=True))
        .prefetch_related(
            # queries: the linked requirements, units (only visible ones) and exemptions (of visible
            # units), and the progress notes with their authors — one each, whatever their number
            Prefetch("requirements", queryset=Requirement.objects.order_by("order", "code")),
            Prefetch("units", queryset=visible.order_by("name")),
            Prefetch(
                "exemptions",
                queryset=Exemption.objects.filter(unit__in=visible).order_by("exemption_id")
                if not everything
                else Exemption.objects.order_by("exemption_id"),
            ),
            Prefetch(
                "notes", queryset=ActivityNote.objects.select_related("author").order_by("written_on", "id")
            ),
        )
        .order_by("due_on", "title", "pk")
    )
    rows = []
    for a in activities:  # query: the activities of the period in the scope
        units = list(a.units.all())
        rows.append(
            ActivityRow(
                pk=a.pk,
                title=a.title,
                description=a.description,
                scope_label=a.vardomrade.name
                if a.vardomrade
                else a.forvaltning.name
                if a.forvaltning
                else "Regional",
                is_regional=a.is_regional,
                requirements=[(r.code, r.name) for r in a.requirements.all()],
                units=[(u.hsa_id, u.name) for u in units],
                exemptions=[e.exemption_id for e in a.exemptions.all()],
                owner=a.owner_text or _user_label(a.owner),
                due_on=a.due_on,
                state=a.state,
                state_label=a.get_state_display(),
                overdue=a.due_on is not None and a.due_on < day and a.state != Activity.State.DONE,
                notes=[NoteRow(n.written_on, n.text, _user_label(n.author)) for n in a.notes.all()],
                may_change=may_plan or _local_and_own(a, units, own_unit_ids),
            )
        )
    return rows


def _local_and_own(activity: Activity, units: list[CareUnit], own_unit_ids: set[int]) -> bool:
    """A unit manager changes a vårdområde's activity whose every linked unit is theirs (and has one)."""
    return (
        activity.vardomrade_id is not None
        and bool(units)
        and all(u.pk in own_unit_ids for u in units)
        # a unit the manager may not see is not in `units` (prefetched visible only): `unit_count` counts all
        and activity.unit_count == len(units)
    )


def _target_rows(user, scope, period, everything, may_plan) -> list[TargetRow]:
    targets = Target.objects.filter(period=period).select_related("vardomrade", "requirement")
    if scope.vardomrade is not None:
        targets = targets.filter(vardomrade=scope.vardomrade)
    elif scope.forvaltning is not None:
        targets = targets.filter(vardomrade__forvaltning=scope.forvaltning)
    if not everything:
        targets = targets.filter(vardomrade__in=visible_areas(user))
    return [  # query: the targets of the period in the scope
        TargetRow(
            pk=t.pk,
            vardomrade=t.vardomrade.name,
            requirement_code=t.requirement.code,
            requirement_name=t.requirement.name,
            share=pct(Fraction(t.target_share)),
            may_change=may_plan,
        )
        for t in targets.order_by("vardomrade__name", "requirement__order")
    ]


def _obstacle_rows(user, scope, everything) -> list[ObstacleRow]:
    obstacles = Obstacle.objects.select_related("vardomrade", "reported_by", "answered_by")
    if scope.vardomrade is not None:
        obstacles = obstacles.filter(vardomrade=scope.vardomrade)
    elif scope.forvaltning is not None:
        obstacles = obstacles.filter(vardomrade__forvaltning=scope.forvaltning)
    if not everything:
        obstacles = obstacles.filter(vardomrade__in=visible_areas(user))
    obstacles = obstacles.prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("title"))  # query: linked activities
    ).order_by("-reported_at")
    return [  # query: the obstacles of the scope's areas
        ObstacleRow(
            pk=o.pk,
            title=o.title,
            description=o.description,
            vardomrade=o.vardomrade.name,
            reported_at=o.reported_at,
            reported_by=_user_label(o.reported_by),
            status=o.status,
            status_label=o.get_status_display(),
            answer=o.answer,
            answered_by=_user_label(o.answered_by),
            answered_at=o.answered_at,
            activities=[a.title for a in o.activities.all()],
        )
        for o in obstacles
    ]
