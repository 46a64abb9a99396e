"""The matrix's rows from the group's facts: per catalogue service and template, then the level (when the
version has a ladder), its response-time requirement and each base-offering requirement (when it has
them; found by kind, never by code) and the local offerings, with gaps against the peers and the basutbud
marked in words."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from compliance.engine.booking import ladder_levels, level_requirements
from compliance.engine.text import format_value, pct
from compliance.engine.types import MET, NOT_MET, SHARE, STATUS_LABELS
from portal.units.selectors import short_code
from servicelevel.kinds import with_defaults
from units.applicability import is_booking_requirement

from .facts import PeerUnitFacts
from .shapes import ABSENT, BASE_GAP, CLOSED, OFFERED, PEER_GAP, PEER_MINIMUM, VALUE, Cell, Row, Section


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


@dataclass(frozen=True)
class Measures:
    """Which of the level and the response time the version has: the page's words about the matrix
    follow them (Skåne: both; Halland: neither)."""

    levels: bool
    response_time: bool

    @property
    def caption(self) -> str:
        """ "utbud, nivå och svarstid" """
        return _and(["utbud"] + ["nivå"] * self.levels + ["svarstid"] * self.response_time)

    @property
    def intro(self) -> str:
        """ "nivå i tidbokning och svarstid"; "" when the version has neither."""
        words = ["nivå i tidbokning"] * self.levels + ["svarstid"] * self.response_time
        return _and(words) if words else ""

    @property
    def stored(self) -> str:
        """What is read from the stored results: "nivå och svarstid", else the requirements' status."""
        words = ["nivå"] * self.levels + ["svarstid"] * self.response_time
        return _and(words) if words else "kravens status"


class RowBuilder:
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
            Section(self._measures_title(), self._measure_rows()),
        )

    def _measure_rows(self) -> tuple[Row, ...]:
        rows = [self._level_row()] if self.facts.laddered else []
        if self.facts.response_requirement is not None:
            rows.append(self._response_row(self.facts.response_requirement))
        bases = self.facts.base_requirements
        rows += [
            self._base_row(r, key="basutbud" if i == 0 else f"basutbud-{r.code}") for i, r in enumerate(bases)
        ]
        return (*rows, self._local_row())

    def measures(self) -> Measures:
        return Measures(bool(self.facts.laddered), self.facts.response_requirement is not None)

    def _measures_title(self) -> str:
        """ "Nivå, svarstid och basutbud": what the last section holds, for the version's rows."""
        words = [
            word
            for word, present in (
                ("nivå", bool(self.facts.laddered)),
                ("svarstid", self.facts.response_requirement is not None),
                ("basutbud", bool(self.facts.base_requirements)),
            )
            if present
        ]
        if not words:
            return "Lokala tjänster och mallar"
        text = _and(words)
        return text[0].upper() + text[1:]

    def _short_code(self, code: str) -> str:
        """The requirement's code as the row labels name it: its first part when no other requirement of
        the version shares that part (Skåne's "SV1", "AH3"), else the whole code."""
        return short_code(code, [r.code for r in self.facts.requirements])

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

        def offers(u: PeerUnitFacts) -> bool:
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

        def uses(u: PeerUnitFacts) -> bool:
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
        laddered = self.facts.laddered
        top = ladder_levels(level_requirements(laddered))[-1]

        def level_text(u: PeerUnitFacts) -> str:
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
            order = [f"Nivå {n}" for n in range(top, -1, -1)] + ["Ej bedömd", "Resultat saknas"]
            summary = ", ".join(f"{name}: {counts[name]}" for name in order if counts[name])
        return self._row("niva", self._level_label(laddered), cells, summary)

    def _level_label(self, laddered) -> str:
        """ "Nivå i tidbokning (§2.1.1)": a ladder of booking requirements is a level in booking, else the
        ladder's own name; the decision's section when its requirements share one."""
        if all(is_booking_requirement(r) for r in laddered):
            label = "Nivå i tidbokning"
        else:
            label = self.facts.decision.ladder
        sections = {r.section for r in laddered}
        if len(sections) == 1 and (section := sections.pop()):
            label += f" (§{section})"
        return label

    def _response_row(self, requirement) -> Row:
        def meets(u: PeerUnitFacts) -> bool:
            return u.response == MET

        cells = []
        for index, u in enumerate(self.shown):
            label = STATUS_LABELS.get(u.response, "Resultat saknas")
            text = (
                f"{format_value(SHARE, Fraction(u.in_time, u.assessed))} – {label}" if u.assessed else label
            )
            gap = self._peer_gap(index, u.response == NOT_MET, meets, "uppfyller kravet")
            cells.append(self._with_gap(Cell(text, VALUE), gap))
        days = with_defaults(requirement.kind, requirement.parameters)["working_days"]
        within = f"svar inom {days} {'vardag' if days == 1 else 'vardagar'}"
        n = sum(1 for u in self.summary if meets(u))
        summary, sentence = self._count_text(n, "uppfyller", f"kravet på {within}")
        assessed = sum(u.assessed for u in self.summary)
        if assessed and not self.withheld:
            in_time = Fraction(sum(u.in_time for u in self.summary), assessed)
            summary += f"; sammantaget {format_value(SHARE, in_time)} i tid"
        label = f"{within.capitalize()} ({self._short_code(requirement.code)}), andel i tid"
        return self._row("svarstid", label, cells, summary, sentence)

    def _base_row(self, requirement, *, key: str) -> Row:
        def status(u: PeerUnitFacts) -> str:
            return u.base.get(requirement.pk, "")

        cells = [
            Cell(
                STATUS_LABELS.get(status(u), "Resultat saknas"),
                VALUE,
                BASE_GAP if status(u) == NOT_MET else "",
                "basutbudet är inte komplett" if status(u) == NOT_MET else "",
            )
            for u in self.shown
        ]
        n = sum(1 for u in self.summary if status(u) == MET)
        # One base-offering requirement is "the" basutbud (Skåne); of several, each is named.
        several = len(self.facts.base_requirements) > 1
        what = f"kravet {requirement.name}" if several else "kravet på basutbud"
        summary, sentence = self._count_text(n, "uppfyller", what)
        label = f"{requirement.name} ({self._short_code(requirement.code)})"
        return self._row(key, label, cells, summary, sentence)

    def _local_row(self) -> Row:
        cells = [Cell(str(u.local) if u.local else "–", VALUE) for u in self.shown]
        n = sum(1 for u in self.summary if u.local)
        summary, sentence = self._count_text(n, "har", "lokala tjänster eller mallar")
        return self._row("lokalt", "Lokala tjänster och mallar (antal)", cells, summary, sentence)
