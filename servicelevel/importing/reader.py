"""Read a CSV or XLSX file into a header and numbered rows of strings.

CSV per spec: UTF-8 with or without BOM, else Windows-1252; comma or semicolon, chosen from the header
line. Line numbers count the header as line 1 and follow the file's physical lines, so a message points
at the line a person sees in a text editor.
"""

import codecs
import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO


class FileProblem(Exception):
    """The file cannot be read as a table (empty, wrong format, broken CSV); `line` where it broke."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def detect_encoding(path: Path, chunk: int = 1 << 20) -> str:
    """'utf-8-sig' when the whole file is valid UTF-8 (with or without BOM), else 'cp1252' — what Excel's
    plain "CSV" writes on Swedish Windows. Reads in chunks, so a large file is never held in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        try:
            while block := stream.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_csv_stream(stream: TextIO) -> Table:
    """Rows are read lazily from `stream` (an open text file or StringIO)."""
    first_line = stream.readline()
    if not first_line.strip():
        stream.close()
        raise FileProblem("filen är tom eller saknar rubrikrad")
    stream.seek(0)
    reader = csv.reader(stream, delimiter=sniff_delimiter(first_line))
    header = [h.strip().lower() for h in next(reader)]

    def rows():
        try:
            start = reader.line_num + 1
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:  # e.g. a NUL byte, or a quote that never closes
            raise FileProblem(f"filen går inte att läsa som CSV här: {exc}", line=start) from None
        finally:
            stream.close()

    return Table(header, rows())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep="T")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value)


def read_xlsx(path: Path) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"kan inte läsa Excel-filen: {exc}") from exc
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(h).strip().lower() for h in next(it)]
    except StopIteration:
        raise FileProblem("filen är tom eller saknar rubrikrad") from None
    while header and not header[-1]:
        header.pop()

    def rows():
        for line, values in enumerate(it, start=2):
            cells = [_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                yield line, cells
        book.close()

    return Table(header, rows())


def read_table(path: str | Path) -> Table:
    path = Path(path)
    if not path.is_file():
        raise FileProblem("filen finns inte")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    stream = path.open(encoding=detect_encoding(path), errors="replace", newline="")
    return read_csv_stream(stream)
