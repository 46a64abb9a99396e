"""The dashboard page's context: the charts, tables and words the template shows, from one `Dashboard`."""

from __future__ import annotations

from compliance.engine.types import STATUS_LABELS
from exemptions.rules import ENDING_SOON_DAYS
from portal.dashboard.selectors import (
    EXEMPTIONS_LISTED,
    MONTHS_SHOWN,
    PERIODS_SHOWN,
    Dashboard,
    LevelCount,
)
from portal.dashboard.selectors.board import LOCAL_ADMINS_KIND
from portal.presentation import charts
from portal.presentation.charts import Cell
from servicelevel.importing import registry
from servicelevel.region_texts import in_sentence, texts

from .charts import (
    ROW_WORDS,
    admins_chart,
    heat_input,
    heatmap_chart,
    ladder_words,
    level_chart,
    periods_chart,
    response_chart,
    response_words,
    trends_sentence,
)
from .links import Links
from .words import day_text, instant_text, level_name, units_text

# The order the requirement table lists statuses in, and the words in its head.
STATUS_ORDER = ("met", "not_met", "exempt", "no_data", "not_applicable")


def drill_links(board: Dashboard, links: Links) -> list[dict]:
    """The heatmap's rows as links one level down (the picture itself has none): text, href, a note."""
    kind = board.row_kind
    if kind == "unit":
        return [{"text": r.label, "href": links.unit(r.hsa_id), "note": r.hsa_id} for r in board.rows]
    return [
        {"text": r.label, "href": links.page(**{kind: r.key}) if r.opens else "", "note": units_text(r.units)}
        for r in board.rows
    ]


def requirement_rows(board: Dashboard, links: Links) -> list[dict]:
    """Per requirement: the scope's count per status, each linked to those units."""
    out = []
    for req in board.requirements:
        counts = board.totals.get(req.id)
        cells = []
        for status in STATUS_ORDER:
            number = counts[status] if counts else 0
            cells.append(
                Cell(charts.number(number), links.units(krav=req.code, status=status) if number else "")
            )
        out.append({"requirement": req, "share": heat_input(counts).words, "cells": cells})
    return out


def comparison_rows(board: Dashboard) -> list[dict]:
    return [
        {"name": c.name, "units": charts.number(c.units), "levels": [_level_cell(lv) for lv in c.levels]}
        for c in board.comparison
    ]


def _level_cell(lv: LevelCount) -> str:
    if not lv.total:
        return "0"
    extra = f" (varav {charts.number(lv.with_exemptions)} med avsteg)" if lv.with_exemptions else ""
    return charts.number(lv.total) + extra


def region_name(board: Dashboard) -> str:
    """The region's name as the version of the shown date gives it (today's when nothing is shown)."""
    return board.decision.region_name if board.decision else texts().region_name


def breadcrumbs(board: Dashboard, links: Links) -> list[tuple[str, str]]:
    """(text, href) from the region down to the scope; the last has no link (the current page)."""
    crumbs = [(region_name(board), links.page())]
    if board.scope.forvaltning is not None:
        crumbs.append((board.scope.forvaltning.name, links.page(forvaltning=board.scope.forvaltning.pk)))
    if board.scope.vardomrade is not None:
        crumbs.append((board.scope.vardomrade.name, links.page(vardomrade=board.scope.vardomrade.pk)))
    return crumbs


def page_context(board: Dashboard) -> dict:
    links = Links(board)
    scope = board.scope
    title = (
        scope.vardomrade.name
        if scope.vardomrade is not None
        else scope.forvaltning.name
        if scope.forvaltning is not None
        else region_name(board)
        if board.region_wide
        else "dina enheter"  # a unit manager's or provider's whole view is their units, not the region
    )
    shown = board.as_of.shown is not None
    local_admins = board.of_kind(LOCAL_ADMINS_KIND)
    ladder_heading, ladder_name = ladder_words(board)
    laddered = [r for r in board.requirements if r.level]
    return {
        "as_of": board.as_of,
        "board": board,
        "title": title,
        "region_name": region_name(board),
        "crumbs": breadcrumbs(board, links),
        "shown_text": day_text(board.as_of.shown),
        "all_units_href": links.units(),
        "units_text": units_text(board.units),
        "computed_text": instant_text(board.computed_at) if board.computed_at else "–",
        # Only a version with a ladder has levels (a Halland dashboard has no level chart).
        "level_chart": level_chart(board, links) if shown and board.levels_shown else None,
        "ladder_heading": ladder_heading,
        "ladder_name": ladder_name,
        "level_top": max((r.level for r in laddered), default=0),
        # The groups the laddered requirements belong to, as the decision names them ("tidbokning genom
        # 1177.se"), for the section's sentence.
        "ladder_groups": " och ".join(dict.fromkeys(in_sentence(r.group_name) for r in laddered)),
        "heatmap": heatmap_chart(board, links) if shown and board.rows else None,
        "row_word": ROW_WORDS[board.row_kind],
        "drill": drill_links(board, links),
        "status_heads": [STATUS_LABELS[s] for s in STATUS_ORDER],
        "requirement_rows": requirement_rows(board, links),
        "response_chart": response_chart(board, links) if shown else None,
        "response": response_words(board),
        "admins_chart": admins_chart(board, links, local_admins) if shown and local_admins else None,
        "periods_chart": periods_chart(board, links) if board.periods else None,
        "trends_sentence": trends_sentence(board.trends),
        "exemptions": [
            {
                "e": e,
                "unit_href": links.unit(e.hsa_id),
                "until": day_text(e.valid_until),
                "days": "i dag"
                if e.days_left == 0
                else f"om {e.days_left} {'dag' if e.days_left == 1 else 'dagar'}",
            }
            for e in board.exemptions
        ],
        "exemption_days": ENDING_SOON_DAYS,
        "exemptions_listed": EXEMPTIONS_LISTED,
        "imports": [
            {
                "label": registry.label(i.kind),
                "kind": i.kind,
                "latest": instant_text(i.latest),
                # An import after the shown results were computed: they do not include it (yet).
                "newer": bool(i.latest and board.computed_at and i.latest > board.computed_at),
            }
            for i in board.imports
        ],
        "comparison": comparison_rows(board),
        "level_heads": [level_name(lv) for lv in board.levels_shown],
        "months_shown": MONTHS_SHOWN,
        "periods_shown": PERIODS_SHOWN,
    }
