"""The page's query parameters parsed into `Filters`; a value that names nothing is a 404."""

from __future__ import annotations

from django.http import Http404

from servicelevel.models import UnitType
from units.models import CareUnit

from .shapes import NOT_FOUND, Filters


def filters_from(params) -> Filters:
    """Parse `forvaltning`, `vardomrade`, `typ`, `system`; a value that names nothing is a 404, like a
    unit the user may not see (the form only offers valid ones, so only an edited URL gets here)."""

    def as_id(name: str) -> int | None:
        text = params.get(name, "").strip()
        if not text:
            return None
        if not text.isdigit() or len(text) > 18:
            raise Http404(NOT_FOUND)
        return int(text)

    unit_type = params.get("typ", "").strip()
    if unit_type and unit_type not in UnitType.values:
        raise Http404(NOT_FOUND)
    system = params.get("system", "").strip()
    if system and system not in CareUnit.BookingSystem.values:
        raise Http404(NOT_FOUND)
    return Filters(as_id("forvaltning"), as_id("vardomrade"), unit_type, system)
