"""Writing cells for spreadsheets: every CSV and XLSX the portal hands out goes through here.

A text cell beginning with =, +, -, @, a tab, a carriage return or a line feed is read as a formula by Excel
and LibreOffice when the file is opened (CSV/formula injection); a case id or an exemption id from an
imported file could thus run `=HYPERLINK(...)` or worse on an analyst's machine. OWASP's remedy is to
prefix such a cell with a single quote, which both programs show as text. Only text is touched: numbers
(a negative one begins with "-") stay numbers, and ordinary data (ids, codes, ISO timestamps with their
offset) never begins with one of these characters, so it comes out exactly as the spec shows it.

A formula can also hide inside a cell, after a character where a spreadsheet may start a new cell or row:
`Formulär;=cmd|' /C calc'!A0` is one cell to a program splitting on ",", two to a Swedish
Excel, which splits on ";"; `Enhet,=1+1` the other way round. Python's csv module quotes a cell only for
its own delimiter, so the comma files sent `K;=1+1` bare to a Swedish Excel and the portal's ";" files sent
`Enhet,=1+1` bare to an English one. Quoting is not enough on its own either: a reader honours quotes only
at the start of what it takes for a cell, and to a Swedish Excel a whole line of a comma file is one cell,
so a quoted cell in its middle is split on ";" (and at a line break inside it) as if it were bare. So,
as OWASP advises (its caveat on field separators), every file here

- quotes a cell that holds its separator, a quote, a tab or a line break — in the comma files a `;`
  too, which Python's csv module leaves bare there — so a reader that meets it at the start of a cell
  keeps it whole (the portal's `;` files leave a decimal comma bare, as Excel itself writes it);
- neutralizes each part of a cell that a spreadsheet could take for a cell of its own: a single quote
  goes before it when a formula character follows (after any spaces or double quotes) the cell's start,
  a `;`, a `,`, a tab or a line break — `Enhet;=1+1` becomes `Enhet;'=1+1` — so each part is text
  however the file is split, quotes honoured or not. A line of free text that begins with "-" (a bulleted
  list) thus shows a "'" before it in a spreadsheet; that is the price.

Full-width ＝ ＋ － ＠ count as formula characters too (an East Asian Excel reads them so; OWASP lists
them). A part that already begins with "'" is text and is left as it is, so neutralizing twice changes
nothing.

JSON exports are data for programs, not spreadsheets, and stay verbatim.

Two CSV conventions, each written once here:

- `csv_lines`: the files the portal hands to people (every CSV download of the portal), for a Swedish
  Excel to open with a double click: UTF-8 with a byte-order mark, `;` between cells, decimal comma,
  ISO dates and instants, `ja`/`nej`, lines ending in CR LF (as Excel itself writes CSV).
- `csv_writer`: the command-line data exports (`export_compliance --format csv`, `export_cases`), whose
  format is the data-exchange spec's contract: comma-separated, decimal point, lines ending in LF.

`write_xlsx` writes the portal's Excel files: a frozen header row with a filter, columns as wide as their
text, shares as numbers shown as percentages. Its cells follow the same rule (one rule for every file a
person opens in a spreadsheet), though only a cell that begins with "=" would become a formula there.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import re
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

FORMULA_CHARACTERS = "=+-@＝＋－＠"  # and their full-width forms
FORMULA_STARTS = (*FORMULA_CHARACTERS, "\t", "\r", "\n")  # a cell beginning so is a formula (OWASP)
SEPARATORS = ";,\t"  # where a spreadsheet may start a new cell: either CSV separator, or a tab
LINE_BREAKS = "\r\n"  # where it may start a new row
SPACES = " \u00a0\u202f\u3000"  # skipped before a formula character, as a program may trim them
# The start of the cell, or a separator or line break inside it, followed (after any spaces and double
# quotes, which a reader may take as the start of a quoted cell) by a formula character. A single quote
# there makes the part text already.
_FORMULA_PART = re.compile(
    f'(^|[{SEPARATORS}{LINE_BREAKS}])(?=[{SPACES}"]*[{re.escape(FORMULA_CHARACTERS)}])'
)
# A cell's first characters that call for a closer look (SafeCsvWriter's fast path).
_LOOK_CLOSER = (*FORMULA_STARTS, *SPACES, '"')


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text`, or a part of it it may take for a cell of its own, as a
    formula: it begins with a formula character, a tab or a line break, or a formula character follows
    its start, a separator (";", ",", a tab) or a line break, after any spaces or double quotes."""
    return text.startswith(FORMULA_STARTS) or _FORMULA_PART.search(text) is not None


def neutralized(text: str) -> str:
    """`text` with a single quote before each part a spreadsheet could read as a formula: at the start,
    and after each separator or line break followed by a formula character (`Enhet;=1+1` →
    `Enhet;'=1+1`), so that each part is text whichever separator splits it off, quotes honoured or not.
    A part that begins with a single quote already is left as it is, so neutralizing twice changes
    nothing."""
    text = _FORMULA_PART.sub(r"\1'", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value: Any) -> Any:
    """The value a spreadsheet may be given: text that could start a formula, neutralized."""
    if isinstance(value, str) and starts_formula(value):
        return neutralized(value)
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """safe_cell for every cell of a row."""
    return [safe_cell(value) for value in row]


class _Echo:
    """A file-like object whose write returns the text: one line per row, for a streamed response."""

    def write(self, value):
        return value


class _LineWriter:
    """One CSV line per row, as text, whose cells holding one of `also_quote` are quoted as well.

    csv.writer quotes (QUOTE_MINIMAL) a cell holding the delimiter, the quote character or "any of the
    characters in lineterminator" (Python's documentation); so `also_quote` is appended to the line
    terminator it is given — every cell holding one of them is then quoted, in C, at the csv module's
    speed — and cut off each line again."""

    def __init__(self, *, delimiter: str, lineterminator: str, also_quote: str = "", **fmtparams):
        extra = "".join(c for c in also_quote if c != delimiter and c not in lineterminator)
        self._cut = -len(extra) or None
        self._writerow = csv.writer(
            _Echo(), delimiter=delimiter, lineterminator=lineterminator + extra, **fmtparams
        ).writerow

    def line(self, cells: list) -> str:
        return self._writerow(cells)[: self._cut]


class SafeCsvWriter:
    """csv.writer whose rows go through safe_row, with every cell holding a separator of either CSV
    convention, a tab or a line break quoted; the same writerow/writerows interface."""

    def __init__(self, stream: IO[str], *, delimiter: str = ",", lineterminator: str = "\r\n", **fmtparams):
        every = SEPARATORS + LINE_BREAKS
        lines = _LineWriter(delimiter=delimiter, lineterminator=lineterminator, also_quote=every, **fmtparams)
        self._line = lines.line
        self._write = stream.write

    def writerow(self, row: Iterable[Any]):
        # The cases export writes a million rows, so the common row takes a fast path: only cells that
        # begin with one of a few characters are looked at closely. A formula hidden after a separator or
        # a line break is in a cell the line writer quoted, so a line with no quote mark has none; a line
        # with one is written again with the full rule (a quote in ordinary data is rare). About 0.5 µs a
        # row more than the comma writer alone: 0.1 s of a month's export_cases (docs/performance.md).
        row = row if isinstance(row, list) else list(row)
        line = self._line(
            [
                (neutralized(value) if starts_formula(value) else value)
                if isinstance(value, str) and value.startswith(_LOOK_CLOSER)
                else value
                for value in row
            ]
        )
        if '"' in line:
            line = self._line(safe_row(row))
        return self._write(line)

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


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The portal's CSV for people, as text chunks to stream: the BOM, then one line per row (the first is
    the header). Each cell is made formula-safe first (so a negative number stays a number) and then
    written as `csv_text` says; a cell holding `;`, a quote, a tab or a line break is quoted."""
    lines = _LineWriter(delimiter=CSV_DELIMITER, lineterminator=CSV_LINE_END, also_quote="\t")
    yield BOM
    for row in rows:
        yield lines.line([csv_text(value) for value in safe_row(row)])


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
