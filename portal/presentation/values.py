"""Measured values in words for the portal's pages, exports and PDFs: the engine's one formatter
(compliance.engine.text.format_value) with the kind the engine declares per requirement
(compliance.engine.values), so a share reads "50 %" on every page and in the admin alike."""

from __future__ import annotations

from compliance.engine.text import format_value
from compliance.engine.types import SHARE
from compliance.engine.values import value_text

__all__ = ["share_text", "value_text"]


def share_text(share) -> str:
    """A share 0..1 as '93,3 %' (never rounded up to 100 %), '–' for none."""
    return format_value(SHARE, share)
