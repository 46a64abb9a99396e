"""The guard that keeps personal identity numbers (personnummer) out of the portal."""

import re

# YYYYMMDD-NNNN or YYMMDD-NNNN, with or without the dash (or '+', used for people over 100), with a real
# month (01–12) and day (01–31, or 61–91 for samordningsnummer). Digits on either side mean the match is
# part of a longer number, not a personnummer. One regex, no Python loop: this runs on every cell of a
# cases file.
_PNR = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d|\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+]?\d{4}(?!\d)"
)


def looks_like_personnummer(text: str) -> bool:
    return _PNR.search(text) is not None
