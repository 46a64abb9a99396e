"""Facts over time (docs/rules.md "Facts over time"): every past date judged on the facts valid then,
corrections that reach back, export_facts round trips, and the deadline of a case by the same-day contact
of its receipt date."""

import csv
import datetime
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.models import Case, RecomputeJob, RequirementResult, UnitResult, region_calendar
from compliance.services import recompute
from servicelevel.models import AuditEntry
from servicelevel.validity import BEGINNING, Span, overlap, restate
from tests.helpers import UNITS_HEADER, unit_line
from tests.helpers import manage as manage_in_transaction
from units.models import AdminRole, CareUnit, CareUnitVersion, Offering

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-12-07 12:00 +01:00"
D = datetime.date
HSA = "SE2321000255-A1B2"

PERIODS = "code,name,start_date,end_date\n2026-T2,,2026-05-01,2026-08-31\n2026-T3,,2026-09-01,2026-12-31\n"
OFFERINGS_OLD = f"unit_hsa_id,kind,code,variant,open\n{HSA},tjanst,KONTAKT,regional,true\n"
OFFERINGS_NEW = (
    OFFERINGS_OLD + f"{HSA},tjanst,FORNYA-RECEPT,regional,true\n{HSA},tjanst,EGEN-TJANST,lokal,true\n"
)


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    global manage

    def manage(*args):
        # What a commit sets off (deadlines, the recompute, a correction's job) runs as it would.
        with django_capture_on_commit_callbacks(execute=True):
            return manage_in_transaction(*args)

    yield


@pytest.fixture
def region(write_file):
    """One unit, its periods and its offering, imported as a region's first files (no dates: they hold
    from the beginning), with results stored for three past dates and today."""
    for kind, text in (
        ("units", UNITS_HEADER + unit_line()),
        ("periods", PERIODS),
        ("offerings", OFFERINGS_OLD),
    ):
        ran = manage("import_data", kind, write_file(text, f"{kind}.csv"))
        assert ran.code == 0, ran.err
    for day in (D(2026, 9, 30), D(2026, 10, 15), D(2026, 10, 31), D(2026, 11, 15), D(2026, 12, 7)):
        recompute(as_of=day)
    return CareUnit.objects.get(hsa_id=HSA)


def stored(day) -> dict:
    """The stored results of the unit on a date: {code: (status, reason)} with the level."""
    result = UnitResult.objects.get(as_of=day, unit__hsa_id=HSA)
    rows = RequirementResult.objects.filter(unit_result=result).values_list(
        "requirement__code", "status", "value", "reason"
    )
    return {"level": result.booking_level, **{code: rest for code, *rest in rows}}


def export(day) -> dict:
    ran = manage("export_compliance", "--as-of", day.isoformat(), "--format", "json")
    assert ran.code == 0, ran.err
    return json.loads(ran.out)


def test_first_files_hold_from_the_beginning(region):
    assert region.valid_from == BEGINNING
    assert Offering.objects.get(unit=region).valid_from == BEGINNING
    assert [u["hsa_id"] for u in export(D(2026, 3, 1))["units"]] == [HSA]


def test_offerings_from_1_november_leave_october_as_it_was(region, write_file):
    october = {day: stored(day) for day in (D(2026, 10, 15), D(2026, 10, 31))}
    october_export = export(D(2026, 10, 31))
    november_before = stored(D(2026, 11, 15))

    ran = manage("import_data", "offerings", write_file(OFFERINGS_NEW), "--valid-from", "2026-11-01")
    assert ran.code == 0, ran.err
    assert ran.out.startswith("offerings: 2 created, 0 updated, 1 unchanged")
    # One stored date lies from 1 November on and before today: 15 November (today's is recomputed anyway).
    assert "gäller från 2026-11-01 (rättelse: 1 sparat datum, 2026-11-15, räknas om för 1 enhet)" in ran.out

    for day, results in october.items():
        assert stored(day) == results
    assert export(D(2026, 10, 31)) == october_export
    assert stored(D(2026, 11, 15)) != november_before  # judged again: the new services count
    versions = Offering.versions.filter(unit=region, code="FORNYA-RECEPT").values_list(
        "valid_from", "valid_to"
    )
    assert list(versions) == [(D(2026, 11, 1), None)]
    job = RecomputeJob.objects.get()
    assert (job.since, job.status, job.dates_done, job.dates_total) == (D(2026, 11, 1), "done", 1, 1)


def test_correction_from_1_october_changes_october_and_only_from_then(region, write_file):
    september, october = stored(D(2026, 9, 30)), stored(D(2026, 10, 15))
    ran = manage("import_data", "offerings", write_file(OFFERINGS_NEW), "--valid-from", "2026-10-01")
    assert ran.code == 0, ran.err
    assert "rättelse: 3 sparade datum, 2026-10-15–2026-11-15" in ran.out
    assert stored(D(2026, 9, 30)) == september
    assert stored(D(2026, 10, 15)) != october
    entry = AuditEntry.objects.filter(action="import", object_type="offerings").latest("id")
    assert entry.detail["valid_from"] == "2026-10-01"
    assert "rättelse" in entry.detail["correction"]


def test_dry_run_says_which_stored_dates_it_alters_and_writes_nothing(region, write_file):
    ran = manage(
        "import_data", "offerings", write_file(OFFERINGS_NEW), "--valid-from", "2026-10-20", "--dry-run"
    )
    assert ran.code == 0, ran.err
    assert "rättelse: 2 sparade datum, 2026-10-31–2026-11-15" in ran.out
    assert Offering.versions.filter(unit=region).count() == 1
    assert not RecomputeJob.objects.exists()


def test_recompute_of_a_past_date_needs_no_force_and_reproduces_what_was_stored(region):
    before = {day: stored(day) for day in (D(2026, 9, 30), D(2026, 11, 15))}
    for day in before:
        ran = manage("recompute_compliance", "--as-of", day.isoformat())
        assert ran.code == 0, ran.err
        assert stored(day) == before[day]
    with pytest.raises(TypeError, match="force"):
        recompute(as_of=D(2026, 11, 15), force=True)  # the refusal and its way round it went


def test_a_unit_that_moved_area_keeps_its_history(region, write_file):
    moved = unit_line(vo="Primärvård Nordost", name="Vårdcentralen Ny")
    ran = manage("import_data", "units", write_file(UNITS_HEADER + moved), "--valid-from", "2026-11-01")
    assert ran.code == 0, ran.err
    assert ran.out.startswith("units: 0 created, 1 updated, 0 unchanged")
    october = {u["hsa_id"]: u for u in export(D(2026, 10, 31))["units"]}[HSA]
    november = {u["hsa_id"]: u for u in export(D(2026, 11, 15))["units"]}[HSA]
    assert (october["vardomrade"], october["name"]) == ("Primärvård Sydväst", "Vårdcentralen Exempel")
    assert (november["vardomrade"], november["name"]) == ("Primärvård Nordost", "Vårdcentralen Ny")
    region.refresh_from_db()
    assert (region.name, region.valid_from) == ("Vårdcentralen Ny", D(2026, 11, 1))
    assert list(CareUnitVersion.objects.values_list("valid_from", "valid_to", "name")) == [
        (BEGINNING, D(2026, 11, 1), "Vårdcentralen Exempel")
    ]


def test_a_unit_made_inactive_from_a_date_is_not_judged_after_it(region, write_file):
    closed = unit_line(active="nej")
    assert (
        manage("import_data", "units", write_file(UNITS_HEADER + closed), "--valid-from", "2026-11-01").code
        == 0
    )
    assert UnitResult.objects.filter(as_of=D(2026, 11, 15)).count() == 0  # the correction removed it
    assert UnitResult.objects.filter(as_of=D(2026, 10, 31)).count() == 1


def test_restating_from_a_past_date_what_already_held_changes_nothing(region, write_file):
    ran = manage("import_data", "offerings", write_file(OFFERINGS_OLD), "--valid-from", "2026-10-01")
    assert ran.out.startswith("offerings: 0 created, 0 updated, 1 unchanged"), ran.out
    assert not RecomputeJob.objects.exists()


@pytest.mark.parametrize("kind", ["units", "offerings", "admin_roles"])
def test_export_facts_round_trips(region, write_file, tmp_path, kind):
    roles = f"person_id,unit_hsa_id,role\nSE2321000255-P1,{HSA},behorighetsadministrator\n"
    assert manage("import_data", "admin_roles", write_file(roles, "roles.csv")).code == 0
    assert (
        manage("import_data", "offerings", write_file(OFFERINGS_NEW), "--valid-from", "2026-11-01").code == 0
    )
    moved = UNITS_HEADER + unit_line(vo="Primärvård Nordost")
    assert manage("import_data", "units", write_file(moved, "u.csv"), "--valid-from", "2026-11-10").code == 0
    for day in ("2026-10-15", "2026-11-05", "2026-12-07"):
        out = tmp_path / f"{kind}-{day}.csv"
        ran = manage("export_facts", kind, "--as-of", day, "--output", out)
        assert ran.code == 0, ran.err
        versions = (
            list(Offering.versions.values_list("id", "valid_from", "valid_to")),
            list(AdminRole.versions.values_list("id", "valid_from", "valid_to")),
            list(CareUnitVersion.objects.values_list("id", "valid_from", "valid_to")),
        )
        again = manage("import_data", kind, out, "--valid-from", day)
        assert again.code == 0, again.err
        assert " 0 created, 0 updated" in again.out, again.out
        assert versions == (
            list(Offering.versions.values_list("id", "valid_from", "valid_to")),
            list(AdminRole.versions.values_list("id", "valid_from", "valid_to")),
            list(CareUnitVersion.objects.values_list("id", "valid_from", "valid_to")),
        )
    rows = list(csv.DictReader(io.StringIO((tmp_path / f"{kind}-2026-10-15.csv").read_text())))
    if kind == "offerings":
        assert [r["code"] for r in rows] == ["KONTAKT"]
    if kind == "units":
        assert rows[0]["vardomrade"] == "Primärvård Sydväst"


def test_valid_from_after_today_or_for_another_kind_is_wrong_usage(region, write_file):
    later = manage("import_data", "offerings", write_file(OFFERINGS_NEW), "--valid-from", "2026-12-08")
    assert later.code == 2 and "efter i dag" in later.err
    other = manage("import_data", "periods", write_file(PERIODS), "--valid-from", "2026-12-01")
    assert other.code == 2 and "gäller bara" in other.err


def test_deadline_follows_the_same_day_contact_of_the_receipt_date(region, write_file):
    cases = (
        "case_id,unit_hsa_id,received_at,first_response_at\n"
        f"K1,{HSA},2026-10-20T10:00:00+02:00,\n"
        f"K2,{HSA},2026-11-20T10:00:00+01:00,\n"
    )
    assert manage("import_data", "cases", write_file(cases, "cases.csv")).code == 0
    same_day = UNITS_HEADER + unit_line(same_day="ja")
    assert (
        manage("import_data", "units", write_file(same_day, "u.csv"), "--valid-from", "2026-11-01").code == 0
    )
    k1, k2 = Case.objects.get(case_id="K1"), Case.objects.get(case_id="K2")
    assert (k1.deadline_same_day, k2.deadline_same_day) == (False, True)
    calendar = region_calendar()
    assert k1.deadline == calendar.deadline(k1.received_at, same_day_contact=False)
    assert k2.deadline == calendar.deadline(k2.received_at, same_day_contact=True)
    assert k2.deadline != calendar.deadline(k2.received_at, same_day_contact=False)
    # A file imported afterwards takes the same rule at import.
    assert manage("import_data", "cases", write_file(cases.replace("K", "L"), "c2.csv")).code == 0
    assert list(
        Case.objects.filter(case_id__startswith="L")
        .order_by("case_id")
        .values_list("deadline_same_day", flat=True)
    ) == [False, True]


# --- The rule itself, pure ---------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=60).map(lambda n: D(2026, 1, 1) + datetime.timedelta(days=n))
values = st.sampled_from([None, ("a",), ("b",)])


@given(st.lists(st.tuples(days, values), max_size=8), days)
def test_restate_keeps_versions_apart_and_changes_only_until_the_next_change(changes, probe):
    spans: list[Span] = []
    for day, value in changes:
        before = list(spans)
        spans = restate(spans, day, value)
        assert overlap(spans) is None
        later = [s.start for s in before if s.start > day] + [s.end for s in before if s.end and s.end > day]
        until = min(later, default=None)
        for s in spans:
            assert s.end is None or s.end > s.start
        on = next((s.values for s in spans if s.holds_on(day)), None)
        assert on == value
        # Dates before the change and from the next recorded change on read as before.
        for check in (day - datetime.timedelta(days=1), until):
            if check is not None and check >= D(2026, 1, 1):
                was = next((s.values for s in before if s.holds_on(check)), None)
                now = next((s.values for s in spans if s.holds_on(check)), None)
                assert now == was, (check, day, value)
    assert restate(spans, probe, next((s.values for s in spans if s.holds_on(probe)), None)) == spans


def test_the_loader_reads_a_fixed_number_of_queries_whatever_the_history(region, write_file):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.loader import load_context, load_units

    def queries(day):
        context = load_context(day)
        with CaptureQueriesContext(connection) as ctx:
            load_units(context)
        return len(ctx.captured_queries)

    plain = queries(D(2026, 10, 15))
    for n, day in enumerate(("2026-09-01", "2026-10-01", "2026-11-01")):
        moved = UNITS_HEADER + unit_line(name=f"Namn {n}")
        assert manage("import_data", "units", write_file(moved, f"u{n}.csv"), "--valid-from", day).code == 0
        assert (
            manage(
                "import_data",
                "offerings",
                write_file(OFFERINGS_NEW if n % 2 else OFFERINGS_OLD),
                "--valid-from",
                day,
            ).code
            == 0
        )
    assert CareUnitVersion.objects.count() == 3
    assert queries(D(2026, 10, 15)) == plain == queries(D(2026, 12, 7))
    names = {
        day: export(day)["units"][0]["name"]
        for day in (D(2026, 8, 31), D(2026, 9, 15), D(2026, 10, 15), D(2026, 12, 7))
    }
    assert names == {
        D(2026, 8, 31): "Vårdcentralen Exempel",
        D(2026, 9, 15): "Namn 0",
        D(2026, 10, 15): "Namn 1",
        D(2026, 12, 7): "Namn 2",
    }


def test_the_write_path_refuses_a_change_from_after_today(region):
    """The rule the forms and the import check is the services' own: nothing is written."""
    from django.core.exceptions import ValidationError

    from units.services import offering_delete, unit_save

    region.name = "Senare namn"
    with pytest.raises(ValidationError, match="efter i dag"):
        unit_save(unit=region, actor=None, valid_from=D(2026, 12, 8))
    with pytest.raises(ValidationError, match="efter i dag"):
        offering_delete(offering=Offering.objects.get(unit=region), actor=None, valid_from=D(2026, 12, 8))
    region.refresh_from_db()
    assert region.name == "Vårdcentralen Exempel" and Offering.objects.filter(unit=region).count() == 1
