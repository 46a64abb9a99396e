"""Every validation rule of every importer, each with the line it reports, and each kind's write
semantics (upsert or replace-per-unit)."""

import datetime
from decimal import Decimal

import pytest

from actionplan.models import Target
from compliance.models import Case
from exemptions.models import Exemption
from servicelevel.models import AuditEntry, SchedulePeriod
from units.models import AdminRole, BookingFigures, CareUnit, Offering, Person

from . import factories as f
from .helpers import UNITS_HEADER, manage, unit_line

pytestmark = pytest.mark.django_db

A, B = "SE2321000255-A1B2", "SE2321000255-A1B3"


def rejected(write_file, kind, text):
    """Import `text`; assert it was rejected with nothing written; return the error lines without the path."""
    path = write_file(text)
    ran = manage("import_data", kind, path)
    assert ran.code == 1, ran.out
    return [line.removeprefix(f"{path}:") for line in ran.errors]


@pytest.fixture
def units():
    vo = f.VardomradeFactory(name="VO Exempel")
    return [f.CareUnitFactory(hsa_id=A, vardomrade=vo), f.CareUnitFactory(hsa_id=B, vardomrade=vo)]


@pytest.fixture
def period():
    return f.SchedulePeriodFactory(
        code="2026-T3", start_date=datetime.date(2026, 8, 31), end_date=datetime.date(2026, 12, 31)
    )


# units ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hsa_id, problem",
    [
        ("SE232100025-A1B2", "ogiltigt HSA-id"),  # 9-digit organisation number
        ("SE2321000255A1B2", "ogiltigt HSA-id"),  # dash missing
        ("SE2321000255-", "ogiltigt HSA-id"),  # nothing after the dash
        ("SE2321000255-Å1", "ogiltigt HSA-id"),  # letters A–Z only
        ("SE2321000255-" + "A" * 19, "ska vara 14–31 tecken, är 32"),
    ],
)
def test_units_hsa_id_is_validated(write_file, hsa_id, problem):
    errors = rejected(write_file, "units", UNITS_HEADER + unit_line(hsa=hsa_id))
    assert len(errors) == 1 and errors[0].startswith("2: hsa_id: ") and problem in errors[0]


def test_units_hsa_id_is_trimmed_and_kept_as_given(write_file):
    manage("import_data", "units", write_file(UNITS_HEADER + unit_line(hsa="  SE2321000255-aB12 ")))
    assert CareUnit.objects.get().hsa_id == "SE2321000255-aB12"


@pytest.mark.parametrize("hsa_id", ["SE2321000255-A", "SE2321000255-" + "A" * 18])
def test_units_hsa_id_of_14_and_31_characters_is_valid(write_file, hsa_id):
    assert manage("import_data", "units", write_file(UNITS_HEADER + unit_line(hsa=hsa_id))).code == 0


@pytest.mark.parametrize(
    "column, kwargs, message",
    [
        (
            "unit_type",
            {"utype": "klinik"},
            "ogiltigt värde 'klinik': tillåtna är mottagning, avdelning, annan",
        ),
        ("same_day_contact", {"same_day": "kanske"}, "ogiltigt sant/falskt-värde 'kanske'"),
        ("active", {"active": "x"}, "ogiltigt sant/falskt-värde 'x'"),
        ("name", {"name": ""}, "värde saknas"),
        ("forvaltning", {"fvg": ""}, "värde saknas"),
    ],
)
def test_units_cell_rules(write_file, column, kwargs, message):
    errors = rejected(write_file, "units", UNITS_HEADER + unit_line() + unit_line(hsa=B, **kwargs))
    assert len(errors) == 1 and errors[0].startswith(f"3: {column}: {message}")


def test_units_accept_any_case_for_words(write_file):
    text = UNITS_HEADER + unit_line(
        kind="vue", utype="Mottagning", system="pasis", card="JA", same_day="True"
    )
    assert manage("import_data", "units", write_file(text)).code == 0
    unit = CareUnit.objects.get()
    assert (unit.unit_kind, unit.unit_type, unit.booking_system, unit.same_day_contact) == (
        "VUE",
        "mottagning",
        "PASiS",
        True,
    )


def test_units_vardomrade_cannot_move_between_forvaltningar(write_file):
    text = (
        UNITS_HEADER
        + unit_line(fvg="Skånevård Sund", vo="VO X")
        + unit_line(hsa=B, fvg="Psykiatri", vo="VO X")
    )
    assert rejected(write_file, "units", text) == [
        "3: vardomrade: vårdområdet 'VO X' hör till förvaltningen 'Skånevård Sund'"
    ]


def test_units_create_providers_by_name(write_file):
    manage("import_data", "units", write_file(UNITS_HEADER + unit_line(provider="Capio Vårdcentral AB")))
    assert CareUnit.objects.get().provider.name == "Capio Vårdcentral AB"


# periods -------------------------------------------------------------------------------------------------

PERIODS = "code,name,start_date,end_date\n"


def test_periods_upsert(write_file):
    path = write_file(PERIODS + "2026-T2,Vår,2026-05-04,2026-08-30\n2026-T3,,2026-08-31,2026-12-31\n")
    assert manage("import_data", "periods", path).out.strip() == "periods: 2 created, 0 updated, 0 unchanged"
    assert manage("import_data", "periods", path).out.strip() == "periods: 0 created, 0 updated, 2 unchanged"
    assert SchedulePeriod.objects.get(code="2026-T3").end_date == datetime.date(2026, 12, 31)


def test_periods_end_before_start_is_an_error(write_file):
    assert rejected(write_file, "periods", PERIODS + "P1,,2026-05-04,2026-05-03\n") == [
        "2: end_date: slutdatum 2026-05-03 är före startdatum 2026-05-04"
    ]


def test_periods_may_end_on_the_day_they_start(write_file):
    assert manage("import_data", "periods", write_file(PERIODS + "P1,,2026-05-04,2026-05-04\n")).code == 0


def test_periods_may_not_overlap_in_the_file(write_file):
    errors = rejected(
        write_file, "periods", PERIODS + "P1,,2026-05-04,2026-08-30\nP2,,2026-08-30,2026-12-31\n"
    )
    assert errors == ["3: start_date: perioden överlappar P1 (2026-05-04–2026-08-30) tidigare i filen"]


def test_periods_may_not_overlap_stored_ones(write_file, period):
    errors = rejected(write_file, "periods", PERIODS + "2027-T1,,2026-12-31,2027-04-30\n")
    assert errors == ["2: start_date: perioden överlappar 2026-T3 (2026-08-31–2026-12-31) i portalen"]


def test_periods_a_stored_period_may_be_moved(write_file, period):
    ran = manage("import_data", "periods", write_file(PERIODS + "2026-T3,,2026-09-01,2026-12-31\n"))
    assert ran.out.strip() == "periods: 0 created, 1 updated, 0 unchanged"


@pytest.mark.parametrize("value", ["2026-13-01", "31/12/2026", "2026-02-30"])
def test_periods_dates_are_yyyy_mm_dd(write_file, value):
    assert rejected(write_file, "periods", PERIODS + f"P1,,{value},2026-12-31\n") == [
        f"2: start_date: ogiltigt datum '{value}': använd ÅÅÅÅ-MM-DD"
    ]


# offerings -----------------------------------------------------------------------------------------------

OFFERINGS = "unit_hsa_id,kind,code,variant,open\n"


def test_offerings_replace_per_unit(write_file, units):
    f.OfferingFactory(unit=units[0], code="PROVSVAR")
    f.OfferingFactory(unit=units[1], code="INTYG")  # B is not in the file: left as it is
    text = (
        OFFERINGS
        + f"{A},tjanst,KONTAKT,regional,ja\n{A},tjanst,Min egen tjänst,lokal,nej\n{A},mall,MALL-MEDDELANDE,regional,\n"
    )
    ran = manage("import_data", "offerings", write_file(text))
    assert ran.out.strip() == "offerings: 3 created, 0 updated, 0 unchanged (1 deleted)"
    assert sorted(Offering.objects.filter(unit=units[0]).values_list("code", "variant", "is_open")) == [
        ("KONTAKT", "regional", True),
        ("MALL-MEDDELANDE", "regional", True),
        ("Min egen tjänst", "lokal", False),
    ]
    assert list(Offering.objects.filter(unit=units[1]).values_list("code", flat=True)) == ["INTYG"]
    again = manage("import_data", "offerings", write_file(text))
    assert again.out.strip() == "offerings: 0 created, 0 updated, 3 unchanged"


def test_offerings_regional_codes_must_be_in_the_catalogue(write_file, units):
    text = (
        OFFERINGS
        + f"{A},tjanst,KONTAKT,regional,ja\n{A},tjanst,NOPE,regional,ja\n{A},mall,KONTAKT,regional,\n"
    )
    assert rejected(write_file, "offerings", text) == [
        "3: code: den regionala tjänsten 'NOPE' finns inte",
        "4: code: den regionala mallen 'KONTAKT' finns inte",
    ]


def test_offerings_unknown_unit_kind_and_variant(write_file, units):
    text = (
        OFFERINGS
        + "SE2321000255-ZZZZ,tjanst,KONTAKT,regional,ja\n"
        + f"{A},tjänst,X,regional,\n{A},mall,X,privat,\n"
    )
    assert rejected(write_file, "offerings", text) == [
        "2: unit_hsa_id: enheten 'SE2321000255-ZZZZ' finns inte",
        "3: kind: ogiltigt värde 'tjänst': tillåtna är tjanst, mall, kanal",
        "4: variant: ogiltigt värde 'privat': tillåtna är regional, lokal",
    ]


def test_offerings_open_defaults_to_true(write_file, units):
    manage(
        "import_data",
        "offerings",
        write_file("unit_hsa_id,kind,code,variant\n" + f"{A},tjanst,KONTAKT,regional\n"),
    )
    assert Offering.objects.get().is_open is True


# booking -------------------------------------------------------------------------------------------------

BOOKING = (
    "unit_hsa_id;period;booked_total;booked_visible;booked_cancellable;booked_reschedulable;slots_total;"
    "slots_open_invitation;slots_citizen_bookable;lookahead_weeks\n"
)


def booking_line(
    unit=A,
    period="2026-T3",
    total=400,
    visible=400,
    cancel=400,
    resched=120,
    slots=500,
    open_=0,
    citizen=50,
    weeks="9",
):
    return f"{unit};{period};{total};{visible};{cancel};{resched};{slots};{open_};{citizen};{weeks}\n"


def test_booking_upsert_with_decimal_comma(write_file, units, period):
    path = write_file(BOOKING + booking_line(weeks="8,5"))
    assert manage("import_data", "booking", path).out.strip() == "booking: 1 created, 0 updated, 0 unchanged"
    assert BookingFigures.objects.get().lookahead_weeks == Decimal("8.5")
    assert manage("import_data", "booking", path).out.strip() == "booking: 0 created, 0 updated, 1 unchanged"
    ran = manage("import_data", "booking", write_file(BOOKING + booking_line(visible=380, weeks="8.5")))
    assert ran.out.strip() == "booking: 0 created, 1 updated, 0 unchanged"


@pytest.mark.parametrize(
    "kwargs, column, message",
    [
        ({"visible": 401}, "booked_visible", "401 är fler än booked_total (400)"),
        ({"cancel": 500}, "booked_cancellable", "500 är fler än booked_total (400)"),
        ({"resched": 401}, "booked_reschedulable", "401 är fler än booked_total (400)"),
        ({"open_": 501}, "slots_open_invitation", "501 är fler än slots_total (500)"),
        ({"citizen": 600}, "slots_citizen_bookable", "600 är fler än slots_total (500)"),
        ({"total": -1}, "booked_total", "ska vara ett heltal ≥ 0, inte '-1'"),
        ({"slots": "12,5"}, "slots_total", "ska vara ett heltal ≥ 0, inte '12,5'"),
        ({"weeks": "-1"}, "lookahead_weeks", "ska vara ett tal ≥ 0, inte '-1'"),
        (
            {"weeks": "nio"},
            "lookahead_weeks",
            "ska vara ett tal (decimalpunkt eller decimalkomma), inte 'nio'",
        ),
        ({"weeks": "8,125"}, "lookahead_weeks", "högst två decimaler och under 10 000 veckor, inte '8,125'"),
        ({"unit": "SE2321000255-NONE"}, "unit_hsa_id", "enheten 'SE2321000255-NONE' finns inte"),
        ({"period": "2031-T1"}, "period", "perioden '2031-T1' finns inte"),
    ],
)
def test_booking_rules(write_file, units, period, kwargs, column, message):
    errors = rejected(write_file, "booking", BOOKING + booking_line(unit=B) + booking_line(**kwargs))
    assert errors == [f"3: {column}: {message}"]


# A booking file with problems on two rows: one row with a negative count and a part above its whole,
# another naming a unit that does not exist (with two parts above their wholes). Before, one message a row; now all six.
BOOKING_WITH_PROBLEMS = (
    BOOKING
    + f"{A};2026-T3;300;400;400;120;500;0;-5;9\n"
    + "SE2321000255-OKAND;2026-T3;400;400;400;450;500;600;50;9\n"
)
BOOKING_PROBLEMS = [
    (2, "booked_visible", "400 är fler än booked_total (300)"),
    (2, "booked_cancellable", "400 är fler än booked_total (300)"),
    (2, "slots_citizen_bookable", "ska vara ett heltal ≥ 0, inte '-5'"),
    (3, "unit_hsa_id", "enheten 'SE2321000255-OKAND' finns inte"),
    (3, "booked_reschedulable", "450 är fler än booked_total (400)"),
    (3, "slots_open_invitation", "600 är fler än slots_total (500)"),
]


def test_booking_every_problem_of_every_row(write_file, units, period):
    from servicelevel.importing.run import ImportRejected, run_import

    with pytest.raises(ImportRejected) as rejection:
        run_import("booking", write_file(BOOKING_WITH_PROBLEMS))
    assert [(e.line, e.column, e.message) for e in rejection.value.errors] == BOOKING_PROBLEMS
    assert rejection.value.total == 6
    assert not BookingFigures.objects.exists()


def test_booking_the_command_prints_every_problem(write_file, units, period):
    path = write_file(BOOKING_WITH_PROBLEMS, name="bokning.csv")
    ran = manage("import_data", "booking", path)
    assert ran.code == 1
    assert ran.err.splitlines() == [
        *(f"{path}:{line}: {column}: {message}" for line, column, message in BOOKING_PROBLEMS),
        "booking: filen avvisades, 6 fel; inget har skrivits.",
    ]


def test_booking_duplicate_unit_and_period(write_file, units, period):
    assert rejected(write_file, "booking", BOOKING + booking_line() + booking_line()) == [
        "3: period: nyckeln SE2321000255-A1B2/2026-T3 finns redan på rad 2"
    ]


# cases ---------------------------------------------------------------------------------------------------

CASES = "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n"


def test_cases_store_the_deadline_and_local_times(write_file, units):
    text = (
        CASES
        + f"X1,{A},KONTAKT,2026-04-02 10:00,,\nX2,{A},,2026-10-07T08:00:00+02:00,2026-10-07T09:30:00Z,\n"
    )
    assert (
        manage("import_data", "cases", write_file(text)).out.strip()
        == "cases: 2 created, 0 updated, 0 unchanged"
    )
    x1 = Case.objects.get(case_id="X1")
    assert x1.received_at.isoformat() == "2026-04-02T08:00:00+00:00"
    assert x1.deadline.isoformat() == "2026-04-08T22:00:00+00:00"  # 2026-04-09 00:00 local
    assert Case.objects.get(case_id="X2").first_response_at.isoformat() == "2026-10-07T09:30:00+00:00"


def test_cases_a_later_file_may_add_the_response(write_file, units):
    manage("import_data", "cases", write_file(CASES + f"X1,{A},KONTAKT,2026-10-07T08:00:00+02:00,,\n"))
    ran = manage(
        "import_data",
        "cases",
        write_file(CASES + f"X1,{A},KONTAKT,2026-10-07T08:00:00+02:00,2026-10-08T08:00:00+02:00,\n"),
    )
    assert ran.out.strip() == "cases: 0 created, 1 updated, 0 unchanged"
    assert Case.objects.get().first_response_at is not None


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            f"X9,{A},KONTAKT,2026-10-07T08:00,2026-10-07T07:59,",
            "first_response_at: 2026-10-07T07:59:00+02:00 är före received_at 2026-10-07T08:00:00+02:00",
        ),
        (
            f"X9,{A},KONTAKT,2026-10-07T08:00,,2026-10-06T08:00",
            "delay_notified_at: 2026-10-06T08:00:00+02:00 är före received_at 2026-10-07T08:00:00+02:00",
        ),
        (f"X9,{A},KONTAKT,2026-10-07,,", "received_at: ogiltig tidpunkt '2026-10-07': klockslag saknas"),
        (f"X9,{A},KONTAKT,igår,,", "received_at: ogiltig tidpunkt 'igår': använd ISO 8601"),
        (f"X9,{A},KONTAKT,,,", "received_at: värde saknas"),
        (f",{A},KONTAKT,2026-10-07T08:00,,", "case_id: värde saknas"),
    ],
)
def test_cases_rules(write_file, units, line, expected):
    errors = rejected(write_file, "cases", CASES + f"X1,{A},KONTAKT,2026-10-07T08:00,,\n" + line + "\n")
    assert len(errors) == 1 and errors[0].startswith(f"3: {expected}"), errors


@pytest.mark.parametrize(
    "value",
    ["19121212-1212", "121212-1212", "191212121212", "1212121212", "121272+1212", "ärende 19121212-1212"],
)
def test_cases_refuse_personal_identity_numbers_in_any_column(write_file, units, value):
    for column in ("case_id", "service_code"):
        row = {"case_id": "X1", "service_code": "KONTAKT", column: value}
        errors = rejected(
            write_file, "cases", CASES + f"{row['case_id']},{A},{row['service_code']},2026-10-07T08:00,,\n"
        )
        assert errors == [
            f"2: {column}: ser ut som ett personnummer — portalen tar inte emot personuppgifter om patienter"
        ]


@pytest.mark.parametrize(
    "value", ["ARENDE-2026-000123", "X-123456", "1234567", "C0012345678901", "20261399-1234"]
)
def test_cases_accept_ids_that_are_not_personal_identity_numbers(write_file, units, value):
    ran = manage("import_data", "cases", write_file(CASES + f"{value},{A},KONTAKT,2026-10-07T08:00,,\n"))
    assert ran.code == 0, ran.err


# admin_roles ---------------------------------------------------------------------------------------------

ROLES = "person_id,unit_hsa_id,role\n"


def test_admin_roles_replace_per_unit(write_file, units):
    f.AdminRoleFactory(unit=units[0], person_id="OLD")
    f.AdminRoleFactory(unit=units[1], person_id="KEEP")
    text = ROLES + f"P1,{A},behorighetsadministrator\nP2,{A},lokal_administrator\n"
    ran = manage("import_data", "admin_roles", write_file(text))
    assert ran.out.strip() == "admin_roles: 2 created, 0 updated, 0 unchanged (1 deleted)"
    assert sorted(AdminRole.objects.values_list("person_id", flat=True)) == ["KEEP", "P1", "P2"]
    assert manage("import_data", "admin_roles", write_file(text)).out.strip() == (
        "admin_roles: 0 created, 0 updated, 2 unchanged"
    )


def test_admin_roles_rules(write_file, units):
    text = ROLES + f"P1,{A},superuser\n,{A},lokal_administrator\nP1,SE2321000255-NONE,lokal_administrator\n"
    assert rejected(write_file, "admin_roles", text) == [
        "2: role: ogiltigt värde 'superuser': tillåtna är lokal_administrator, behorighetsadministrator",
        "3: person_id: värde saknas",
        "4: unit_hsa_id: enheten 'SE2321000255-NONE' finns inte",
    ]


def test_admin_roles_keep_accepting_any_opaque_person_id(write_file, units):
    """The file format's person_id is opaque (spec): the HSA-id rule is for what people type in the portal
    and the admin, not for files from other systems."""
    text = ROLES + f"Anna Svensson,{A},behorighetsadministrator\nu12345,{A},lokal_administrator\n"
    ran = manage("import_data", "admin_roles", write_file(text))
    assert ran.code == 0, ran.err
    assert sorted(AdminRole.objects.values_list("person_id", flat=True)) == ["Anna Svensson", "u12345"]


NAMED_ROLES = "person_id,name,unit_hsa_id,role\n"
ANNA, BO = "SE2321000255-P1234", "SE2321000255-P5678"


def test_admin_roles_learn_the_persons_names_from_an_optional_name_column(write_file, units):
    text = (
        NAMED_ROLES
        + f"{ANNA},Anna Svensson,{A},behorighetsadministrator\n"
        + f"{ANNA},Anna Svensson,{B},lokal_administrator\n"
        + f"{BO},,{A},lokal_administrator\n"
    )
    ran = manage("import_data", "admin_roles", write_file(text))
    assert ran.out.strip() == "admin_roles: 3 created, 0 updated, 0 unchanged"
    assert dict(Person.objects.values_list("person_id", "name")) == {ANNA: "Anna Svensson"}
    learnt = AuditEntry.objects.get(action="person_created")
    assert (learnt.object_id, learnt.detail["changes"]["name"]) == (ANNA, [None, "Anna Svensson"])

    # The same file again changes nothing; a new name is a change, an empty cell leaves the name alone.
    assert manage("import_data", "admin_roles", write_file(text)).out.strip() == (
        "admin_roles: 0 created, 0 updated, 3 unchanged"
    )
    renamed = (
        NAMED_ROLES + f"{ANNA},Anna Berg,{A},behorighetsadministrator\n{ANNA},,{B},lokal_administrator\n"
    )
    ran = manage("import_data", "admin_roles", write_file(renamed + f"{BO},,{A},lokal_administrator\n"))
    # A row whose role is as before but whose person's name changed counts as updated.
    assert ran.out.strip() == "admin_roles: 0 created, 2 updated, 1 unchanged"
    assert dict(Person.objects.values_list("person_id", "name")) == {ANNA: "Anna Berg"}
    changed = AuditEntry.objects.get(action="person_changed")
    assert changed.detail["changes"] == {"name": ["Anna Svensson", "Anna Berg"]}


def test_admin_roles_without_the_name_column_leave_known_names_alone(write_file, units):
    Person.objects.create(person_id=ANNA, name="Anna Svensson")
    ran = manage("import_data", "admin_roles", write_file(ROLES + f"{ANNA},{A},behorighetsadministrator\n"))
    assert ran.out.strip() == "admin_roles: 1 created, 0 updated, 0 unchanged"
    assert Person.objects.get(person_id=ANNA).name == "Anna Svensson"


def test_admin_roles_refuse_two_names_for_one_person_and_a_name_too_long(write_file, units):
    text = (
        NAMED_ROLES
        + f"{ANNA},Anna Svensson,{A},behorighetsadministrator\n"
        + f"{ANNA},Anna Berg,{B},lokal_administrator\n"
        + f"{BO},{'x' * 201},{A},lokal_administrator\n"
    )
    assert rejected(write_file, "admin_roles", text) == [
        f"3: name: personen {ANNA!r} har ett annat namn på en tidigare rad i filen ('Anna Svensson')",
        "4: name: för långt, högst 200 tecken (är 201): " + repr("x" * 60) + "…",
    ]
    assert not Person.objects.exists() and not AdminRole.objects.exists()


# exemptions ----------------------------------------------------------------------------------------------

EXEMPTIONS = (
    "exemption_id,unit_hsa_id,requirement_code,reason,valid_from,valid_until,status,ended_on,justification\n"
)


def test_exemptions_upsert_and_audit_as_imported(write_file, units):
    text = (
        EXEMPTIONS
        + f"AV-1,{A},TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,approved,,PASiS stödjer inte\n"
    )
    assert manage("import_data", "exemptions", write_file(text)).out.strip() == (
        "exemptions: 1 created, 0 updated, 0 unchanged"
    )
    exemption = Exemption.objects.get()
    assert exemption.imported and exemption.requirement.code == "TB3-OPPEN-KALLELSE"
    assert AuditEntry.objects.filter(action="exemption_imported", object_id="AV-1").count() == 1
    assert manage("import_data", "exemptions", write_file(text)).out.strip() == (
        "exemptions: 0 created, 0 updated, 1 unchanged"
    )
    assert AuditEntry.objects.filter(action="exemption_imported").count() == 1


@pytest.mark.parametrize(
    "row, expected",
    [
        (
            "TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-05-31,approved,",
            "valid_until: 2026-05-31 är före valid_from 2026-06-01",
        ),
        ("TB3-OPPEN-KALLELSE,teknisk,2026-06-01,,approved,", "valid_until: värde saknas"),
        ("TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,revoked,", "ended_on: krävs för status revoked"),
        (
            "TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,approved,2026-07-01",
            "ended_on: ska vara tomt utom för status revoked",
        ),
        (
            "TB9-FINNS-INTE,teknisk,2026-06-01,2026-12-31,approved,",
            "requirement_code: kravet 'TB9-FINNS-INTE' finns inte",
        ),
        ("TB3-OPPEN-KALLELSE,ekonomi,2026-06-01,2026-12-31,approved,", "reason: ogiltigt värde 'ekonomi'"),
        ("TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,pending,", "status: ogiltigt värde 'pending'"),
    ],
)
def test_exemptions_rules(write_file, units, row, expected):
    errors = rejected(write_file, "exemptions", EXEMPTIONS + f"AV-1,{A},{row},\n")
    assert len(errors) == 1 and errors[0].startswith(f"2: {expected}"), errors


def test_exemptions_revoked_with_ended_on(write_file, units):
    text = (
        EXEMPTIONS
        + f"AV-1,{A},TB3-OPPEN-KALLELSE,patientsakerhet,2026-06-01,2026-12-31,revoked,2026-09-01,\n"
    )
    assert manage("import_data", "exemptions", write_file(text)).code == 0
    assert Exemption.objects.get().ended_on == datetime.date(2026, 9, 1)


# targets -------------------------------------------------------------------------------------------------

TARGETS = "vardomrade,period,requirement_code,target_share\n"


def test_targets_upsert_with_decimal_comma(write_file, units, period):
    text = TARGETS + '"VO Exempel",2026-T3,TB2-OMBOKA-ANDEL,"0,25"\n'
    assert (
        manage("import_data", "targets", write_file(text)).out.strip()
        == "targets: 1 created, 0 updated, 0 unchanged"
    )
    assert Target.objects.get().target_share == Decimal("0.25")
    assert (
        manage("import_data", "targets", write_file(text)).out.strip()
        == "targets: 0 created, 0 updated, 1 unchanged"
    )


@pytest.mark.parametrize(
    "row, expected",
    [
        ("VO Okänt,2026-T3,TB2-OMBOKA-ANDEL,0.2", "vardomrade: vårdområdet 'VO Okänt' finns inte"),
        ("VO Exempel,2031-T1,TB2-OMBOKA-ANDEL,0.2", "period: perioden '2031-T1' finns inte"),
        (
            "VO Exempel,2026-T3,TB2-OMBOKA,0.2",
            "requirement_code: 'TB2-OMBOKA' är inget andelskrav (trendkrav)",
        ),
        ("VO Exempel,2026-T3,TB2-OMBOKA-ANDEL,1.2", "target_share: ska vara mellan 0 och 1, inte 1.2"),
        ("VO Exempel,2026-T3,TB2-OMBOKA-ANDEL,-0.1", "target_share: ska vara mellan 0 och 1, inte -0.1"),
        ("VO Exempel,2026-T3,TB2-OMBOKA-ANDEL,mycket", "target_share: ska vara ett tal"),
        ("VO Exempel,2026-T3,TB2-OMBOKA-ANDEL,0.12345", "target_share: högst fyra decimaler, inte 0.12345"),
    ],
)
def test_targets_rules(write_file, units, period, row, expected):
    errors = rejected(write_file, "targets", TARGETS + row + "\n")
    assert len(errors) == 1 and errors[0].startswith(f"2: {expected}"), errors


def test_references_to_units_earlier_in_the_file_are_not_needed_across_kinds(write_file, period):
    """A booking row for a unit that is not in the database is an error even if a units file names it."""
    errors = rejected(write_file, "booking", BOOKING + booking_line())
    assert errors == [f"2: unit_hsa_id: enheten '{A}' finns inte"]


def test_cases_may_move_to_another_unit_and_both_are_touched(
    write_file, units, django_capture_on_commit_callbacks
):
    from compliance.models import UnitResult

    manage("import_data", "cases", write_file(CASES + f"X1,{A},KONTAKT,2026-10-07T08:00,,\n"))
    with django_capture_on_commit_callbacks(execute=True):
        ran = manage("import_data", "cases", write_file(CASES + f"X1,{B},KONTAKT,2026-10-07T08:00,,\n"))
    assert ran.out.strip() == "cases: 0 created, 1 updated, 0 unchanged"
    assert Case.objects.get().unit.hsa_id == B
    assert set(UnitResult.objects.values_list("unit__hsa_id", flat=True)) == {A, B}


def test_cases_rows_the_fast_path_leaves_to_the_full_check_are_imported_too(write_file, units):
    """On PostgreSQL plain rows take the fast path; a row it leaves to the full check (here a case id and a
    service code that are not ASCII) is still a good row, staged like the others."""
    text = (
        CASES
        + f"X1,{A},KONTAKT,2026-10-07T08:00,,\nÄ1,{A},FÖRNYA,2026-10-07T09:00,,\nX2,{B},,2026-10-07T10:00,,\n"
    )
    ran = manage("import_data", "cases", write_file(text))
    assert ran.out.strip() == "cases: 3 created, 0 updated, 0 unchanged", ran.err
    assert sorted(Case.objects.values_list("case_id", "service_code")) == [
        ("X1", "KONTAKT"),
        ("X2", ""),
        ("Ä1", "FÖRNYA"),
    ]


def test_cases_staged_in_chunks_are_not_written_when_a_later_row_is_bad(write_file, units, monkeypatch):
    from servicelevel.importing import run

    monkeypatch.setattr(run, "STAGE_CHUNK", 2)  # stage after every second row (PostgreSQL streams)
    good = "".join(f"X{n},{A},KONTAKT,2026-10-07T08:00,,\n" for n in range(5))
    errors = rejected(write_file, "cases", CASES + good + f"X9,{A},KONTAKT,igår,,\n")
    assert errors == [
        "7: received_at: ogiltig tidpunkt 'igår': använd ISO 8601, t.ex. 2026-06-19T15:00:00+02:00"
    ]
    assert not Case.objects.exists()
    ran = manage("import_data", "cases", write_file(CASES + good))
    assert ran.out.strip() == "cases: 5 created, 0 updated, 0 unchanged"
    ran = manage(
        "import_data", "cases", write_file(CASES + good + f"X5,{A},KONTAKT,2026-10-07T08:00,,\n"), "--dry-run"
    )
    assert "cases: 1 created, 0 updated, 5 unchanged" in ran.out
    assert Case.objects.count() == 5


def test_cases_in_a_chunk_of_new_and_existing_ones_are_counted_exactly(
    write_file, units, monkeypatch, django_capture_on_commit_callbacks
):
    """New cases are COPied straight into the table and existing ones upserted (PostgreSQL): with chunks
    of two, every chunk mixes the two, and the counts and the touched units stay exact."""
    from compliance.models import UnitResult
    from servicelevel.importing import run

    monkeypatch.setattr(run, "STAGE_CHUNK", 2)
    first = "".join(f"X{n},{A},KONTAKT,2026-10-07T08:00,,\n" for n in range(4))
    manage("import_data", "cases", write_file(CASES + first))
    second = (
        f"N1,{A},KONTAKT,2026-10-07T09:00,,\n"  # new
        f"X0,{A},KONTAKT,2026-10-07T08:00,,\n"  # unchanged
        f"X1,{A},KONTAKT,2026-10-07T08:00,2026-10-07T10:00,\n"  # answered
        f"N2,{A},KONTAKT,2026-10-07T09:00,,\n"  # new
        f"X2,{B},KONTAKT,2026-10-07T08:00,,\n"  # moved to B
    )
    with django_capture_on_commit_callbacks(execute=True):
        ran = manage("import_data", "cases", write_file(CASES + second))
    assert ran.out.strip() == "cases: 2 created, 2 updated, 1 unchanged"
    assert sorted(Case.objects.values_list("case_id", "unit__hsa_id")) == [
        ("N1", A), ("N2", A), ("X0", A), ("X1", A), ("X2", B), ("X3", A),
    ]  # fmt: skip
    assert Case.objects.get(case_id="X1").first_response_at is not None
    assert Case.objects.get(case_id="N1").deadline is not None
    assert set(UnitResult.objects.values_list("unit__hsa_id", flat=True)) == {A, B}


def test_cases_a_file_that_starts_new_and_then_updates_is_counted_exactly(write_file, units, monkeypatch):
    """A file's chunks are COPied untested while they are all new; the first that meets an existing case
    is rolled back to its savepoint and written again through the test and the upsert."""
    from servicelevel.importing import run

    monkeypatch.setattr(run, "STAGE_CHUNK", 2)
    manage("import_data", "cases", write_file(CASES + f"X1,{A},KONTAKT,2026-10-07T08:00,,\n"))
    second = (
        f"N1,{A},KONTAKT,2026-10-07T09:00,,\n"
        f"N2,{A},KONTAKT,2026-10-07T09:00,,\n"  # a first chunk of new cases
        f"N3,{A},KONTAKT,2026-10-07T09:00,,\n"
        f"X1,{B},KONTAKT,2026-10-07T08:00,2026-10-07T10:00,\n"  # then one that exists, moved and answered
        f"N4,{A},KONTAKT,2026-10-07T09:00,,\n"
    )
    ran = manage("import_data", "cases", write_file(CASES + second))
    assert ran.out.strip() == "cases: 4 created, 1 updated, 0 unchanged"
    assert sorted(Case.objects.values_list("case_id", "unit__hsa_id")) == [
        ("N1", A), ("N2", A), ("N3", A), ("N4", A), ("X1", B),
    ]  # fmt: skip


def test_exemptions_file_may_leave_out_ended_on_and_justification(write_file, units):
    text = "exemption_id,unit_hsa_id,requirement_code,reason,valid_from,valid_until,status\n"
    ok = text + f"AV-1,{A},TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,approved\n"
    assert manage("import_data", "exemptions", write_file(ok)).code == 0
    revoked = text + f"AV-2,{A},TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-12-31,revoked\n"
    assert rejected(write_file, "exemptions", revoked) == [
        "2: ended_on: krävs för status revoked (dagen avsteget avslutades)"
    ]


# every importer reports every problem of a row -----------------------------------------------------------


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        (
            "periods",
            PERIODS + f"{'P' * 21},,2026-05-04,2026-05-03\n",
            [
                "2: code: för långt, högst 20 tecken (är 21): 'PPPPPPPPPPPPPPPPPPPPP'",
                "2: end_date: slutdatum 2026-05-03 är före startdatum 2026-05-04",
            ],
        ),
        (
            "offerings",
            OFFERINGS + "SE2321000255-ZZZZ,tjanst,NOPE,regional,kanske\n",
            [
                "2: unit_hsa_id: enheten 'SE2321000255-ZZZZ' finns inte",
                "2: code: den regionala tjänsten 'NOPE' finns inte",
                "2: open: ogiltigt sant/falskt-värde 'kanske': använd ja/nej, true/false eller 1/0",
            ],
        ),
        (
            "cases",
            CASES + "X9,SE2321000255-ZZZZ,KONTAKT,2026-10-07T08:00,2026-10-07T07:59,2026-10-06T08:00\n",
            [
                "2: unit_hsa_id: enheten 'SE2321000255-ZZZZ' finns inte",
                "2: first_response_at: 2026-10-07T07:59:00+02:00 är före received_at 2026-10-07T08:00:00+02:00",
                "2: delay_notified_at: 2026-10-06T08:00:00+02:00 är före received_at 2026-10-07T08:00:00+02:00",
            ],
        ),
        (
            "admin_roles",
            ROLES + ",SE2321000255-NONE,superuser\n",
            [
                "2: person_id: värde saknas",
                "2: unit_hsa_id: enheten 'SE2321000255-NONE' finns inte",
                "2: role: ogiltigt värde 'superuser': tillåtna är lokal_administrator, behorighetsadministrator",
            ],
        ),
        (
            "exemptions",
            EXEMPTIONS + "AV-1,SE2321000255-ZZZZ,TB9-FINNS-INTE,teknisk,2026-06-01,2026-05-31,revoked,,\n",
            [
                "2: unit_hsa_id: enheten 'SE2321000255-ZZZZ' finns inte",
                "2: requirement_code: kravet 'TB9-FINNS-INTE' finns inte",
                "2: valid_until: 2026-05-31 är före valid_from 2026-06-01",
                "2: ended_on: krävs för status revoked (dagen avsteget avslutades)",
            ],
        ),
        (
            # valid_until is no date: the ended_on rule still runs on what did parse
            "exemptions",
            EXEMPTIONS + f"AV-1,{A},TB3-OPPEN-KALLELSE,teknisk,2026-06-01,2026-13-01,approved,2026-07-01,\n",
            [
                "2: valid_until: ogiltigt datum '2026-13-01': använd ÅÅÅÅ-MM-DD",
                "2: ended_on: ska vara tomt utom för status revoked",
            ],
        ),
        (
            "targets",
            TARGETS + "VO Okänt,2031-T1,TB2-OMBOKA,1.2\n",
            [
                "2: vardomrade: vårdområdet 'VO Okänt' finns inte",
                "2: period: perioden '2031-T1' finns inte",
                "2: requirement_code: 'TB2-OMBOKA' är inget andelskrav (trendkrav) i regelverket",
                "2: target_share: ska vara mellan 0 och 1, inte 1.2",
            ],
        ),
    ],
)
def test_every_importer_reports_every_problem_of_a_row(write_file, units, period, kind, text, expected):
    assert rejected(write_file, kind, text) == expected
