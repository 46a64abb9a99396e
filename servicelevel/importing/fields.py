"""Parsers for one cell each. They raise `FieldError` with a Swedish message; empty cells never reach
them (the framework handles blanks and defaults)."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings


class FieldError(ValueError):
    pass


QUOTE_LIMIT = 60


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` quoted for a message, cut to `limit` characters with "…": a huge cell must not become a
    huge message (one per bad row, a million rows)."""
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)


TRUE = {"true", "ja", "1"}
FALSE = {"false", "nej", "0"}


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise FieldError(f"ogiltigt sant/falskt-värde {text!r}: använd ja/nej, true/false eller 1/0")


def parse_text(text: str) -> str:
    return text.strip()


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_count(text: str) -> int:
    """A whole number ≥ 0 (spaces as thousands separators allowed)."""
    cleaned = _SPACES.sub("", text)
    if not cleaned.isdigit():
        raise FieldError(f"ska vara ett heltal ≥ 0, inte {text!r}")
    return int(cleaned)


def parse_decimal(text: str) -> Decimal:
    """Decimal point or decimal comma."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise FieldError(f"ska vara ett tal (decimalpunkt eller decimalkomma), inte {text!r}") from None
    if not value.is_finite():
        raise FieldError(f"ska vara ett tal, inte {text!r}")
    return value


def parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(f"ogiltigt datum {text!r}: använd ÅÅÅÅ-MM-DD") from None


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def parse_datetime(text: str) -> datetime.datetime:
    """ISO 8601; without an offset the time is local (Europe/Stockholm)."""
    value = text.strip()
    if len(value) == 10:
        raise FieldError(f"ogiltig tidpunkt {text!r}: klockslag saknas (ÅÅÅÅ-MM-DDTHH:MM)")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(
            f"ogiltig tidpunkt {text!r}: använd ISO 8601, t.ex. 2026-06-19T15:00:00+02:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment


def choice(*allowed: str, case_sensitive: bool = True):
    lookup = {a if case_sensitive else a.lower(): a for a in allowed}

    def parse(text: str) -> str:
        key = text.strip() if case_sensitive else text.strip().lower()
        if key not in lookup:
            raise FieldError(f"ogiltigt värde {text.strip()!r}: tillåtna är {', '.join(allowed)}")
        return lookup[key]

    return parse
