"""Swedish number and date wording for reasons."""

import datetime
from fractions import Fraction

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


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def day(d: datetime.date) -> str:
    return d.isoformat()


def count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
