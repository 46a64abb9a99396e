"""The services behind the portal's self-service forms: a whole proposed set (a unit's offering, its role
holders) written through the single-fact services, all or nothing, audited old → new, told once."""

import pytest
from django.core.exceptions import ValidationError

from servicelevel.models import AuditEntry, CatalogueService, CatalogueTemplate
from servicelevel.signals import facts_changed
from units.models import AdminRole, Offering
from units.services import FactChange, OfferingRow, admin_roles_replace, offerings_replace

from . import factories as f

pytestmark = pytest.mark.django_db

LOKAL, BEHORIG = AdminRole.Role.LOKAL_ADMINISTRATOR, AdminRole.Role.BEHORIGHETSADMINISTRATOR
P1, B1, B2 = "SE2321000255-P1", "SE2321000255-B1", "SE2321000255-B2"


@pytest.fixture
def notifications():
    sent = []

    def receiver(sender, *, kind, unit_ids, **kwargs):
        sent.append((kind, None if unit_ids is None else set(unit_ids)))

    facts_changed.connect(receiver)
    yield sent
    facts_changed.disconnect(receiver)


def regional(code, is_open=True):
    return OfferingRow(
        "tjanst", code, "regional", is_open=is_open, catalogue_service=CatalogueService.objects.get(code=code)
    )


def offering_set(unit):
    return {(o.kind, o.code, o.variant, o.is_open) for o in Offering.objects.filter(unit=unit)}


def test_offerings_replace_adds_changes_and_removes_and_tells_the_engine_once(
    django_capture_on_commit_callbacks, notifications
):
    unit, actor = f.CareUnitFactory(), f.UserFactory()
    f.OfferingFactory(unit=unit, code="KONTAKT")
    f.OfferingFactory(unit=unit, code="FORNYA-RECEPT", is_open=True)
    f.OfferingFactory(unit=unit, kind="tjanst", code="Egen rådgivning", variant="lokal")
    rows = [
        regional("KONTAKT"),  # unchanged
        regional("FORNYA-RECEPT", is_open=False),  # changed
        regional("RADGIVNING"),  # added
        OfferingRow(
            "mall",
            "MALL-MEDDELANDE",
            "regional",
            catalogue_template=CatalogueTemplate.objects.get(code="MALL-MEDDELANDE"),
        ),
    ]  # the local service is removed

    with django_capture_on_commit_callbacks(execute=True):
        changes = offerings_replace(unit=unit, rows=rows, actor=actor)

    assert offering_set(unit) == {
        ("tjanst", "KONTAKT", "regional", True),
        ("tjanst", "FORNYA-RECEPT", "regional", False),
        ("tjanst", "RADGIVNING", "regional", True),
        ("mall", "MALL-MEDDELANDE", "regional", True),
    }
    assert changes == [
        FactChange("removed", "tjanst", "Egen rådgivning"),
        FactChange("added", "mall", "MALL-MEDDELANDE"),
        FactChange("changed", "tjanst", "FORNYA-RECEPT", ("is_open",)),
        FactChange("added", "tjanst", "RADGIVNING"),
    ]
    actions = sorted(AuditEntry.objects.filter(object_type="offering").values_list("action", flat=True))
    assert actions == ["offering_changed", "offering_created", "offering_created", "offering_deleted"]
    changed = AuditEntry.objects.get(action="offering_changed")
    assert changed.actor == actor and changed.detail["changes"] == {"is_open": [True, False]}
    assert notifications == [("edit", {unit.pk})]


def test_an_unchanged_offering_writes_nothing_and_tells_nobody(
    django_capture_on_commit_callbacks, notifications
):
    unit = f.CareUnitFactory()
    f.OfferingFactory(unit=unit, code="KONTAKT")
    with django_capture_on_commit_callbacks(execute=True):
        assert offerings_replace(unit=unit, rows=[regional("KONTAKT")], actor=None) == []
    assert not AuditEntry.objects.exists()
    assert notifications == []


def test_a_row_that_breaks_a_rule_writes_nothing_at_all(django_capture_on_commit_callbacks, notifications):
    unit = f.CareUnitFactory()
    f.OfferingFactory(unit=unit, code="KONTAKT")
    closed_template = OfferingRow("mall", "Egen mall", "lokal", is_open=False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        # The first rows would be valid (a removal, an addition): the bad last row undoes them too.
        offerings_replace(unit=unit, rows=[regional("RADGIVNING"), closed_template], actor=None)
    assert "bara tjänster kan vara stängda" in str(refused.value)
    assert offering_set(unit) == {("tjanst", "KONTAKT", "regional", True)}
    assert not AuditEntry.objects.exists()
    assert notifications == []


def test_a_regional_row_must_name_its_catalogue_entry():
    unit = f.CareUnitFactory()
    with pytest.raises(ValidationError):
        offerings_replace(unit=unit, rows=[OfferingRow("tjanst", "KONTAKT", "regional")], actor=None)
    assert not Offering.objects.exists()


def test_admin_roles_replace_touches_every_unit_of_a_changed_person_once(
    django_capture_on_commit_callbacks, notifications
):
    """AR1 counts a local administrator's units region-wide: P's other unit is judged again too."""
    here, elsewhere = f.CareUnitFactory(), f.CareUnitFactory()
    f.AdminRoleFactory(unit=elsewhere, person_id=P1, role=LOKAL)
    f.AdminRoleFactory(unit=here, person_id=B1, role=BEHORIG)
    f.AdminRoleFactory(unit=here, person_id=B2, role=BEHORIG)

    with django_capture_on_commit_callbacks(execute=True):
        changes = admin_roles_replace(
            unit=here, rows=[(B1, BEHORIG), (f" {P1} ", LOKAL)], actor=f.UserFactory()
        )

    assert set(AdminRole.objects.filter(unit=here).values_list("person_id", "role")) == {
        (B1, BEHORIG),
        (P1, LOKAL),
    }
    assert changes == [FactChange("removed", BEHORIG, B2), FactChange("added", LOKAL, P1)]
    assert AuditEntry.objects.filter(object_type="adminrole").count() == 2
    assert notifications == [("edit", {here.pk, elsewhere.pk})]


def test_a_person_id_longer_than_the_field_is_refused_and_nothing_written():
    unit = f.CareUnitFactory()
    f.AdminRoleFactory(unit=unit, person_id=B1, role=BEHORIG)
    with pytest.raises(ValidationError):
        admin_roles_replace(unit=unit, rows=[("x" * 65, BEHORIG)], actor=None)
    assert list(AdminRole.objects.filter(unit=unit).values_list("person_id", flat=True)) == [B1]
