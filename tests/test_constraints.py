"""What the rules forbid, the database refuses too (its constraints), and every factory builds."""

import datetime

import factory
import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from . import factories as f

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"booked_visible": 401},
        {"booked_cancellable": 401},
        {"booked_reschedulable": 401},
        {"slots_open_invitation": 501},
        {"slots_citizen_bookable": 501},
        {"lookahead_weeks": -1},
    ],
)
def test_booking_parts_above_their_whole_are_refused(kwargs):
    refused(f.BookingFiguresFactory, **kwargs)


@pytest.mark.parametrize("share", [-0.01, 1.01])
def test_target_shares_outside_0_1_are_refused(share):
    refused(f.TargetFactory, target_share=share)


def test_exemption_valid_until_before_valid_from_is_refused():
    refused(f.ExemptionFactory, valid_from=datetime.date(2026, 6, 2), valid_until=datetime.date(2026, 6, 1))


def test_exemption_ended_on_only_for_revoked():
    refused(f.ExemptionFactory, status="revoked", ended_on=None)
    refused(f.ExemptionFactory, status="approved", ended_on=datetime.date(2026, 7, 1))
    f.ExemptionFactory(status="revoked", ended_on=datetime.date(2026, 7, 1))


def test_period_end_before_start_is_refused():
    refused(f.SchedulePeriodFactory, start_date=datetime.date(2026, 5, 2), end_date=datetime.date(2026, 5, 1))


def test_overlapping_periods_are_refused_where_the_database_can_check_it():

    f.SchedulePeriodFactory(
        code="A", start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 8, 30)
    )
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no exclusion constraints; the periods importer checks overlaps there")
    refused(
        f.SchedulePeriodFactory,
        code="B",
        start_date=datetime.date(2026, 8, 30),
        end_date=datetime.date(2026, 9, 1),
    )


def test_case_response_before_receipt_is_refused():
    received = datetime.datetime(2026, 10, 7, 8, tzinfo=datetime.UTC)
    refused(f.CaseFactory, received_at=received, first_response_at=received - datetime.timedelta(seconds=1))
    refused(f.CaseFactory, received_at=received, delay_notified_at=received - datetime.timedelta(seconds=1))


def test_duplicate_natural_keys_are_refused():
    unit = f.CareUnitFactory()
    refused(f.CareUnitFactory, hsa_id=unit.hsa_id)
    f.OfferingFactory(unit=unit, code="KONTAKT")
    refused(f.OfferingFactory, unit=unit, code="KONTAKT")
    figures = f.BookingFiguresFactory(unit=unit)
    refused(f.BookingFiguresFactory, unit=unit, period=figures.period)
    f.AdminRoleFactory(unit=unit, person_id="P1")
    refused(f.AdminRoleFactory, unit=unit, person_id="P1")
    f.PersonFactory(person_id="P1")
    refused(f.PersonFactory, person_id="P1")


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the exclusion constraints are PostgreSQL's",
)
def test_the_database_keeps_two_versions_of_one_fact_apart():
    """Exclusion constraints (units/0007): an offering, a role, a unit's earlier versions never overlap,
    whatever writes them; versions that meet (one ends the day the next starts) are fine."""
    unit = f.CareUnitFactory()
    first = f.OfferingFactory(
        unit=unit, code="KONTAKT", valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 6, 1)
    )
    f.OfferingFactory(unit=unit, code="KONTAKT", valid_from=datetime.date(2026, 6, 1))  # meets: allowed
    refused(
        f.OfferingFactory,
        unit=unit,
        code="KONTAKT",
        valid_from=datetime.date(2026, 5, 1),
        valid_to=datetime.date(2026, 5, 2),
    )
    role = f.AdminRoleFactory(
        unit=unit, person_id="P1", valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 3, 1)
    )
    refused(
        f.AdminRoleFactory,
        unit=unit,
        person_id="P1",
        valid_from=datetime.date(2026, 2, 1),
        valid_to=datetime.date(2026, 4, 1),
    )
    version = f.CareUnitVersionFactory()
    refused(
        f.CareUnitVersionFactory,
        unit=version.unit,
        valid_from=datetime.date(2026, 3, 1),
        valid_to=datetime.date(2026, 4, 1),
    )
    assert first.pk and role.pk


def test_a_regional_offering_must_point_at_its_catalogue_entry():
    refused(f.OfferingFactory, variant="regional", catalogue_service=None)
    refused(f.OfferingFactory, variant="lokal", code="Egen", catalogue_service=f.service("KONTAKT"))


ALL_FACTORIES = [
    obj
    for obj in vars(f).values()
    if isinstance(obj, type) and issubclass(obj, factory.django.DjangoModelFactory) and obj._meta.model
]
PROJECT_APPS = ("servicelevel", "units", "compliance", "exemptions", "actionplan")


def test_every_model_of_the_project_has_a_factory():
    models = {m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS}
    covered = {fac._meta.get_model_class() for fac in ALL_FACTORIES}
    assert models - covered == set()


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=lambda x: x.__name__)
def test_every_factory_builds_a_valid_row(factory_class):
    obj = factory_class()
    obj.full_clean()
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_the_month_read_has_its_index():

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_received_at'")
            assert "USING brin (received_at)" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'case_received_at'")
            assert "(received_at)" in cursor.fetchone()[0]
