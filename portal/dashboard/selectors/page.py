"""The region dashboard (`/`): the stored results of one as-of date, aggregated in the database.

Everything is read for `AsOf.shown` (and, for the trends, for earlier stored dates) and limited to the
units the user may see (`units.permissions.visible_units`), inside the page's scope (the region, one
förvaltning or one vårdområde). The stored results of a date count where each unit belonged on that
date (the förvaltning and vårdområde the result kept, compliance/organisation.py): a unit that moved
takes no history along. Who may see a unit is decided on the unit as it is now. Nothing here judges:
the engine's stored statuses, levels and response-time figures are counted and summed with GROUP BY,
never per unit in Python.

Queries, whatever the number of units (docs/dashboard.md lists them; the tests count them):
decision in force, its requirements, the trend dates (one query, scalar subqueries on the (decision,
as_of) index), levels, statuses per row × requirement, response time per month, local administrators
per month, exemptions ending, imports per kind, schedule periods, booking sums per period; for a user
who sees only some units, one more: their förvaltningar's levels as plain numbers. What the version does
not have is not read: no local administrators without a `local_admin_wide_mandate` requirement, no
periods without a `share_trend` one, no levels without a ladder. For a region-wide
user the figures read from the results alone are cached until results are stored again (one query, the
newest result's id, says whether they were).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from compliance.calendar import end_of_day
from compliance.models import UnitResult
from compliance.organisation import held_in, held_name
from exemptions.models import Exemption
from exemptions.rules import ENDING_SOON_DAYS
from portal.as_of import AsOf
from portal.units.selectors import decision_for, requirements_of
from servicelevel.importing import registry
from servicelevel.kinds import with_defaults
from servicelevel.models import AuditEntry, SchedulePeriod
from units.models import BookingFigures

from .board import (
    EXEMPTIONS_LISTED,
    LOCAL_ADMINS_KIND,
    PERIODS_SHOWN,
    RESPONSE_KIND,
    TREND_KIND,
    Comparison,
    Dashboard,
    ExemptionEnding,
    Import,
    PeriodTrend,
    Scope,
    Trend,
    Visible,
    ladder_levels,
    level_counts,
    seen_on,
)
from .figures import CACHE_SECONDS, cached_figures, figures_key, result_figures


def dashboard(user, as_of: AsOf, scope: Scope) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries (see the module's docstring)."""
    visible = Visible.of(user)
    board = Dashboard(as_of=as_of, scope=scope, region_wide=visible.ids is None)
    day = as_of.shown
    if day is None:
        return board
    board.decision = decision = decision_for(day)
    board.requirements = requirements_of(decision)
    board.levels_shown = ladder_levels(board.requirements) if board.has_ladder else ()
    board.response = response = board.of_kind(RESPONSE_KIND)
    # Without a response-time requirement the cases are still judged by the kind's defaults
    # (docs/rulebooks.md): the page shows those figures as information, with no threshold.
    board.response_parameters = with_defaults(RESPONSE_KIND, response.parameters if response else None)
    if response is not None:
        board.threshold = board.response_parameters["threshold"]
    board.trends = [
        Trend(r.code, r.name, p["numerator"], p["denominator"])
        for r in board.requirements
        if r.kind == TREND_KIND
        for p in [with_defaults(r.kind, r.parameters)]
    ]
    figures = cached_figures(board) if board.region_wide else None
    if figures is None:
        figures = result_figures(board, visible, board.of_kind(LOCAL_ADMINS_KIND))
        if board.region_wide:
            cache.set(figures_key(board), figures, CACHE_SECONDS)
    for name, value in figures.items():
        setattr(board, name, value)
    board.exemptions, board.exemptions_more = exemptions_ending(visible, scope, day)
    board.imports = imports_up_to(as_of.requested)
    board.periods = period_trends(visible, scope, day, board.trends) if board.trends else []
    if not board.region_wide and board.levels_shown:
        board.comparison = comparison(visible, scope, decision, day, board.levels_shown)
    return board


# ------------------------------------------------------------------------------- exemptions and imports


def exemptions_ending(visible, scope, day: datetime.date) -> tuple[list[ExemptionEnding], bool]:
    """Exemptions active on `day` (`Exemption.objects.active_on`) whose last day is within
    `ENDING_SOON_DAYS` of it, soonest first, and whether there are more than the page lists. One query:
    the rule is applied in SQL before the list is cut, so the cut and its "more" are exact."""
    last = day + datetime.timedelta(days=ENDING_SOON_DAYS)
    ending = (
        Exemption.objects.active_on(day)
        .filter(valid_until__lte=last)
        .filter(seen_on(visible, scope, day, "unit__"))
        .select_related("unit", "requirement")
        .order_by("valid_until", "unit__hsa_id", "exemption_id")
    )
    listed = [
        ExemptionEnding(
            e.exemption_id,
            e.unit.hsa_id,
            e.unit.name,
            e.requirement.code,
            e.requirement.name,
            e.valid_until,
            (e.valid_until - day).days,
        )
        for e in ending[: EXEMPTIONS_LISTED + 1]
    ]
    return listed[:EXEMPTIONS_LISTED], len(listed) > EXEMPTIONS_LISTED


def imports_up_to(day: datetime.date) -> list[Import]:
    """The latest import of each kind up to the end of `day` — the date asked for, so today's page shows
    an import newer than its stored results too (the audit trail's import entries). Imports are
    region-wide files: the kind and the time say nothing about any one unit."""
    latest = dict(
        AuditEntry.objects.filter(action="import", at__lt=end_of_day(day))
        .values("object_type")
        .annotate(latest=Max("at"))
        .order_by()
        .values_list("object_type", "latest")
    )
    kinds = [*registry.KINDS, *sorted(set(latest) - set(registry.KINDS))]
    return [Import(kind, latest.get(kind)) for kind in kinds]


# -------------------------------------------------------------------------------------------- periods


def period_trends(visible, scope, day: datetime.date, trends: list[Trend]) -> list[PeriodTrend]:
    """The latest six schedule periods begun by `day`, oldest first, with the booking figures the trends
    divide summed over the units in the scope on `day` (where the shown date's results count them): two
    queries (the periods; one GROUP BY period over their
    figures)."""
    figures = list(dict.fromkeys(name for t in trends for name in (t.denominator, t.numerator)))
    periods = list(SchedulePeriod.objects.filter(start_date__lte=day).order_by("-start_date")[:PERIODS_SHOWN])
    sums = (
        {
            row["period_id"]: row
            for row in BookingFigures.objects.filter(period__in=[p.id for p in periods])
            .filter(seen_on(visible, scope, day, "unit__"))
            .values("period_id")
            # "sum_" + the figure: an annotation may not take a model field's own name.
            .annotate(units=Count("id"), **{f"sum_{name}": Sum(name) for name in figures})
            .order_by()
        }
        if periods
        else {}
    )
    out = []
    for p in reversed(periods):
        row = sums.get(p.id, {})
        out.append(
            PeriodTrend(
                p.code,
                p.start_date,
                p.end_date,
                units=row.get("units") or 0,
                sums={name: row.get(f"sum_{name}") or 0 for name in figures},
            )
        )
    return out


# ---------------------------------------------------------------------------------------- comparison


def comparison(
    visible, scope, decision, day: datetime.date, levels: tuple[int | None, ...]
) -> list[Comparison]:
    """For a user who sees only some units: the levels of every unit in their förvaltningar (the scope's
    förvaltning when one is chosen), as counts per förvaltning — numbers only, never a unit's name. The
    förvaltningar are the user's own now; a unit counts in the one it belonged to on `day`."""
    chosen = scope.forvaltning.pk if scope.forvaltning is not None else visible.forvaltning_ids
    rows = (
        UnitResult.objects.filter(held_in("forvaltning", chosen), as_of=day, decision=decision)
        .values("booking_level", "booking_level_with_exemptions", forvaltning_name=held_name("forvaltning"))
        .annotate(n=Count("id"))
        .order_by()
    )
    per: dict[str, dict] = defaultdict(dict)
    for row in rows:
        key = (row["booking_level"], bool(row["booking_level_with_exemptions"]))
        counts = per[row["forvaltning_name"]]
        counts[key] = counts.get(key, 0) + row["n"]
    return [Comparison(name, level_counts(per[name], levels)) for name in sorted(per, key=str.casefold)]
