"""Rules for targets, written once: the model's `clean()` and the targets importer use them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def trend_requirement_problem(code: str, is_trend: bool) -> str | None:
    """Only trend requirements (kind `share_trend`, "andelen … ökar") have a target share."""
    if not is_trend:
        return f"{code!r} är inget andelskrav (trendkrav) i regelverket"
    return None


# A target share is a fraction of one with at most four decimals (0.1250); people type it in percent with
# at most two (12,5 %). Both the model (and the import) and the portal's form hold these limits.
SHARE_STEP = Decimal("0.0001")


def share_fault(share: Decimal) -> str | None:
    """What is wrong with a share: "range" (outside 0..1), "places" (finer than SHARE_STEP) or None."""
    if not 0 <= share <= 1:
        return "range"
    if share != share.quantize(SHARE_STEP):
        return "places"
    return None


def share_problem(share: Decimal) -> str | None:
    """A stored or imported share's problem, worded for the field `target_share`."""
    return {
        "range": f"ska vara mellan 0 och 1, inte {share}",
        "places": f"högst fyra decimaler, inte {share}",
    }.get(share_fault(share))


def percent_problem(percent: Decimal) -> str | None:
    """The same limits for a share typed in percent (the action plan's target form)."""
    return {
        "range": "Andelen ska vara mellan 0 och 100 %.",
        "places": "Högst två decimaler.",
    }.get(share_fault(percent / 100))


def activity_problems(
    *, period_id: int | None, forvaltning_id: int | None, area_forvaltning_id: int | None
) -> dict[str, str]:
    """An activity belongs to one period's plan; a vårdområde's activity lies in that area's förvaltning
    (the service fills the förvaltning in from the vårdområde)."""
    problems = {}
    if period_id is None:
        problems["period"] = "Välj vilken period aktiviteten hör till."
    # An empty förvaltning is filled in from the area by the service (activity_save).
    if area_forvaltning_id is not None and forvaltning_id not in (None, area_forvaltning_id):
        problems["vardomrade"] = "Vårdområdet hör till en annan förvaltning än den som är vald."
    return problems


def replacement_problem(kind: str, has_service: bool, has_template: bool) -> dict[str, str] | None:
    """A local service is replaced by a regional service, a local template by a regional template."""
    if kind == "tjanst" and has_template:
        return {"replacement_template": "En tjänst ersätts av en regional tjänst, inte av en mall."}
    if kind == "mall" and has_service:
        return {"replacement_service": "En mall ersätts av en regional mall, inte av en tjänst."}
    return None


def obstacle_problems(*, status: str, answer: str) -> dict[str, str]:
    """An answered obstacle has an answer."""
    if status == "answered" and not answer.strip():
        return {"answer": "Skriv ett svar innan hindret markeras som besvarat."}
    return {}


def units_outside_scope_problem(
    *, forvaltning_id: int | None, vardomrade_id: int | None, unit_scopes: Iterable[tuple[int, int]]
) -> str | None:
    """A local activity's units lie in its förvaltning / vårdområde (unit_scopes: (förvaltning, vårdområde)
    per linked unit); a regional activity may name any unit."""
    for unit_forvaltning, unit_area in unit_scopes:
        if vardomrade_id is not None and unit_area != vardomrade_id:
            return "Enheterna ska höra till aktivitetens vårdområde."
        if forvaltning_id is not None and unit_forvaltning != forvaltning_id:
            return "Enheterna ska höra till aktivitetens förvaltning."
    return None
