"""Rules for targets, written once: the model's `clean()` and the targets importer use them."""

from __future__ import annotations

from decimal import Decimal


def trend_requirement_problem(code: str, is_trend: bool) -> str | None:
    """Only trend requirements (`*-ANDEL`, "andelen … ökar") have a target share."""
    if not is_trend:
        return f"{code!r} är inget andelskrav (*-ANDEL) i regelverket"
    return None


def share_problem(share: Decimal) -> str | None:
    if not 0 <= share <= 1:
        return f"ska vara mellan 0 och 1, inte {share}"
    if share != share.quantize(Decimal("0.0001")):
        return f"högst fyra decimaler, inte {share}"
    return None
