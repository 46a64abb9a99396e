"""Writing cells for spreadsheets: every CSV and XLSX the portal hands out goes through here.

A text cell beginning with =, +, -, @, a tab or a carriage return is read as a formula by Excel and
LibreOffice when the file is opened (CSV/formula injection); a case id or an exemption id from an imported
file could thus run `=HYPERLINK(...)` or worse on an analyst's machine. OWASP's remedy is to prefix such a
cell with a single quote, which both programs show as text. Only text is touched: numbers (a negative one
begins with "-") stay numbers, and ordinary data (ids, codes, ISO timestamps with their offset) never
begins with one of these characters, so it comes out exactly as the spec shows it.

JSON exports are data for programs, not spreadsheets, and stay verbatim.

Two CSV conventions, each written once here:

- `csv_lines`: the files the portal hands to people (every CSV download of the portal), for a Swedish
  Excel to open with a double click: UTF-8 with a byte-order mark, `;` between cells, decimal comma,
  ISO dates and instants, `ja`/`nej`, lines ending in CR LF (as Excel itself writes CSV).
- `csv_writer`: the command-line data exports (`export_compliance --format csv`, `export_cases`), whose
  format is the data-exchange spec's contract: comma-separated, decimal point, lines ending in LF.

`write_xlsx` writes the portal's Excel files: a frozen header row with a filter, columns as wide as their
text, shares as numbers shown as percentages.
"""

from __future__ import annotations

import csv
import datetime
import itertools
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value a spreadsheet may be given: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """safe_cell for every cell of a row."""
    # Inlined rather than calling safe_cell per cell: the cases export writes a million rows, and one
    # isinstance + one startswith per cell is then about 1 µs a row, a few per cent of the export.
    return [
        "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value for value in row
    ]


class SafeCsvWriter:
    """csv.writer whose rows go through safe_row; the same writerow/writerows interface."""

    def __init__(self, stream: IO[str], **fmtparams):
        writer = csv.writer(stream, **fmtparams)
        self.dialect = writer.dialect
        self._writerow = writer.writerow

    def writerow(self, row: Iterable[Any]):
        # safe_row written out here too: one Python call less per row on the million-row path.
        return self._writerow(
            [
                "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
                for value in row
            ]
        )

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], *, lineterminator: str = "\n", **fmtparams) -> SafeCsvWriter:
    """The command-line exports' CSV writer (the spec's comma format; lines end in \\n)."""
    return SafeCsvWriter(stream, lineterminator=lineterminator, **fmtparams)


# --- The portal's CSV files, for people ------------------------------------------------------------------

BOM = "\ufeff"  # Excel then reads the file as UTF-8 (å, ä, ö); the importers skip it
CSV_DELIMITER = ";"  # what a Swedish Excel expects (its list separator), since "," is the decimal mark
CSV_LINE_END = "\r\n"


def csv_text(value: Any) -> Any:
    """A cell as a Swedish spreadsheet reads it: numbers with a decimal comma and never an exponent
    (`0,9333`, `0,00001`), dates and instants in ISO 8601, booleans `ja`/`nej`, None empty; text and
    integers as they are."""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest text that is this float, then written out in full
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime.date):  # datetime is a date too
        return value.isoformat()
    return value


class _Echo:
    """A file-like object whose write returns the text: one line per row, for a streamed response."""

    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The portal's CSV for people, as text chunks to stream: the BOM, then one line per row (the first is
    the header). Each cell is made formula-safe first (so a negative number stays a number) and then
    written as `csv_text` says; a cell holding `;`, a quote or a line break is quoted."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER, lineterminator=CSV_LINE_END)
    yield BOM
    for row in rows:
        yield writer.writerow([csv_text(value) for value in safe_row(row)])


# --- The portal's Excel files ----------------------------------------------------------------------------

# A share 0–1 shown as a percentage. Two decimals: the shares are stored with four, so a share below 1 is
# never shown as "100,00 %" (the screen's rule: a share is never rounded up to 100 %).
SHARE_FORMAT = "0.00 %"
WIDTH_SAMPLE = 1000  # rows read ahead to fit the columns' widths; the rest are streamed
WIDTH_MIN, WIDTH_MAX = 6, 60  # in characters


def _shown_width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if number_format == SHARE_FORMAT and isinstance(value, int | float | Decimal):
        return len("100,00 %")
    return max(len(line) for line in str(csv_text(value)).splitlines() or [""])


def write_xlsx(
    rows: Iterable[Iterable[Any]],
    target,
    *,
    title: str = "Blad1",
    share_columns: Collection[str] = (),
) -> int:
    """Write rows (the first is the header) to one sheet of a new .xlsx at `target` (a path or a binary
    file object); returns the number of data rows. The header row is frozen and carries a filter; each
    column is as wide as its longest text (header included, measured on the first WIDTH_SAMPLE rows); the
    columns named in `share_columns` hold shares 0–1 as numbers shown as percentages (SHARE_FORMAT).

    openpyxl's write-only mode streams rows to a temporary file instead of holding every cell in memory,
    so a long list costs little. openpyxl would store any text beginning with "=" as a formula; after
    safe_row none does. Values must be what openpyxl accepts: str, int, float, Decimal, bool, None, or a
    naive date/datetime (Excel has no time zones: give local time, or ISO text with its offset).
    """
    from openpyxl import Workbook  # imported here: only the exports that write XLSX pay for it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    header = list(next(rows, []))
    sample = [safe_row(row) for row in itertools.islice(rows, WIDTH_SAMPLE)]
    formats = [SHARE_FORMAT if name in share_columns else None for name in header]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title)
    # Widths, the frozen row and the filter belong to the sheet's head: set before the first row is written.
    for index, name in enumerate(header):
        widest = max(
            [len(str(name)) + 2, *(_shown_width(r[index], formats[index]) for r in sample if index < len(r))]
        )
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            max(widest + 1, WIDTH_MIN), WIDTH_MAX
        )
    sheet.freeze_panes = "A2"
    sheet.append(safe_row(header))

    def cells(row: list) -> list:
        out = []
        for index, value in enumerate(row):
            if index < len(formats) and formats[index] and isinstance(value, int | float | Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[index]
                out.append(cell)
            else:
                out.append(value)
        return out

    n = 0
    for n, row in enumerate(itertools.chain(sample, (safe_row(r) for r in rows)), start=1):  # noqa: B007
        sheet.append(cells(row))
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n + 1}"
    book.save(target)
    return n
