"""Reads for the action plan (/handlingsplan/) and its PDF report: the plan of one period and scope
(`plan`), the exemptions in force (`in_force`), and who may see and change what, with the choices the
plan's forms offer (`access`)."""

from .access import (
    ActivityChoices,
    activity_choices,
    activity_for_user,
    activity_notes,
    answer_choices,
    answer_initial,
    linked_activities,
    local_offering_for_user,
    may_add_activity,
    may_change_activity,
    may_report_obstacles,
    obstacle_for_user,
    reportable_areas,
    target_for_user,
    visible_activities,
)
from .in_force import ExemptionRow, exemptions_in_force
from .phase_out import PhaseOutArea, PhaseOutRow
from .plan import (
    PHASE_OUT_LIST_LIMIT,
    ActionPlan,
    ActivityRow,
    NoteRow,
    ObstacleRow,
    Scope,
    TargetRow,
    action_plan,
    period_for,
)

__all__ = [
    "PHASE_OUT_LIST_LIMIT",
    "ActionPlan",
    "ActivityChoices",
    "ActivityRow",
    "ExemptionRow",
    "NoteRow",
    "ObstacleRow",
    "PhaseOutArea",
    "PhaseOutRow",
    "PhaseOutArea",
    "PhaseOutRow",
    "Scope",
    "TargetRow",
    "action_plan",
    "activity_choices",
    "activity_for_user",
    "activity_notes",
    "answer_choices",
    "answer_initial",
    "exemptions_in_force",
    "linked_activities",
    "local_offering_for_user",
    "may_add_activity",
    "may_change_activity",
    "may_report_obstacles",
    "obstacle_for_user",
    "period_for",
    "reportable_areas",
    "target_for_user",
    "visible_activities",
]
