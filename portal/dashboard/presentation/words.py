"""The dashboard's words for days, instants, levels and counts."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone

from portal.presentation import charts


def day_text(day: datetime.date | None) -> str:
    return formats.date_format(day, "j F Y") if day else "–"


def instant_text(at: datetime.datetime | None) -> str:
    return formats.date_format(timezone.localtime(at), "j F Y H:i") if at else "aldrig"


def level_name(level: int | None) -> str:
    return "Ingen nivå" if level is None else f"Nivå {level}"


def units_text(count: int) -> str:
    return f"{charts.number(count)} {'enhet' if count == 1 else 'enheter'}"


def percent(value) -> str:
    return "–" if value is None else charts.share(value.numerator, value.denominator)
