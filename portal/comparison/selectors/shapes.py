"""The comparison's constants and the plain dataclasses its page, CSV and template read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from servicelevel.models import UnitType
from units.models import CareUnit

# Fewer other units than this and the aggregate is withheld: with one or two peers, "1 av 1 erbjuder
# Förnya recept" would tell a unit manager exactly what a named neighbour does.
PEER_MINIMUM = 3

# The rows beside the catalogue follow the version's requirements of these kinds (servicelevel/kinds.py),
# whatever their codes: Skåne's SV1-SVARSTID and AH3-BASUTBUD, Halland's GU-KANALER and ET-GRUNDPAKET.
RESPONSE_TIME = "response_time"
BASE_OFFERING = "base_offering"

NOT_FOUND = "Urvalet finns inte eller så saknar du behörighet till det."

# Cell kinds (the template picks an icon and a class from them; the text always says it too).
OFFERED, CLOSED, ABSENT, VALUE = "offered", "closed", "absent", "value"
# Gap kinds.
PEER_GAP, BASE_GAP = "peers", "basutbud"


@dataclass(frozen=True)
class Filters:
    """The page's query parameters, parsed; ids and codes, never names."""

    forvaltning_id: int | None = None
    vardomrade_id: int | None = None
    unit_type: str = ""
    booking_system: str = ""

    @property
    def scope_given(self) -> bool:
        return self.forvaltning_id is not None or self.vardomrade_id is not None


@dataclass(frozen=True)
class Choices:
    """What the chooser offers: only what the user may see."""

    forvaltningar: tuple[tuple[int, str], ...]
    areas: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]  # per förvaltning name: (id, name)
    unit_types: tuple[tuple[str, str], ...] = tuple(UnitType.choices)
    booking_systems: tuple[tuple[str, str], ...] = tuple(CareUnit.BookingSystem.choices)


@dataclass(frozen=True)
class Scope:
    forvaltning_id: int
    forvaltning_name: str
    vardomrade_id: int | None
    vardomrade_name: str
    unit_type: str
    booking_system: str

    @property
    def label(self) -> str:
        """'Mottagningar i vårdområdet Primärvård Sydväst (bokningssystem PASiS)'."""
        kind = {"mottagning": "Mottagningar", "avdelning": "Avdelningar"}.get(
            self.unit_type, "Enheter av typen annan"
        )
        where = (
            f"i vårdområdet {self.vardomrade_name}"
            if self.vardomrade_id
            else f"i förvaltningen {self.forvaltning_name}"
        )
        system = (
            f" med bokningssystem {CareUnit.BookingSystem(self.booking_system).label}"
            if self.booking_system
            else ""
        )
        return f"{kind} {where}{system}"

    @property
    def query(self) -> str:
        """The parameters that reproduce this scope (for the export link and HTMX swaps)."""
        params = {"typ": self.unit_type}
        if self.vardomrade_id:
            params["vardomrade"] = self.vardomrade_id
        else:
            params["forvaltning"] = self.forvaltning_id
        if self.booking_system:
            params["system"] = self.booking_system
        return urlencode(params)

    @property
    def slug(self) -> str:
        where = f"vo{self.vardomrade_id}" if self.vardomrade_id else f"fvg{self.forvaltning_id}"
        return "-".join(p for p in (self.unit_type, where, self.booking_system.lower()) if p)


@dataclass(frozen=True)
class Column:
    """A unit shown by name: any unit for region-wide roles, only the user's own for anyone else."""

    hsa_id: str
    name: str


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = VALUE
    gap: str = ""  # PEER_GAP / BASE_GAP / ""
    gap_text: str = ""  # after "Lucka: " in the cell: "de flesta likvärdiga erbjuder den (5 av 8)"
    gap_note: str = ""  # the gap list's words for this unit, when they differ: "5 av 8 likvärdiga …"

    @property
    def export_text(self) -> str:
        note = self.gap_note or self.gap_text
        return f"{self.text} ({note})" if note else self.text


@dataclass(frozen=True)
class Row:
    key: str  # stable id for anchors and tests: "tjanst-FORNYA-RECEPT", "niva", …
    label: str
    cells: tuple[Cell, ...]  # one per column
    summary: str  # the summary (or aggregate) column
    sentence: str = ""  # "4 av 6 likvärdiga enheter erbjuder Förnya recept"
    is_base: bool = False  # a basutbud service of the unit type
    gap_units: tuple[str, ...] = ()  # names of shown units with a gap in this row
    gap_notes: tuple[str, ...] = ()  # per gap unit, what its gap is ("5 av 8 likvärdiga erbjuder den")

    @property
    def has_gap(self) -> bool:
        return bool(self.gap_units)

    @property
    def gaps(self) -> tuple[tuple[str, str], ...]:
        """(unit name, its gap in words) for the list under the table."""
        return tuple(zip(self.gap_units, self.gap_notes, strict=True))

    @property
    def shared_gap_note(self) -> str:
        """The gap's words when every marked unit has the same ("5 av 8 likvärdiga erbjuder den"), so the
        list says them once; "" when they differ."""
        return self.gap_notes[0] if self.gap_notes and len(set(self.gap_notes)) == 1 else ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Comparison:
    choices: Choices
    filters: Filters
    scope: Scope | None = None
    shows_peer_names: bool = False  # region-wide: every unit is a column
    columns: tuple[Column, ...] = ()
    group_size: int = 0  # every unit of the peer group, the shown ones included
    summary_count: int = 0  # the units the summary column counts
    summary_heading: str = ""
    aggregate_withheld: bool = False
    sections: tuple[Section, ...] = ()
    results_date: datetime.date | None = None
    message: str = ""  # why there is no matrix, or what it lacks
    measures: object = None  # rows.Measures: the version's level and response time, for the page's words

    @property
    def gap_rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows if row.has_gap]
