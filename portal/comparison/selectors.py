"""Equivalent units side by side (/jamforelse/): the decision's first principle, *alla likvärdiga enheter
ska ha samma digitala servicenivå*.

A peer group is the active units with a 1177 contact card of one unit type (and optionally one booking
system) inside a förvaltning or a vårdområde. The matrix shows, per unit, the regional catalogue services
and templates it offers, its stored level and SV1 result for the page's date, and its local offerings;
gaps against the peers and the basutbud are marked in words, never by colour alone.

Region-wide roles see every unit of the group by name. Anyone else (a unit manager, a private provider)
sees their own units by name and the other units only as one aggregate of counts: the peers' names and
HSA-ids are never read into these dataclasses, so no template or export can show them. With fewer than
`PEER_MINIMUM` other units the aggregate is withheld (and no peer gap is marked), so a single peer's
offering cannot be read off it. docs/comparison.md explains the choices.

Queries, whatever the number of units: the user's visible areas (1), the default scope for a unit
manager without a choice (1, only then), the group's units (1), their offerings (1), the catalogue's
services with the basutbud flag (1), its templates (1), the decision in force (1), the stored results with
their SV1 and AH3 statuses (1).
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.http import Http404

from compliance.engine.text import pct
from compliance.engine.types import MET, NOT_MET, STATUS_LABELS
from compliance.models import RequirementResult, UnitResult
from compliance.services import today as local_today
from servicelevel.models import BaseOfferingProfile, CatalogueService, CatalogueTemplate, Decision, UnitType
from units.models import CareUnit, Offering
from units.permissions import sees_everything, visible_areas, visible_units

# Fewer other units than this and the aggregate is withheld: with one or two peers, "1 av 1 erbjuder
# Förnya recept" would tell a unit manager exactly what a named neighbour does.
PEER_MINIMUM = 3

SV1 = "SV1-SVARSTID"
AH3 = "AH3-BASUTBUD"

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


def filters_from(params) -> Filters:
    """Parse `forvaltning`, `vardomrade`, `typ`, `system`; a value that names nothing is a 404, like a
    unit the user may not see (the form only offers valid ones, so only an edited URL gets here)."""

    def as_id(name: str) -> int | None:
        text = params.get(name, "").strip()
        if not text:
            return None
        if not text.isdigit() or len(text) > 18:
            raise Http404(NOT_FOUND)
        return int(text)

    unit_type = params.get("typ", "").strip()
    if unit_type and unit_type not in UnitType.values:
        raise Http404(NOT_FOUND)
    system = params.get("system", "").strip()
    if system and system not in CareUnit.BookingSystem.values:
        raise Http404(NOT_FOUND)
    return Filters(as_id("forvaltning"), as_id("vardomrade"), unit_type, system)


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

    @property
    def gap_rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows if row.has_gap]


def comparison_for(user, *, filters: Filters, results_date: datetime.date | None) -> Comparison:
    """The peer group the filters (or the user's own units) point at, with every row computed.

    `results_date` is the stored date to read levels and SV1 from (AsOf.shown)."""
    areas = list(visible_areas(user).select_related("forvaltning").order_by("forvaltning__name", "name"))
    choices = _choices(areas)
    region_wide = sees_everything(user)
    scope = _scope(user, filters, areas, region_wide)
    if scope is None:
        message = (
            "Välj en förvaltning eller ett vårdområde och en enhetstyp för att jämföra likvärdiga enheter."
            if region_wide or areas
            else "Du har inga enheter att jämföra."
        )
        return Comparison(choices=choices, filters=filters, message=message)

    group = _group_queryset(scope)
    visible_ids = visible_units(user).values("id")
    units = list(
        group.annotate(own=Value(True) if region_wide else Exists(visible_ids.filter(pk=OuterRef("pk"))))
        .order_by("name", "hsa_id")
        .values("id", "hsa_id", "name", "own")
    )
    shown = [u for u in units if u["own"]]
    peers = [u for u in units if not u["own"]]
    # From here on, peers are ids only: their names and HSA-ids go no further.
    peer_ids = [u["id"] for u in peers]
    shown_ids = [u["id"] for u in shown]
    columns = tuple(Column(u["hsa_id"], u["name"]) for u in shown)

    if region_wide:
        summary_ids = shown_ids
        heading = f"Alla likvärdiga enheter ({len(units)} st)"
    else:
        summary_ids = peer_ids
        heading = (
            f"Likvärdiga enheter ({len(peer_ids)} st)"
            if len(peer_ids) >= PEER_MINIMUM
            else f"Likvärdiga enheter (färre än {PEER_MINIMUM})"
        )
    withheld = not region_wide and len(peer_ids) < PEER_MINIMUM

    facts = _Facts.load(group, scope, results_date, [u["id"] for u in units])
    builder = _RowBuilder(
        facts=facts,
        shown_ids=shown_ids,
        shown_names=[u["name"] for u in shown],
        summary_ids=summary_ids,
        region_wide=region_wide,
        withheld=withheld,
    )
    message = ""
    if not units:
        message = "Det finns inga aktiva enheter med kontaktkort i det här urvalet."
    elif not shown:
        message = (
            "Du har inga egna enheter i det här urvalet; "
            "tabellen visar bara de likvärdiga enheterna sammantaget."
        )
    return Comparison(
        choices=choices,
        filters=filters,
        scope=scope,
        shows_peer_names=region_wide,
        columns=columns,
        group_size=len(units),
        summary_count=len(summary_ids),
        summary_heading=heading,
        aggregate_withheld=withheld,
        sections=builder.sections() if units else (),
        results_date=results_date,
        message=message,
    )


def _choices(areas) -> Choices:
    forvaltningar: dict[int, str] = {}
    by_forvaltning: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for area in areas:
        forvaltningar[area.forvaltning_id] = area.forvaltning.name
        by_forvaltning[area.forvaltning.name].append((area.id, area.name))
    return Choices(
        forvaltningar=tuple(sorted(forvaltningar.items(), key=lambda item: item[1])),
        areas=tuple((name, tuple(items)) for name, items in by_forvaltning.items()),
    )


def _scope(user, filters: Filters, areas, region_wide: bool) -> Scope | None:
    """The chosen förvaltning or vårdområde, checked against what the user may see (404 otherwise); for a
    unit manager without a choice, the vårdområde and type where most of their units are."""
    unit_type = filters.unit_type
    if not filters.scope_given:
        if region_wide:
            return None
        top = (
            visible_units(user)
            .filter(active=True, has_contact_card=True, **({"unit_type": unit_type} if unit_type else {}))
            .values("vardomrade_id", "unit_type")
            .annotate(n=Count("id"))
            .order_by("-n", "vardomrade__name", "unit_type")
            .first()
        )
        if top is None:
            return None
        filters = Filters(vardomrade_id=top["vardomrade_id"], booking_system=filters.booking_system)
        unit_type = top["unit_type"]
    if filters.vardomrade_id is not None:
        area = next((a for a in areas if a.id == filters.vardomrade_id), None)
        if area is None:
            raise Http404(NOT_FOUND)
        return Scope(
            area.forvaltning_id,
            area.forvaltning.name,
            area.id,
            area.name,
            unit_type or UnitType.MOTTAGNING,
            filters.booking_system,
        )
    forvaltning = next((a.forvaltning for a in areas if a.forvaltning_id == filters.forvaltning_id), None)
    if forvaltning is None:
        raise Http404(NOT_FOUND)
    return Scope(
        forvaltning.id, forvaltning.name, None, "", unit_type or UnitType.MOTTAGNING, filters.booking_system
    )


def _group_queryset(scope: Scope):
    """Every equivalent unit of the scope, whoever may see it (counts only leave for the peers)."""
    group = CareUnit.objects.filter(active=True, has_contact_card=True, unit_type=scope.unit_type)
    if scope.vardomrade_id:
        group = group.filter(vardomrade_id=scope.vardomrade_id)
    else:
        group = group.filter(forvaltning_id=scope.forvaltning_id)
    if scope.booking_system:
        group = group.filter(booking_system=scope.booking_system)
    return group


@dataclass
class _UnitFacts:
    services: dict[int, bool] = field(default_factory=dict)  # catalogue service id → open
    templates: set[int] = field(default_factory=set)
    local: int = 0
    has_result: bool = False
    level: int | None = None
    level_with_exemptions: bool = False
    in_time: int = 0
    assessed: int = 0
    sv1: str = ""  # stored status
    ah3: str = ""


@dataclass
class _Facts:
    units: dict[int, _UnitFacts]
    services: list[dict]  # id, code, name, in_profile
    templates: list[dict]

    @classmethod
    def load(cls, group, scope: Scope, results_date, unit_ids) -> _Facts:
        units = {unit_id: _UnitFacts() for unit_id in unit_ids}
        group_ids = group.values("id")  # a subquery, not a list of 2,000 ids
        # Offerings as they are registered now: they have no history of their own.
        for o in Offering.objects.filter(unit_id__in=group_ids).values_list(
            "unit_id", "variant", "kind", "is_open", "catalogue_service_id", "catalogue_template_id"
        ):
            unit_id, variant, kind, is_open, service_id, template_id = o
            facts = units.get(unit_id)
            if facts is None:
                continue
            if variant == Offering.Variant.LOKAL:
                facts.local += 1
            elif kind == Offering.Kind.TJANST:
                facts.services[service_id] = is_open
            else:
                facts.templates.add(template_id)

        today = results_date or local_today()
        not_retired = Q(retired_on__isnull=True) | Q(retired_on__gt=today)
        profile = BaseOfferingProfile.services.through.objects.filter(
            baseofferingprofile__unit_type=scope.unit_type, catalogueservice_id=OuterRef("pk")
        )
        services = list(
            CatalogueService.objects.filter(not_retired)
            .annotate(in_profile=Exists(profile))
            .order_by("-in_profile", "name")
            .values("id", "code", "name", "in_profile")
        )
        templates = list(
            CatalogueTemplate.objects.filter(not_retired).order_by("name").values("id", "code", "name")
        )

        if results_date is not None:
            decision = Decision.in_force(results_date)

            def status(code):
                return Subquery(
                    RequirementResult.objects.filter(
                        unit_result=OuterRef("pk"), requirement__code=code
                    ).values("status")[:1]
                )

            for r in (
                UnitResult.objects.filter(as_of=results_date, decision=decision, unit_id__in=group_ids)
                .annotate(sv1=status(SV1), ah3=status(AH3))
                .values(
                    "unit_id", "booking_level", "booking_level_with_exemptions", "response_time", "sv1", "ah3"
                )
            ):
                facts = units.get(r["unit_id"])
                if facts is None:
                    continue
                response = r["response_time"] or {}
                facts.has_result = True
                facts.level = r["booking_level"]
                facts.level_with_exemptions = r["booking_level_with_exemptions"]
                facts.in_time = response.get("in_time") or 0
                facts.assessed = response.get("assessed") or 0
                facts.sv1 = r["sv1"] or ""
                facts.ah3 = r["ah3"] or ""
        return cls(units=units, services=services, templates=templates)


class _RowBuilder:
    """Turns the facts into rows: cells for the shown units, one summary per row, gaps marked."""

    def __init__(self, *, facts, shown_ids, shown_names, summary_ids, region_wide, withheld):
        self.facts = facts
        self.shown = [facts.units[i] for i in shown_ids]
        self.shown_ids = shown_ids
        self.shown_names = shown_names
        self.summary = [facts.units[i] for i in summary_ids]
        self.region_wide = region_wide
        self.withheld = withheld

    def sections(self) -> tuple[Section, ...]:
        return (
            Section(
                "Regionala ärendehanteringstjänster",
                tuple(self._service_row(s) for s in self.facts.services),
            ),
            Section(
                "Regionala mallar för vårdinitierat ärende",
                tuple(self._template_row(t) for t in self.facts.templates),
            ),
            Section(
                "Nivå, svarstid och basutbud",
                (self._level_row(), self._sv1_row(), self._ah3_row(), self._local_row()),
            ),
        )

    # --- peers -------------------------------------------------------------------------------------------

    def _others(self, index: int, has) -> tuple[int, int]:
        """(how many peers of the shown unit at `index` have it, how many peers there are). Region-wide the
        peers are every other unit of the group; otherwise the aggregate (the user's other units are not
        their own peers)."""
        if self.region_wide:
            me = self.shown[index]
            others = [u for u in self.summary if u is not me]
        else:
            others = self.summary
        return sum(1 for u in others if has(u)), len(others)

    def _peer_gap(self, index: int, lacks: bool, has, verb: str) -> Cell | None:
        """The gap mark when most of the unit's peers — a strict majority, more than half: 5 of 8, not
        4 of 8 — have what it lacks, worded with that count ("de flesta likvärdiga erbjuder den (5 av 8)").
        The one place the rule is written. Not marked while the aggregate is withheld: the mark would tell
        what one or two named neighbours do."""
        if not lacks or self.withheld:
            return None
        having, others = self._others(index, has)
        if not (having >= 1 and 2 * having > others):
            return None
        return Cell(
            "",
            gap=PEER_GAP,
            gap_text=f"de flesta likvärdiga {verb} ({having} av {others})",
            gap_note=f"{having} av {others} likvärdiga {verb}",
        )

    def _count_text(self, n: int, verb: str, what: str = "") -> tuple[str, str]:
        """(summary cell, sentence)."""
        total = len(self.summary)
        if self.withheld:
            return f"färre än {PEER_MINIMUM} enheter", ""
        if total == 0:
            return "inga enheter", ""
        summary = f"{n} av {total} {verb} ({pct(n, total)})"
        # Region-wide the summary counts the whole group, each unit included: "likvärdiga" would be
        # untrue for the unit itself, whose peers are the others (its gap mark says how many of them).
        group = "enheter i urvalet" if self.region_wide else "likvärdiga enheter"
        sentence = f"{n} av {total} {group} {verb} {what}".rstrip()
        return summary, sentence

    def _row(self, key, label, cells, summary, sentence="", *, is_base=False) -> Row:
        marked = [(name, cell) for name, cell in zip(self.shown_names, cells, strict=True) if cell.gap]
        return Row(
            key,
            label,
            tuple(cells),
            summary,
            sentence,
            is_base,
            tuple(name for name, _cell in marked),
            tuple(cell.gap_note or cell.gap_text for _name, cell in marked),
        )

    @staticmethod
    def _with_gap(cell: Cell, gap: Cell | None) -> Cell:
        if gap is None:
            return cell
        return Cell(cell.text, cell.kind, gap.gap, gap.gap_text, gap.gap_note)

    # --- rows --------------------------------------------------------------------------------------------

    def _service_row(self, s: dict) -> Row:
        sid, is_base = s["id"], s["in_profile"]

        def offers(u: _UnitFacts) -> bool:
            return u.services.get(sid) is True

        cells = []
        for index, u in enumerate(self.shown):
            state = u.services.get(sid)
            kind, text = (
                (OFFERED, "Erbjuds")
                if state is True
                else (CLOSED, "Stängd")
                if state is False
                else (ABSENT, "–")
            )
            # The basutbud asks for the service regional and open (AH3): a closed one is missing too.
            if is_base and kind != OFFERED:
                gap_text = "saknas i basutbudet" if kind == ABSENT else "basutbudet kräver öppen"
                cells.append(Cell(text, kind, BASE_GAP, gap_text))
            else:
                gap = self._peer_gap(index, kind != OFFERED, offers, "erbjuder den")
                cells.append(self._with_gap(Cell(text, kind), gap))
        n = sum(1 for u in self.summary if offers(u))
        summary, sentence = self._count_text(n, "erbjuder", s["name"])
        closed = sum(1 for u in self.summary if u.services.get(sid) is False)
        if closed and not self.withheld:
            summary += f", {closed} stängd" + ("a" if closed > 1 else "")
        return self._row(f"tjanst-{s['code']}", s["name"], cells, summary, sentence, is_base=is_base)

    def _template_row(self, t: dict) -> Row:
        tid = t["id"]

        def uses(u: _UnitFacts) -> bool:
            return tid in u.templates

        cells = []
        for index, u in enumerate(self.shown):
            used = uses(u)
            gap = self._peer_gap(index, not used, uses, "använder den")
            cells.append(self._with_gap(Cell("Används" if used else "–", OFFERED if used else ABSENT), gap))
        n = sum(1 for u in self.summary if uses(u))
        summary, sentence = self._count_text(n, "använder", t["name"])
        return self._row(f"mall-{t['code']}", t["name"], cells, summary, sentence)

    def _level_row(self) -> Row:
        def level_text(u: _UnitFacts) -> str:
            if not u.has_result:
                return "Resultat saknas"
            if u.level is None:
                return "Ej bedömd"
            return f"Nivå {u.level}" + (" med avsteg" if u.level_with_exemptions else "")

        cells = []
        for u in self.shown:
            gap, gap_text = "", ""
            if u.level is not None and not self.withheld:
                if self.region_wide:
                    others = [p.level for p in self.summary if p is not u and p.level is not None]
                else:
                    others = [p.level for p in self.summary if p.level is not None]
                if others and statistics.median_low(others) > u.level:
                    gap, gap_text = PEER_GAP, f"likvärdigas median är nivå {statistics.median_low(others)}"
            cells.append(Cell(level_text(u), VALUE, gap, gap_text))
        if self.withheld:
            summary = f"färre än {PEER_MINIMUM} enheter"
        elif not self.summary:
            summary = "inga enheter"
        else:
            counts = Counter(level_text(u).removesuffix(" med avsteg") for u in self.summary)
            order = ["Nivå 3", "Nivå 2", "Nivå 1", "Nivå 0", "Ej bedömd", "Resultat saknas"]
            summary = ", ".join(f"{name}: {counts[name]}" for name in order if counts[name])
        return self._row("niva", "Nivå i tidbokning (§2.1.1)", cells, summary)

    def _sv1_row(self) -> Row:
        def meets(u: _UnitFacts) -> bool:
            return u.sv1 == MET

        cells = []
        for index, u in enumerate(self.shown):
            label = STATUS_LABELS.get(u.sv1, "Resultat saknas")
            text = f"{pct(u.in_time, u.assessed)} – {label}" if u.assessed else label
            gap = self._peer_gap(index, u.sv1 == NOT_MET, meets, "uppfyller kravet")
            cells.append(self._with_gap(Cell(text, VALUE), gap))
        n = sum(1 for u in self.summary if meets(u))
        summary, sentence = self._count_text(n, "uppfyller", "kravet på svar inom 2 vardagar")
        assessed = sum(u.assessed for u in self.summary)
        if assessed and not self.withheld:
            summary += f"; sammantaget {pct(sum(u.in_time for u in self.summary), assessed)} i tid"
        return self._row("svarstid", "Svar inom 2 vardagar (SV1), andel i tid", cells, summary, sentence)

    def _ah3_row(self) -> Row:
        cells = [
            Cell(
                STATUS_LABELS.get(u.ah3, "Resultat saknas"),
                VALUE,
                BASE_GAP if u.ah3 == NOT_MET else "",
                "basutbudet är inte komplett" if u.ah3 == NOT_MET else "",
            )
            for u in self.shown
        ]
        n = sum(1 for u in self.summary if u.ah3 == MET)
        summary, sentence = self._count_text(n, "uppfyller", "kravet på basutbud")
        return self._row("basutbud", "Basutbud (AH3)", cells, summary, sentence)

    def _local_row(self) -> Row:
        cells = [Cell(str(u.local) if u.local else "–", VALUE) for u in self.shown]
        n = sum(1 for u in self.summary if u.local)
        summary, sentence = self._count_text(n, "har", "lokala tjänster eller mallar")
        return self._row("lokalt", "Lokala tjänster och mallar (antal)", cells, summary, sentence)


def export_rows(comparison: Comparison):
    """The matrix as shown, as rows for servicelevel.spreadsheet's CSV writer: a header with the units'
    names and HSA-ids (only those the page shows) and the summary column, then a row per table row."""
    yield [
        "Avsnitt",
        "Rad",
        "Basutbud",
        comparison.summary_heading,
        *(f"{c.name} ({c.hsa_id})" for c in comparison.columns),
    ]
    for section in comparison.sections:
        for row in section.rows:
            yield [
                section.title,
                row.label,
                "ja" if row.is_base else "",
                row.summary,
                *(cell.export_text for cell in row.cells),
            ]
