"""The dashboard's charts, built from the selector's counts with the portal's chart module (each with its
data table, every figure linked to its units)."""

from __future__ import annotations

from compliance.engine.text import month_name
from portal.dashboard.selectors import (
    Dashboard,
    StatusCounts,
    Trend,
)
from portal.presentation import charts
from portal.presentation.charts import Cell, short_month

from .links import Links
from .words import day_text, level_name, percent, units_text


def ladder_words(board: Dashboard) -> tuple[str, str]:
    """The ladder's name as a heading ("Bokningsnivåer") and in a sentence ("bokningsnivå")."""
    name = board.decision.ladder if board.decision else ""
    plural = f"{name}er" if name.endswith("nivå") else name
    return plural, name[:1].lower() + name[1:]


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
        title=f"Enheter per {ladder_words(board)[1]}",
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
        elif not row.opens:
            # Where one of the user's units belonged on the shown date, outside what they may open now.
            href, label, row_filter, note_href = "", row.label, None, ""
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
                if kind == "unit"
                else ""
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


def response_words(board: Dashboard) -> dict:
    """The response-time section's words. With a response-time requirement, its deadline and threshold
    (Skåne: "i tid", "Krav: minst 95 %", the stretch "strävan"); without one the figures are information
    only: the deadline the cases are measured by is named, never called a requirement."""
    p = board.response_parameters
    days, hours, stretch = p.get("working_days", 2), p.get("same_day_hours", 24), p.get("stretch_hours", 2)
    deadline = f"inom {days} {'vardag' if days == 1 else 'vardagar'}"
    within = f"inom {charts.number(stretch)} {'timme' if stretch == 1 else 'timmar'}"
    judged = board.response is not None
    return {
        "judged": judged,
        "deadline": deadline,
        "same_day": f"{charts.number(hours)} {'timme' if hours == 1 else 'timmar'}",
        "within": within,
        "within_words": f"inom {NUMBER_WORDS.get(stretch, charts.number(stretch))} "
        f"{'timme' if stretch == 1 else 'timmar'}",
        "in_time": "i tid" if judged else deadline,
        "title": "Svar i tid per månad" if judged else f"Svar {deadline} per månad",
        "series": ("Besvarade i tid", f"Besvarade {within} (strävan)")
        if judged
        else (f"Besvarade {deadline}", f"Besvarade {within}"),
    }


NUMBER_WORDS = {1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta"}


def response_chart(board: Dashboard, links: Links) -> charts.LineChart:
    months = board.months
    words = response_words(board)
    threshold = float(board.threshold) if board.threshold is not None else None
    in_time = [m.share_in_time for m in months]
    within = [m.share_within_2h for m in months]
    latest = next((m for m in reversed(months) if m.assessed), None)
    desc = (
        f"{month_name(latest.month).capitalize()}: {percent(latest.share_in_time)} av "
        f"{charts.number(latest.assessed)} bedömda ärenden besvarades {words['in_time']}; "
        f"{percent(latest.share_within_2h)} av de besvarade {words['within']}."
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
        title=words["title"],
        desc=desc,
        x_labels=[short_month(m.month) for m in months],
        x_head="Månad",
        series=[
            charts.LineInput(
                words["series"][0],
                tuple(float(v) if v is not None else None for v in in_time),
                cells(in_time, [m.in_time for m in months], [m.assessed for m in months]),
            ),
            charts.LineInput(
                words["series"][1],
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


def admins_chart(board: Dashboard, links: Links, requirement) -> charts.LineChart:
    """The local administrators over time: the stored values of the version's local-administrator
    requirement (`requirement`, found by its kind), linked to the units where it is met or not."""
    months = board.admins
    known = [m for m in months if m.total is not None]
    desc = (
        f"Lokala administratörer: {charts.number(known[0].total)} i {month_name(known[0].month)}, "
        f"{charts.number(known[-1].total)} i {month_name(known[-1].month)}. "
        "Målet är färre och till sist inga."
        if known
        else "Inga sparade resultat de senaste tolv månaderna."
    )
    code = requirement.code
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
                tuple(links.units(day=m.as_of, krav=code, status="met") if m.total else "" for m in months),
            )
        ],
        extra_columns=[
            (
                "Enheter där kravet inte uppfylls",
                [
                    Cell(
                        charts.number(m.not_met),
                        links.units(day=m.as_of, krav=code, status="not_met") if m.not_met else "",
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


# A trend's numerator (a booking figure, servicelevel/kinds.py) as the chart's series, in the chart's
# description, and in the section's sentence; a denominator as the whole it is a share of. A figure
# without words here is named by its requirement.
TREND_WORDS = {
    "booked_reschedulable": ("Ombokningsbara tider", "ombokningsbara", "ombokningsbara"),
    "booked_visible": ("Synliga bokade tider", "synliga", "synliga"),
    "booked_cancellable": ("Avbokningsbara tider", "avbokningsbara", "avbokningsbara"),
    "slots_open_invitation": ("Tider via öppen kallelse", "öppen kallelse", "tider via öppen kallelse"),
    "slots_citizen_bookable": (
        "Tider invånaren kan boka",
        "bokningsbara av invånaren",
        "tider invånaren själv kan boka",
    ),
}
WHOLE_WORDS = {"booked_total": "de bokade tiderna", "slots_total": "de bokningsbara tiderna"}


def trend_words(trend: Trend) -> tuple[str, str, str]:
    return TREND_WORDS.get(trend.numerator, (trend.name, trend.name.lower(), trend.name.lower()))


def trends_sentence(trends: list[Trend]) -> str:
    """What the shares are, grouped by their whole: "Andelen ombokningsbara av de bokade tiderna, och
    andelen tider via öppen kallelse och tider invånaren själv kan boka av de bokningsbara tiderna"."""
    wholes: dict[str, list[str]] = {}
    for trend in trends:
        wholes.setdefault(trend.denominator, []).append(trend_words(trend)[2])
    parts = [
        f"andelen {' och '.join(names)} av {WHOLE_WORDS.get(whole, whole)}" for whole, names in wholes.items()
    ]
    sentence = ", och ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def periods_chart(board: Dashboard, links: Links) -> charts.LineChart:
    """One series per share_trend requirement of the version, in its order."""
    periods = board.periods
    series = []
    for trend in board.trends:
        values = [p.share(trend) for p in periods]
        series.append(
            charts.LineInput(
                trend_words(trend)[0],
                tuple(float(v) if v is not None else None for v in values),
                tuple(
                    f"{percent(v)} ({charts.number(p[trend.numerator])} av "
                    f"{charts.number(p[trend.denominator])})"
                    if v is not None
                    else "–"
                    for v, p in zip(values, periods, strict=True)
                ),
            )
        )
    last = periods[-1] if periods else None
    desc = (
        f"Period {last.code}: "
        + ", ".join(f"{trend_words(t)[1]} {percent(last.share(t))}" for t in board.trends)
        + "."
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
