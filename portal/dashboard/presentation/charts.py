"""The dashboard's charts, built from the selector's counts with the portal's chart module (each with its
data table, every figure linked to its units)."""

from __future__ import annotations

from compliance.engine.text import month_name
from portal.dashboard.selectors import (
    Dashboard,
    StatusCounts,
)
from portal.presentation import charts
from portal.presentation.charts import Cell, short_month

from .links import Links
from .words import day_text, level_name, percent, units_text


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
