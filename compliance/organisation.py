"""Where a unit belonged on a stored result's date: the förvaltning, vårdområde and vårdgivare the result
keeps (`UnitResult.forvaltning`, `.vardomrade`, `.provider`, from the facts valid on its as-of date), as
query expressions for every page that counts or filters a date's results by organisation — so a unit
that moves takes no history along. Who may *see* a unit stays the unit's own business now
(units/permissions.py); only the grouping follows the stored organisation.

A result that keeps no organisation (stored before facts were kept over time and not filled by
compliance/0007; should not happen) reads as its unit's own. For the vårdgivare an empty value is a
value of its own (the region runs the unit), so there the result's förvaltning says whether it kept one.

Each expression is reached through two paths: `result` to the stored result ("" on `UnitResult`,
"unit_result__" on `RequirementResult`, "stored__" on a unit with its result as a FilteredRelation) and
`unit` to its unit ("unit__", "unit_result__unit__", ""); `unit_held_id` is the same on units, by a date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, In

from .models import UnitResult

FIELDS = ("forvaltning", "vardomrade", "provider")


def _held(name: str, attribute: str, *, result: str, unit: str, output_field):
    if name not in FIELDS:
        raise ValueError(f"no such organisation: {name}")
    stored, own = F(f"{result}{name}{attribute}"), F(f"{unit}{name}{attribute}")
    if name == "provider":
        unfilled = Q(**{f"{result}forvaltning_id__isnull": True})
        return Case(When(unfilled, then=own), default=stored, output_field=output_field)
    return Coalesce(stored, own, output_field=output_field)


def held_id(name: str, *, result: str = "", unit: str = "unit__"):
    """The id of the förvaltning, vårdområde or vårdgivare (`name`) the result kept (None: no vårdgivare)."""
    return _held(name, "_id", result=result, unit=unit, output_field=IntegerField())


def held_name(name: str, *, result: str = "", unit: str = "unit__"):
    """The name of the förvaltning, vårdområde or vårdgivare the result kept (None: no vårdgivare)."""
    return _held(name, "__name", result=result, unit=unit, output_field=CharField())


def held_in(name: str, pk: int | Iterable[int], *, result: str = "", unit: str = "unit__") -> Q:
    """Results kept under that förvaltning, vårdområde or vårdgivare (or under one of those ids), as a
    filter."""
    expression = held_id(name, result=result, unit=unit)
    return Q(Exact(expression, pk) if isinstance(pk, int) else In(expression, list(pk)))


def unit_held_id(name: str, day: datetime.date):
    """On units: the id of the förvaltning, vårdområde or vårdgivare their stored result of `day` kept (any
    version's: the facts of a date are one), their own where none was stored that day."""
    kept = UnitResult.objects.filter(unit_id=OuterRef("pk"), as_of=day).order_by()
    stored = Subquery(kept.values(kept=held_id(name))[:1], output_field=IntegerField())
    if name == "provider":
        return Case(When(Exists(kept), then=stored), default=F("provider_id"), output_field=IntegerField())
    return Coalesce(stored, F(f"{name}_id"), output_field=IntegerField())
