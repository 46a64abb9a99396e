"""The unit list (/enheter/): one annotated queryset over the user's visible units, the stored level,
requirement counts and the share answered in time joined in the same SQL, so a page is one query for its
rows plus one count, whatever the number of units."""

from __future__ import annotations

import datetime

from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from compliance.engine.types import MET, NOT_MET
from compliance.models import RequirementResult
from compliance.organisation import FIELDS, held_id, held_name
from servicelevel.models import Decision
from units.models import CareUnit
from units.permissions import visible_units


class _Count(Func):
    """COUNT(*) as a plain function, so the subquery is not grouped: it always returns one row (0 when no
    requirement result matches), never NULL."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def _status_count(status: str) -> Subquery:
    rows = RequirementResult.objects.filter(unit_result_id=OuterRef("result_id"), status=status)
    return Subquery(rows.order_by().annotate(n=_Count()).values("n"))


def unit_rows(user, *, day: datetime.date | None, decision: Decision | None) -> QuerySet[CareUnit]:
    """The user's visible units with the stored results of `day` annotated on each row:

    result_id, level, level_with_exemptions, sv1_share (the share answered in time in the evaluation
    month, stored whatever the rulebook; the name stays, the list's sort links carry it),
    met / not_met (how many requirements have that status), and where the unit belonged that day —
    `then_forvaltning_id` / `_name`, `then_vardomrade_…`, `then_provider_…` (the organisation the stored
    result kept, compliance/organisation.py; the unit's own without a result; None: no vårdgivare). The
    list filters and shows those: a unit that moved is found under its area of then on a past date. A unit
    without a stored result that day has result_id None (and None for the rest; counts 0).

    The stored result is a LEFT JOIN on the unique (as_of, unit, decision) index, the two counts correlated
    subqueries on (unit_result, requirement): the page's rows and their count are one query each."""
    stored = FilteredRelation("results", condition=Q(results__as_of=day, results__decision=decision))
    return (
        visible_units(user)
        .select_related("forvaltning", "vardomrade", "provider")
        .annotate(stored=stored)
        .annotate(
            result_id=F("stored__id"),
            level=F("stored__booking_level"),
            level_with_exemptions=F("stored__booking_level_with_exemptions"),
            # KeyTextTransform, not KT(): KT resolves a path through a FilteredRelation to the wrong
            # column on Django 5.2 ("stored"."id" #>> …).
            sv1_share=Cast(KeyTextTransform("share_in_time", "stored__response_time"), FloatField()),
        )
        .annotate(met=_status_count(MET), not_met=_status_count(NOT_MET))
        .annotate(**_then())
    )


def _then() -> dict:
    """The unit's organisation on the stored result's day, on the list's rows (the result as "stored")."""
    paths = {"result": "stored__", "unit": ""}
    return {
        f"then_{name}_{part}": held(name, **paths)
        for name in FIELDS
        for part, held in (("id", held_id), ("name", held_name))
    }


def requirement_status_exists(*, requirement_id: int | None, status: str):
    """Rows whose stored result has `status` on that requirement (on any requirement when None)."""
    results = RequirementResult.objects.filter(unit_result_id=OuterRef("result_id"), status=status)
    if requirement_id is not None:
        results = results.filter(requirement_id=requirement_id)
    return Exists(results)
