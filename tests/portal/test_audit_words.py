"""The audit trail in Swedish: field names as the models name them, values by their
labels (statuses, bodies, decimals with a comma), references by their natural key (a unit's HSA-id, a
person's name), and who did it by name — on the page and in the CSV, in a fixed number of queries."""

import csv
import io

import pytest
from django.urls import reverse

from actionplan.services import target_save
from servicelevel.audit import audit
from units.permissions import Roles
from units.services import offering_save

from .. import factories as f
from ..helpers import user_in

pytestmark = pytest.mark.django_db

URL = reverse("portal:audit_trail")
EXPORT = reverse("portal:audit_export_csv")


@pytest.fixture
def people():
    return {
        "anna": user_in(Roles.VERKSAMHETSCHEF, username="anna", first_name="Anna", last_name="Svensson"),
        "kurt": user_in(Roles.KONCERNSTAB, username="kurt", first_name="Kurt", last_name="Karlsson"),
        "reader": user_in(Roles.LEDNING, username="lena"),
    }


def page(client, people, **params):
    client.force_login(people["reader"])
    return client.get(URL, params).content.decode()


def test_a_change_names_the_field_as_the_model_does_and_the_person_by_name(client, people):
    offering = f.OfferingFactory(is_open=False)
    offering.is_open = True
    offering_save(offering=offering, actor=people["anna"])
    html = page(client, people)
    assert "öppen för invånare: nej → ja" in html
    assert "is_open" not in html
    assert "Anna Svensson" in html


def test_values_read_by_their_labels_a_decimal_with_a_comma(client, people):
    target = f.TargetFactory(target_share="0.2000")
    target.target_share = "0.2500"
    target_save(target=target, actor=people["kurt"])
    audit(
        action="exemption_submitted",
        object_type="exemption",
        object_id="AV-2026-0001",
        actor=people["anna"],
        detail={"changes": {"status": ["draft", "submitted"]}},
    )
    audit(
        action="exemption_approval",
        object_type="exemption",
        object_id="AV-2026-0001",
        actor=people["kurt"],
        detail={"body": "koncernstab", "approved": True, "comment": ""},
    )
    html = page(client, people)
    assert "målandel: 0,2000 → 0,2500" in html
    assert "status: Utkast → Inskickat" in html
    # (jsonb keeps a detail's keys in its own order, so each part is looked for on its own)
    for part in ("beslutande: Koncernstab kommunikation", "godkänt: ja", "kommentar: –"):
        assert part in html


def test_references_read_as_the_units_hsa_id_and_the_persons_name(client, people):
    before, after = (
        f.CareUnitFactory(hsa_id="SE2321000255-FORE"),
        f.CareUnitFactory(hsa_id="SE2321000255-EFTER"),
    )
    audit(
        action="exemption_changed",
        object_type="exemption",
        object_id="AV-2026-0002",
        actor=people["kurt"],
        detail={"changes": {"unit_id": [before.pk, after.pk], "proposed_by_id": [None, people["anna"].pk]}},
    )
    html = page(client, people)
    assert "vårdenhet: SE2321000255-FORE → SE2321000255-EFTER" in html
    assert "föreslaget av: – → Anna Svensson" in html


def test_the_filter_finds_a_person_by_name(client, people):
    audit(action="import", object_type="cases", actor=people["anna"], detail={"rows": 1, "summary": "x"})
    audit(action="import", object_type="cases", actor=people["kurt"], detail={"rows": 1, "summary": "x"})
    html = page(client, people, av="Svensson")
    assert "1 post." in html and "Anna Svensson" in html and "Kurt Karlsson" not in html


def test_the_csv_says_the_same(client, people):
    offering = f.OfferingFactory(is_open=False)
    offering.is_open = True
    offering_save(offering=offering, actor=people["anna"])
    client.force_login(people["reader"])
    response = client.get(EXPORT)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","))
    row = next(r for r in rows[1:] if r[3] == "offering_changed")
    assert row[1] == "Anna Svensson"
    assert row[6].startswith("öppen för invånare: nej → ja; vårdenhet: ")  # the unit, named
    assert "; gäller från: " in row[6]  # the change holds from today


def test_references_cost_one_query_per_kind_of_object_not_per_entry(
    client, people, django_assert_num_queries
):
    units = [f.CareUnitFactory() for _ in range(3)]
    for i in range(30):
        audit(
            action="bookingfigures_changed",
            object_type="bookingfigures",
            object_id=str(i),
            actor=people["kurt"],
            detail={"changes": {"unit_id": [units[i % 3].pk, units[(i + 1) % 3].pk]}},
        )
    client.force_login(people["reader"])
    client.get(URL)
    with django_assert_num_queries(7):
        # 1 the session, 2 the user, 3 the user's roles, 4 the action codes, 5 the count, 6 the page's
        # entries with their actors, 7 the units the entries refer to (one query for all 30)
        assert client.get(URL).status_code == 200
