"""Every template's region and decision: `region_name`, `decision_number`, `decision_title`,
`decision_label`, `theme_colour` … of the version in force today (servicelevel/region_texts.py says
what, and why it costs no query of its own)."""

from __future__ import annotations

from .region_texts import texts


def region(request) -> dict:
    return texts().context()
