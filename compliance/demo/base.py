"""A demo region for a rulebook other than Skåne's: its units, names and facts come from a RegionSpec
(halland.py, norrbotten.py), its offerings from the version's own catalogue and profiles.

Skåne's demo stays compliance/demo_region.py, unchanged (its results are pinned field for field); this
class reuses its periods, admin roles, cases and month ends, and replaces what is Skåne's own: units,
offerings, booking figures, targets and exemptions.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

from exemptions.rules import last_allowed_day
from servicelevel.importing import registry

from ..demo_region import DemoRegion, DemoUnit


@dataclass(frozen=True)
class UnitShape:
    """What a region's unit maker decides for one unit."""

    name: str
    unit_type: str  # mottagning | avdelning | annan
    booking_system: str  # PASiS | PMO | annat | ingen
    same_day_contact: bool = False
    profile: str = ""  # the base-offering profile; empty: the unit's type
    unit_kind: str = "VUE"


@dataclass(frozen=True)
class ExemptionPlan:
    """A few exemptions on one requirement, for units the predicate picks."""

    requirement: str
    reason: str  # teknisk | patientsakerhet
    justification: str
    count: int
    picks: Callable[[RegionUnit], bool] = lambda unit: True


@dataclass(frozen=True)
class RegionSpec:
    code: str  # the rulebook's region code
    org: str  # the region's organisation number: its HSA-ids are SE + org + "-…"
    areas: dict[str, list[str]]  # förvaltning → its vårdområden
    area_places: dict[str, list[str]]  # vårdområde → the places its units are in
    providers: dict[str, list[str]]  # förvaltning of private providers → the providers' names
    unit_maker: Callable  # (rng, förvaltning, vårdområde, place, provider) → UnitShape
    manager_area: str  # the demo's unit manager (enhetschef) has this vårdområde
    manager_area_units: int
    case_services: list[str]  # the services cases come in through (weighted by repetition)
    capabilities: list[tuple[str, str, bool, str]] = field(default_factory=list)
    exemptions: list[ExemptionPlan] = field(default_factory=list)
    local_services: list[str] = field(default_factory=list)  # names of a unit's own (lokal) services


@dataclass
class RegionUnit(DemoUnit):
    unit_kind: str = "VUE"
    profile: str = ""
    # The profile the engine will judge it by: its own when the units import has a profile column,
    # else its type (seed_demo passes which).
    judged_profile: str = ""


class RulebookDemoRegion(DemoRegion):
    def __init__(
        self,
        spec: RegionSpec,
        *,
        catalogue: dict,
        profiles: dict,
        share_trend_codes: list[str],
        requirement_codes: set[str],
        profile_column: bool,
        channels: bool,
        units: int,
        cases: int,
        seed: int,
        today: dt.date,
    ):
        self.spec, self.catalogue, self.profiles = spec, catalogue, profiles
        self.share_trend_codes, self.requirement_codes = share_trend_codes, requirement_codes
        self.profile_column, self.channels = profile_column, channels
        self.ORG, self.CASE_SERVICES = spec.org, spec.case_services
        super().__init__(units=units, cases=cases, seed=seed, today=today)

    # units -----------------------------------------------------------------------------------------------

    def _units(self) -> list[RegionUnit]:
        spec, rng, units, used, names, places_used = self.spec, self.rng, [], set(), set(), set()
        # Round-robin over the förvaltningar, so even a small demo has units in every one.
        areas = [
            (f, v)
            for row in zip_longest(*([(f, v) for v in vs] for f, vs in spec.areas.items()))
            for f, v in filter(None, row)
        ]
        manager_area = next(pair for pair in areas if pair[1] == spec.manager_area)
        extra = [manager_area] * (spec.manager_area_units - 1) if self.n_units >= 2 * len(areas) else []
        for i in range(self.n_units):
            if i < len(areas):
                fvg, area = areas[i]
            elif i - len(areas) < len(extra):
                fvg, area = extra[i - len(areas)]
            else:
                fvg, area = rng.choice(areas)
            places = spec.area_places[area]
            fresh = [p for p in places if (area, p) not in places_used]
            place = rng.choice(fresh or places)
            places_used.add((area, place))
            provider = rng.choice(spec.providers[fvg]) if fvg in spec.providers else ""
            shape = spec.unit_maker(rng, fvg, area, place, provider)
            name, n = shape.name, 2
            while name in names:  # two units of one name would confuse anyone reading the demo
                name, n = f"{shape.name} {n}", n + 1
            names.add(name)
            while True:
                org = "5565" + "".join(rng.choice("0123456789") for _ in range(6)) if provider else spec.org
                hsa = f"SE{org}-{''.join(rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ0123456789') for _ in range(5))}"
                if hsa not in used:
                    used.add(hsa)
                    break
            units.append(
                RegionUnit(
                    hsa,
                    name,
                    fvg,
                    area,
                    shape.unit_type,
                    shape.booking_system,
                    # Some units lack a contact card: then only the requirements without one apply.
                    rng.random() > 0.07,
                    shape.same_day_contact,
                    provider,
                    size=rng.lognormvariate(0, 0.8),
                    unit_kind=shape.unit_kind,
                    profile=shape.profile,
                    judged_profile=(shape.profile if self.profile_column else "") or shape.unit_type,
                )
            )
        return units

    # files -----------------------------------------------------------------------------------------------

    def write_all(self, folder: Path) -> dict[str, Path]:
        """As Skåne's, but each row is a dict by column name and written in the importer's columns: a
        column the importer does not have (yet) is left out, one the demo does not fill is empty."""
        writers = self.writers()
        paths = {}
        for kind, rows in writers.items():
            path = folder / f"{kind}.csv"
            header = [column.name for column in registry.get(kind).columns]
            with path.open("w", encoding="utf-8", newline="") as stream:
                writer = csv.writer(stream, delimiter=";" if kind in ("units", "booking") else ",")
                writer.writerow(header)
                for row in rows():
                    if isinstance(row, dict):
                        row = [row.get(name, "") for name in header]
                    writer.writerow(row)
            paths[kind] = path
        return paths

    def _units_rows(self):
        for u in self.units:
            yield {
                "hsa_id": u.hsa_id,
                "name": u.name,
                "forvaltning": u.forvaltning,
                "vardomrade": u.vardomrade,
                "unit_kind": u.unit_kind,
                "unit_type": u.unit_type,
                "booking_system": u.booking_system,
                "has_contact_card": "ja" if u.has_contact_card else "nej",
                "same_day_contact": "ja" if u.same_day_contact else "nej",
                "provider": u.provider,
                "active": "ja",
                "profile": u.profile,
            }

    def _offerings_rows(self):
        """The unit's profile from the version's own catalogue, with varied habits: many offer all of it,
        some lack a service or two (or half), a few have one closed; channels likewise."""
        rng = self.rng
        services = [s["code"] for s in self.catalogue.get("services", [])]
        channels = [c["code"] for c in self.catalogue.get("channels", [])]
        templates = [t["code"] for t in self.catalogue.get("templates", [])]
        for u in self.units:
            if rng.random() < 0.03:
                continue  # a few units have reported nothing yet
            profile = self.profiles.get(u.judged_profile, {})
            required = list(profile.get("services", []))
            habit = rng.random()
            if habit < 0.5 or not required:
                missing = set()
            elif habit < 0.85:
                missing = set(rng.sample(required, min(len(required), rng.randint(1, 2))))
            else:
                missing = set(rng.sample(required, len(required) // 2))
            offered = [code for code in required if code not in missing]
            others = [code for code in services if code not in required]
            offered += rng.sample(others, min(len(others), rng.randint(0, 2)))
            if not required and services and rng.random() < 0.6:
                offered = offered or [rng.choice(services)]
            # Now and then one of them is closed to citizens (then it does not count).
            closed = rng.choice(offered) if offered and rng.random() < 0.05 else None
            for code in offered:
                is_open = "nej" if code == closed else "ja"
                yield {"unit_hsa_id": u.hsa_id, "kind": "tjanst", "code": code, "variant": "regional",
                       "open": is_open}  # fmt: skip
            if self.spec.local_services and rng.random() < 0.12:
                own = rng.choice(self.spec.local_services)
                yield {
                    "unit_hsa_id": u.hsa_id,
                    "kind": "tjanst",
                    "code": own,
                    "variant": "lokal",
                    "open": "ja",
                }
            for code in rng.sample(templates, rng.randint(0, min(2, len(templates)))):
                yield {"unit_hsa_id": u.hsa_id, "kind": "mall", "code": code, "variant": "regional"}
            # Channels only once the offerings import takes kind `kanal` (Offering.Kind.KANAL).
            wanted = list(profile.get("channels", []))
            lacking = rng.choice(wanted) if wanted and rng.random() < 0.3 else None
            shown = [c for c in wanted if c != lacking]
            extra = [c for c in channels if c not in wanted]
            if extra and rng.random() < 0.2:
                shown = [*shown, rng.choice(extra)]
            if self.channels:
                for code in shown:
                    yield {"unit_hsa_id": u.hsa_id, "kind": "kanal", "code": code, "variant": "regional"}

    def _booking_rows(self):
        """Figures per period; each unit has its habits: most show, cancel and rebook every booked time,
        some do not for all of them, many let citizens book, a few send öppen kallelse."""
        rng = self.rng
        for u in self.units:
            if u.booking_system == "ingen" or rng.random() < 0.04:
                continue
            booked = int(300 * u.size) + 20
            all_visible, all_cancel = rng.random() > 0.12, rng.random() > 0.15
            all_resched = rng.random() > 0.25
            citizen_share = rng.uniform(0.03, 0.3) if rng.random() < 0.7 else 0.0
            open_share = rng.uniform(0.01, 0.1) if rng.random() < 0.25 else 0.0
            resched_share = rng.uniform(0.4, 0.95)
            for code, *_rest in self.periods:
                total = max(1, int(booked * rng.uniform(0.9, 1.1)))
                slots = int(total * rng.uniform(1.05, 1.4))
                short = rng.randint(1, max(1, total // 15))
                yield {
                    "unit_hsa_id": u.hsa_id,
                    "period": code,
                    "booked_total": total,
                    "booked_visible": total if all_visible else total - short,
                    "booked_cancellable": total if all_cancel else total - short,
                    "booked_reschedulable": total if all_resched else int(total * resched_share),
                    "slots_total": slots,
                    "slots_open_invitation": int(slots * open_share),
                    "slots_citizen_bookable": int(slots * citizen_share),
                    "lookahead_weeks": rng.choice(["4", "6", "8", "8", "10", "12", "7,5"]),
                }

    def _targets_rows(self):
        """Targets only for the version's share-trend requirements (a region without them sets none)."""
        current = self.periods[-1][0]
        for area in sorted({u.vardomrade for u in self.units}):
            for code in self.share_trend_codes:
                yield [area, current, code, "0,10"]

    def _exemptions_rows(self):
        """The spec's exemptions on the region's own requirement codes, in every state."""
        rng, year = self.rng, self.today.year
        start = self.periods[0][2]
        end = min(dt.date(year, 12, 31), last_allowed_day(start))
        statuses = ["approved", "approved", "submitted", "revoked", "expired", "approved"]
        n, taken = 0, set()
        for plan in self.spec.exemptions:
            if plan.requirement not in self.requirement_codes:
                continue
            candidates = [
                u for u in self.units if u.has_contact_card and plan.picks(u) and u.hsa_id not in taken
            ]
            for unit in rng.sample(candidates, min(plan.count, len(candidates))):
                taken.add(unit.hsa_id)
                status = statuses[n % len(statuses)]
                n += 1
                until = end if status != "expired" else self.today - dt.timedelta(days=20)
                ended = (self.today - dt.timedelta(days=10)).isoformat() if status == "revoked" else ""
                yield [
                    f"AV-{year}-{n:04d}",
                    unit.hsa_id,
                    plan.requirement,
                    plan.reason,
                    start.isoformat(),
                    until.isoformat(),
                    status,
                    ended,
                    plan.justification,
                ]
