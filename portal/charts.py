"""Server-rendered charts: figures in, SVG geometry and a data table out. Pure Python (no database, no
request), so a chart is the same on the page and in a PDF.

One function per chart kind, each rendered by one partial in templates/portal/charts/:

| function | partial | used for |
|---|---|---|
| `bar_chart` | `_bars.html` | units per booking level, split by a second series (with/without exemptions) |
| `heatmap` | `_heatmap.html` | share met per row (förvaltning, vårdområde or unit) × requirement |
| `line_chart` | `_lines.html` | a figure per month or per schedule period (shares or counts) |

Every chart carries its `Table`: the same numbers as text, with links to the units behind them, rendered
beside the SVG (readable without JavaScript, by screen readers, and in a PDF). The SVG itself is a
picture (`role="img"` with a title and a description) with no links or scripts inside, so it can be
copied into a PDF as it is.

Geometry is written as strings with a decimal point ("12.5"): Django's templates would localise a float
to "12,5", which is no SVG coordinate. Numbers people read are Swedish ("1 234", "93,3 %").

Colours are the light-scheme values of Designsystemet's tokens (the token named beside each), written as
plain values because an SVG in a PDF (WeasyPrint) resolves no CSS custom properties. Colour is never
the only carrier: bars have a hatched second series and words at their end, lines differ in marker and
dash, heatmap cells print their percentage, and every legend has words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from compliance.engine.text import pct

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Liberation Sans, Arial, sans-serif"

# Designsystemet 1.22 light scheme (static/vendor/designsystemet-css-1.22.0, neutral from portal.css).
INK = "#2b2b2b"  # --ds-color-neutral-text-default
SUBTLE = "#5d5d5d"  # --ds-color-neutral-text-subtle
GRID = "#bcbcbc"  # --ds-color-neutral-border-subtle
AXIS = "#797979"  # --ds-color-neutral-border-default
PAPER = "#ffffff"  # --ds-color-neutral-background-default

# Series: (fill/stroke, dash pattern, marker). White text on the first fill is 5.1:1.
SERIES = (
    ("#0a71c0", "", "circle"),  # --ds-color-info-base-default, solid, circles
    ("#5b3fa0", "6 4", "square"),  # --ds-color-brand2-base-default, dashed, squares
    ("#068718", "2 3", "diamond"),  # --ds-color-success-base-default, dotted, diamonds
)
REFERENCE_DASH = "8 4"  # a threshold line, drawn in INK
HATCH_FILL = "#dcebf6"  # --ds-color-info-surface-tinted
HATCH_LINE = "#0860a3"  # --ds-color-info-border-strong

# Heatmap bins: (lowest share, fill, text colour, legend). Dark text on tinted surfaces: ≥ 9:1.
NO_SHARE = ("#f3f3f3", SUBTLE, "inga bedömda enheter")  # neutral-background-tinted, neutral-text-subtle
BINS = (
    (Fraction(1), "#a8d5ae", "#023409", "100 %"),  # success-surface-active, success-text-default
    (Fraction(4, 5), "#daeddd", "#023409", "80–99 %"),  # success-surface-tinted
    (Fraction(1, 2), "#fae6c6", "#3c2807", "50–79 %"),  # warning-surface-tinted, warning-text-default
    (Fraction(0), "#f8e4e4", "#590d0d", "under 50 %"),  # danger-surface-tinted, danger-text-default
)


def n(x: float) -> str:
    """A coordinate for SVG: at most one decimal, a decimal point, no '-0'."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number(value: int | float | None) -> str:
    """'1 234' (a no-break space between thousands), '–' for nothing."""
    if value is None:
        return "–"
    return f"{round(value):,}".replace(",", "\u00a0")


def share(part: int, whole: int) -> str:
    """'93,3 %' as the engine writes shares in its reasons; '–' when there is no whole."""
    return pct(part, whole) if whole else "–"


def percent_axis(value: float) -> str:
    """An axis label: '80 %', '2,5 %'."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}\u00a0%"


def axis(top: float, *, integer: bool = False) -> tuple[float, float]:
    """(maximum, step) of an axis from 0 covering `top` in about four steps of 1, 2, 2.5 or 5 times a power
    of ten; whole steps for counts. An empty axis is 0–1."""
    if top <= 0:
        return 1.0, 1.0 if integer else 0.25
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(
        c * power for c in (1, 2, 2.5, 5, 10) if c * power >= raw and (not integer or (c * power) % 1 == 0)
    )
    if integer:
        step = max(1, round(step))
    return math.ceil(round(top / step, 9)) * step, step


def ticks_of(maximum: float, step: float) -> list[float]:
    return [k * step for k in range(round(maximum / step) + 1)]


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    label: str = ""  # an accessible name for the link when the text alone is too short ("12")


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]  # the first cell of a row is its header (<th scope="row">)
    caption: str = ""


# ------------------------------------------------------------------------------------------------- bars


@dataclass(frozen=True)
class BarInput:
    label: str
    parts: tuple[int, ...]  # one per series
    hrefs: tuple[str, ...] = ()  # one per series, "" for none
    total_href: str = ""


@dataclass(frozen=True)
class BarSegment:
    x: str
    width: str
    fill: str
    hatched: bool


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: str
    y: str
    height: str
    segments: tuple[BarSegment, ...]
    end_x: str
    end_text: str


@dataclass(frozen=True)
class Tick:
    pos: str
    text: str


@dataclass(frozen=True)
class LegendItem:
    x: str
    y: str
    text: str
    fill: str = ""
    hatched: bool = False
    dash: str = ""
    marker: str = ""


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    plot_left: str
    plot_top: str
    plot_bottom: str
    rows: tuple[BarRow, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]
    table: Table
    font: str = FONT
    colours: dict = field(default_factory=lambda: {"ink": INK, "subtle": SUBTLE, "grid": GRID, "axis": AXIS})
    hatch: tuple[str, str] = (HATCH_FILL, HATCH_LINE)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[str],
    bars: Sequence[BarInput],
    row_head: str,
    unit: tuple[str, str] = ("enhet", "enheter"),
) -> BarChart:
    """Horizontal stacked bars, one per input, in the order given. The first series is solid, the second
    hatched; each bar ends in words ("12 enheter, varav 3 med avsteg" — the second series' name)."""
    width, label_w, end_w, row_h, bar_h = 720, 150, 190, 30, 20
    left, right = label_w + 10, width - end_w
    top = 34  # below the legend
    totals = [sum(b.parts) for b in bars]
    scale_max, step = axis(max(totals, default=0), integer=True)
    plot_w = right - left
    rows = []
    for i, (bar, total) in enumerate(zip(bars, totals, strict=True)):
        y = top + i * row_h + (row_h - bar_h) / 2
        x = left
        segments = []
        for s, part in enumerate(bar.parts):
            w = plot_w * part / scale_max
            if part:
                segments.append(BarSegment(n(x), n(w), SERIES[0][0] if s == 0 else HATCH_FILL, s > 0))
            x += w
        words = f"{number(total)} {unit[0] if total == 1 else unit[1]}"
        extra = [f"varav {number(p)} {series[s]}" for s, p in enumerate(bar.parts) if s > 0 and p]
        rows.append(
            BarRow(
                label=truncate(bar.label, 24),
                label_y=n(y + bar_h / 2 + 4),
                y=n(y),
                height=n(bar_h),
                segments=tuple(segments),
                end_x=n(x + 6),
                end_text=", ".join([words, *extra]),
            )
        )
    bottom = top + len(bars) * row_h
    ticks = tuple(Tick(n(left + plot_w * v / scale_max), number(v)) for v in ticks_of(scale_max, step))
    legend = tuple(
        LegendItem(n(left + 170 * s), "8", text, fill=SERIES[0][0] if s == 0 else HATCH_FILL, hatched=s > 0)
        for s, text in enumerate(series)
    )
    table = Table(
        head=(row_head, *(s[:1].upper() + s[1:] for s in series), "Totalt"),
        rows=tuple(
            (
                Cell(bar.label),
                *(
                    Cell(
                        number(p),
                        bar.hrefs[s] if s < len(bar.hrefs) and p else "",
                        f"{bar.label}, {series[s]}",
                    )
                    for s, p in enumerate(bar.parts)
                ),
                Cell(number(total), bar.total_href if total else "", f"{bar.label}, totalt"),
            )
            for bar, total in zip(bars, totals, strict=True)
        ),
    )
    return BarChart(
        id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=bottom + 28,
        plot_left=n(left),
        plot_top=n(top - 4),
        plot_bottom=n(bottom),
        rows=tuple(rows),
        ticks=ticks,
        legend=legend,
        table=table,
    )


# ---------------------------------------------------------------------------------------------- heatmap


@dataclass(frozen=True)
class HeatInput:
    met: int
    judged: int  # units the requirement applies to (every status but not_applicable)
    href: str = ""


@dataclass(frozen=True)
class HeatRowInput:
    label: str
    cells: tuple[HeatInput, ...]  # one per column
    href: str = ""  # the row's own page (drill-down)
    note: str = ""  # e.g. "12 enheter", a second column of the table
    note_href: str = ""
    short: str = ""  # the label in the picture, if shorter than the table's (a unit's name, not its HSA-id)


@dataclass(frozen=True)
class HeatColumn:
    code: str
    name: str
    x: str  # the label's anchor (rotated)
    y: str


@dataclass(frozen=True)
class HeatCell:
    x: str
    y: str
    fill: str
    ink: str
    text: str
    text_x: str
    text_y: str


@dataclass(frozen=True)
class HeatRow:
    label: str
    label_y: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Heatmap:
    id: str
    title: str
    desc: str
    width: int
    height: int
    cell_w: str
    cell_h: str
    label_x: str
    columns: tuple[HeatColumn, ...]
    rows: tuple[HeatRow, ...]
    legend: tuple[LegendItem, ...]
    table: Table
    font: str = FONT
    colours: dict = field(
        default_factory=lambda: {"ink": INK, "subtle": SUBTLE, "grid": GRID, "paper": PAPER}
    )


def heat_bin(met: int, judged: int) -> tuple[str, str]:
    """(fill, text colour) for a share met; the neutral pair when nothing is judged."""
    if not judged:
        return NO_SHARE[0], NO_SHARE[1]
    value = Fraction(met, judged)
    for lowest, fill, ink, _legend in BINS:
        if value >= lowest:
            return fill, ink
    return BINS[-1][1], BINS[-1][2]  # pragma: no cover - the last bin starts at 0


def heatmap(
    *,
    chart_id: str,
    title: str,
    desc: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[HeatRowInput],
    row_head: str,
    note_head: str = "",
) -> Heatmap:
    """Rows × columns of shares met, each cell coloured by bin and printing its percentage."""
    label_w, cell_w, cell_h, head_h, legend_h = 250, 50, 26, 150, 30
    left = label_w + 8
    top = head_h + legend_h
    width = left + cell_w * len(columns) + 110  # room for the last rotated column label
    heads = tuple(
        HeatColumn(code, name, n(left + c * cell_w + cell_w / 2 + 4), n(top - 6))
        for c, (code, name) in enumerate(columns)
    )
    out_rows = []
    for r, row in enumerate(rows):
        y = top + r * cell_h
        cells = []
        for c, cell in enumerate(row.cells):
            fill, ink = heat_bin(cell.met, cell.judged)
            x = left + c * cell_w
            cells.append(
                HeatCell(
                    n(x),
                    n(y),
                    fill,
                    ink,
                    share(cell.met, cell.judged),
                    n(x + cell_w / 2),
                    n(y + cell_h / 2 + 4),
                )
            )
        out_rows.append(HeatRow(truncate(row.short or row.label, 36), n(y + cell_h / 2 + 4), tuple(cells)))
    legend_items = [(fill, legend) for _lowest, fill, _ink, legend in BINS] + [(NO_SHARE[0], NO_SHARE[2])]
    legend, x = [], 0.0
    for fill, text in legend_items:
        legend.append(LegendItem(n(x), "8", text, fill=fill))
        x += 30 + 7 * len(text)
    head = (row_head, *((note_head,) if note_head else ()), *(f"{code} {name}" for code, name in columns))
    table_rows = tuple(
        (
            Cell(row.label, row.href),
            *((Cell(row.note, row.note_href),) if note_head else ()),
            *(
                Cell(
                    f"{share(cell.met, cell.judged)} ({number(cell.met)} av {number(cell.judged)})"
                    if cell.judged
                    else "–",
                    cell.href if cell.met else "",
                )
                for cell in row.cells
            ),
        )
        for row in rows
    )
    return Heatmap(
        id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=top + len(rows) * cell_h + 8,
        cell_w=n(cell_w - 2),
        cell_h=n(cell_h - 2),
        label_x=n(label_w),
        columns=heads,
        rows=tuple(out_rows),
        legend=tuple(legend),
        table=Table(head=head, rows=table_rows),
    )


# ------------------------------------------------------------------------------------------------ lines


@dataclass(frozen=True)
class LineInput:
    name: str
    values: tuple[float | None, ...]  # one per x label; None leaves a gap
    texts: tuple[str, ...]  # the table's text per point
    hrefs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Point:
    x: str
    y: str


@dataclass(frozen=True)
class LineSeries:
    name: str
    path: str
    points: tuple[Point, ...]
    colour: str
    dash: str
    marker: str


@dataclass(frozen=True)
class Reference:
    y: str
    text: str


@dataclass(frozen=True)
class LineChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    plot_left: str
    plot_right: str
    plot_top: str
    plot_bottom: str
    x_labels: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[LineSeries, ...]
    legend: tuple[LegendItem, ...]
    reference: Reference | None
    table: Table
    font: str = FONT
    reference_dash: str = REFERENCE_DASH
    colours: dict = field(default_factory=lambda: {"ink": INK, "subtle": SUBTLE, "grid": GRID, "axis": AXIS})


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[LineInput],
    x_head: str,
    percent: bool = True,
    reference: tuple[float, str] | None = None,
    extra_columns: Sequence[tuple[str, Sequence[Cell]]] = (),
) -> LineChart:
    """Lines over evenly spaced x labels, on an axis from 0 to a round maximum above every value (and the
    reference): `percent` values are shares 0–1 (the axis at most 100 %), otherwise counts. `reference`
    draws a dashed line (a threshold), named in the legend. `extra_columns` (head, one cell per x label)
    go to the table only."""
    width, height = 720, 270
    left, right, top, bottom = 64, width - 40, 40, height - 40
    values = [v for s in series for v in s.values if v is not None]
    if reference is not None:
        values.append(reference[0])
    top_value, tick_step = axis(max(values, default=0), integer=not percent)
    if percent and top_value > 1:
        top_value, tick_step = 1.0, 0.25

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * (v / top_value if top_value else 0)

    count = len(x_labels)
    step = (right - left) / (count - 1) if count > 1 else 0

    def x_of(i: int) -> float:
        return left + i * step if count > 1 else (left + right) / 2

    out = []
    for s, line in enumerate(series):
        colour, dash, marker = SERIES[s % len(SERIES)]
        parts, points, pen_down = [], [], False
        for i, v in enumerate(line.values):
            if v is None:
                pen_down = False
                continue
            x, y = x_of(i), y_of(v)
            parts.append(f"{'L' if pen_down else 'M'}{n(x)} {n(y)}")
            points.append(Point(n(x), n(y)))
            pen_down = True
        out.append(LineSeries(line.name, " ".join(parts), tuple(points), colour, dash, marker))
    y_ticks = tuple(
        Tick(n(y_of(v)), percent_axis(v) if percent else number(v)) for v in ticks_of(top_value, tick_step)
    )
    labels = tuple(Tick(n(x_of(i)), text) for i, text in enumerate(x_labels))
    legend, x = [], float(left)
    for s, line in enumerate(series):
        colour, dash, marker = SERIES[s % len(SERIES)]
        legend.append(LegendItem(n(x), "14", line.name, fill=colour, dash=dash, marker=marker))
        x += 48 + 7 * len(line.name)
    ref = None
    if reference is not None:
        ref = Reference(n(y_of(reference[0])), reference[1])
        legend.append(LegendItem(n(x), "14", reference[1], fill=INK, dash=REFERENCE_DASH))
    head = (x_head, *(s.name for s in series), *(h for h, _cells in extra_columns))
    rows = tuple(
        (
            Cell(label),
            *(
                Cell(line.texts[i], line.hrefs[i] if i < len(line.hrefs) else "", f"{label}, {line.name}")
                for line in series
            ),
            *(cells[i] for _h, cells in extra_columns),
        )
        for i, label in enumerate(x_labels)
    )
    return LineChart(
        id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=height,
        plot_left=n(left),
        plot_right=n(right),
        plot_top=n(top),
        plot_bottom=n(bottom),
        x_labels=labels,
        y_ticks=y_ticks,
        series=tuple(out),
        legend=tuple(legend),
        reference=ref,
        table=Table(head=head, rows=rows),
    )
