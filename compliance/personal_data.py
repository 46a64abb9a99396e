"""The guard that keeps personal identity numbers (personnummer) out of the portal."""

import re
import sys
import unicodedata
from functools import lru_cache

# YYYYMMDD-NNNN or YYMMDD-NNNN, with or without a separator (a dash, '+' for people over 100, or what
# people type instead: a space, an underscore), with a real month (01–12) and day (01–31, or 61–91 for
# samordningsnummer). Digits on either side mean the match is part of a longer number, not a personnummer.
# One regex, no Python loop: this runs on every cell of a cases file. The separator class names its
# characters: `\s` would also take '\x1f', which the cases importer joins a row's cells with, and so let a
# match span two cells.
_PNR = re.compile(
    r"(?<![0-9])(?:(?:19|20)[0-9][0-9]|[0-9][0-9])(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])[-+ _]?[0-9]{4}(?![0-9])",
    re.ASCII,
)


@lru_cache(maxsize=1)
def _look_alikes() -> dict[int, str]:
    """str.translate table: every decimal digit of any script (full-width, Arabic-Indic, …) to its ASCII
    digit, every dash (en dash, minus sign, …) to '-', every space (no-break, thin, …) to ' ', and the
    full-width plus and low line to '+' and '_'. Built on first use, only by rows with non-ASCII text."""
    table = {}
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Nd":
            table[code] = str(unicodedata.digit(char))
        elif category == "Pd" or char == "\u2212":  # the minus sign is a math symbol (Sm), not a dash
            table[code] = "-"
        elif category == "Zs":
            table[code] = " "
    table[0xFF0B] = "+"
    table[0xFF3F] = "_"
    return table


def looks_like_personnummer(text: str) -> bool:
    # The common case is ASCII and takes one regex search; only text with other characters is first
    # rewritten with look-alikes mapped to what they look like.
    if not text.isascii():
        text = text.translate(_look_alikes())
    return _PNR.search(text) is not None
