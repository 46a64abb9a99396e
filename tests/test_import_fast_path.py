"""The cases importer's fast path (CasesImporter.fast_parser) judges the plain rows of a large file
without the full check's bookkeeping. It must never accept a row the full check refuses, and must give
the same record for every row it accepts: here both judge the same generated rows, cell by cell."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.importers import CasesImporter
from servicelevel.importing.base import RowProblem, row_parser

from . import factories as f

pytestmark = pytest.mark.django_db

A, B = "SE2321000255-A1B2", "SE2321000255-A1B3"  # B keeps the same-day promise (24-hour deadlines)
COLUMNS = ["case_id", "unit_hsa_id", "service_code", "received_at", "first_response_at", "delay_notified_at"]
OPTIONAL = ["service_code", "first_response_at", "delay_notified_at"]

times = st.one_of(
    st.datetimes(min_value=datetime.datetime(1899, 12, 1), max_value=datetime.datetime(2101, 1, 31)).map(
        lambda d: d.isoformat(timespec="minutes")
    ),
    st.sampled_from(
        [
            "2026-10-07T08:00",
            "2026-10-07 08:00:00",
            "2026-10-07T08:00:00+02:00",
            "2026-10-07T06:00:00Z",
            "2026-03-29T02:30",  # the spring gap
            "2026-10-25T02:30",  # the autumn repeat
            "20261007T080000",
            "2026-10-07",
            "igår",
            "２０２６-10-07T08:00",  # full-width digits
            "",
            "  ",
        ]
    ),
)
cells = {
    "case_id": st.sampled_from(
        ["X1", "X2", " X3 ", "", "x" * 65, "a\x00b", "19121212-1212", "ärende-1", "K-2026-000001"]
    ),
    "unit_hsa_id": st.sampled_from([A, B, f" {A} ", "SE2321000255-ZZZZ", "inte-ett-hsa-id", ""]),
    "service_code": st.sampled_from(["KONTAKT", "", "s" * 101, "FÖRNYA", "RECEPT"]),
    "received_at": times,
    "first_response_at": times,
    "delay_notified_at": times,
}


@pytest.fixture
def importer():
    vo = f.VardomradeFactory()
    f.CareUnitFactory(hsa_id=A, vardomrade=vo, same_day_contact=False)
    f.CareUnitFactory(hsa_id=B, vardomrade=vo, same_day_contact=True)
    importer = CasesImporter()
    importer.prepare()
    return importer


def full_check(importer, present, cells):
    """The record the full check gives the row, or None when it refuses it."""
    values, problems = row_parser(importer, present)(cells)
    if problems:
        return None
    try:
        return importer.record(importer.clean(values))
    except RowProblem:
        return None


@st.composite
def rows(draw):
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    header = draw(st.permutations([c for c in COLUMNS if c not in OPTIONAL or c in optional]))
    row = [draw(cells[name]) for name in header]
    extra = draw(st.sampled_from([[], [""], ["x"]]))
    cut = draw(st.sampled_from([0, 0, 0, 1]))
    return header, (row + extra)[: len(row) + len(extra) - cut]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows())
def test_the_fast_path_accepts_only_what_the_full_check_accepts_and_gives_the_same_record(importer, drawn):
    header, row = drawn
    present = {name: i for i, name in enumerate(header)}
    fast = importer.fast_parser(present, len(header))(row)
    if fast is not None:
        assert fast == full_check(importer, present, row)
        assert [v.utcoffset() if isinstance(v, datetime.datetime) else v for v in fast] == [
            v.utcoffset() if isinstance(v, datetime.datetime) else v
            for v in full_check(importer, present, row)
        ]


@pytest.mark.parametrize(
    "row",
    [
        ["X1", A, "KONTAKT", "2026-10-07T08:00", "2026-10-08T09:00", ""],
        ["X2", B, "", "2026-10-09T16:30:00+02:00", "", "2026-10-09T17:00:00+02:00"],
        ["X3", B, "KONTAKT", "2026-10-25T02:30", "", ""],  # the repeated hour: the earlier instant
    ],
)
def test_plain_rows_take_the_fast_path(importer, row):
    present = {name: i for i, name in enumerate(COLUMNS)}
    fast = importer.fast_parser(present, len(COLUMNS))(row)
    assert fast is not None and fast == full_check(importer, present, row)


@pytest.mark.parametrize(
    "row",
    [
        ["X1", A, "KONTAKT", "2026-03-29T02:30", "", ""],  # not a Swedish time
        ["X1", "SE2321000255-ZZZZ", "KONTAKT", "2026-10-07T08:00", "", ""],  # no such unit
        ["X1", A, "KONTAKT", "2026-10-07T08:00", "2026-10-07T07:59", ""],  # answered before received
        ["19121212-1212", A, "KONTAKT", "2026-10-07T08:00", "", ""],  # a personnummer
        ["X1", A, "KONTAKT", "", "", ""],  # no receipt time
        ["X1", A, "KONTAKT", "2026-10-07T08:00", ""],  # a cell short
    ],
)
def test_rows_with_a_problem_take_the_full_check(importer, row):
    present = {name: i for i, name in enumerate(COLUMNS)}
    assert importer.fast_parser(present, len(COLUMNS))(row) is None
