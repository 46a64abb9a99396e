"""A case's deadline and its stretch indicator follow the `response_time` parameters of the rulebook version
in force on its local receipt date (RULEBOOKS.md "Response time with parameters"): a new version changes
no earlier case's deadline."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest

from compliance.calendar import ResponseTerms, TermsByDate, VersionTerms, WorkingCalendar
from compliance.deadlines import recompute_deadlines, response_terms
from compliance.models import Case
from servicelevel import rulebooks
from servicelevel.models import Decision
from servicelevel.rulebook_file import parse

from . import factories as f
from .helpers import manage

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Stockholm")
A = "SE2321000255-A1B2"
CASES_HEADER = "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n"
SKANE_PARAMETERS = "parameters: {threshold: 0.95, working_days: 2, same_day_hours: 24, stretch_hours: 2}"


def skane_version(version: str, in_force_from: str, **parameters) -> str:
    """The shipped Skåne file as a new version from `in_force_from`, with response_time parameters changed."""
    text = rulebooks.SHIPPED.joinpath("skane-2026-0000277.yaml").read_text(encoding="utf-8")
    assert SKANE_PARAMETERS in text
    values = {"threshold": 0.95, "working_days": 2, "same_day_hours": 24, "stretch_hours": 2, **parameters}
    text = text.replace(
        SKANE_PARAMETERS, "parameters: {" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"
    )
    text = text.replace('version: "2.0"', f'version: "{version}"', 1)
    return text.replace("in_force_from: 2026-05-11", f"in_force_from: {in_force_from}", 1)


def load(text: str) -> Decision:
    return rulebooks.load(parse(text, "skane-ny.yaml")).decision


def deadline(case_id: str) -> str:
    return Case.objects.get(case_id=case_id).deadline.astimezone(TZ).isoformat()


def import_cases(write_file, lines: str):
    ran = manage("import_data", "cases", write_file(CASES_HEADER + lines))
    assert ran.code == 0, ran.err


@pytest.fixture
def unit():
    return f.CareUnitFactory(hsa_id=A)


# Wed 14 Oct 2026 is received under version 2.0 (2 working days: Thu 15, Fri 16); from Thu 15 Oct the
# new version gives 3 (Fri 16, Mon 19, Tue 20).
BEFORE = f"X1,{A},KONTAKT,2026-10-14T10:00,,\n"
AFTER = f"X2,{A},KONTAKT,2026-10-15T10:00,,\n"


def test_cases_received_before_a_new_version_keep_two_working_days_after_get_three(write_file, unit):
    load(skane_version("2.1", "2026-10-15", working_days=3))
    import_cases(write_file, BEFORE + AFTER)
    assert deadline("X1") == "2026-10-17T00:00:00+02:00"  # end of Friday 16
    assert deadline("X2") == "2026-10-21T00:00:00+02:00"  # end of Tuesday 20


def test_loading_a_version_recomputes_the_deadlines_from_its_first_day(write_file, unit):
    import_cases(write_file, BEFORE + AFTER)
    assert deadline("X2") == "2026-10-20T00:00:00+02:00"  # under 2.0: Fri 16, Mon 19
    load(skane_version("2.1", "2026-10-15", working_days=3))
    assert deadline("X1") == "2026-10-17T00:00:00+02:00"
    assert deadline("X2") == "2026-10-21T00:00:00+02:00"
    assert recompute_deadlines() == 0  # already true: recomputing again changes nothing


def test_same_day_hours_of_the_receipt_dates_version(write_file):
    f.CareUnitFactory(hsa_id=A, same_day_contact=True)
    load(skane_version("2.1", "2026-10-15", same_day_hours=48))
    import_cases(write_file, BEFORE + AFTER)
    assert deadline("X1") == "2026-10-15T10:00:00+02:00"  # 24 hours of working-day time
    assert deadline("X2") == "2026-10-19T10:00:00+02:00"  # 48: Thu 10:00 → Fri 10:00 → Mon 10:00


def test_skanes_deadlines_are_those_of_its_shipped_version(write_file, unit):
    import_cases(write_file, BEFORE + f"X3,{A},KONTAKT,2026-10-16T23:30,,\n")
    assert deadline("X1") == "2026-10-17T00:00:00+02:00"
    assert deadline("X3") == "2026-10-21T00:00:00+02:00"  # Fri 16 → Mon 19, Tue 20


def test_a_version_without_response_time_uses_the_defaults(settings, write_file, unit):
    settings.SERVICELEVEL_REGION = "halland"
    rulebooks.load_shipped()
    assert response_terms().on(datetime.date(2026, 10, 14)) == ResponseTerms()
    import_cases(write_file, BEFORE)
    assert deadline("X1") == "2026-10-17T00:00:00+02:00"


def test_the_stretch_indicator_counts_by_the_receipt_dates_stretch_hours(write_file, unit):
    load(skane_version("2.1", "2026-10-15", stretch_hours=4))
    # Both answered after three hours: within 2 hours under 2.0 no, within 4 under 2.1 yes.
    import_cases(
        write_file,
        f"X1,{A},KONTAKT,2026-10-14T10:00,2026-10-14T13:00,\nX2,{A},KONTAKT,2026-10-15T10:00,2026-10-15T13:00,\n",
    )
    out = manage("export_compliance", "--as-of", "2026-11-15").out
    response = json.loads(out)["units"][0]["response_time"]
    assert (response["in_time"], response["share_within_2h"]) == (2, 0.5)


def test_the_terms_by_date_pick_the_version_as_decision_in_force_does(unit):
    load(skane_version("2.1", "2026-10-15", working_days=3))
    load(skane_version("2.2", "2026-12-01", working_days=4))
    load(skane_version("2.3", "2026-12-01", working_days=5))  # the same day, loaded later: in force
    terms = response_terms()
    by_id = {d.pk: d for d in Decision.of_region()}
    for day in (
        "2026-01-01",
        "2026-05-11",
        "2026-10-14",
        "2026-10-15",
        "2026-11-30",
        "2026-12-01",
        "2027-06-01",
    ):
        day = datetime.date.fromisoformat(day)
        assert by_id[terms.version_on(day).order] == Decision.in_force(day), day
    assert [
        terms.on(datetime.date.fromisoformat(d)).working_days
        for d in ("2026-10-14", "2026-10-15", "2026-12-01")
    ] == [2, 3, 5]


def test_the_pure_calendar_takes_terms_and_defaults_without():
    terms = TermsByDate([VersionTerms(datetime.date(2026, 10, 15), None, 1, ResponseTerms(working_days=3))])
    received = datetime.datetime(2026, 10, 15, 10, tzinfo=TZ)
    assert (
        WorkingCalendar().deadline(received, same_day_contact=False).isoformat()
        == "2026-10-20T00:00:00+02:00"
    )
    assert WorkingCalendar(terms=terms).deadline(received, same_day_contact=False).isoformat() == (
        "2026-10-21T00:00:00+02:00"
    )
    # Before the first version: the first version's terms (as Decision.in_force).
    earlier = datetime.datetime(2026, 10, 14, 10, tzinfo=TZ)
    assert WorkingCalendar(terms=terms).deadline(earlier, same_day_contact=False).isoformat() == (
        "2026-10-20T00:00:00+02:00"
    )
