"""Downloadable templates of each kind's file (/import/mall/<kind>.csv and .xlsx): the header row and one
example row, both read from the importer's `Column`s, so a template cannot drift from what the import
takes (a test reads every template back through the reader and the kind's parsers).

- CSV: the portal's one CSV convention (semicolons, a UTF-8 byte-order mark, CR LF) — what Swedish Excel
  opens as columns with å, ä and ö intact (and writes back when saved as "CSV UTF-8").
- XLSX: the same two rows on the first sheet (the one the import reads) with the header bold, column widths
  to fit and the header frozen; numbers and dates as Excel's own numbers and dates. A second sheet, "Om
  kolumnerna", says what each column holds, as /import/ does.

The example row is obviously fictive (Exempelmottagningen, SE2321000255-EXEMPEL, period EXEMPEL-T1 in
2099): a template uploaded unchanged names a unit and a period no region has.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from servicelevel.spreadsheet import csv_lines, safe_cell

from .base import Column, Importer
from .fields import FieldError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ABOUT_HEADER = ["Kolumn", "Krävs", "Innehåll", "Tillåtna värden"]
WIDTH_MAX = 60  # characters: a long description wraps rather than widening its column


def template_csv(importer: type[Importer]) -> str:
    """The portal's one CSV convention (servicelevel.spreadsheet.csv_lines), as every CSV it serves."""
    return "".join(csv_lines([[c.name for c in importer.columns], [c.example for c in importer.columns]]))


def _typed(column: Column):
    """The example cell as Excel holds it: counts and decimals as numbers, dates as dates, the rest (words,
    booleans, times with their offset: Excel has no time zones) as the text the CSV template has."""
    if not column.example:
        return None
    try:
        value = column.parse(column.example)
    except FieldError:  # never for the importers' examples (tested); the text then, as in the CSV
        return safe_cell(column.example)
    if isinstance(value, bool | datetime.datetime) or not isinstance(value, int | Decimal | datetime.date):
        return safe_cell(column.example)
    return value


def template_xlsx(importer: type[Importer]) -> bytes:
    from openpyxl import Workbook  # imported here: only these downloads pay for it
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = importer.kind
    sheet.append([c.name for c in importer.columns])
    sheet.append([_typed(c) for c in importer.columns])
    for index, column in enumerate(importer.columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        example = sheet.cell(row=2, column=index)
        if isinstance(example.value, datetime.date):
            example.number_format = "yyyy-mm-dd"
        width = max(len(column.name), len(column.example))
        sheet.column_dimensions[get_column_letter(index)].width = min(width, WIDTH_MAX) + 2
    sheet.freeze_panes = "A2"

    about = book.create_sheet("Om kolumnerna")
    about.append(ABOUT_HEADER)
    for column in importer.columns:
        about.append([column.name, column.presence, column.description, column.accepts])
    for index, title in enumerate(ABOUT_HEADER, start=1):
        about.cell(row=1, column=index).font = Font(bold=True)
        cells = [title, *(str(row[index - 1].value or "") for row in about.iter_rows(min_row=2))]
        about.column_dimensions[get_column_letter(index)].width = min(max(map(len, cells)), WIDTH_MAX) + 2
    for row in about.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.freeze_panes = "A2"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
