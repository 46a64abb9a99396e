"""The unit page's response-time chart, drawn by the portal's one line-chart module (with its data table),
as the dashboard draws the region's."""

from __future__ import annotations

from compliance.engine.text import month_name
from portal.presentation import charts
from portal.presentation.values import share_text
from portal.units.selectors import MonthResponse


def response_chart(
    months: list[MonthResponse], threshold: float | None, stretch_hours: str = "2"
) -> charts.LineChart | None:
    """Share in time (and answered within `stretch_hours` hours) per evaluation month, oldest left, with the
    response-time requirement's share as the reference line (none when the version has no such
    requirement: the times are then information only); None when no month has an assessed case."""
    shown = list(reversed(months))  # the page's table lists newest first; a chart reads left to right
    if not any(m.share_in_time is not None for m in shown):
        return None
    latest = next(m for m in months if m.share_in_time is not None)
    desc = (
        f"{month_name(latest.month).capitalize()}: {latest.share_text} av {charts.number(latest.assessed)} "
        "bedömda ärenden besvarades i tid."
    )
    return charts.line_chart(
        chart_id="svarstid-diagram",
        title="Andel svar i tid per månad",
        desc=desc,
        x_labels=[charts.short_month(m.month) for m in shown],
        x_head="Månad",
        series=[
            charts.LineInput(
                "Besvarade i tid",
                tuple(m.share_in_time for m in shown),
                tuple(
                    f"{m.share_text} ({charts.number(m.in_time)} av {charts.number(m.assessed)})"
                    if m.share_in_time is not None
                    else "–"
                    for m in shown
                ),
            ),
            charts.LineInput(
                f"Besvarade inom {stretch_hours} timmar (strävan)",
                tuple(m.share_within_2h for m in shown),
                tuple(m.share_within_2h_text for m in shown),
            ),
        ],
        reference=(threshold, f"Krav: minst {share_text(threshold)}") if threshold is not None else None,
    )
