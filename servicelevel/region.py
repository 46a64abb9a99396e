"""The deployment's region: one portal follows one region's decisions (docs/rulebooks.md).

`SERVICELEVEL_REGION` (environment) names it by the region code of its rulebook files. Unset, the
region is that of the version loaded last (so `seed_demo --region halland` on a fresh database serves
Halland without a setting), and `skane` on a database with no rulebook yet. A database may hold
another region's versions too — Skåne's comes with the first migrations — and every read of the
rulebook goes through `Decision.of_region()`.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT = "skane"


def configured() -> str:
    """The region the environment names, or ""."""
    return (getattr(settings, "SERVICELEVEL_REGION", "") or "").strip().lower()


def region_code_expression():
    """The region's code as a value to filter by: the setting, or a subquery for the latest loaded
    version's region (no query of its own, so the loader's query count stays fixed)."""
    from django.db.models import Subquery

    from .models import Decision

    code = configured()
    if code:
        return code
    return Subquery(Decision.objects.order_by("-id").values("region_code")[:1])


def region_code() -> str:
    code = configured()
    if code:
        return code
    from .models import Decision

    return Decision.objects.order_by("-id").values_list("region_code", flat=True).first() or DEFAULT


def region_name() -> str:
    """ "Region Skåne": the name the region's latest loaded version gives it."""
    from .models import Decision

    name = (
        Decision.objects.filter(region_code=region_code())
        .order_by("-id")
        .values_list("region_name", flat=True)
        .first()
    )
    return name or region_code().capitalize()
