"""The import framework (spec DATA_EXCHANGE.md, CSV conventions): encodings, separators, headers, line
numbers, all-or-nothing writes, dry runs and idempotent re-imports. Uses the `units` and `booking` kinds."""

import subprocess
import sys

import openpyxl
import pytest
from django.conf import settings

from servicelevel.importing.reader import Table
from servicelevel.importing.run import validate
from servicelevel.models import AuditEntry
from units.models import CareUnit, Forvaltning, Vardomrade

from . import factories as f
from .helpers import UNITS_HEADER, manage, unit_line

pytestmark = pytest.mark.django_db


def test_it_imports_a_semicolon_file_and_prints_the_summary(write_file):
    path = write_file(UNITS_HEADER + unit_line() + unit_line(hsa="SE2321000255-A1B3", name="BVC Exempel"))
    ran = manage("import_data", "units", path)
    assert ran.code == 0, ran.err
    assert ran.out.strip() == "units: 2 created, 0 updated, 0 unchanged"
    unit = CareUnit.objects.get(hsa_id="SE2321000255-A1B2")
    assert unit.forvaltning.name == "Primärvård Skåne" and unit.vardomrade.name == "Primärvård Sydväst"
    assert unit.booking_system == "PMO" and unit.has_contact_card and not unit.same_day_contact


def test_it_reads_a_comma_file_with_bom_and_columns_in_any_order(write_file):
    text = (
        "\ufeffname,hsa_id,vardomrade,forvaltning,unit_type,unit_kind,booking_system,same_day_contact,"
        "has_contact_card\nMottagning X,SE2321000255-X1,VO X,Psykiatri,avdelning,TUE,ingen,0,1\n"
    )
    ran = manage("import_data", "units", write_file(text))
    assert ran.code == 0, ran.err
    unit = CareUnit.objects.get(hsa_id="SE2321000255-X1")
    assert (unit.name, unit.unit_type, unit.unit_kind, unit.booking_system) == (
        "Mottagning X",
        "avdelning",
        "TUE",
        "ingen",
    )
    assert unit.active is True and unit.provider is None  # optional columns take their defaults


def test_it_reads_windows_1252_files_from_swedish_excel(write_file):
    text = UNITS_HEADER + unit_line(name="Vårdcentralen Höör", vo="Mellersta Skåne")
    ran = manage("import_data", "units", write_file(text.encode("cp1252")))
    assert ran.code == 0, ran.err
    assert CareUnit.objects.get().name == "Vårdcentralen Höör"
    assert Vardomrade.objects.filter(name="Mellersta Skåne").exists()


def test_it_reads_xlsx_with_the_same_columns(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(UNITS_HEADER.strip().split(";"))
    sheet.append(unit_line(name="Från Excel").strip().split(";"))
    sheet.append([None] * 3)  # Excel leaves empty rows at the end
    path = tmp_path / "units.xlsx"
    book.save(path)
    ran = manage("import_data", "units", path)
    assert ran.code == 0, ran.err
    assert CareUnit.objects.get().name == "Från Excel"


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(UNITS_HEADER.strip().split(";"))
    sheet.append(unit_line().strip().split(";"))
    sheet.append(unit_line(hsa="SE232100-BAD").strip().split(";"))
    path = tmp_path / "units.xlsx"
    book.save(path)
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors[0].startswith(f"{path}:3: hsa_id: ogiltigt HSA-id")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(write_file):
    text = (
        UNITS_HEADER
        + unit_line()
        + unit_line(hsa="SE2321000255-A1B3", card="kanske")
        + unit_line(hsa="SE2321000255-A1B4", kind="XYZ", system="Cosmic")
    )
    path = write_file(text)
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors == [
        f"{path}:3: has_contact_card: ogiltigt sant/falskt-värde 'kanske': använd ja/nej, true/false eller 1/0",
        f"{path}:4: unit_kind: ogiltigt värde 'XYZ': tillåtna är VUE, TUE",
        f"{path}:4: booking_system: ogiltigt värde 'Cosmic': tillåtna är PASiS, PMO, annat, ingen",
    ]
    assert not CareUnit.objects.exists()
    assert not Forvaltning.objects.exists()


def test_line_numbers_follow_physical_lines_with_quoted_newlines_and_blank_lines(write_file):
    text = (
        UNITS_HEADER
        + 'SE2321000255-A1B2;"Namn över\ntvå rader";F;V;VUE;mottagning;PMO;ja;nej;;\n'
        + "\n"
        + unit_line(hsa="bad")
    )
    path = write_file(text)
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors[0].startswith(f"{path}:5: hsa_id:")


def test_missing_required_and_unknown_columns_are_header_errors(write_file):
    path = write_file("hsa_id;name;colour\nSE2321000255-A1B2;X;blå\n")
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert f"{path}:1: colour: okänd kolumn" in ran.err
    for column in (
        "forvaltning",
        "vardomrade",
        "unit_kind",
        "unit_type",
        "booking_system",
        "has_contact_card",
        "same_day_contact",
    ):
        assert f"{path}:1: {column}: obligatorisk kolumn saknas" in ran.errors
    assert not CareUnit.objects.exists()


def test_a_duplicated_natural_key_in_one_file_is_an_error(write_file):
    path = write_file(UNITS_HEADER + unit_line() + unit_line(name="Igen"))
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors == [f"{path}:3: hsa_id: nyckeln SE2321000255-A1B2 finns redan på rad 2"]


def test_a_row_with_more_fields_than_the_header_is_an_error(write_file):
    path = write_file(UNITS_HEADER + unit_line().rstrip("\n") + ";extra\n")
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors == [f"{path}:2: -: raden har 12 fält men rubrikraden 11"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(write_file):
    path = write_file(UNITS_HEADER + unit_line() + unit_line(hsa="SE2321000255-A1B3"))
    assert manage("import_data", "units", path).code == 0
    before = list(CareUnit.objects.values())
    audits = AuditEntry.objects.count()
    ran = manage("import_data", "units", path)
    assert ran.out.strip() == "units: 0 created, 0 updated, 2 unchanged"
    assert list(CareUnit.objects.values()) == before
    assert AuditEntry.objects.count() == audits


def test_a_changed_row_counts_as_updated(write_file):
    manage(
        "import_data", "units", write_file(UNITS_HEADER + unit_line() + unit_line(hsa="SE2321000255-A1B3"))
    )
    ran = manage("import_data", "units", write_file(UNITS_HEADER + unit_line(name="Nytt namn")))
    assert ran.out.strip() == "units: 0 created, 1 updated, 0 unchanged"
    assert CareUnit.objects.get(hsa_id="SE2321000255-A1B2").name == "Nytt namn"


def test_dry_run_reports_what_would_change_and_writes_nothing(write_file):
    ran = manage("import_data", "units", write_file(UNITS_HEADER + unit_line()), "--dry-run")
    assert ran.code == 0
    assert "units: 1 created, 0 updated, 0 unchanged" in ran.out
    assert not CareUnit.objects.exists()
    assert not AuditEntry.objects.exists()


def test_dry_run_of_a_bad_file_exits_1(write_file):
    ran = manage("import_data", "units", write_file(UNITS_HEADER + unit_line(hsa="x")), "--dry-run")
    assert ran.code == 1


def test_an_import_writes_an_audit_entry(write_file):
    manage("import_data", "units", write_file(UNITS_HEADER + unit_line(), name="enheter.csv"))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == ("import", "units", "enheter.csv")
    assert entry.detail["summary"] == "1 created, 0 updated, 0 unchanged"


def test_an_empty_or_missing_file_is_rejected_cleanly(write_file, tmp_path):
    ran = manage("import_data", "units", write_file(""))
    assert ran.code == 1 and "filen är tom" in ran.err
    ran = manage("import_data", "units", tmp_path / "nope.csv")
    assert ran.code == 1 and "filen finns inte" in ran.err


def test_wrong_usage_exits_2(write_file):
    """Run as a person would, in a process of its own: argparse's usage errors exit 2."""
    path = write_file(UNITS_HEADER)
    ran = subprocess.run(
        [sys.executable, "manage.py", "import_data", "planets", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 2
    assert "invalid choice: 'planets'" in ran.stderr


def test_a_file_that_stops_being_utf8_late_is_read_as_windows_1252(write_file):
    lines = [unit_line(hsa=f"SE2321000255-W{n:05d}", name="Vårdcentral") for n in range(20000)]
    lines.append(unit_line(hsa="SE2321000255-LAST", name="Höör"))
    data = UNITS_HEADER.encode() + "".join(lines).encode("cp1252")  # å/ö as single bytes: not UTF-8
    ran = manage("import_data", "units", write_file(data), "--dry-run")
    assert ran.code == 0, ran.err[:500]
    assert "20001 created" in ran.out


def test_a_file_that_breaks_as_csv_part_way_is_rejected_with_its_line(write_file):
    # A quote that never closes swallows the rest of the file into one field, longer than csv allows.
    data = (UNITS_HEADER + unit_line()).encode() + b'"never closed;x;y\n' + b"x" * 200_000
    path = write_file(data)
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors == [
        f"{path}:3: -: ett fält är längre än 131 072 tecken: ingen kolumn rymmer så mycket "
        '(ett citattecken " som aldrig stängs?)'
    ]
    assert not CareUnit.objects.exists()


def test_a_nul_byte_is_an_ordinary_bad_value(write_file):
    path = write_file((UNITS_HEADER + unit_line()).encode() + b"\x00;x\n")
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors[0].startswith(f"{path}:3: hsa_id: ogiltigt HSA-id")


# Every problem of every row ----------------------------------------------------------------------------


def test_every_problem_of_a_row_is_reported_in_the_order_of_the_files_columns(write_file):
    """A cell that does not parse no longer hides the row's rules: the vårdområde's förvaltning is checked
    on the same row, and the messages follow the file's columns left to right (not the kind's order)."""
    header = (
        "vardomrade;hsa_id;name;forvaltning;unit_kind;unit_type;booking_system;has_contact_card;"
        "same_day_contact\n"
    )
    text = (
        header
        + "VO X;SE2321000255-A1B2;Mottagning A;Skånevård Sund;VUE;mottagning;PMO;ja;nej\n"
        + "VO X;SE2321000255-A1B3;Mottagning B;Psykiatri;XYZ;mottagning;PMO;kanske;nej\n"
    )
    path = write_file(text)
    ran = manage("import_data", "units", path)
    assert ran.code == 1
    assert ran.errors == [
        f"{path}:3: vardomrade: vårdområdet 'VO X' hör till förvaltningen 'Skånevård Sund'",
        f"{path}:3: unit_kind: ogiltigt värde 'XYZ': tillåtna är VUE, TUE",
        f"{path}:3: has_contact_card: ogiltigt sant/falskt-värde 'kanske': använd ja/nej, true/false eller 1/0",
    ]
    assert not CareUnit.objects.exists()


def test_a_rule_whose_input_did_not_parse_is_skipped_not_reported_twice(write_file):
    """booked_visible ≤ booked_total cannot be judged when booked_total is no number: that rule is
    skipped (one message, on booked_total), while the rules whose inputs did parse still run."""
    vo = f.VardomradeFactory()
    f.CareUnitFactory(hsa_id="SE2321000255-A1B2", vardomrade=vo)
    f.SchedulePeriodFactory(code="2026-T3")
    header = (
        "unit_hsa_id;period;booked_total;booked_visible;booked_cancellable;booked_reschedulable;"
        "slots_total;slots_open_invitation;slots_citizen_bookable;lookahead_weeks\n"
    )
    path = write_file(header + "SE2321000255-A1B2;2026-T3;många;400;400;120;500;600;50;9\n")
    ran = manage("import_data", "booking", path)
    assert ran.errors == [
        f"{path}:2: booked_total: ska vara ett heltal ≥ 0, inte 'många'",
        f"{path}:2: slots_open_invitation: 600 är fler än slots_total (500)",
    ]


def test_a_duplicated_key_does_not_hide_the_rows_other_problems(write_file):
    path = write_file(UNITS_HEADER + unit_line() + unit_line(card="kanske"))
    ran = manage("import_data", "units", path)
    assert ran.errors == [
        f"{path}:3: hsa_id: nyckeln SE2321000255-A1B2 finns redan på rad 2",
        f"{path}:3: has_contact_card: ogiltigt sant/falskt-värde 'kanske': använd ja/nej, true/false eller 1/0",
    ]


def test_the_cap_counts_every_problem_of_every_row(write_file):
    """Two problems a row, 600 rows: the first 1,000 are kept, the other 200 counted."""
    f.CareUnitFactory(hsa_id="SE2321000255-A1B2", vardomrade=f.VardomradeFactory())
    header = "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n"
    bad = "".join(f"X{i},SE2321000255-ZZZZ,,igår,,\n" for i in range(600))
    path = write_file(header + bad)
    ran = manage("import_data", "cases", path)
    assert ran.code == 1
    assert ran.errors[:2] == [
        f"{path}:2: unit_hsa_id: enheten 'SE2321000255-ZZZZ' finns inte",
        f"{path}:2: received_at: ogiltig tidpunkt 'igår': använd ISO 8601, t.ex. 2026-06-19T15:00:00+02:00",
    ]
    assert len(ran.errors) == 1000 + 1  # the cap and the count of the rest
    assert ran.errors[1000] == "… och 200 fel till"
    assert ran.err.splitlines()[-1] == "cases: filen avvisades, 1200 fel; inget har skrivits."


def test_clean_runs_every_check_whose_inputs_parsed_and_reports_all_they_find():
    from servicelevel.importing.base import Column, Importer, RowProblem, RowProblems, check
    from servicelevel.importing.fields import parse_count, parse_date, parse_text

    class _Toy(Importer):
        """A kind of its own for the contract of `clean`: checks declare the values they need."""

        kind = "toy"
        key = ("code",)
        columns = (
            Column("code", parse_text),
            Column("low", parse_count),
            Column("high", parse_count),
            Column("when", parse_date, required=False),
        )
        ran: list[str]

        def prepare(self):
            self.ran = []

        @check("low", "high")
        def order(self, values):
            self.ran.append("order")
            if values["low"] > values["high"]:
                raise RowProblem("low", f"{values['low']} är större än high")

        @check("code")
        def known(self, values):
            self.ran.append("known")
            if values["code"].startswith("okänd"):
                raise RowProblem("code", "koden finns inte")
            values["code_id"] = 7  # a value a later check needs

        @check("code_id")
        def limits(self, values):
            self.ran.append("limits")
            raise RowProblems([RowProblem("high", "för högt"), RowProblem("-", "raden duger inte")])

    importer = _Toy()
    header = ["when", "high", "code", "low"]  # the file's order, not the kind's
    rows = iter(
        [
            (2, ["igår", "3", "okänd", "5"]),
            (3, ["", "x", "känd", "1"]),
            (4, ["2026-01-01", "3", "okänd-2", "5"]),  # every cell parsed: the common row's way
            (5, ["2026-01-01", "3", "känd-2", "1"]),
        ]
    )
    rows_kept, errors, clean = validate(importer, Table(header, rows), "toy.csv")
    assert (rows_kept, clean) == ([], 0)
    assert [(e.line, e.column, e.message) for e in errors] == [
        (2, "when", "ogiltigt datum 'igår': använd ÅÅÅÅ-MM-DD"),
        (2, "code", "koden finns inte"),  # `limits` needs code_id, which `known` did not give: skipped
        (2, "low", "5 är större än high"),
        (3, "-", "raden duger inte"),  # the row as a whole comes first
        (3, "high", "ska vara ett heltal ≥ 0, inte 'x'"),  # within a column: the cell's own problem first
        (3, "high", "för högt"),
        (4, "code", "koden finns inte"),
        (4, "low", "5 är större än high"),
        (5, "-", "raden duger inte"),
        (5, "high", "för högt"),
    ]
    # Row 2: `limits` needs code_id, which `known` did not give. Row 3: `order` needs high, which did not
    # parse; a blank optional cell (when) is a value, not a failure.
    assert importer.ran == ["order", "known", "known", "limits", "order", "known", "order", "known", "limits"]
