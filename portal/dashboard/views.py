"""The region dashboard at `/`: parse the request (as-of date, scope) → one selector → charts → render.

The charts and tables are built here from the selector's counts because their links are the page's: every
figure links to the units behind it, in the unit list (`/enheter/` with the filter parameters of
portal/units/filters.py) or on a unit's page. docs/dashboard.md describes the page and its choices.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_safe

from compliance.engine.text import MONTHS, month_name
from compliance.engine.types import STATUS_LABELS
from portal.as_of import AsOf, as_of_from
from portal.dashboard.selectors import (
    EXEMPTION_DAYS,
    EXEMPTIONS_LISTED,
    MONTHS_SHOWN,
    PERIODS_SHOWN,
    Dashboard,
    LevelCount,
    StatusCounts,
    scope_for,
)
from portal.dashboard.selectors import dashboard as read_dashboard
from portal.presentation import charts
from portal.presentation.charts import Cell
from servicelevel.page_cache import cached_page

IMPORT_KIND_LABELS = {
    "units": "Enheter",
    "periods": "Tidbokningsschemaperioder",
    "offerings": "Utbud (tjänster och mallar)",
    "booking": "Bokningsuppgifter",
    "cases": "Ärenden",
    "admin_roles": "Administrativa roller",
    "exemptions": "Avsteg",
    "targets": "Mål i handlingsplanen",
}
# The order the requirement table lists statuses in, and the words in its head.
STATUS_ORDER = ("met", "not_met", "exempt", "no_data", "not_applicable")


@login_required
@require_safe
@cached_page
def dashboard(request):
    as_of = as_of_from(request)
    scope = scope_for(
        request.user,
        forvaltning=request.GET.get("forvaltning", "").strip(),
        vardomrade=request.GET.get("vardomrade", "").strip(),
    )
    board = read_dashboard(request.user, as_of, scope)
    return render(request, "portal/dashboard.html", page_context(board))


# ------------------------------------------------------------------------------------------------ links


class Links:
    """The page's links, all keeping the as-of date asked for (`per`) unless told another."""

    def __init__(self, board: Dashboard):
        self.board = board
        self.as_of: AsOf = board.as_of
        self.list_path = reverse("portal:unit_list")

    def _per(self, day: datetime.date | None = None) -> dict[str, str]:
        if day is not None:
            return {"per": day.isoformat()}
        return {} if self.as_of.is_today else {"per": self.as_of.requested.isoformat()}

    def units(self, day: datetime.date | None = None, scope: dict | None = None, **filters) -> str:
        """The unit list in the page's scope (or `scope`), with filters."""
        params = {**(self.board.scope.params if scope is None else scope), **filters, **self._per(day)}
        return f"{self.list_path}?{urlencode(params)}" if params else self.list_path

    def unit(self, hsa_id: str) -> str:
        path = reverse("portal:unit_detail", args=[hsa_id])
        per = self._per()
        return f"{path}?{urlencode(per)}" if per else path

    def page(self, **scope) -> str:
        """The dashboard itself, in another scope."""
        params = {**scope, **self._per()}
        return f"/?{urlencode(params)}" if params else "/"

    def level(self, level: int | None, with_exemptions: bool | None) -> str:
        filters = {"niva": "ingen" if level is None else str(level)}
        if level is not None and with_exemptions is not None:
            filters["med_avsteg"] = "ja" if with_exemptions else "nej"
        return self.units(**filters)


# ----------------------------------------------------------------------------------------------- words


def day_text(day: datetime.date | None) -> str:
    return formats.date_format(day, "j F Y") if day else "–"


def instant_text(at: datetime.datetime | None) -> str:
    return formats.date_format(timezone.localtime(at), "j F Y H:i") if at else "aldrig"


def short_month(month: str) -> str:
    """'nov 2025' for an axis."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1][:3]} {year}"


def level_name(level: int | None) -> str:
    return "Ingen nivå" if level is None else f"Nivå {level}"


def units_text(count: int) -> str:
    return f"{charts.number(count)} {'enhet' if count == 1 else 'enheter'}"


def percent(value) -> str:
    return "–" if value is None else charts.share(value.numerator, value.denominator)


# ----------------------------------------------------------------------------------------------- charts


def level_chart(board: Dashboard, links: Links) -> charts.BarChart:
    parts = []
    for lv in board.levels:
        if lv.total:
            extra = f" ({charts.number(lv.with_exemptions)} med avsteg)" if lv.with_exemptions else ""
            parts.append(f"{level_name(lv.level).lower()}: {units_text(lv.total)}{extra}")
    desc = (
        f"Av {units_text(board.units)} per {day_text(board.as_of.shown)}: " + "; ".join(parts) + "."
        if board.units
        else "Inga enheter med sparade resultat."
    )
    return charts.bar_chart(
        chart_id="nivaer",
        title="Enheter per bokningsnivå",
        desc=desc,
        series=("utan avsteg", "med avsteg"),
        row_head="Nivå",
        bars=[
            charts.BarInput(
                label=level_name(lv.level),
                parts=(lv.without_exemptions, lv.with_exemptions),
                hrefs=(
                    links.level(lv.level, False if lv.level else None),
                    links.level(lv.level, True),
                ),
                total_href=links.level(lv.level, None),
            )
            for lv in board.levels
        ],
    )


# What a row of the dashboard is called: heading, singular, with its article (Swedish has two genders:
# "en förvaltning", "ett vårdområde"), plural.
ROW_WORDS = {
    "forvaltning": ("Förvaltning", "förvaltning", "en förvaltning", "förvaltningar"),
    "vardomrade": ("Vårdområde", "vårdområde", "ett vårdområde", "vårdområden"),
    "unit": ("Enhet", "enhet", "en enhet", "enheter"),
}


def heat_input(counts: StatusCounts | None, href: str = "") -> charts.HeatInput:
    """A requirement's statuses as the heatmap (and the status table) words them."""
    if counts is None:
        return charts.HeatInput(0, 0, href)
    return charts.HeatInput(counts.met, counts.judged, href, exempt=counts.exempt, no_data=counts.no_data)


def heatmap_chart(board: Dashboard, links: Links) -> charts.Heatmap:
    kind = board.row_kind
    rows = []
    for row in board.rows:
        if kind == "unit":
            href = links.unit(row.hsa_id)
            label = f"{row.label} ({row.hsa_id})"
            row_filter = None  # a unit's statuses are on its own page
            note_href = href
        else:
            param = {"forvaltning": "forvaltning", "vardomrade": "vardomrade"}[kind]
            href = links.page(**{param: row.key})
            label = row.label
            row_filter = {param: row.key}
            note_href = links.units(scope=row_filter)
        cells = []
        for req in board.requirements:
            cell_href = (
                links.units(scope=row_filter, krav=req.code, status="met")
                if row_filter
                else links.unit(row.hsa_id)
            )
            cells.append(heat_input(row.cells.get(req.id), cell_href))
        rows.append(
            charts.HeatRowInput(
                label,
                tuple(cells),
                href=href,
                note=units_text(row.units),
                note_href=note_href,
                short=row.label,
            )
        )
    head, word, _, words = ROW_WORDS[kind]
    where = {"region": "regionen", "forvaltning": "förvaltningen", "vardomrade": "vårdområdet"}
    return charts.heatmap(
        chart_id="krav-per-del",
        title=f"Andel enheter som uppfyller varje krav, per {word}",
        desc=(
            f"Rader: {len(rows)} {word if len(rows) == 1 else words} i {where[board.scope.level]}; "
            f"kolumner: {len(board.requirements)} krav. Varje ruta visar andelen uppfyllda bland enheterna "
            "som kravet gäller; tabellen har samma siffror med antal."
        ),
        columns=[(r.code, r.name) for r in board.requirements],
        rows=rows,
        row_head=head,
        note_head="Enheter",
    )


def response_chart(board: Dashboard, links: Links) -> charts.LineChart:
    months = board.months
    threshold = float(board.threshold) if board.threshold is not None else None
    in_time = [m.share_in_time for m in months]
    within = [m.share_within_2h for m in months]
    latest = next((m for m in reversed(months) if m.assessed), None)
    desc = (
        f"{month_name(latest.month).capitalize()}: {percent(latest.share_in_time)} av "
        f"{charts.number(latest.assessed)} bedömda ärenden besvarades i tid; "
        f"{percent(latest.share_within_2h)} av de besvarade inom 2 timmar."
        if latest
        else "Inga bedömda ärenden de senaste tolv månaderna."
    )

    def cells(values, counts, whole):
        return tuple(
            f"{percent(v)} ({charts.number(c)} av {charts.number(w)})" if v is not None else "–"
            for v, c, w in zip(values, counts, whole, strict=True)
        )

    return charts.line_chart(
        chart_id="svarstid",
        title="Svar i tid per månad",
        desc=desc,
        x_labels=[short_month(m.month) for m in months],
        x_head="Månad",
        series=[
            charts.LineInput(
                "Besvarade i tid",
                tuple(float(v) if v is not None else None for v in in_time),
                cells(in_time, [m.in_time for m in months], [m.assessed for m in months]),
            ),
            charts.LineInput(
                "Besvarade inom 2 timmar (strävan)",
                tuple(float(v) if v is not None else None for v in within),
                cells(within, [m.within_2h for m in months], [m.answered for m in months]),
            ),
        ],
        reference=(threshold, f"Krav: minst {charts.share(round(threshold * 1000), 1000)}")
        if threshold is not None
        else None,
        extra_columns=[
            (
                "Enheter (per datum)",
                [
                    Cell(f"{units_text(m.units)} ({m.as_of.isoformat()})", links.units(day=m.as_of))
                    if m.as_of
                    else Cell("inget sparat resultat")
                    for m in months
                ],
            )
        ],
    )


def admins_chart(board: Dashboard, links: Links) -> charts.LineChart:
    months = board.admins
    known = [m for m in months if m.total is not None]
    desc = (
        f"Lokala administratörer: {charts.number(known[0].total)} i {month_name(known[0].month)}, "
        f"{charts.number(known[-1].total)} i {month_name(known[-1].month)}. "
        "Målet är färre och till sist inga."
        if known
        else "Inga sparade resultat de senaste tolv månaderna."
    )
    ar1 = "AR1-LOKAL-ADMIN"
    return charts.line_chart(
        chart_id="lokala-administratorer",
        title="Lokala administratörer över tid",
        desc=desc,
        x_labels=[short_month(m.month) for m in months],
        x_head="Månad",
        percent=False,
        series=[
            charts.LineInput(
                "Lokala administratörer (uppdrag per enhet)",
                tuple(m.total for m in months),
                tuple(charts.number(m.total) for m in months),
                tuple(links.units(day=m.as_of, krav=ar1, status="met") if m.total else "" for m in months),
            )
        ],
        extra_columns=[
            (
                "Enheter där kravet inte uppfylls",
                [
                    Cell(
                        charts.number(m.not_met),
                        links.units(day=m.as_of, krav=ar1, status="not_met") if m.not_met else "",
                    )
                    if m.as_of
                    else Cell("–")
                    for m in months
                ],
            ),
            (
                "Per datum",
                [Cell(m.as_of.isoformat() if m.as_of else "inget sparat resultat") for m in months],
            ),
        ],
    )


PERIOD_SERIES = (
    ("Ombokningsbara tider", "reschedulable", "booked_reschedulable", "booked_total", "TB2-OMBOKA-ANDEL"),
    (
        "Tider via öppen kallelse",
        "open_invitation",
        "slots_open_invitation",
        "slots_total",
        "TB3-OPPEN-KALLELSE-ANDEL",
    ),
    (
        "Tider invånaren kan boka",
        "citizen_bookable",
        "slots_citizen_bookable",
        "slots_total",
        "TB3-INVANARBOKNING-ANDEL",
    ),
)


def periods_chart(board: Dashboard, links: Links) -> charts.LineChart:
    periods = board.periods
    series = []
    for name, attr, part, whole, _code in PERIOD_SERIES:
        values = [getattr(p, attr) for p in periods]
        series.append(
            charts.LineInput(
                name,
                tuple(float(v) if v is not None else None for v in values),
                tuple(
                    f"{percent(v)} ({charts.number(getattr(p, part))} av {charts.number(getattr(p, whole))})"
                    if v is not None
                    else "–"
                    for v, p in zip(values, periods, strict=True)
                ),
            )
        )
    last = periods[-1] if periods else None
    desc = (
        f"Period {last.code}: ombokningsbara {percent(last.reschedulable)}, öppen kallelse "
        f"{percent(last.open_invitation)}, bokningsbara av invånaren {percent(last.citizen_bookable)}."
        if last
        else "Inga tidbokningsschemaperioder har börjat."
    )
    return charts.line_chart(
        chart_id="perioder",
        title="Andelar per tidbokningsschemaperiod",
        desc=desc,
        x_labels=[p.code for p in periods],
        x_head="Period",
        series=series,
        extra_columns=[
            (
                "Enheter med uppgifter",
                [Cell(units_text(p.units), links.units() if p.units else "") for p in periods],
            )
        ],
    )


# ------------------------------------------------------------------------------------------- the page


def drill_links(board: Dashboard, links: Links) -> list[dict]:
    """The heatmap's rows as links one level down (the picture itself has none): text, href, a note."""
    kind = board.row_kind
    if kind == "unit":
        return [{"text": r.label, "href": links.unit(r.hsa_id), "note": r.hsa_id} for r in board.rows]
    return [
        {"text": r.label, "href": links.page(**{kind: r.key}), "note": units_text(r.units)}
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


def breadcrumbs(board: Dashboard, links: Links) -> list[tuple[str, str]]:
    """(text, href) from the region down to the scope; the last has no link (the current page)."""
    crumbs = [("Region Skåne", links.page())]
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
        else "Region Skåne"
        if board.region_wide
        else "dina enheter"  # a unit manager's or provider's whole view is their units, not the region
    )
    shown = board.as_of.shown is not None
    return {
        "as_of": board.as_of,
        "board": board,
        "title": title,
        "crumbs": breadcrumbs(board, links),
        "shown_text": day_text(board.as_of.shown),
        "all_units_href": links.units(),
        "units_text": units_text(board.units),
        "computed_text": instant_text(board.computed_at) if board.computed_at else "–",
        "level_chart": level_chart(board, links) if shown else None,
        "heatmap": heatmap_chart(board, links) if shown and board.rows else None,
        "row_word": ROW_WORDS[board.row_kind],
        "drill": drill_links(board, links),
        "status_heads": [STATUS_LABELS[s] for s in STATUS_ORDER],
        "requirement_rows": requirement_rows(board, links),
        "response_chart": response_chart(board, links) if shown else None,
        "admins_chart": admins_chart(board, links) if shown else None,
        "periods_chart": periods_chart(board, links) if board.periods else None,
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
        "exemption_days": EXEMPTION_DAYS,
        "exemptions_listed": EXEMPTIONS_LISTED,
        "imports": [
            {
                "label": IMPORT_KIND_LABELS.get(i.kind, i.kind),
                "kind": i.kind,
                "latest": instant_text(i.latest),
                # An import after the shown results were computed: they do not include it (yet).
                "newer": bool(i.latest and board.computed_at and i.latest > board.computed_at),
            }
            for i in board.imports
        ],
        "comparison": comparison_rows(board),
        "level_heads": [level_name(lv) for lv in (0, 1, 2, 3, None)],
        "months_shown": MONTHS_SHOWN,
        "periods_shown": PERIODS_SHOWN,
    }
