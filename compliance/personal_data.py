"""The guard that keeps personal identity numbers (personnummer) out of the portal."""

import re

# YYYYMMDD-NNNN or YYMMDD-NNNN, with or without the dash (or '+', used for people over 100); digits on
# either side mean it is part of a longer number, not a personnummer.
_PNR = re.compile(r"(?<!\d)(?:(?:19|20)\d{2}|\d{2})(\d{2})(\d{2})[-+]?\d{4}(?!\d)")


def looks_like_personnummer(text: str) -> bool:
    for match in _PNR.finditer(text):
        month, day = int(match.group(1)), int(match.group(2))
        # Samordningsnummer add 60 to the day.
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
            return True
    return False
