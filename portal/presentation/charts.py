"""Server-rendered charts: figures in, SVG geometry and a data table out. Pure Python (no database, no
request), so a chart is the same on the page and in a PDF.

One function per chart kind, each rendered by one partial in portal/presentation/templates/portal/charts/:

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

from compliance.engine.text import MONTHS, pct
from compliance.engine.types import EXEMPT, NO_DATA, STATUS_LABELS

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
# A cell where no unit is judged met or not met prints its state, never a share (a red "0 %" would say
# the units fail what they are excused from, or what nobody could judge):
# every unit exempt → "Avsteg", its own colour (brand2-surface-active, brand2-text-default, 9.6:1);
EXEMPT_CELL = ("#cec6e3", "#312256", STATUS_LABELS[EXEMPT])
# data missing → "Uppgift saknas", neutral and hatched (neutral-background-tinted with lines of
# neutral-border-subtle; neutral-text-default, 7.4:1 even over a line).
NO_DATA_CELL = ("#f3f3f3", INK, STATUS_LABELS[NO_DATA], GRID)
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


def short_month(month: str) -> str:
    """'nov 2025' for an axis, from 'YYYY-MM'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1][:3]} {year}"


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
    exempt: int = 0  # of `judged`: units with an exemption (status exempt)
    no_data: int = 0  # of `judged`: units whose data are missing (status no_data)

    @property
    def state(self) -> str:
        """What the cell shows: "share" (met of judged), "exempt" or "no_data" when no unit is judged met
        or not met (every judged unit exempt, or some without data), "none" when nothing applies."""
        if not self.judged:
            return "none"
        if self.met or self.judged > self.exempt + self.no_data:
            return "share"
        return "no_data" if self.no_data else "exempt"

    @property
    def words(self) -> str:
        """The cell in words: "33,3 %", "Avsteg", "Uppgift saknas", "–"."""
        return {
            "share": share(self.met, self.judged),
            "exempt": EXEMPT_CELL[2],
            "no_data": NO_DATA_CELL[2],
        }.get(self.state, "–")

    @property
    def table_text(self) -> str:
        """The words with the counts behind them, for the data table: "25 % (1 av 4; 1 avsteg, 2 uppgift
        saknas)", "Avsteg (2 av 2)", "Uppgift saknas (1 av 3; 2 avsteg)"; a single unit's state alone."""
        state = self.state
        if state == "none":
            return "–"
        if state == "share":
            count, others = self.met, [(self.exempt, "avsteg"), (self.no_data, "uppgift saknas")]
        elif state == "exempt":
            count, others = self.exempt, []
        else:
            count, others = self.no_data, [(self.exempt, "avsteg")]
        if state != "share" and self.judged == 1:
            return self.words
        extra = ", ".join(f"{number(k)} {what}" for k, what in others if k)
        return f"{self.words} ({number(count)} av {number(self.judged)}{'; ' + extra if extra else ''})"


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
    text: str  # the cell's words ("33,3 %", "Avsteg", "Uppgift saknas")
    text_x: str
    text_y: str
    lines: tuple[str, ...] = ()  # the words in two lines when one is too wide for the cell
    hatched: bool = False  # missing data: a hatch besides the words


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
    hatch: tuple[str, str] = (NO_DATA_CELL[0], NO_DATA_CELL[3])  # missing data's fill and lines


def heat_colours(cell: HeatInput) -> tuple[str, str]:
    """(fill, text colour) of a cell: its state's, or its share's bin."""
    state = cell.state
    if state == "exempt":
        return EXEMPT_CELL[0], EXEMPT_CELL[1]
    if state == "no_data":
        return NO_DATA_CELL[0], NO_DATA_CELL[1]
    return heat_bin(cell.met, cell.judged)


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
    """Rows × columns of shares met, each cell coloured by bin and printing its percentage — or its state
    in words ("Avsteg", "Uppgift saknas") where no unit is judged met or not met."""
    label_w, cell_w, cell_h, head_h, line_h = 250, 50, 26, 150, 20
    left = label_w + 8
    width = left + cell_w * len(columns) + 110  # room for the last rotated column label
    legend_items = [(fill, text, False) for _lowest, fill, _ink, text in BINS] + [
        (EXEMPT_CELL[0], EXEMPT_CELL[2], False),
        (NO_DATA_CELL[0], NO_DATA_CELL[2], True),
        (NO_SHARE[0], NO_SHARE[2], False),
    ]
    legend, x, y = [], 0.0, 8
    for fill, text, hatched in legend_items:
        item_w = 30 + 7 * len(text)
        if x and x + item_w > width:  # the next line rather than past the picture's edge
            x, y = 0.0, y + line_h
        legend.append(LegendItem(n(x), str(y), text, fill=fill, hatched=hatched))
        x += item_w
    top = head_h + y + 22
    heads = tuple(
        HeatColumn(code, name, n(left + c * cell_w + cell_w / 2 + 4), n(top - 6))
        for c, (code, name) in enumerate(columns)
    )
    out_rows = []
    for r, row in enumerate(rows):
        y = top + r * cell_h
        cells = []
        for c, cell in enumerate(row.cells):
            fill, ink = heat_colours(cell)
            x = left + c * cell_w
            words = cell.words
            cells.append(
                HeatCell(
                    n(x),
                    n(y),
                    fill,
                    ink,
                    words,
                    n(x + cell_w / 2),
                    n(y + cell_h / 2 + 4),
                    # "Uppgift saknas" is wider than a cell: two lines.
                    lines=tuple(words.split(" ", 1)) if len(words) > 8 else (),
                    hatched=cell.state == "no_data",
                )
            )
        out_rows.append(HeatRow(truncate(row.short or row.label, 36), n(y + cell_h / 2 + 4), tuple(cells)))
    if any(cell.state in ("exempt", "no_data") for row in rows for cell in row.cells):
        desc = (
            f"{desc} Rutor där ingen enhet bedömts som uppfylld eller ej uppfylld visar ”Avsteg” eller "
            "”Uppgift saknas” i stället för en andel."
        )
    head = (row_head, *((note_head,) if note_head else ()), *(f"{code} {name}" for code, name in columns))
    table_rows = tuple(
        (
            Cell(row.label, row.href),
            *((Cell(row.note, row.note_href),) if note_head else ()),
            *(Cell(cell.table_text, cell.href if cell.met else "") for cell in row.cells),
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
