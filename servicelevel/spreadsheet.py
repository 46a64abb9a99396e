"""Writing cells for spreadsheets: every CSV and XLSX the portal hands out goes through here.

A text cell beginning with =, +, -, @, a tab or a carriage return is read as a formula by Excel and
LibreOffice when the file is opened (CSV/formula injection); a case id or an exemption id from an imported
file could thus run `=HYPERLINK(...)` or worse on an analyst's machine. OWASP's remedy is to prefix such a
cell with a single quote, which both programs show as text. Only text is touched: numbers (a negative one
begins with "-") stay numbers, and ordinary data (ids, codes, ISO timestamps with their offset) never
begins with one of these characters, so it comes out exactly as the spec shows it.

JSON exports are data for programs, not spreadsheets, and stay verbatim.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
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
    """The portal's CSV writer (lines end in \\n, as the exports always have)."""
    return SafeCsvWriter(stream, lineterminator=lineterminator, **fmtparams)


def write_xlsx(rows: Iterable[Iterable[Any]], target, *, title: str = "Blad1") -> int:
    """Write rows (the first is the header) to one sheet of a new .xlsx at `target` (a path or a binary
    file object); returns the number of data rows.

    openpyxl's write-only mode streams rows to a temporary file instead of holding every cell in memory,
    so a long list costs little. openpyxl would store any text beginning with "=" as a formula; after
    safe_row none does. Values must be what openpyxl accepts: str, int, float, Decimal, bool, None, or a
    naive date/datetime (Excel has no time zones: give local time, or ISO text with its offset).
    """
    from openpyxl import Workbook  # imported here: only the exports that write XLSX pay for it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title)
    n = -1
    for n, row in enumerate(rows):  # noqa: B007 - n counts data rows after the header
        sheet.append(safe_row(row))
    book.save(target)
    return max(n, 0)
