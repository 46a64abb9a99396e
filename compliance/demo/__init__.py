"""The demo regions other than Skåne's (whose demo is compliance/demo_region.py): one module per region
with its units, names and exemptions, and base.py writing them as the importers' CSV files from the
version's own catalogue and profiles."""

from __future__ import annotations

import datetime as dt

from . import halland, norrbotten
from .base import RegionSpec, RulebookDemoRegion

SPECS: dict[str, RegionSpec] = {"halland": halland.SPEC, "norrbotten": norrbotten.SPEC}


def demo_for(decision, *, profile_column: bool, channels: bool, units: int, cases: int, seed: int,
             today: dt.date) -> RulebookDemoRegion:  # fmt: skip
    """The demo of the decision's region, from that version's catalogue, profiles and requirements."""
    requirements = list(decision.requirements.values_list("code", "kind"))
    return RulebookDemoRegion(
        SPECS[decision.region_code],
        catalogue=decision.catalogue or {},
        profiles=decision.profiles or {},
        share_trend_codes=[code for code, kind in requirements if kind == "share_trend"],
        requirement_codes={code for code, _kind in requirements},
        profile_column=profile_column,
        channels=channels,
        units=units,
        cases=cases,
        seed=seed,
        today=today,
    )
