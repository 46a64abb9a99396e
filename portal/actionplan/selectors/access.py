"""Who may see and change what in the action plan: the activities a user sees, and the access helpers
(`activity_for_user`, `obstacle_for_user`, `target_for_user`, `local_offering_for_user`) that answer 404
for what the user may not see and 403 for a change the user may not make, as
`units.permissions.unit_for_user` does for units; with the choices the plan's forms offer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from actionplan.models import Activity, ActivityNote, Obstacle, PhaseOut, Target
from exemptions.models import Exemption, ExemptionApproval
from portal.exemptions.selectors import visible_exemptions
from servicelevel.models import Decision, Requirement
from units.models import CareUnit, Offering, Vardomrade
from units.permissions import (
    changeable_areas,
    changeable_units,
    is_read_only,
    may_plan_regionally,
    sees_everything,
    unit_for_user,
    visible_areas,
    visible_forvaltningar,
    visible_units,
)


def visible_activities(user) -> QuerySet[Activity]:
    """Regional activities, and those of a förvaltning or vårdområde where the user sees a unit."""
    if sees_everything(user):
        return Activity.objects.all()
    if not user.is_authenticated:
        return Activity.objects.none()
    return Activity.objects.filter(
        Q(forvaltning=None, vardomrade=None)
        | Q(vardomrade=None, forvaltning__in=visible_forvaltningar(user))
        | Q(vardomrade__in=visible_areas(user))
    )


def activity_for_user(user, pk: int, *, change: bool = False) -> Activity:
    """The activity if the user may see it (else 404); with `change`, 403 unless the user plans
    regionally or it is a vårdområde's activity whose every linked unit the user may change."""
    activity = (
        visible_activities(user).select_related("period", "forvaltning", "vardomrade").filter(pk=pk).first()
    )
    if activity is None:
        raise Http404("Aktiviteten finns inte eller så saknar du behörighet till den.")
    if change and not may_change_activity(user, activity):
        raise PermissionDenied("Du kan se aktiviteten men inte ändra den.")
    return activity


def may_change_activity(user, activity: Activity) -> bool:
    if is_read_only(user):
        return False
    if may_plan_regionally(user):
        return True
    if activity.vardomrade_id is None:
        return False
    linked = set(activity.units.values_list("id", flat=True))
    return bool(linked) and not linked - set(
        changeable_units(user).filter(id__in=linked).values_list("id", flat=True)
    )


def obstacle_for_user(user, pk: int) -> Obstacle:
    """An obstacle of a vårdområde where the user sees a unit, else 404."""
    obstacles = Obstacle.objects.select_related("vardomrade", "reported_by", "answered_by")
    if not sees_everything(user):
        obstacles = obstacles.filter(vardomrade__in=visible_areas(user))
    obstacle = obstacles.filter(pk=pk).first()
    if obstacle is None:
        raise Http404("Hindret finns inte eller så saknar du behörighet till det.")
    return obstacle


def target_for_user(user, pk: int) -> Target:
    """A target for the planners to change (403 for anyone else who may see it, 404 otherwise)."""
    targets = Target.objects.select_related("vardomrade", "period", "requirement")
    if not sees_everything(user):
        targets = targets.filter(vardomrade__in=visible_areas(user))
    target = targets.filter(pk=pk).first()
    if target is None:
        raise Http404("Målet finns inte eller så saknar du behörighet till det.")
    if not may_plan_regionally(user):
        raise PermissionDenied(
            f"Bara Koncernstab kommunikation och {ExemptionApproval.Body.HS_STYRNING.label} ändrar mål."
        )
    return target


def local_offering_for_user(user, hsa_id: str, kind: str, code: str) -> tuple[CareUnit, PhaseOut]:
    """A unit's local offering and its phase-out plan (a new, unsaved one if none): 404 unless the user sees
    the unit and it offers that local service/template; 403 unless the user plans regionally or may change
    the unit."""
    unit = unit_for_user(user, hsa_id)
    if not Offering.objects.filter(unit=unit, kind=kind, code=code, variant=Offering.Variant.LOKAL).exists():
        raise Http404("Enheten erbjuder ingen sådan lokal tjänst eller mall.")
    if is_read_only(user) or not (
        may_plan_regionally(user) or changeable_units(user).filter(pk=unit.pk).exists()
    ):
        raise PermissionDenied("Du kan se enhetens utbud men inte planera dess utfasning.")
    plan = PhaseOut.objects.filter(unit=unit, kind=kind, code=code).first()
    return unit, plan or PhaseOut(unit=unit, kind=kind, code=code)


def reportable_areas(user) -> QuerySet[Vardomrade]:
    """Where the user may report an obstacle: every area for the planners, else their own units' areas."""
    if is_read_only(user):
        return Vardomrade.objects.none()
    if may_plan_regionally(user):
        return Vardomrade.objects.all()
    return changeable_areas(user)


def may_add_activity(user) -> bool:
    """Planners add any activity; a unit manager one for their own units."""
    return may_plan_regionally(user) or changeable_units(user).exists()


def may_report_obstacles(user) -> bool:
    return reportable_areas(user).exists()


@dataclass(frozen=True)
class ActivityChoices:
    """What an activity's form offers the user (`portal.actionplan.forms.ActivityForm`'s arguments)."""

    areas: list[Vardomrade]
    regional: bool
    allowed_units: QuerySet[CareUnit]
    visible_exemptions: QuerySet[Exemption]
    requirements: QuerySet[Requirement]


def activity_choices(user, *, day: datetime.date) -> ActivityChoices:
    """Planners plan for the region, any förvaltning or vårdområde and any unit; a unit manager for the
    areas of their own units and those units. The requirements are those of the decision in force on
    `day` (the activity's period's first day, or the page's date)."""
    regional = may_plan_regionally(user)
    areas = list((visible_areas(user) if regional else changeable_areas(user)).select_related("forvaltning"))
    return ActivityChoices(
        areas=areas,
        regional=regional,
        allowed_units=visible_units(user) if regional else changeable_units(user),
        visible_exemptions=visible_exemptions(user),
        requirements=Requirement.objects.filter(decision=Decision.in_force(day)).order_by("order", "code"),
    )


def activity_notes(activity: Activity) -> QuerySet[ActivityNote]:
    return activity.notes.select_related("author").order_by("written_on", "id")


def answer_choices(obstacle: Obstacle) -> QuerySet[Activity]:
    """The activities an answer may link: the region's, the area's förvaltning's and the area's own."""
    area = obstacle.vardomrade
    return (
        (
            Activity.objects.filter(vardomrade=None, forvaltning=None)
            | Activity.objects.filter(vardomrade=None, forvaltning=area.forvaltning_id)
            | Activity.objects.filter(vardomrade=area)
        )
        .select_related("period")
        .order_by("-period__start_date", "title")
    )


def answer_initial(obstacle: Obstacle) -> dict:
    """The answer form as the obstacle stands (an open one is answered by default)."""
    return {
        "answer": obstacle.answer,
        "status": obstacle.status if obstacle.status != Obstacle.Status.OPEN else Obstacle.Status.ANSWERED,
        "activities": list(obstacle.activities.all()),
    }


def linked_activities(user, obstacle: Obstacle) -> QuerySet[Activity]:
    """The activities that handle the obstacle, of those the user sees."""
    return visible_activities(user).filter(obstacles=obstacle).select_related("period").order_by("title")
