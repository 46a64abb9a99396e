"""Bad input: every refusal is `FILE:LINE: COLUMN: message`, exit 1, nothing
written, never a traceback; bad files take bounded work; Excel files as people save them are read."""

import datetime
import zipfile

import openpyxl
import pytest
from django.db import DataError, IntegrityError

from compliance.models import Case
from exemptions.models import Exemption
from servicelevel.importing import reader
from servicelevel.models import AuditEntry, SchedulePeriod
from units.importers import BookingImporter
from units.models import BookingFigures, CareUnit

from . import factories as f
from .helpers import UNITS_HEADER, manage, unit_line

pytestmark = pytest.mark.django_db

MAX_ERRORS = 1000  # servicelevel.importing.run.MAX_ERRORS

A = "SE2321000255-A1B2"
CASES = "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n"
EXEMPTIONS = (
    "exemption_id,unit_hsa_id,requirement_code,reason,valid_from,valid_until,status,ended_on,justification\n"
)
BOOKING = (
    "unit_hsa_id;period;booked_total;booked_visible;booked_cancellable;booked_reschedulable;slots_total;"
    "slots_open_invitation;slots_citizen_bookable;lookahead_weeks\n"
)
TARGETS = "vardomrade,period,requirement_code,target_share\n"
PERIODS = "code,name,start_date,end_date\n"


def rejected(path, kind):
    """Import the file at `path`; assert it was refused, nothing written; the error lines without the path."""
    ran = manage("import_data", kind, path)
    assert ran.code == 1, ran.out
    for line in ran.errors:
        assert line.startswith(f"{path}:") or line.startswith("… och "), line
    return [line.removeprefix(f"{path}:") for line in ran.errors]


def only_error(write_file, kind, text, **kwargs):
    errors = rejected(write_file(text, **kwargs), kind)
    assert len(errors) == 1, errors
    return errors[0]


@pytest.fixture
def unit():
    return f.CareUnitFactory(hsa_id=A, vardomrade=f.VardomradeFactory(name="VO Exempel"))


@pytest.fixture
def period():
    return f.SchedulePeriodFactory(
        code="2026-T3", start_date=datetime.date(2026, 8, 31), end_date=datetime.date(2026, 12, 31)
    )


def booking_line(period="2026-T3", total="400", slots="500", weeks="9"):
    return f"{A};{period};{total};0;0;0;{slots};0;0;{weeks}\n"


# instants and dates in a sensible range ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:10", "1899-12-31T23:59", "2101-01-01T00:00", "9999-12-31T23:59"]
)
def test_instants_outside_1900_to_2100_are_refused(write_file, unit, value):
    error = only_error(write_file, "cases", CASES + f"X1,{A},,{value},,\n")
    assert error.startswith(f"2: received_at: ogiltig tidpunkt '{value}': året ska vara 1900–2100"), error
    assert not Case.objects.exists()


def test_instants_at_the_edges_of_the_range_are_taken(write_file, unit):
    text = CASES + f"X1,{A},,1900-01-01T12:00,,\nX2,{A},,2100-12-31T12:00,,\n"
    assert manage("import_data", "cases", write_file(text)).code == 0
    assert Case.objects.count() == 2


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2101-01-01"])
def test_dates_outside_1900_to_2100_are_refused(write_file, unit, value):
    row = f"AV-1,{A},TB3-OPPEN-KALLELSE,teknisk,{value},2026-12-31,approved,,\n"
    error = only_error(write_file, "exemptions", EXEMPTIONS + row)
    assert error.startswith(f"2: valid_from: ogiltigt datum '{value}': året ska vara 1900–2100"), error


def test_dates_in_another_iso_form_or_digits_are_refused(write_file):
    for value in ("20260101", "2026-W01-1", "２０２６-01-01"):
        error = only_error(write_file, "periods", PERIODS + f"P1,,{value},2026-12-31\n")
        assert error.startswith("2: start_date: ogiltigt datum"), error


# lengths, NUL bytes, integers beyond the column --------------------------------------------------------


def test_a_name_longer_than_its_column_is_refused(write_file):
    error = only_error(write_file, "units", UNITS_HEADER + unit_line(name="N" * 250))
    assert error == f"2: name: för långt, högst 200 tecken (är 250): {'N' * 60!r}…", error
    assert not CareUnit.objects.exists()


def test_a_case_id_longer_than_its_column_is_refused(write_file, unit):
    error = only_error(write_file, "cases", CASES + f"{'C' * 65},{A},,2026-06-01T10:00,,\n")
    assert error.startswith("2: case_id: för långt, högst 64 tecken (är 65)"), error
    assert (
        manage("import_data", "cases", write_file(CASES + f"{'C' * 64},{A},,2026-06-01T10:00,,\n")).code == 0
    )


def test_a_period_code_longer_than_its_column_is_refused(write_file):
    error = only_error(write_file, "periods", PERIODS + f"{'P' * 21},,2026-01-01,2026-06-30\n")
    assert error.startswith("2: code: för långt, högst 20 tecken (är 21)"), error
    assert not SchedulePeriod.objects.exists()


def test_the_length_limits_come_from_the_model_fields():
    columns = {c.name: c for c in BookingImporter.columns}
    assert columns["period"].max_length == SchedulePeriod._meta.get_field("code").max_length


def test_a_nul_byte_is_refused_with_a_clear_message(write_file, unit):
    error = only_error(write_file, "cases", CASES + f"X\x001,{A},,2026-06-01T10:00,,\n")
    assert error.startswith("2: case_id: innehåller ett NUL-tecken"), error
    error = only_error(write_file, "units", UNITS_HEADER + unit_line(name="Vård\x00central"))
    assert error.startswith("2: name: innehåller ett NUL-tecken"), error


def test_a_count_beyond_the_integer_column_is_refused(write_file, unit, period):
    error = only_error(write_file, "booking", BOOKING + booking_line(total="2147483648", slots="1"))
    assert error == "2: booked_total: högst 2147483647, inte '2147483648'", error
    big = "9" * 30  # beyond 64 bits too: SQLite would raise OverflowError
    error = only_error(write_file, "booking", BOOKING + booking_line(total=big))
    assert error.startswith("2: booked_total: högst 2147483647"), error
    ran = manage("import_data", "booking", write_file(BOOKING + booking_line(total="2147483647", slots="0")))
    assert ran.code == 0, ran.err
    assert BookingFigures.objects.get().booked_total == 2147483647


def test_a_huge_number_of_weeks_is_refused_not_a_traceback(write_file, unit, period):
    error = only_error(write_file, "booking", BOOKING + booking_line(weeks="9" * 40))
    assert error.startswith("2: lookahead_weeks: högst två decimaler och under 10 000 veckor"), error


# digits that are not ASCII --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1²", "١٢", "１２", "12\u0663"])
def test_counts_take_ascii_digits_only(write_file, unit, period, value):
    error = only_error(write_file, "booking", BOOKING + booking_line(total=value))
    assert error == f"2: booked_total: ska vara ett heltal ≥ 0, inte {value!r}", error


@pytest.mark.parametrize("hsa_id", ["SE２３２１０００２５５-A1B2", "SE2321000255-A1B２", "SE232100025٥-A1B2"])
def test_hsa_ids_take_ascii_digits_only(write_file, hsa_id):
    error = only_error(write_file, "units", UNITS_HEADER + unit_line(hsa=hsa_id))
    assert error.startswith("2: hsa_id: ogiltigt HSA-id"), error
    assert not CareUnit.objects.exists()


@pytest.mark.parametrize("value", ["1e3", "1E1", "0.5e-1", "１", "1_0"])
def test_decimals_take_no_exponent_nor_other_digits(write_file, unit, period, value):
    error = only_error(write_file, "booking", BOOKING + booking_line(weeks=value))
    assert error.startswith("2: lookahead_weeks: ska vara ett tal (decimalpunkt eller decimalkomma)"), error


def test_target_share_takes_no_exponent(write_file, unit, period):
    error = only_error(write_file, "targets", TARGETS + "VO Exempel,2026-T3,TB2-OMBOKA-ANDEL,5e-1\n")
    assert error.startswith("2: target_share: ska vara ett tal (decimalpunkt eller decimalkomma)"), error


# personal identity numbers in disguise ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "19121212 1212",
        "121212 1212",
        "19121212–1212",  # en dash
        "19121212—1212",  # em dash
        "19121212−1212",  # minus sign
        "121212_1212",
        "１２１２１２-１２１２",  # full-width
        "１９１２１２１２１２１２",
        "19121212\u00a01212",
        "١٢١٢١٢-١٢١٢",  # Arabic-Indic
        "ärende １２１２１２－１２１２",
    ],
)
def test_cases_refuse_personal_identity_numbers_written_with_look_alikes(write_file, unit, value):
    error = only_error(write_file, "cases", CASES + f"X1,{A},{value},2026-06-01T10:00,,\n")
    assert error.startswith("2: service_code: ser ut som ett personnummer"), error


# local times that do not exist or exist twice -------------------------------------------------------


def test_a_local_time_in_the_spring_gap_is_an_error_naming_it(write_file, unit):
    error = only_error(write_file, "cases", CASES + f"X1,{A},,2026-03-29T02:30,,\n")
    assert error.startswith("2: received_at: tidpunkten '2026-03-29T02:30' finns inte"), error
    assert "sommartid" in error


def test_an_ambiguous_local_time_takes_the_earlier_instant(write_file, unit):
    assert manage("import_data", "cases", write_file(CASES + f"X1,{A},,2026-10-25T02:30,,\n")).code == 0
    received = Case.objects.get().received_at
    assert received == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)  # 02:30+02:00


def test_the_database_s_last_word_is_a_clear_message_not_a_traceback(write_file, unit, monkeypatch):
    from compliance.importers import CasesImporter

    for error in (IntegrityError("check constraint x"), DataError("value out of range")):

        def broken(self, rows, error=error):
            raise error

        monkeypatch.setattr(CasesImporter, "write", broken)
        monkeypatch.setattr(CasesImporter, "finish", lambda self, error=error: broken(self, [], error))
        errors = rejected(write_file(CASES + f"X1,{A},,2026-06-01T10:00,,\n"), "cases")
        assert len(errors) == 1 and errors[0].startswith("1: -: databasen avvisade filen"), errors
        assert "ett fel i portalen" in errors[0]


# exemptions: ended_on ----------------------------------------------------------------------------------


def test_a_revoked_exemption_may_not_end_before_it_began(write_file, unit):
    row = f"AV-1,{A},TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,revoked,2026-05-31,\n"
    error = only_error(write_file, "exemptions", EXEMPTIONS + row)
    assert error == "2: ended_on: 2026-05-31 är före valid_from 2026-06-01", error
    assert not Exemption.objects.exists()


# the file's name in the audit trail ------------------------------------------------------------------


def test_a_good_file_with_a_long_name_imports(write_file):
    name = "enheter_" + "x" * 150 + "_2026-06.csv"
    ran = manage("import_data", "units", write_file(UNITS_HEADER + unit_line(), name=name))
    assert ran.code == 0, ran.err
    entry = AuditEntry.objects.get(action="import")
    assert len(entry.object_id) <= 100 and entry.object_id.endswith("x_2026-06.csv")
    assert entry.object_id.startswith("…")


# bounded work on bad files ---------------------------------------------------------------------------


def test_at_most_the_cap_of_messages_then_one_line_counting_the_rest(write_file, unit):
    bad = "".join(f"X{i},{A},,igår,,\n" for i in range(MAX_ERRORS + 1234))
    ran = manage("import_data", "cases", write_file(CASES + bad))
    assert ran.code == 1
    lines = ran.err.splitlines()
    assert len(lines) == MAX_ERRORS + 2, lines[-3:]  # the cap, the count of the rest, the summary
    assert lines[MAX_ERRORS - 1].endswith(
        "received_at: ogiltig tidpunkt 'igår': använd ISO 8601, t.ex. 2026-06-19T15:00:00+02:00"
    )
    assert lines[MAX_ERRORS] == "… och 1 234 fel till"
    assert f"{MAX_ERRORS + 1234} fel" in lines[-1]


def test_a_huge_cell_is_quoted_short(write_file, unit, period):
    error = only_error(write_file, "booking", BOOKING + booking_line(total="x" * 100_000))
    assert error == f"2: booked_total: ska vara ett heltal ≥ 0, inte {'x' * 60!r}…"


def test_a_field_of_absurd_size_is_refused_with_a_clear_message(write_file, unit):
    error = only_error(write_file, "cases", CASES + f"X1,{A},{'x' * 200_000},2026-06-01T10:00,,\n")
    assert error.startswith("2: -: ett fält är längre än"), error


def test_a_header_line_of_absurd_size_is_refused_with_a_clear_message(write_file):
    for header in ("case_id," + "x" * 10_000_000, ";".join(f"c{i}" for i in range(2_000_000))):
        error = only_error(write_file, "cases", header + "\nX1,SE2321000255-A1B2,,2026-06-01T10:00,,\n")
        assert error.startswith("1: -: rubrikraden är längre än"), error


def test_unknown_columns_are_capped_too(write_file):
    header = "case_id,unit_hsa_id,received_at," + ",".join(f"c{i}" for i in range(2000))
    errors = rejected(write_file(header + "\n"), "cases")
    assert len(errors) == MAX_ERRORS + 1 and errors[-1] == "… och 1 000 fel till", errors[-3:]


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_loaded(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["case_id"])
    book.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (3 << 20))  # 3 MB, a few kB packed
    monkeypatch.setattr(reader, "XLSX_MAX_UNPACKED", 2 << 20)
    errors = rejected(path, "cases")
    assert len(errors) == 1 and errors[0].startswith("1: -: Excel-filen packas upp till"), errors


# Excel as people save it --------------------------------------------------------------------------------


def xlsx(tmp_path, header, *rows):
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    path = tmp_path / "data.xlsx"
    book.save(path)
    return path


def test_date_cells_of_an_xlsx_are_taken_in_date_columns(tmp_path, unit):
    path = xlsx(
        tmp_path,
        EXEMPTIONS.strip().split(","),
        ["AV-1", A, "TB3-OPPEN-KALLELSE", "teknisk", datetime.date(2026, 6, 1), datetime.datetime(2031, 1, 1)]
        + ["revoked", datetime.datetime(2026, 9, 1), ""],
    )
    ran = manage("import_data", "exemptions", path)
    assert ran.code == 0, ran.err
    exemption = Exemption.objects.get()
    assert (exemption.valid_from, exemption.valid_until, exemption.ended_on) == (
        datetime.date(2026, 6, 1),
        datetime.date(2031, 1, 1),
        datetime.date(2026, 9, 1),
    )


def test_a_date_time_cell_that_is_not_midnight_is_no_date(tmp_path, unit):
    path = xlsx(
        tmp_path,
        EXEMPTIONS.strip().split(","),
        ["AV-1", A, "TB3-OPPEN-KALLELSE", "teknisk", datetime.datetime(2026, 6, 1, 10, 0), "2026-12-31"]
        + ["approved", None, None],
    )
    errors = rejected(path, "exemptions")
    assert len(errors) == 1 and errors[0].startswith("2: valid_from: ogiltigt datum"), errors


def test_date_time_cells_of_an_xlsx_are_taken_in_date_time_columns(tmp_path, unit):
    path = xlsx(
        tmp_path,
        CASES.strip().split(","),
        ["X1", A, None, datetime.datetime(2026, 6, 1, 10, 0), datetime.datetime(2026, 6, 1, 11, 0), None],
    )
    ran = manage("import_data", "cases", path)
    assert ran.code == 0, ran.err
    assert Case.objects.get().received_at == datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)


def test_whole_number_floats_of_an_xlsx_are_taken_as_counts(tmp_path, unit, period):
    header = BOOKING.strip().split(";")
    path = xlsx(tmp_path, header, [A, "2026-T3", 12.0, 10.0, 0, 0, 500.0, 0, 0, 8.5])
    ran = manage("import_data", "booking", path)
    assert ran.code == 0, ran.err
    figures = BookingFigures.objects.get()
    assert (figures.booked_total, figures.booked_visible, figures.slots_total) == (12, 10, 500)


def test_a_small_float_of_an_xlsx_is_written_without_exponent():
    assert reader._cell_text(1.5e-07) == "0.00000015"


def test_a_bom_followed_by_windows_1252_is_one_clear_message(write_file):
    text = UNITS_HEADER + unit_line() + unit_line(hsa="SE2321000255-A1B3", name="Vårdcentralen Höör")
    errors = rejected(write_file(b"\xef\xbb\xbf" + text.encode("cp1252")), "units")
    assert len(errors) == 1, errors
    # The first byte that is not UTF-8 is the å of line 2's "Vårdcentralen".
    assert errors[0].startswith("2: -: filen börjar med UTF-8-märket (BOM) men är inte UTF-8"), errors
    assert not CareUnit.objects.exists()
