"""Role holders are people: a person id that someone types — in the portal's roles form or in
the admin — must be a person's HSA-id, written once in units.rules and held by the models' clean() that
the write path runs. Ids stored earlier (imported files' person_id is opaque) still show and may be
removed, and an unchanged old row never blocks saving the rest. A person's name is kept once per person
(`Person`) and shown as "Anna Svensson (SE2321000255-P1234)", the HSA-id alone where no name is known."""

import pytest
from django.core.exceptions import ValidationError

from servicelevel.models import AuditEntry
from units import rules
from units.models import AdminRole, Person
from units.services import admin_role_save, admin_roles_replace, person_save

from . import factories as f
from .admin_forms import add_inline_row, form_data

pytestmark = pytest.mark.django_db

LOKAL, BEHORIG = AdminRole.Role.LOKAL_ADMINISTRATOR, AdminRole.Role.BEHORIGHETSADMINISTRATOR
ANNA = "SE2321000255-P1234"
NOT_A_NAME = "Ange personens HSA-id, t.ex. SE0000000000-EXEMPEL — inte ett namn"


# --- The rule ---------------------------------------------------------------------------------------------


def test_a_persons_hsa_id_passes_and_a_name_is_refused_in_swedish():
    assert rules.person_id_problem(ANNA) is None
    assert rules.person_id_problem("Anna Svensson") == NOT_A_NAME
    # Something that tries to be an HSA-id is told what is wrong with it.
    assert rules.person_id_problem("SE123-P1") == (
        "Ange personens HSA-id, t.ex. SE0000000000-EXEMPEL: ogiltigt HSA-id 'SE123-P1': "
        "ska vara SE + 10 siffror + '-' + bokstäver A–Z/siffror"
    )


# --- The services (the portal's and the admin's write path) -----------------------------------------------


def test_the_service_refuses_a_name_for_a_new_role_holder_and_writes_nothing():
    unit = f.CareUnitFactory()
    with pytest.raises(ValidationError) as refused:
        admin_role_save(role=AdminRole(unit=unit, person_id="Anna Svensson", role=BEHORIG), actor=None)
    assert refused.value.message_dict == {"person_id": [NOT_A_NAME]}
    with pytest.raises(ValidationError):
        admin_roles_replace(unit=unit, rows=[(ANNA, LOKAL), ("Anna Svensson", BEHORIG)], actor=None)
    assert not AdminRole.objects.exists() and not AuditEntry.objects.exists()


def test_an_imported_opaque_id_stays_and_does_not_block_saving_the_others():
    unit = f.CareUnitFactory()
    f.AdminRoleFactory(unit=unit, person_id="u12345", role=BEHORIG)
    admin_roles_replace(unit=unit, rows=[("u12345", BEHORIG), (ANNA, LOKAL)], actor=None)
    assert set(AdminRole.objects.values_list("person_id", "role")) == {("u12345", BEHORIG), (ANNA, LOKAL)}
    # …and it can be removed.
    admin_roles_replace(unit=unit, rows=[(ANNA, LOKAL)], actor=None)
    assert list(AdminRole.objects.values_list("person_id", flat=True)) == [ANNA]


def test_a_stored_role_whose_person_id_is_changed_to_a_name_is_refused():
    f.AdminRoleFactory(person_id="u12345")
    role = AdminRole.objects.get()
    role.role = LOKAL  # the id as stored: accepted
    admin_role_save(role=role, actor=None)
    role.person_id = "Anna Svensson"
    with pytest.raises(ValidationError):
        admin_role_save(role=role, actor=None)
    assert AdminRole.objects.get().person_id == "u12345"


def test_a_persons_name_is_written_through_the_write_path():
    saved = person_save(person=Person(person_id=ANNA, name="Anna Svensson"), actor=None)
    assert saved.created
    assert AuditEntry.objects.get(action="person_created").detail["changes"]["name"] == [
        None,
        "Anna Svensson",
    ]
    with pytest.raises(ValidationError) as refused:
        person_save(person=Person(person_id="Anna Svensson", name="Anna Svensson"), actor=None)
    assert refused.value.message_dict == {"person_id": [NOT_A_NAME]}


def test_the_label_is_the_name_with_the_hsa_id_or_the_id_alone():
    f.AdminRoleFactory(person_id=ANNA)
    f.AdminRoleFactory(person_id="SE2321000255-P9999")
    Person.objects.create(person_id=ANNA, name="Anna Svensson")
    labels = [r.person_label for r in AdminRole.objects.with_person_names().order_by("person_id")]
    assert labels == ["Anna Svensson (SE2321000255-P1234)", "SE2321000255-P9999"]


# --- The admin -------------------------------------------------------------------------------------------


def test_the_admin_refuses_a_name_typed_as_a_role_holder(admin_client):
    unit = f.CareUnitFactory()
    url = f"/admin/units/careunit/{unit.pk}/change/"
    data = add_inline_row(
        form_data(admin_client, url), "admin_roles", {"person_id": "Anna Svensson", "role": BEHORIG}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert NOT_A_NAME in response.content.decode()
    assert not AdminRole.objects.exists()


def test_the_admin_saves_a_unit_whose_old_role_holder_has_an_opaque_id(admin_client):
    unit = f.CareUnitFactory(name="Gammalt namn")
    f.AdminRoleFactory(unit=unit, person_id="u12345")
    url = f"/admin/units/careunit/{unit.pk}/change/"
    data = add_inline_row(form_data(admin_client, url), "admin_roles", {"person_id": ANNA, "role": LOKAL})
    data["name"] = "Nytt namn"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    unit.refresh_from_db()
    assert unit.name == "Nytt namn"
    assert set(AdminRole.objects.values_list("person_id", flat=True)) == {"u12345", ANNA}


def test_the_admin_lists_role_holders_by_name(admin_client):
    f.AdminRoleFactory(person_id=ANNA)
    Person.objects.create(person_id=ANNA, name="Anna Svensson")
    page = admin_client.get("/admin/units/adminrole/").content.decode()
    assert "Anna Svensson (SE2321000255-P1234)" in page


# --- The demo region -------------------------------------------------------------------------------------


def test_the_demo_regions_role_holders_are_people_with_hsa_ids_and_names(tmp_path):
    import csv
    import datetime

    from compliance.demo_region import DemoRegion

    paths = DemoRegion(units=40, cases=10, seed=1, today=datetime.date(2026, 11, 21)).write_all(tmp_path)
    with paths["admin_roles"].open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert rows
    names = {}
    for row in rows:
        assert rules.person_id_problem(row["person_id"]) is None
        assert len(row["name"].split()) == 2  # "Förnamn Efternamn"
        assert names.setdefault(row["person_id"], row["name"]) == row["name"]  # one name per person
    assert len(set(names.values())) > len(names) / 2  # not all the same name
