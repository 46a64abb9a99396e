"""Read a CSV or XLSX file into a header and numbered rows of strings.

CSV per spec: UTF-8 with or without BOM, else Windows-1252; comma or semicolon, chosen from the header
line. Line numbers count the header as line 1 and follow the file's physical lines, so a message points
at the line a person sees in a text editor.

Bad files take bounded work: a line, a header line or a field of absurd size and an .xlsx that unpacks
to too much are refused before they are held in memory.
"""

import codecs
import csv
import datetime
import zipfile
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


HEADER_MAX = 64 * 1024  # characters in the header line; a real one has a dozen short names
LINE_MAX = 4 * 1024 * 1024  # bytes in one physical line; a real row has a few hundred
FIELD_MAX = csv.field_size_limit()  # characters in one field (csv's own limit, 131,072)
XLSX_MAX_UNPACKED = 200 * 1000 * 1000  # bytes of all an .xlsx's parts unpacked; a million cases ≈ 150 MB


def _line_of(path: Path, offset: int) -> int:
    """The physical line (1-based) of byte `offset`: only on the way to an error message."""
    lines, done = 1, 0
    with path.open("rb") as stream:
        while done < offset and (block := stream.read(min(1 << 20, offset - done))):
            lines += block.count(b"\n")
            done += len(block)
    return lines


def _header_too_long() -> FileProblem:
    return FileProblem(
        f"rubrikraden är längre än {HEADER_MAX:,} tecken".replace(",", " ")
        + ": första raden ska bara namnge kolumnerna"
    )


def _too_long(path: Path, line_start: int) -> FileProblem:
    if line_start == 0:
        return _header_too_long()
    return FileProblem(
        f"en rad är längre än {LINE_MAX:,} byte".replace(",", " ")
        + ": filen kan inte vara en tabell i CSV-format (eller saknar radslut)",
        line=_line_of(path, line_start),
    )


def detect_encoding(path: Path, chunk: int = 1 << 20) -> str:
    """'utf-8-sig' when the whole file is valid UTF-8 (with or without BOM), else 'cp1252' — what Excel's
    plain "CSV" writes on Swedish Windows. Reads in chunks, so a large file is never held in memory.

    A file that starts with the UTF-8 byte-order mark but is not UTF-8 further on is refused: it says it
    is UTF-8, so reading it as Windows-1252 could store garbled text without a word (and with the BOM
    read as "ï»¿" the first column would be unknown). The same pass refuses a line longer than LINE_MAX
    bytes, which the CSV reader would otherwise hold whole (one 10 MB line took gigabytes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0  # bytes read before `block`
    line_start = 0  # offset of the current physical line's first byte
    with path.open("rb") as stream:
        bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        stream.seek(0)
        encoding = "utf-8-sig"
        while block := stream.read(chunk):
            if encoding == "utf-8-sig":
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    if bom:
                        pending = len(decoder.getstate()[0])
                        raise FileProblem(
                            "filen börjar med UTF-8-märket (BOM) men är inte UTF-8 (första felet på den här "
                            'raden): spara den igen som "CSV UTF-8", eller som vanlig CSV utan BOM',
                            line=_line_of(path, offset - pending + exc.start),
                        ) from None
                    encoding = "cp1252"
            last_end = max(block.rfind(b"\n"), block.rfind(b"\r"))
            if last_end < 0:
                if offset + len(block) - line_start > LINE_MAX:
                    raise _too_long(path, line_start)
            else:
                # Lines wholly inside the block: only the longest run between line ends matters, and
                # one between two ends inside a block is shorter than the block (≤ chunk ≤ LINE_MAX).
                first_end = min(i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0)
                if offset + first_end - line_start > LINE_MAX:
                    raise _too_long(path, line_start)
                line_start = offset + last_end + 1
            offset += len(block)
        if encoding == "utf-8-sig":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                if bom:
                    raise FileProblem(
                        "filen börjar med UTF-8-märket (BOM) men slutar mitt i ett UTF-8-tecken: "
                        "den är avkortad eller inte UTF-8",
                        line=_line_of(path, offset),
                    ) from None
                encoding = "cp1252"
    return encoding


def sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def csv_problem(exc: csv.Error, line: int) -> FileProblem:
    if "field larger than field limit" in str(exc):
        return FileProblem(
            f"ett fält är längre än {FIELD_MAX:,} tecken".replace(",", " ")
            + ': ingen kolumn rymmer så mycket (ett citattecken " som aldrig stängs?)',
            line=line,
        )
    return FileProblem(f"filen går inte att läsa som CSV här: {exc}", line=line)


def read_csv_stream(stream: TextIO) -> Table:
    """Rows are read lazily from `stream` (an open text file or StringIO)."""
    # readline() with a limit: without one a header line of 10 MB (or a file without line ends) would be
    # read whole, split into a million "columns", each reported unknown.
    first_line = stream.readline(HEADER_MAX + 1)
    if len(first_line) > HEADER_MAX:
        stream.close()
        raise _header_too_long()
    if not first_line.strip():
        stream.close()
        raise FileProblem("filen är tom eller saknar rubrikrad")
    stream.seek(0)
    reader = csv.reader(stream, delimiter=sniff_delimiter(first_line))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:  # e.g. a quote opened in the header that never closes
        stream.close()
        raise csv_problem(exc, 1) from None

    def rows():
        try:
            start = reader.line_num + 1
            for cells in reader:
                if "".join(cells).strip():  # not a blank line (a cell that is not blank); C speed
                    yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:  # e.g. a quote that never closes
            raise csv_problem(exc, start) from None
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
        # Positional notation always: str(Decimal) writes 1.5E-7, and the parsers take no exponent.
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


def check_xlsx_size(path: Path) -> None:
    """Refuse an .xlsx whose parts unpack to more than XLSX_MAX_UNPACKED before openpyxl opens it: a
    workbook is a zip file, and a small one can unpack to gigabytes. zipfile never unpacks more of a part
    than its declared size, so the declared sizes are a safe bound."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(f"kan inte läsa Excel-filen: {exc}") from None
    if unpacked > XLSX_MAX_UNPACKED:
        raise FileProblem(
            f"Excel-filen packas upp till {unpacked / 1e6:,.0f} MB, mer än gränsen ".replace(",", " ")
            + f"{XLSX_MAX_UNPACKED / 1e6:.0f} MB: dela upp den eller spara den som CSV"
        )


def read_xlsx(path: Path) -> Table:
    import openpyxl

    check_xlsx_size(path)
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
