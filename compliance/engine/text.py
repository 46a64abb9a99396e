"""Swedish number and date wording for reasons."""

import datetime
from decimal import Decimal
from fractions import Fraction

from .types import SHARE, WEEKS

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def pct(part, whole=None) -> str:
    """'93,3 %' — one decimal unless whole; never rounds a share up to 100 % unless it is 100 %."""
    share = Fraction(part) if whole is None else Fraction(part, whole)
    value = float(share * 100)
    if share != 1 and round(value, 1) >= 100:
        return "99,9 %"
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return text.replace(".", ",") + " %"


def number(value) -> str:
    """8 → '8', 8.50 → '8,5', 2.126 → '2,13': at most two decimals, a decimal comma, no trailing zeros."""
    rounded = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    return f"{rounded:f}".replace(".", ",")


def format_value(kind: str | None, value) -> str:
    """A measured value of `kind` (compliance.engine.types: SHARE, COUNT, WEEKS) in words: '93,3 %', '3',
    '8,5 veckor'; '–' when nothing was measured. An unknown kind reads as a plain number."""
    if value is None:
        return "–"
    if kind == SHARE:
        return pct(Fraction(value))
    if kind == WEEKS:
        return f"{number(value)} veckor"
    return number(value)


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def day(d: datetime.date) -> str:
    return d.isoformat()


def count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
