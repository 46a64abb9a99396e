"""The spec's worked examples through import_data → recompute_compliance → export_compliance / export_cases,
and the export formats of DATA_EXCHANGE.md."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.management.commands.recompute_compliance import Command as RecomputeCommand
from compliance.models import Case, RequirementResult, UnitResult
from compliance.services import evaluate

from . import factories as f
from .helpers import manage

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 15)
A, B, C = "SE2321000255-EXA", "SE2321000255-EXB", "SE2321000255-EXC"
FILES = {
    "units": "hsa_id;name;forvaltning;vardomrade;unit_kind;unit_type;booking_system;has_contact_card;"
    "same_day_contact;provider;active\n"
    f"{A};Exempelmottagningen A;Skånes universitetssjukhus;VO Exempel;VUE;mottagning;PASiS;ja;nej;;ja\n"
    f"{B};Exempelmottagningen B;Skånes universitetssjukhus;VO Exempel;VUE;mottagning;PASiS;ja;nej;;ja\n"
    f"{C};Vårdcentralen Exempel;Primärvård Skåne;Primärvård Exempel;VUE;mottagning;PMO;ja;ja;;ja\n",
    "periods": "code,name,start_date,end_date\n2026-T2,Vår,2026-05-04,2026-08-30\n2026-T3,Höst,2026-08-31,2026-12-31\n",
    "offerings": "unit_hsa_id,kind,code,variant,open\n"
    + "".join(
        f"{u},tjanst,{c},regional,ja\n"
        for u in (A, B, C)
        for c in ["KONTAKT", "FORNYA-RECEPT", "AV-OMBOKA", "BESTALL-TID", "RADGIVNING"]
    )
    + "".join(f"{u},mall,MALL-MEDDELANDE,regional,\n" for u in (A, B, C)),
    "booking": "unit_hsa_id;period;booked_total;booked_visible;booked_cancellable;booked_reschedulable;slots_total;"
    "slots_open_invitation;slots_citizen_bookable;lookahead_weeks\n"
    + "".join(
        f"{u};2026-T2;400;400;400;100;480;0;40;9\n{u};2026-T3;400;400;400;120;500;0;50;9\n" for u in (A, B)
    ),
    "cases": "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n"
    f"X1,{C},KONTAKT,2026-06-19T15:00:00+02:00,2026-06-22T09:00:00+02:00,\n"
    f"X2,{A},KONTAKT,2026-04-02 10:00,,\n"
    f"X3,{A},KONTAKT,2026-10-07T08:00:00+02:00,2026-10-07T09:30:00+02:00,\n"
    f"X4,{A},KONTAKT,2026-10-30T12:00:00+01:00,2026-11-16T08:00:00+01:00,2026-11-02T08:00:00+01:00\n",
    "admin_roles": "person_id,unit_hsa_id,role\n"
    + "".join(f"P-{u},{u},behorighetsadministrator\n" for u in (A, B, C)),
    "exemptions": "exemption_id,unit_hsa_id,requirement_code,reason,valid_from,valid_until,status,ended_on,"
    "justification\n"
    f"AV-1,{B},TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,approved,,PASiS stödjer inte\n"
    f"AV-2,{B},TB3-OPPEN-KALLELSE-ANDEL,teknisk,2026-06-01,2026-12-31,approved,,PASiS stödjer inte\n"
    f"AV-3,{A},TB1-VISA,teknisk,2026-06-01,2026-12-31,approved,,\n",
    "targets": "vardomrade,period,requirement_code,target_share\nVO Exempel,2026-T3,TB2-OMBOKA-ANDEL,0.2\n",
}


@pytest.fixture
def imported(django_capture_on_commit_callbacks):
    """Run an import and what it queues on commit (tests run inside one transaction that never commits)."""

    def run(kind, path, *options):
        with django_capture_on_commit_callbacks(execute=True):
            return manage("import_data", kind, path, *options)

    return run


@pytest.fixture
def region(write_file, imported):
    for kind, text in FILES.items():
        ran = imported(kind, write_file(text, name=f"{kind}.csv"))
        assert ran.code == 0, ran.err


def export_json(as_of="2026-11-15"):
    ran = manage("export_compliance", "--as-of", as_of, "--format", "json")
    assert ran.code == 0, ran.err
    return json.loads(ran.out)


def test_worked_examples_through_the_commands(region):
    doc = export_json()
    assert (doc["as_of"], doc["decision"], doc["current_period"], doc["evaluation_month"]) == (
        "2026-11-15",
        "2026-0000277",
        "2026-T3",
        "2026-10",
    )
    assert (doc["decision_version"], doc["region"]) == ("2.0", "skane")  # the version the results name
    units = {u["hsa_id"]: u for u in doc["units"]}
    assert list(units) == [A, B, C]
    a, b = units[A], units[B]
    assert (a["booking_level"], a["booking_level_with_exemptions"]) == (2, False)
    assert a["requirements"]["TB3-OPPEN-KALLELSE"] == {
        "status": "not_met",
        "exemption_id": None,
        "exemption_unneeded": False,
    }
    assert (b["booking_level"], b["booking_level_with_exemptions"]) == (3, True)
    assert b["requirements"]["TB3-OPPEN-KALLELSE"] == {
        "status": "exempt",
        "exemption_id": "AV-1",
        "exemption_unneeded": False,
    }
    # A met requirement stays met under an exemption, which is then marked unneeded.
    assert a["requirements"]["TB1-VISA"] == {
        "status": "met",
        "exemption_id": "AV-3",
        "exemption_unneeded": True,
    }


def test_response_time_block(region):
    units = {u["hsa_id"]: u for u in export_json()["units"]}
    # X3 in time within 2 h; X4 received 30 Oct, answered 16 Nov (after as-of 15 Nov → not yet) → overdue.
    assert units[A]["response_time"] == {
        "month": "2026-10",
        "assessed": 2,
        "in_time": 1,
        "late_notified": 0,
        "late": 0,
        "overdue": 1,
        "pending": 0,
        "share_in_time": 0.5,
        "share_within_2h": 1.0,
    }
    assert units[A]["requirements"]["SV1-SVARSTID"]["status"] == "not_met"
    # A unit with a contact card and no cases that month: zero counts, null shares.
    assert units[B]["response_time"] == {
        "month": "2026-10",
        "assessed": 0,
        "in_time": 0,
        "late_notified": 0,
        "late": 0,
        "overdue": 0,
        "pending": 0,
        "share_in_time": None,
        "share_within_2h": None,
    }
    assert units[B]["requirements"]["SV1-SVARSTID"]["status"] == "no_data"
    # Seen from 20 Nov, X4's answer of 16 Nov was given, late, after a notice in time.
    later = {u["hsa_id"]: u for u in export_json("2026-11-20")["units"]}
    assert later[A]["response_time"]["late_notified"] == 1 and later[A]["response_time"]["overdue"] == 0


def test_export_cases_worked_examples(region):
    ran = manage("export_cases", "--as-of", "2026-11-15")
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert [r["case_id"] for r in rows] == ["X1", "X2", "X3", "X4"]
    by = {r["case_id"]: r for r in rows}
    assert by["X1"] == {
        "case_id": "X1",
        "unit_hsa_id": C,
        "received_at": "2026-06-19T15:00:00+02:00",
        "first_response_at": "2026-06-22T09:00:00+02:00",
        "delay_notified_at": "",
        "deadline": "2026-06-23T00:00:00+02:00",
        "outcome": "in_time",
    }
    assert by["X2"]["deadline"] == "2026-04-09T00:00:00+02:00" and by["X2"]["outcome"] == "overdue"
    assert by["X4"]["deadline"] == "2026-11-04T00:00:00+01:00"
    assert by["X4"]["first_response_at"] == "2026-11-16T08:00:00+01:00"
    assert by["X4"]["outcome"] == "overdue"


def test_export_cases_filters_by_unit_and_month(region, tmp_path):
    out = tmp_path / "k.csv"
    ran = manage("export_cases", "--as-of", "2026-11-15", "--unit", A, "--month", "2026-10", "--output", out)
    assert ran.code == 0
    assert [r["case_id"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["X3", "X4"]


def test_export_compliance_csv(region, tmp_path):
    out = tmp_path / "c.csv"
    assert manage("export_compliance", "--as-of", "2026-11-15", "--format", "csv", "--output", out).code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 48
    assert list(rows[0]) == ["hsa_id", "requirement_code", "status", "exemption_id", "booking_level"]
    row = next(r for r in rows if r["hsa_id"] == B and r["requirement_code"] == "TB3-OPPEN-KALLELSE")
    assert row == {
        "hsa_id": B,
        "requirement_code": "TB3-OPPEN-KALLELSE",
        "status": "exempt",
        "exemption_id": "AV-1",
        "booking_level": "3",
    }
    c_row = next(r for r in rows if r["hsa_id"] == C)
    assert c_row["booking_level"] == ""  # no figures for the current period → null


def test_inactive_units_are_not_exported(region, write_file):
    text = (
        FILES["units"].splitlines()[0]
        + f"\n{A};Exempelmottagningen A;Skånes universitetssjukhus;VO Exempel;VUE;mottagning;PASiS;ja;nej;;nej\n"
    )
    # Inactive from 1 November (kept over time): not exported for a date after it, still for one before.
    assert manage("import_data", "units", write_file(text), "--valid-from", "2026-11-01").code == 0
    assert [u["hsa_id"] for u in export_json()["units"]] == [B, C]
    assert [u["hsa_id"] for u in export_json("2026-10-31")["units"]] == [A, B, C]


def test_export_never_shows_results_older_than_the_data(region, write_file):
    manage("recompute_compliance", "--as-of", "2026-11-15")
    booking = FILES["booking"].splitlines()[0] + f"\n{A};2026-T3;400;399;400;120;500;0;50;9\n"
    assert manage("import_data", "booking", write_file(booking)).code == 0
    units = {u["hsa_id"]: u for u in export_json()["units"]}
    # Stored results said met; the new figures make TB1-VISA not met, which AV-3 covers.
    assert units[A]["requirements"]["TB1-VISA"] == {
        "status": "exempt",
        "exemption_id": "AV-3",
        "exemption_unneeded": False,
    }
    assert (units[A]["booking_level"], units[A]["booking_level_with_exemptions"]) == (2, True)


def test_recompute_stores_results_naming_the_decision(region):
    ran = manage("recompute_compliance", "--as-of", "2026-11-15")
    assert ran.code == 0, ran.err
    assert UnitResult.objects.filter(as_of="2026-11-15").count() == 3
    result = UnitResult.objects.get(unit__hsa_id=B, as_of="2026-11-15")
    assert result.decision.number == "2026-0000277"
    assert (result.booking_level, result.booking_level_with_exemptions) == (3, True)
    assert RequirementResult.objects.filter(unit_result__as_of="2026-11-15").count() == 48
    visa = RequirementResult.objects.get(unit_result=result, requirement__code="TB1-VISA")
    assert visa.reason == "400 av 400 bokade tider (100 %) syns på 1177.se — alla ska synas"
    # Results of another date are kept; the same date is replaced, not duplicated.
    manage("recompute_compliance", "--as-of", "2026-11-16")
    assert manage("recompute_compliance", "--as-of", "2026-11-15", "--unit", A).code == 0
    assert UnitResult.objects.filter(as_of="2026-11-15").count() == 3
    assert UnitResult.objects.filter(as_of__in=["2026-11-15", "2026-11-16"]).count() == 6


def test_recompute_of_a_past_date_reproduces_what_was_stored(region, time_machine):
    """Facts are kept over time: a past date is judged on the facts that held then, so recomputing it
    needs no option and gives what was stored (docs/rules.md "Facts over time")."""
    time_machine.move_to(datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC))
    assert manage("recompute_compliance", "--as-of", "2026-11-15").code == 0

    def stored():
        return sorted(
            RequirementResult.objects.filter(unit_result__as_of="2026-11-15").values_list(
                "unit_result__unit__hsa_id", "requirement__code", "status", "value", "reason"
            )
        )

    first = stored()
    ran = manage("recompute_compliance", "--as-of", "2026-11-15")
    assert ran.code == 0 and "3 enheter per 2026-11-15" in ran.out
    assert stored() == first
    assert UnitResult.objects.filter(as_of="2026-11-15").count() == 3
    assert manage("recompute_compliance", "--as-of", "2026-11-30").code == 0
    assert manage("recompute_compliance", "--as-of", "2026-11-15", "--unit", "SE2321000255-NONE").code == 2
    assert (
        "--force " not in RecomputeCommand().create_parser("manage.py", "recompute_compliance").format_help()
    )


def test_imports_bring_todays_results_up_to_date(region):
    """The import of each file already recomputed today's results for the units it touched."""
    assert UnitResult.objects.filter(unit__hsa_id=B).exists()


def test_unknown_unit_or_bad_date_is_usage_error(region):
    assert manage("recompute_compliance", "--unit", "SE2321000255-NONE").code == 2
    assert manage("export_compliance", "--as-of", "15/11/2026").code == 2
    assert manage("export_cases", "--month", "2026-13").code == 2


def test_no_period_and_no_units_give_nulls():
    doc = export_json()
    assert doc["current_period"] is None and doc["units"] == [] and doc["evaluation_month"] == "2026-10"


def test_a_unit_without_contact_card_has_null_response_time(region, write_file):
    f.CareUnitFactory(hsa_id="SE2321000255-NOCARD", has_contact_card=False)
    units = {u["hsa_id"]: u for u in export_json()["units"]}
    assert units["SE2321000255-NOCARD"]["response_time"] is None
    assert set(r["status"] for r in units["SE2321000255-NOCARD"]["requirements"].values()) == {
        "not_applicable"
    }
    assert all(r["exemption_id"] is None for r in units["SE2321000255-NOCARD"]["requirements"].values())


def test_changing_same_day_contact_recomputes_the_deadlines(region, write_file, imported):
    x3 = Case.objects.get(case_id="X3")
    assert x3.deadline.isoformat() == "2026-10-09T22:00:00+00:00"  # Wed 7 Oct → end of Fri 9 Oct
    units = FILES["units"].replace(
        f"{A};Exempelmottagningen A;Skånes universitetssjukhus;VO Exempel;VUE;mottagning;PASiS;ja;nej",
        f"{A};Exempelmottagningen A;Skånes universitetssjukhus;VO Exempel;VUE;mottagning;PASiS;ja;ja",
    )
    # Same-day contact from 1 October: the deadline of a case received after it follows the new rule.
    assert imported("units", write_file(units), "--valid-from", "2026-10-01").code == 0
    x3.refresh_from_db()
    assert x3.deadline.isoformat() == "2026-10-08T06:00:00+00:00"  # 24 h: Thu 8 Oct 08:00 local
    assert x3.deadline_same_day is True
    # From a date after the case's receipt: the case keeps the rule of its receipt date.
    assert imported("units", write_file(FILES["units"]), "--valid-from", "2026-10-08").code == 0
    x3.refresh_from_db()
    assert x3.deadline_same_day is True


def test_a_new_closed_day_recomputes_deadlines_around_it(region):
    from compliance.closed_days import add_closed_day

    add_closed_day(date="2026-10-08", name="Stängt för utbildning")
    # Wed 7 Oct: Thu 8 closed → Fri 9, Mon 12 → end of Monday
    assert Case.objects.get(case_id="X3").deadline.isoformat() == "2026-10-12T22:00:00+00:00"


def test_evaluation_query_count_does_not_grow_with_units(django_assert_max_num_queries):
    period = f.SchedulePeriodFactory(code="2026-T3")
    previous = f.SchedulePeriodFactory(code="2026-T2", start_date="2026-05-04", end_date="2026-08-30")

    def make(n):
        for _ in range(n):
            unit = f.CareUnitFactory()
            f.BookingFiguresFactory(unit=unit, period=period)
            f.BookingFiguresFactory(unit=unit, period=previous)
            f.OfferingFactory(unit=unit)
            f.AdminRoleFactory(unit=unit)
            f.AdminRoleFactory(unit=unit, role="lokal_administrator", person_id="SUPER")
            f.CaseFactory(unit=unit)
            f.ExemptionFactory(unit=unit)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            evaluation = evaluate(AS_OF)
        return len(ctx.captured_queries), len(evaluation.units)

    make(5)
    few, n = count_queries()
    assert n == 5
    make(45)
    many, n = count_queries()
    assert n == 50
    assert few == many
    # decision, requirements, profiles (+services), digital-contact services, periods, period ids, units, booking,
    # offerings, roles, local-admin breadth, exemptions, targets, cases
    with django_assert_max_num_queries(14):
        evaluate(AS_OF)


def test_export_cases_keeps_microseconds_and_offsets(region, write_file, imported):
    text = (
        FILES["cases"].splitlines()[0]
        + f"\nX9,{A},KONTAKT,2026-03-29T01:59:59.250000+01:00,2026-03-29T03:00:00.5+02:00,\n"
    )
    assert imported("cases", write_file(text)).code == 0
    rows = {
        r["case_id"]: r
        for r in csv.DictReader(io.StringIO(manage("export_cases", "--as-of", "2026-04-15").out))
    }
    assert rows["X9"]["received_at"] == "2026-03-29T01:59:59.250000+01:00"
    assert rows["X9"]["first_response_at"] == "2026-03-29T03:00:00.500000+02:00"
    assert rows["X9"]["deadline"] == "2026-04-01T00:00:00+02:00"  # Sunday → Mon 30, Tue 31 → end of Tuesday
    assert rows["X9"]["outcome"] == "in_time"


def test_exports_sort_by_code_point_whatever_the_collation(write_file, imported):
    header = FILES["units"].splitlines()[0]
    ids = ["SE2321000255-b1", "SE2321000255-B2", "SE2321000255-A10", "SE2321000255-A9"]
    lines = "".join(f"\n{h};Enhet;Psykiatri;VO P;VUE;annan;ingen;ja;nej;;ja" for h in ids)
    assert imported("units", write_file(header + lines + "\n")).code == 0
    assert [u["hsa_id"] for u in export_json()["units"]] == sorted(ids)
    cases = "case_id,unit_hsa_id,received_at\n" + "".join(
        f"{c},{ids[0]},2026-10-07T08:00\n" for c in ["x-2", "X-10", "X1", "x_1", "Ä1"]
    )
    assert imported("cases", write_file(cases)).code == 0
    out = manage("export_cases", "--as-of", "2026-11-15").out
    assert [r["case_id"] for r in csv.DictReader(io.StringIO(out))] == sorted(
        ["x-2", "X-10", "X1", "x_1", "Ä1"]
    )


def test_an_output_path_that_cannot_be_written_is_a_usage_error(tmp_path):
    ran = manage("export_compliance", "--output", tmp_path / "no" / "such" / "dir" / "c.json")
    assert ran.code == 2 and "kan inte skriva till" in ran.err


def test_a_swedish_excel_booking_file_goes_through_to_the_export(region, write_file, imported):
    """Windows-1252, semicolons, decimal comma, BOM-less — what Excel writes on Swedish Windows."""
    text = (
        "unit_hsa_id;period;booked_total;booked_visible;booked_cancellable;booked_reschedulable;slots_total;"
        f"slots_open_invitation;slots_citizen_bookable;lookahead_weeks\n{A};2026-T3;400;400;400;120;500;0;50;7,5\n"
    )
    assert imported("booking", write_file(text.encode("cp1252"))).code == 0
    units = {u["hsa_id"]: u for u in export_json()["units"]}
    assert units[A]["requirements"]["TB2-FRAMFORHALLNING"]["status"] == "not_met"
    assert units[A]["booking_level"] == 1


def test_an_import_is_kept_when_the_recompute_cannot_be_queued(write_file, imported, monkeypatch, caplog):
    from compliance import receivers

    def broker_down(unit_ids):
        raise ConnectionError("Redis svarar inte")

    monkeypatch.setattr(receivers, "request_recompute", broker_down)
    ran = imported("units", write_file(FILES["units"]))
    assert ran.code == 0 and "units: 3 created" in ran.out
    assert "Resultaten kunde inte räknas om efter units" in caplog.text
    assert [u["hsa_id"] for u in export_json()["units"]] == [A, B, C]
