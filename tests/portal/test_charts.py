"""portal/presentation/charts.py: figures in, SVG geometry and a data table out (pure, no database), and the partials
that draw them: a picture with a title and a description, the same numbers as a table, nothing a PDF
could not draw."""

import re

import pytest
from django.template.loader import render_to_string

from portal.presentation import charts
from portal.presentation.charts import BarInput, Cell, HeatInput, HeatRowInput, LineInput


def test_numbers_are_written_the_swedish_way():
    assert charts.number(1234567) == "1\u00a0234\u00a0567"
    assert charts.number(None) == "–"
    assert charts.share(2, 3) == "66,7 %"
    assert charts.share(999, 1000) == "99,9 %"
    assert charts.share(1999, 2000) == "99,9 %"  # never rounded up to 100 % (the engine's own wording)
    assert charts.share(1, 1) == "100 %"
    assert charts.share(0, 0) == "–"
    assert charts.percent_axis(0.25) == "25\u00a0%" and charts.percent_axis(0.025) == "2,5\u00a0%"


def test_coordinates_keep_a_decimal_point_whatever_the_language():
    assert charts.n(12.345) == "12.3" and charts.n(3.0) == "3" and charts.n(-0.01) == "0"


@pytest.mark.parametrize(
    ("top", "integer", "expected"),
    [
        (59, True, (60, 20)),
        (23, True, (30, 10)),
        (3, True, (3, 1)),
        (0, True, (1.0, 1.0)),
        (0.27, False, (0.30000000000000004, 0.1)),
        (0.968, False, (1.0, 0.25)),
    ],
)
def test_an_axis_covers_the_largest_value_in_about_four_round_steps(top, integer, expected):
    maximum, step = charts.axis(top, integer=integer)
    assert maximum == pytest.approx(expected[0]) and step == pytest.approx(expected[1])
    assert maximum >= top


def test_bars_are_stacked_in_proportion_and_end_in_words():
    chart = charts.bar_chart(
        chart_id="b",
        title="Enheter per nivå",
        desc="…",
        series=("utan avsteg", "med avsteg"),
        row_head="Nivå",
        bars=[
            BarInput("Nivå 1", (30, 10), ("/a", "/b"), "/c"),
            BarInput("Nivå 2", (20, 0), ("/d", "/e"), "/f"),
        ],
    )
    first, second = chart.rows
    assert [s.hatched for s in first.segments] == [False, True]
    assert float(first.segments[1].width) == pytest.approx(float(first.segments[0].width) / 3, abs=0.1)
    assert len(second.segments) == 1  # no empty segment
    assert first.end_text == "40 enheter, varav 10 med avsteg"
    assert second.end_text == "20 enheter"
    assert chart.table.head == ("Nivå", "Utan avsteg", "Med avsteg", "Totalt")
    assert chart.table.rows[1] == (
        Cell("Nivå 2"),
        Cell("20", "/d", "Nivå 2, utan avsteg"),
        Cell("0", "", "Nivå 2, med avsteg"),  # a zero links nowhere
        Cell("20", "/f", "Nivå 2, totalt"),
    )


def test_heatmap_cells_are_binned_and_print_their_share():
    chart = charts.heatmap(
        chart_id="h",
        title="Andel",
        desc="…",
        columns=[("TB1-VISA", "Visa bokade tider"), ("SV1-SVARSTID", "Svar i tid")],
        rows=[
            HeatRowInput(
                "Primärvård Skåne",
                (HeatInput(10, 10, "/x"), HeatInput(1, 3, "/y")),
                href="/?forvaltning=1",
                note="10 enheter",
            ),
            HeatRowInput("Psykiatri", (HeatInput(0, 0), HeatInput(4, 5, "/z"))),
        ],
        row_head="Förvaltning",
        note_head="Enheter",
    )
    cells = chart.rows[0].cells + chart.rows[1].cells
    assert [c.text for c in cells] == ["100 %", "33,3 %", "–", "80 %"]
    assert [c.fill for c in cells] == ["#a8d5ae", "#f8e4e4", "#f3f3f3", "#daeddd"]
    assert chart.table.head == (
        "Förvaltning",
        "Enheter",
        "TB1-VISA Visa bokade tider",
        "SV1-SVARSTID Svar i tid",
    )
    assert chart.table.rows[0][0] == Cell("Primärvård Skåne", "/?forvaltning=1")
    assert chart.table.rows[0][3] == Cell("33,3 % (1 av 3)", "/y")
    assert chart.table.rows[1][2] == Cell("–", "")
    assert [item.text for item in chart.legend][-1] == "inga bedömda enheter"


def exempt_and_missing_heatmap():
    """A unit row with an exemption, missing data, a plain failure and a pass; an aggregate row where
    nobody is judged (two exemptions, one without data) and one that mixes them with a judgement."""
    return charts.heatmap(
        chart_id="h",
        title="Andel",
        desc="Rader och kolumner.",
        columns=[("TB3-OPPEN-KALLELSE", "Öppen kallelse"), ("SV1-SVARSTID", "Svar i tid"), ("AR1", "Admin")],
        rows=[
            HeatRowInput(
                "Mottagning A",
                (HeatInput(0, 1, "/a", exempt=1), HeatInput(0, 1, "/a", no_data=1), HeatInput(0, 1, "/a")),
            ),
            HeatRowInput(
                "Primärvård Skåne",
                (
                    HeatInput(0, 3, "/x", exempt=2, no_data=1),
                    HeatInput(1, 4, "/y", exempt=1, no_data=2),
                    HeatInput(0, 2, "/z", exempt=2),
                ),
            ),
        ],
        row_head="Enhet",
    )


def test_a_heatmap_cell_with_an_exemption_or_missing_data_says_so_instead_of_a_red_zero():
    chart = exempt_and_missing_heatmap()
    unit, aggregate = (row.cells for row in chart.rows)
    assert [c.text for c in unit] == ["Avsteg", "Uppgift saknas", "0 %"]
    assert [c.text for c in aggregate] == ["Uppgift saknas", "25 %", "Avsteg"]
    red = charts.BINS[-1][1]
    exempt_fill, missing_fill = charts.EXEMPT_CELL[0], charts.NO_DATA_CELL[0]
    assert [c.fill for c in unit] == [exempt_fill, missing_fill, red]
    assert len({exempt_fill, missing_fill, red}) == 3  # an exemption its own colour, missing data neutral
    assert missing_fill == charts.NO_SHARE[0]  # neutral like "nothing applies", told apart by hatch and words
    # Told apart without colour too: words, and a hatch on missing data.
    assert [c.hatched for c in unit] == [False, True, False]
    assert unit[1].lines == ("Uppgift", "saknas")  # two lines, so the words fit the cell
    # The table beside the picture says the same, with the counts behind an aggregate.
    table = chart.table.rows
    assert [c.text for c in table[0][1:]] == ["Avsteg", "Uppgift saknas", "0 % (0 av 1)"]
    assert [c.text for c in table[1][1:]] == [
        "Uppgift saknas (1 av 3; 2 avsteg)",
        "25 % (1 av 4; 1 avsteg, 2 uppgift saknas)",
        "Avsteg (2 av 2)",
    ]
    legend = [item.text for item in chart.legend]
    assert "Avsteg" in legend and "Uppgift saknas" in legend
    assert [item.hatched for item in chart.legend if item.text == "Uppgift saknas"] == [True]
    assert "”Avsteg” eller ”Uppgift saknas”" in chart.desc


def test_the_heatmap_legend_wraps_inside_a_narrow_chart():
    chart = exempt_and_missing_heatmap()
    ends = [float(item.x) + 30 + 7 * len(item.text) for item in chart.legend]
    assert max(ends) <= chart.width
    assert len({item.y for item in chart.legend}) > 1  # three columns are too narrow for one line


def test_the_heatmap_partial_draws_the_words_and_the_hatch():
    html = render("portal/charts/_heatmap.html", exempt_and_missing_heatmap())
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert '<pattern id="h-saknas"' in svg and 'fill="url(#h-saknas)"' in svg
    assert ">Avsteg</text>" in svg
    assert ">Uppgift</tspan>" in svg and ">saknas</tspan>" in svg


def test_every_heatmap_bin_has_dark_text_on_a_light_fill_with_enough_contrast():
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    pairs = [(fill, ink) for _lowest, fill, ink, _legend in charts.BINS] + [
        charts.NO_SHARE[:2],
        charts.EXEMPT_CELL[:2],
        charts.NO_DATA_CELL[:2],
        (charts.NO_DATA_CELL[3], charts.NO_DATA_CELL[1]),  # the text over the hatch's lines
    ]
    for fill, ink in pairs:
        light, dark = sorted((luminance(fill), luminance(ink)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (fill, ink)


def test_lines_break_at_missing_values_and_differ_in_more_than_colour():
    chart = charts.line_chart(
        chart_id="l",
        title="Svar i tid",
        desc="…",
        x_labels=["aug 2026", "sep 2026", "okt 2026", "nov 2026"],
        x_head="Månad",
        series=[
            LineInput("I tid", (0.9, None, 0.95, 0.97), ("90 %", "–", "95 %", "97 %")),
            LineInput("Inom 2 timmar", (0.4, 0.5, 0.45, None), ("40 %", "50 %", "45 %", "–")),
        ],
        reference=(0.95, "Krav: minst 95 %"),
    )
    first, second = chart.series
    assert first.path.count("M") == 2 and len(first.points) == 3  # a gap where September is missing
    assert second.path.count("M") == 1
    assert (first.marker, first.dash) != (second.marker, second.dash)
    assert [item.text for item in chart.legend] == ["I tid", "Inom 2 timmar", "Krav: minst 95 %"]
    assert chart.reference is not None
    assert float(chart.reference.y) > float(chart.plot_top)  # 95 % lies inside the axis
    assert chart.table.rows[1][1].text == "–"


def test_a_count_axis_reaches_above_the_largest_count():
    chart = charts.line_chart(
        chart_id="c",
        title="Lokala administratörer",
        desc="…",
        x_labels=["okt", "nov"],
        x_head="Månad",
        percent=False,
        series=[LineInput("Antal", (41, 38), ("41", "38"))],
    )
    assert [t.text for t in chart.y_ticks] == ["0", "20", "40", "60"]


def render(template, chart):
    return render_to_string(template, {"chart": chart})


@pytest.fixture
def three_charts():
    bars = charts.bar_chart(
        chart_id="b",
        title="Bars",
        desc="En beskrivning",
        series=("utan avsteg", "med avsteg"),
        row_head="Nivå",
        bars=[BarInput("Nivå 1", (3, 1), ("/enheter/?niva=1&med_avsteg=nej", ""))],
    )
    heat = charts.heatmap(
        chart_id="h",
        title="Heat",
        desc="En beskrivning",
        columns=[("TB1-VISA", "Visa")],
        rows=[
            HeatRowInput(
                "Rad", (HeatInput(1, 2, "/enheter/?krav=TB1-VISA&status=met"),), href="/?forvaltning=1"
            )
        ],
        row_head="Förvaltning",
    )
    lines = charts.line_chart(
        chart_id="l",
        title="Lines",
        desc="En beskrivning",
        x_labels=["a", "b"],
        x_head="Månad",
        series=[LineInput("S", (0.5, 0.6), ("50 %", "60 %"), ("/enheter/?per=2026-10-31", ""))],
    )
    return [
        ("portal/charts/_bars.html", bars),
        ("portal/charts/_heatmap.html", heat),
        ("portal/charts/_lines.html", lines),
    ]


def test_each_partial_draws_a_labelled_picture_and_a_table_with_the_links(three_charts):
    for template, chart in three_charts:
        html = render(template, chart)
        svg = html[html.index("<svg") : html.index("</svg>") + 6]
        assert 'role="img"' in svg
        assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in svg
        assert (
            f'<title id="{chart.id}-title">' in svg
            and f'<desc id="{chart.id}-desc">En beskrivning</desc>' in svg
        )
        # No links, scripts, styles or anything fetched: the picture works in a PDF as it is.
        assert not re.search(r"<a |<script|<style|<image|url\(http|href=", svg)
        assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]
        # Coordinates are never localised ("12,5" is no SVG number).
        assert not re.search(r'(?:x|y|width|height)="\d+,\d', svg)
        table = html[html.index("<table") :]
        assert '<th scope="col">' in table and '<th scope="row">' in table
        assert "&amp;" in table or "per=" in table  # a link with its parameters, escaped


def test_the_partials_render_to_a_pdf(three_charts):
    weasyprint = pytest.importorskip("weasyprint")
    body = "".join(render(template, chart) for template, chart in three_charts)
    html = f'<!doctype html><html lang="sv"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
