"""The matrix as CSV rows."""

from __future__ import annotations

from .shapes import Comparison


def export_rows(comparison: Comparison):
    """The matrix as shown, as rows for servicelevel.spreadsheet's CSV writer: a header with the units'
    names and HSA-ids (only those the page shows) and the summary column, then a row per table row."""
    yield [
        "Avsnitt",
        "Rad",
        "Basutbud",
        comparison.summary_heading,
        *(f"{c.name} ({c.hsa_id})" for c in comparison.columns),
    ]
    for section in comparison.sections:
        for row in section.rows:
            yield [
                section.title,
                row.label,
                "ja" if row.is_base else "",
                row.summary,
                *(cell.export_text for cell in row.cells),
            ]
