"""The API's reads, over the portal's own selectors and the same rights (units.permissions): the unit
list's annotated queryset and filters, export_compliance's per-unit document, the rulebook's file, the
exemptions a person may see, an import job's messages."""

from __future__ import annotations

import datetime
import re

from django.http import QueryDict
from rest_framework.exceptions import NotFound, ValidationError

from compliance.exports import unit_document
from compliance.models import UnitResult
from compliance.services import evaluate, today
from exemptions.models import Exemption
from portal.exemptions.selectors.rows import exemption_for_user, visible_exemptions
from portal.units.filters import UnitFilter
from portal.units.selectors import decision_for, requirements_of, unit_rows
from servicelevel import rulebook_file
from servicelevel.dates import InvalidDay, parse_day
from servicelevel.models import Decision, ImportJob
from servicelevel.rulebooks import file_of
from units.permissions import unit_for_user

# The API's names for the unit list's filters → the page's parameter names (portal/units/filters.py).
UNIT_FILTERS = {
    "forvaltning": "forvaltning",
    "vardomrade": "vardomrade",
    "provider": "provider",
    "level": "niva",
}


def text(params, name: str, *, limit: int = 100) -> str:
    """A query parameter's text; 400 for one no database column could hold (a NUL, or over `limit`)."""
    value = params.get(name, "")
    if "\x00" in value or len(value) > limit:
        raise ValidationError({name: ["Ogiltigt värde."]})
    return value


def path_text(value: str) -> str:
    """A text from the path (an HSA-id, an exemption id): 404 for one that cannot name anything."""
    if "\x00" in value or len(value) > 100:
        raise NotFound("Finns inte.")
    return value


def requested_day(params) -> datetime.date:
    """`?as_of=YYYY-MM-DD`, default today; 400 for anything else."""
    text_ = text(params, "as_of").strip()
    if not text_:
        return today()
    try:
        return parse_day(text_)
    except InvalidDay as error:
        raise ValidationError({"as_of": [f"”{text_[:20]}” {error}"]}) from None


def stored_day(day: datetime.date) -> datetime.date | None:
    """The latest day with stored results on or before `day` (as the pages' ?per=, portal/as_of.py)."""
    return (
        UnitResult.objects.filter(as_of__lte=day).order_by("-as_of").values_list("as_of", flat=True).first()
    )


def units(user, params):
    """(the filtered unit rows, the stored day they show). 400 for a filter value the user could not
    choose on the page (another förvaltning's id is refused as a nonexistent one is)."""
    shown = stored_day(requested_day(params))
    decision = decision_for(shown)
    rows = unit_rows(user, day=shown, decision=decision)
    data = QueryDict(mutable=True)
    for ours, theirs in UNIT_FILTERS.items():
        if text(params, ours) != "":
            data[theirs] = params[ours]
    unit_filter = UnitFilter(data, rows, request=_Request(user), requirements=requirements_of(decision))
    if "niva" in data and "niva" not in unit_filter.filters:
        raise ValidationError({"level": ["Regelverket i kraft har ingen nivåtrappa."]})
    if not unit_filter.is_valid():
        errors = {
            ours: unit_filter.errors[theirs]
            for ours, theirs in UNIT_FILTERS.items()
            if theirs in unit_filter.errors
        }
        raise ValidationError(errors)
    return unit_filter.qs, shown


class _Request:
    """What UnitFilter reads of a request: the user (its choices are the user's visible ones)."""

    def __init__(self, user):
        self.user = user


def unit(user, hsa_id: str, params) -> dict:
    """export_compliance's document for one visible unit (404 otherwise), judged on the fly, with reasons."""
    found = unit_for_user(user, path_text(hsa_id))
    evaluation = evaluate(requested_day(params), unit_ids=[found.pk])
    if not evaluation.units:
        raise NotFound("Enheten är inte aktiv och bedöms inte.")
    ctx = evaluation.context
    return {
        "as_of": ctx.as_of,
        "decision": ctx.decision.number,
        "decision_version": ctx.decision.version,
        **unit_document(evaluation.units[0], reasons=True),
    }


def rulebook(params) -> dict:
    decision = Decision.in_force(requested_day(params))
    if decision is None:
        raise NotFound("Inget regelverk är inläst.")
    return rulebook_file.as_data(file_of(decision))


def exemptions(user, params):
    qs = visible_exemptions(user).select_related("unit", "requirement")
    if unit_id := text(params, "unit"):
        qs = qs.filter(unit__hsa_id=unit_id)
    if status := text(params, "status"):
        if status not in Exemption.Status.values:
            raise ValidationError({"status": [f"Läget är ett av {', '.join(Exemption.Status.values)}."]})
        qs = qs.filter(status=status)
    return qs


def exemption(user, exemption_id: str):
    return exemption_for_user(user, path_text(exemption_id))


_PROBLEM = re.compile(r"^.*?:(?P<line>\d+): (?P<column>[^:]*): (?P<message>.*)$")


def problems(job: ImportJob) -> list[dict]:
    """The job's problem lines (`FILE:LINE: column: message`, as import_data prints them) one by one."""
    out = []
    for text in job.problem_lines():
        match = _PROBLEM.match(text)
        if match:
            out.append({"line": int(match["line"]), "column": match["column"], "message": match["message"]})
        else:
            out.append({"line": None, "column": "", "message": text})
    return out
