"""A believable Skåne-like demo region, written as the CSV files real data would arrive in.

It lives in `compliance`, the app that depends on all the others, because it spans every kind of fact.
Each file's header is its importer's columns, so the demo and the importers cannot drift apart.

Pure data generation (random with a seed); `seed_demo` imports the files through the ordinary importers,
so the demo also proves them.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import zlib
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from zoneinfo import ZoneInfo

from exemptions.rules import last_allowed_day
from servicelevel.importing import registry

from .calendar import WorkingCalendar

TZ = ZoneInfo("Europe/Stockholm")

# förvaltning → its vårdområden (about 40 in all)
REGION = {
    "Skånes universitetssjukhus": [
        "VO Akut och internmedicin",
        "VO Hjärt- och lungmedicin",
        "VO Kirurgi och gynekologi",
        "VO Barn och ungdom",
        "VO Neurologi och rehabilitering",
        "VO Hematologi, onkologi och strålningsfysik",
        "VO Ortopedi",
        "VO Urologi och njurmedicin",
        "VO Ögon, öron och hud",
        "VO Infektion och hud",
    ],
    "Skånevård Kryh": [
        "VO Centralsjukhuset Kristianstad medicin",
        "VO Centralsjukhuset Kristianstad kirurgi",
        "VO Hässleholms sjukhus",
        "VO Ystads lasarett",
        "VO Trelleborgs lasarett",
    ],
    "Skånevård Sund": [
        "VO Helsingborgs lasarett medicin",
        "VO Helsingborgs lasarett kirurgi",
        "VO Ängelholms sjukhus",
        "VO Landskrona lasarett",
        "VO Barn och kvinna Sund",
    ],
    "Primärvård Skåne": [
        "Primärvård Malmö",
        "Primärvård Sydväst",
        "Primärvård Mellersta",
        "Primärvård Nordväst",
        "Primärvård Nordost",
        "Primärvård Sydost",
    ],
    "Psykiatri, habilitering och hjälpmedel": [
        "VO Vuxenpsykiatri Malmö",
        "VO Vuxenpsykiatri Lund",
        "VO Vuxenpsykiatri Helsingborg",
        "VO Barn- och ungdomspsykiatri",
        "VO Rättspsykiatri",
        "VO Habilitering och hjälpmedel",
    ],
    "Medicinsk service": ["VO Labmedicin", "VO Bild och funktion", "VO Klinisk mikrobiologi"],
    "Privata vårdgivare (Hälsoval)": [
        "Hälsoval Malmö",
        "Hälsoval Nordväst",
        "Hälsoval Mellersta",
        "Hälsoval Östra",
    ],
}
PLACES = [
    "Malmö",
    "Lund",
    "Helsingborg",
    "Kristianstad",
    "Landskrona",
    "Trelleborg",
    "Ystad",
    "Ängelholm",
    "Hässleholm",
    "Eslöv",
    "Höör",
    "Hörby",
    "Simrishamn",
    "Tomelilla",
    "Sjöbo",
    "Skurup",
    "Vellinge",
    "Staffanstorp",
    "Kävlinge",
    "Lomma",
    "Svedala",
    "Höganäs",
    "Båstad",
    "Klippan",
    "Åstorp",
    "Bjuv",
    "Osby",
    "Östra Göinge",
    "Perstorp",
    "Örkelljunga",
    "Svalöv",
    "Burlöv",
    "Bromölla",
]
SPECIALTIES = [
    "Kardiologi",
    "Lungmedicin",
    "Endokrinologi",
    "Gynekologi",
    "Kirurgi",
    "Urologi",
    "Ortopedi",
    "Neurologi",
    "Reumatologi",
    "Hud",
    "Ögon",
    "Öron-näsa-hals",
    "Onkologi",
    "Barnmedicin",
    "Smärta",
    "Mag-tarm",
    "Njurmedicin",
    "Infektion",
    "Geriatrik",
    "Rehabilitering",
]
# Places that fit a vårdområde's name, for primary care (a "Vårdcentralen Limhamn" belongs in Malmö).
AREA_PLACES = {
    "Primärvård Malmö": [
        "Limhamn",
        "Rosengård",
        "Husie",
        "Kirseberg",
        "Möllevången",
        "Västra Hamnen",
        "Oxie",
        "Lindängen",
        "Fosie",
        "Södervärn",
        "Bunkeflo",
        "Heleneholm",
    ],
    "Primärvård Sydväst": ["Trelleborg", "Vellinge", "Skurup", "Svedala", "Anderslöv", "Höllviken"],
    "Primärvård Mellersta": ["Lund", "Eslöv", "Staffanstorp", "Kävlinge", "Lomma", "Höör", "Hörby"],
    "Primärvård Nordväst": ["Helsingborg", "Höganäs", "Ängelholm", "Landskrona", "Båstad", "Klippan"],
    "Primärvård Nordost": ["Kristianstad", "Hässleholm", "Osby", "Östra Göinge", "Bromölla", "Perstorp"],
    "Primärvård Sydost": ["Ystad", "Simrishamn", "Tomelilla", "Sjöbo"],
    "Hälsoval Malmö": ["Malmö Centrum", "Triangeln", "Hyllie", "Värnhem", "Slottsstaden"],
}
# The demo's unit manager (seed_demo) has this vårdområde: it gets enough units to be a real worklist.
MANAGER_AREA, MANAGER_AREA_UNITS = "Primärvård Malmö", 7

PROVIDERS = [
    "Capio Vårdcentral AB",
    "Praktikertjänst AB",
    "Kry Health Care AB",
    "Hälsocentralen Norden AB",
    "Din Vårdcentral i Skåne AB",
]
PROFILE = ["FORNYA-RECEPT", "AV-OMBOKA", "BESTALL-TID", "RADGIVNING"]
EXTRA_SERVICES = ["PROVSVAR", "INTYG", "EGENREMISS", "REMISSTATUS", "FORMULAR", "TOLK", "LEVNADSVANOR"]
TEMPLATES = ["MALL-MEDDELANDE", "MALL-FORMULAR", "MALL-INFOR-BESOK", "MALL-UPPFOLJNING"]
# Role holders' names (the admin_roles file's `name` column). Each is derived from the person's HSA-id, not
# drawn from the random stream, so one person has one name on every row and the rest of the demo (cases,
# exemptions …) comes out exactly as before the names were added.
FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Malin", "Sofia", "Elin",
    "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Peter", "Mikael", "Fredrik", "Jonas", "Ali", "Amir",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
    "Gustafsson", "Pettersson", "Jönsson", "Hansson", "Lindberg", "Lindqvist", "Bengtsson", "Håkansson",
    "Mattsson", "Åberg", "Öberg", "Holm", "Ek", "Nyström", "Hassan", "Ahmed", "Sjöberg", "Lund",
]  # fmt: skip


def person_name(person_id: str) -> str:
    """A believable name for a demo role holder, the same for the same id on every run."""
    n = zlib.crc32(person_id.encode())
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)]}"


# What each booking system supports (Koncernstab's table at /avsteg/system/), as Region Skåne's page for
# care providers (seed 004) tells it: web booking through 1177 works for PASiS and PMO only; öppen kallelse
# only in PASiS (PMO's digital invitations are being worked on); other systems have no web booking at all.
# (booking system, requirement, supported, note)
CAPABILITIES = [
    ("PASiS", "TB2-OMBOKA", True, "Av- och ombokning fram till 24 timmar före besöket."),
    ("PASiS", "TB3-OPPEN-KALLELSE", True, "Öppen kallelse finns i PASiS."),
    ("PASiS", "TB3-OPPEN-KALLELSE-ANDEL", True, "Öppen kallelse finns i PASiS."),
    ("PASiS", "TB3-INVANARBOKNING", True, "Tider med 1177-nivå 4 kan bokas av invånaren."),
    ("PMO", "TB2-OMBOKA", True, "Ombokning går även till samma dag."),
    (
        "PMO",
        "TB3-OPPEN-KALLELSE",
        False,
        "PMO stödjer ännu inte öppen kallelse; arbete pågår för digitala kallelser.",
    ),
    ("PMO", "TB3-OPPEN-KALLELSE-ANDEL", False, "PMO stödjer ännu inte öppen kallelse."),
    ("PMO", "TB3-INVANARBOKNING", True, "Tidbokningstyper schemalagda som synliga i e-tjänsterna."),
    *(
        ("annat", code, False, "Webbtidbok via 1177 fungerar i dag bara för PASiS och PMO.")
        for code in ("TB1-VISA", "TB1-AVBOKA", "TB2-OMBOKA", "TB3-OPPEN-KALLELSE", "TB3-INVANARBOKNING")
    ),
]


@dataclass
class DemoUnit:
    hsa_id: str
    name: str
    forvaltning: str
    vardomrade: str
    unit_type: str
    booking_system: str
    has_contact_card: bool
    same_day_contact: bool
    provider: str
    size: float  # relative case volume


def periods_up_to(today: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """The current schedule period (thirds of the year) and the two before it."""
    thirds = [(1, 1, 4, 30, "T1", "Vår"), (5, 1, 8, 31, "T2", "Sommar"), (9, 1, 12, 31, "T3", "Höst")]
    periods = []
    for year in (today.year - 1, today.year):
        for m1, d1, m2, d2, code, name in thirds:
            start, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
            if start <= today:
                periods.append((f"{year}-{code}", f"{name} {year}", start, end))
    return periods[-3:]


class DemoRegion:
    # The region's organisation number (HSA-ids of its own units and people start SE + it), and the
    # services its cases come in through: a region of its own (compliance/demo/) sets its own.
    ORG = "2321000255"
    CASE_SERVICES = ["KONTAKT", "KONTAKT", "FORNYA-RECEPT", "RADGIVNING", "AV-OMBOKA", "BESTALL-TID"]

    def __init__(self, *, units: int, cases: int, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.n_units, self.n_cases, self.today = units, cases, today
        self.units = self._units()
        self.periods = periods_up_to(today)

    # units -----------------------------------------------------------------------------------------------

    def _units(self) -> list[DemoUnit]:
        rng, units, used, names, places_used = self.rng, [], set(), set(), set()
        # Round-robin over the förvaltningar, so even a small demo has units in every one.
        areas = [
            (f, v)
            for row in zip_longest(*([(f, v) for v in vs] for f, vs in REGION.items()))
            for f, v in filter(None, row)
        ]
        # After one unit per area, the unit manager's area is filled up first (when the demo is big enough).
        manager_area = next(pair for pair in areas if pair[1] == MANAGER_AREA)
        extra = [manager_area] * (MANAGER_AREA_UNITS - 1) if self.n_units >= 2 * len(areas) else []
        for i in range(self.n_units):
            if i < len(areas):
                fvg, area = areas[i]
            elif i - len(areas) < len(extra):
                fvg, area = extra[i - len(areas)]
            else:
                fvg, area = rng.choice(areas)
            places = AREA_PLACES.get(area, PLACES)
            fresh = [p for p in places if (area, p) not in places_used]
            place = rng.choice(fresh or places)
            places_used.add((area, place))
            provider = ""
            if fvg in ("Primärvård Skåne", "Privata vårdgivare (Hälsoval)"):
                unit_type, system, same_day = "mottagning", "PMO", True
                name = f"Vårdcentralen {place}"
                if fvg.startswith("Privata"):
                    provider = rng.choice(PROVIDERS)
                    name = f"{provider.split()[0]} Vårdcentral {place}"
                    system = rng.choice(["PMO", "annat"])
            elif fvg == "Medicinsk service":
                unit_type, system, same_day = "annan", rng.choice(["ingen", "PASiS"]), False
                name = f"{rng.choice(['Provtagning', 'Röntgen', 'Fysiologlabb'])} {place}"
            elif fvg.startswith("Psykiatri"):
                unit_type, system, same_day = rng.choice(["mottagning"] * 4 + ["avdelning"]), "PASiS", False
                name = f"Psykiatrisk {'mottagning' if unit_type == 'mottagning' else 'avdelning'} {place}"
            else:
                unit_type = rng.choice(["mottagning"] * 3 + ["avdelning"])
                system, same_day = (
                    ("PASiS" if unit_type == "mottagning" else rng.choice(["ingen", "PASiS"])),
                    False,
                )
                specialty = rng.choice(SPECIALTIES)
                name = (
                    f"{specialty}mottagningen {place}"
                    if unit_type == "mottagning"
                    else f"Avdelning {rng.randint(1, 99)} {specialty.lower()} {place}"
                )
            # Two units of one name would confuse anyone reading the demo: number the second one.
            base, n = name, 2
            while name in names:
                name, n = f"{base} {n}", n + 1
            names.add(name)
            while True:
                org = (
                    "5565" + "".join(rng.choice("0123456789") for _ in range(6)) if provider else "2321000255"
                )
                hsa = f"SE{org}-{''.join(rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ0123456789') for _ in range(5))}"
                if hsa not in used:
                    used.add(hsa)
                    break
            units.append(
                DemoUnit(
                    hsa,
                    name,
                    fvg,
                    area,
                    unit_type,
                    system,
                    rng.random() > 0.05,
                    same_day,
                    provider,
                    size=rng.lognormvariate(0, 0.8),
                )
            )
        return units

    # files -----------------------------------------------------------------------------------------------

    def writers(self) -> dict:
        """Each import kind's file and the rows it is written from, in the order they are imported."""
        return {
            "units": self._units_rows,
            "periods": self._periods_rows,
            "offerings": self._offerings_rows,
            "booking": self._booking_rows,
            "admin_roles": self._roles_rows,
            "targets": self._targets_rows,
            "exemptions": self._exemptions_rows,
            "cases": self._cases_rows,
        }

    def write_all(self, folder: Path) -> dict[str, Path]:
        writers = self.writers()
        paths = {}
        for kind, rows in writers.items():
            path = folder / f"{kind}.csv"
            with path.open("w", encoding="utf-8", newline="") as stream:
                writer = csv.writer(stream, delimiter=";" if kind in ("units", "booking") else ",")
                writer.writerow(column.name for column in registry.get(kind).columns)
                writer.writerows(rows())
            paths[kind] = path
        return paths

    def _units_rows(self):
        for u in self.units:
            kind = "TUE" if u.forvaltning == "Medicinsk service" else "VUE"
            yield [
                u.hsa_id,
                u.name,
                u.forvaltning,
                u.vardomrade,
                kind,
                u.unit_type,
                u.booking_system,
                "ja" if u.has_contact_card else "nej",
                "ja" if u.same_day_contact else "nej",
                u.provider,
                "ja",
            ]

    def _periods_rows(self):
        for code, name, start, end in self.periods:
            yield [code, name, start.isoformat(), end.isoformat()]

    def _offerings_rows(self):
        rng = self.rng
        for u in self.units:
            if rng.random() < 0.03:
                continue  # a few units have reported nothing yet
            services = ["KONTAKT"] if rng.random() < 0.9 else ["KONTAKTA-MIG"]
            if u.unit_type == "mottagning":
                services += [s for s in PROFILE if rng.random() < 0.9]
            services += rng.sample(EXTRA_SERVICES, rng.randint(0, 3))
            for code in services:
                yield [u.hsa_id, "tjanst", code, "regional", "nej" if rng.random() < 0.03 else "ja"]
            if rng.random() < 0.15:
                yield [
                    u.hsa_id,
                    "tjanst",
                    rng.choice(["Egen kontaktväg", "Lokal remissfråga", "Gammalt formulär"]),
                    "lokal",
                    "ja",
                ]
            for code in rng.sample(TEMPLATES, rng.randint(0, 3)):
                yield [u.hsa_id, "mall", code, "regional", ""]
            if rng.random() < 0.1:
                yield [u.hsa_id, "mall", "Lokal kallelsemall", "lokal", ""]

    def _booking_rows(self):
        rng = self.rng
        for u in self.units:
            if u.booking_system == "ingen" or rng.random() < 0.04:
                continue
            booked = int(300 * u.size) + 20
            resched_share, citizen_share = rng.uniform(0, 0.4), rng.uniform(0, 0.2)
            # Öppen kallelse exists only in PASiS (seed 004); some PASiS units do not use it yet.
            open_share = 0 if u.booking_system != "PASiS" or rng.random() < 0.3 else rng.uniform(0, 0.15)
            hidden = rng.random() < 0.12
            for index, (code, *_rest) in enumerate(self.periods):
                grow = rng.uniform(-0.03, 0.08)
                resched_share = min(1, max(0, resched_share + grow))
                citizen_share = min(1, max(0, citizen_share + rng.uniform(-0.02, 0.05)))
                if open_share:
                    open_share = min(1, max(0.0, open_share + rng.uniform(-0.01, 0.04)))
                total = max(1, int(booked * rng.uniform(0.9, 1.1)))
                slots = int(total * rng.uniform(1.05, 1.4))
                visible = total - (
                    rng.randint(1, max(1, total // 20)) if hidden and index == len(self.periods) - 1 else 0
                )
                cancel = total if rng.random() > 0.08 else total - rng.randint(1, max(1, total // 10))
                weeks = rng.choice(["4", "6", "8", "8", "9", "10", "12", "7,5", "16"])
                yield [
                    u.hsa_id,
                    code,
                    total,
                    visible,
                    cancel,
                    int(total * resched_share),
                    slots,
                    int(slots * open_share),
                    int(slots * citizen_share),
                    weeks,
                ]

    def _roles_rows(self):
        """Role holders are people: each a person's HSA-id and name (person_id, unit_hsa_id, role, name)."""
        rng = self.rng
        supers = [f"SE{self.ORG}-S{n:04d}" for n in range(1, 9)]
        for i, u in enumerate(self.units):
            for n in range(rng.choice([0, 1, 1, 1, 2, 2, 2, 3])):
                person = f"SE{self.ORG}-B{i:04d}{n}"
                yield [person, u.hsa_id, "behorighetsadministrator", person_name(person)]
            if rng.random() < 0.25:
                person = supers[i % len(supers)]
                yield [person, u.hsa_id, "lokal_administrator", person_name(person)]
            if rng.random() < 0.06:
                person = f"SE{self.ORG}-L{i:04d}"
                yield [person, u.hsa_id, "lokal_administrator", person_name(person)]

    def _targets_rows(self):
        current = self.periods[-1][0]
        for area in sorted({u.vardomrade for u in self.units}):
            yield [area, current, "TB2-OMBOKA-ANDEL", "0,25"]
            yield [area, current, "TB3-INVANARBOKNING-ANDEL", "0,10"]

    def _exemptions_rows(self):
        rng = self.rng
        # Technical exemptions where the booking system lacks the function: PMO has no öppen kallelse.
        pmo = [u for u in self.units if u.booking_system == "PMO" and u.has_contact_card]
        start = self.periods[0][2]
        year = self.today.year
        # To the year's end, but never beyond the bound an exemption decided in the portal has (12 months
        # by default: exemptions/rules.py) — the demo's exemptions look like the portal's own.
        end = min(dt.date(year, 12, 31), last_allowed_day(start))
        for n, u in enumerate(rng.sample(pmo, min(6, len(pmo))), start=1):
            status, ended = ["approved", "approved", "approved", "submitted", "revoked", "expired"][n - 1], ""
            until = end if status != "expired" else self.today - dt.timedelta(days=20)
            if status == "revoked":
                ended = (self.today - dt.timedelta(days=10)).isoformat()
            for code in ("TB3-OPPEN-KALLELSE", "TB3-OPPEN-KALLELSE-ANDEL"):
                yield [
                    f"AV-{year}-{n:04d}{'A' if code.endswith('ANDEL') else ''}",
                    u.hsa_id,
                    code,
                    "teknisk",
                    start.isoformat(),
                    until.isoformat(),
                    status,
                    ended,
                    "PMO stödjer ännu inte öppen kallelse (i dag finns den bara i PASiS)",
                ]
        if self.units:
            u = self.units[0]
            yield [
                f"AV-{year}-0010",
                u.hsa_id,
                "TB1-AVBOKA",
                "patientsakerhet",
                start.isoformat(),
                end.isoformat(),
                "approved",
                "",
                "Avbokning kräver medicinsk bedömning inför behandling",
            ]

    def cases_start(self) -> dt.date:
        """The first day of the demo's cases: the first of the month about four months back."""
        return (self.today.replace(day=1) - dt.timedelta(days=95)).replace(day=1)

    def month_ends(self) -> list[dt.date]:
        """The last day of each month after the first month of cases and before today's month: as of
        each, one more month of cases has been judged in full."""
        ends, month = [], self.cases_start()
        while True:
            month = (month + dt.timedelta(days=32)).replace(day=1)
            end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            if end >= self.today:
                return ends
            ends.append(end)

    def _cases_rows(self):
        """Cases over the last four months: office hours mostly, Mondays and days after holidays busier;
        answers mostly within hours, some late (a few with a notice), a few never answered."""
        rng, calendar = self.rng, WorkingCalendar()
        start = self.cases_start()
        days = [start + dt.timedelta(days=n) for n in range((self.today - start).days + 1)]
        weights = []
        for day in days:
            w = 1.0 if calendar.is_working_day(day) else 0.25
            if calendar.is_working_day(day) and not calendar.is_working_day(day - dt.timedelta(days=1)):
                w *= 1.6  # the day after a weekend or holiday
            weights.append(w)
        contact = [u for u in self.units if u.has_contact_card]
        if not contact:
            return
        unit_weights = [u.size for u in contact]
        chosen_days = rng.choices(days, weights, k=self.n_cases)
        chosen_units = rng.choices(contact, unit_weights, k=self.n_cases)
        now = dt.datetime.combine(self.today, dt.time(), TZ)
        # Each unit has its own habits: most answer nearly everything in time, a few struggle.
        late_rate = {u.hsa_id: min(0.3, rng.expovariate(1 / 0.04)) for u in contact}
        for n in range(self.n_cases):
            day, unit = chosen_days[n], chosen_units[n]
            hour = min(23, max(0, int(rng.gauss(11, 4))))
            received = dt.datetime(
                day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ
            )
            deadline = calendar.deadline(received, same_day_contact=unit.same_day_contact)
            roll, late, response, notice = rng.random(), late_rate[unit.hsa_id], None, None
            if roll < late / 5:
                pass  # never answered
            elif roll < late * 3 / 5:
                response = deadline + dt.timedelta(hours=rng.uniform(1, 72))
                notice = deadline - dt.timedelta(hours=rng.uniform(1, 12))  # the citizen was told in time
            elif roll < late:
                response = deadline + dt.timedelta(hours=rng.uniform(1, 240))
            elif roll < 0.6:
                response = received + dt.timedelta(minutes=rng.expovariate(1 / 90))
            else:
                response = received + (deadline - received) * rng.uniform(0.05, 0.98)
            if response is not None and response > now:
                response = None  # not answered yet
            if notice is not None and (notice < received or notice > now):
                notice = None
            yield [
                f"A{n:08d}",
                unit.hsa_id,
                rng.choice(self.CASE_SERVICES),
                received.isoformat(timespec="seconds"),
                response.isoformat(timespec="seconds") if response else "",
                notice.isoformat(timespec="seconds") if notice else "",
            ]
