"""The unit page's response-time chart is the portal's line chart (portal.presentation.charts), with its
data table: months oldest first, the share in time with its counts, SV1's required share as the line."""

import datetime

from portal.presentation import charts
from portal.units.presentation import response_chart
from portal.units.selectors import MonthResponse


def month(code, label, in_time, assessed, within=None):
    share = in_time / assessed if assessed else None
    return MonthResponse(
        month=code,
        label=label,
        as_of=datetime.date(2026, 11, 15),
        assessed=assessed,
        in_time=in_time,
        late_notified=0,
        late=assessed - in_time,
        overdue=0,
        pending=0,
        share_in_time=share,
        share_within_2h=within,
        share_text=charts.share(in_time, assessed),
        share_within_2h_text="–" if within is None else f"{round(within * 100)} %",
    )


def test_the_chart_reads_left_to_right_with_every_figure_in_its_table():
    months = [month("2026-10", "oktober 2026", 28, 30, 0.5), month("2026-09", "september 2026", 9, 10)]
    chart = response_chart(months, 0.9)
    assert isinstance(chart, charts.LineChart)
    assert [t.text for t in chart.x_labels] == ["sep 2026", "okt 2026"]
    assert chart.table.head == ("Månad", "Besvarade i tid", "Besvarade inom 2 timmar (strävan)")
    assert [[c.text for c in row] for row in chart.table.rows] == [
        ["sep 2026", "90 % (9 av 10)", "–"],
        ["okt 2026", "93,3 % (28 av 30)", "50 %"],
    ]
    assert chart.reference is not None and chart.reference.text == "Krav: minst 90 %"
    assert chart.desc.startswith("Oktober 2026: 93,3 %")


def test_no_chart_without_an_assessed_month():
    assert response_chart([month("2026-10", "oktober 2026", 0, 0)], 0.9) is None
    assert response_chart([], None) is None
