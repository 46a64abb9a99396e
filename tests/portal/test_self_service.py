"""Self-service at /enheter/<hsa_id>/utbud/, …/bokning/, …/roller/: edit through the write
path, preview the engine's verdict before saving, confirmation after; rights from units.permissions."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from compliance.models import RequirementResult
from compliance.services import recompute, today
from servicelevel.models import AuditEntry, CatalogueService, CatalogueTemplate
from units.models import AdminRole, BookingFigures, Offering, Person
from units.permissions import Roles

from .. import factories as f
from ..admin_forms import form_data
from ..helpers import user_in

pytestmark = pytest.mark.django_db

LOKAL, BEHORIG = AdminRole.Role.LOKAL_ADMINISTRATOR, AdminRole.Role.BEHORIGHETSADMINISTRATOR
PAGES = ("unit_offerings", "unit_booking", "unit_roles")
PREVIEWS = ("unit_offerings_preview", "unit_booking_preview", "unit_roles_preview")


@pytest.fixture
def period():
    """The schedule period in force today, and no previous one (the trends are then not judged)."""
    day = today()
    return f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )


@pytest.fixture
def unit():
    return f.CareUnitFactory(name="Vårdcentralen Egen")


@pytest.fixture
def other_unit():
    return f.CareUnitFactory(name="Vårdcentralen Annans", hsa_id="SE2321000255-ANNAN")


@pytest.fixture
def manager(client, unit):
    user = user_in(Roles.VERKSAMHETSCHEF, [unit])
    client.force_login(user)
    return user


def url(name, unit, query=""):
    return reverse(f"portal:{name}", args=[unit.hsa_id]) + query


def offerings_data(client, unit, **changes):
    """The offering form as the page renders it, with `changes` applied (field name → value; None
    unticks a box)."""
    response = client.get(url("unit_offerings", unit))
    form, local = response.context["form"], response.context["local"]
    data = {}
    for bound in form:
        if bound.value():
            data[bound.html_name] = "on"
    data.update(
        {
            f"lokala-{k}": v
            for k, v in local.management_form.initial.items()
            if k in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
        }
    )
    for row in local.forms:
        for bound in row:
            value = bound.value()
            if bound.name in ("is_open", "DELETE"):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def service_key(code, suffix=""):
    return f"tjanst-{CatalogueService.objects.get(code=code).pk}{suffix}"


# --- Rights ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES + PREVIEWS)
def test_it_sends_anonymous_visitors_to_the_login(client, unit, name):
    login = resolve_url(settings.LOGIN_URL)
    for response in (client.get(url(name, unit)), client.post(url(name, unit), {"action": "save"})):
        assert response.status_code == 302
        assert response["Location"].startswith(login)


# (role, own unit GET, own unit POST, other's unit GET/POST): region-wide roles see every unit.
MATRIX = [
    (Roles.VERKSAMHETSCHEF, 200, 404),
    (Roles.VARDGIVARE, 200, 404),
    (Roles.LEDNING, 403, 403),
    (Roles.HS_STYRNING, 403, 403),
    (Roles.KONCERNSTAB, 200, 200),
]


@pytest.mark.parametrize(("role", "own", "others"), MATRIX)
@pytest.mark.parametrize("name", PAGES)
def test_the_permission_matrix(client, unit, other_unit, period, role, own, others, name):
    client.force_login(user_in(role, [unit]))
    assert client.get(url(name, unit)).status_code == own
    assert client.get(url(name, other_unit)).status_code == others


@pytest.mark.parametrize("name", PAGES + PREVIEWS)
def test_a_unit_manager_gets_404_for_another_units_page_and_post_and_nothing_changes(
    client, manager, other_unit, period, name
):
    f.OfferingFactory(unit=other_unit, code="KONTAKT")
    assert client.get(url(name, other_unit)).status_code in (404, 405)  # previews take POST only
    response = client.post(url(name, other_unit), {"action": "save"})
    assert response.status_code == 404
    assert other_unit.name not in response.content.decode()
    assert Offering.objects.filter(unit=other_unit).count() == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("name", PAGES + PREVIEWS)
def test_ledning_gets_403_posting_a_change_and_nothing_changes(client, unit, period, name):
    f.OfferingFactory(unit=unit, code="KONTAKT")
    client.force_login(user_in(Roles.LEDNING))
    response = client.post(url(name, unit), {"action": "save", "lokala-TOTAL_FORMS": "0"})
    assert response.status_code == 403
    assert Offering.objects.filter(unit=unit).count() == 1
    assert not AuditEntry.objects.exists()


def test_every_change_is_a_post_with_csrf(unit, manager, period):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    for name in PAGES + PREVIEWS:
        assert strict.post(url(name, unit), {"action": "save"}).status_code == 403
    assert not AuditEntry.objects.exists()


# --- Utbud ------------------------------------------------------------------------------------------------


def test_the_offering_page_preselects_the_units_current_offering(client, manager, unit):
    f.OfferingFactory(unit=unit, code="KONTAKT", is_open=False)
    f.OfferingFactory(unit=unit, kind="mall", code="Egen kallelse", variant="lokal")
    response = client.get(url("unit_offerings", unit))
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert form[service_key("KONTAKT")].value() is True
    assert form[service_key("KONTAKT", "-oppen")].value() is False
    assert form[service_key("RADGIVNING")].value() is False
    assert 'value="Egen kallelse"' in page
    assert "<legend>Regionala tjänster" in page and "Kontakta mottagningen" in page


def test_preview_without_javascript_shows_the_effect_and_writes_nothing(client, manager, unit):
    f.OfferingFactory(unit=unit, code="KONTAKT")
    f.OfferingFactory(unit=unit, kind="tjanst", code="Egen rådgivning", variant="lokal")
    data = offerings_data(client, unit, **{"lokala-0-DELETE": "on", "action": "preview"})
    response = client.post(url("unit_offerings", unit), data)
    assert response.status_code == 200
    preview = response.context["preview"]
    sentences = [c.sentence for c in preview.changes]
    assert "AH1-REGIONALA-TJANSTER blir uppfyllt" in sentences
    page = response.content.decode()
    assert "Förhandsgranskning – inget är sparat än" in page
    assert "AH1-REGIONALA-TJANSTER blir uppfyllt" in page
    assert "1 tjänst, alla regionala och öppna" in page  # the engine's new reason
    assert Offering.objects.filter(unit=unit).count() == 2
    assert not AuditEntry.objects.exists()


def test_the_htmx_preview_answers_only_the_fragment(client, manager, unit):
    f.OfferingFactory(unit=unit, code="KONTAKT")
    data = offerings_data(client, unit, **{service_key("KONTAKT"): None})
    response = client.post(url("unit_offerings_preview", unit), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "Förhandsgranskning" in page
    assert "AH0-DIGITAL-KONTAKT blir ej uppfyllt" in page
    assert Offering.objects.filter(unit=unit).count() == 1


def test_saving_the_offering_writes_audits_recomputes_and_confirms(
    client, manager, unit, django_capture_on_commit_callbacks
):
    f.OfferingFactory(unit=unit, code="KONTAKT")
    recompute(as_of=today(), unit_ids=[unit.pk])
    data = offerings_data(
        client,
        unit,
        **{
            service_key("RADGIVNING"): "on",
            service_key("RADGIVNING", "-oppen"): "on",
            f"mall-{CatalogueTemplate.objects.get(code='MALL-MEDDELANDE').pk}": "on",
            "lokala-0-kind": "tjanst",
            "lokala-0-code": "Egen tjänst",
            "lokala-0-is_open": "on",
            "action": "save",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("unit_offerings", unit), data)
    assert response.status_code == 302 and response["Location"] == url("unit_offerings", unit)

    assert set(Offering.objects.filter(unit=unit).values_list("code", "variant")) == {
        ("KONTAKT", "regional"),
        ("RADGIVNING", "regional"),
        ("MALL-MEDDELANDE", "regional"),
        ("Egen tjänst", "lokal"),
    }
    assert AuditEntry.objects.filter(action="offering_created", actor=manager).count() == 3
    stored = RequirementResult.objects.get(
        unit_result__unit=unit, unit_result__as_of=today(), requirement__code="AH2-REGIONALA-MALLAR"
    )
    assert stored.status == "met"  # recomputed at commit (tasks in-process)

    page = client.get(response["Location"]).content.decode()
    assert "Utbudet sparades" in page
    assert "Tillagd: tjänsten RADGIVNING" in page and "Tillagd: mallen MALL-MEDDELANDE" in page
    assert "Enhetens resultat har räknats om." in page


def test_a_closed_local_template_and_a_duplicate_are_shown_at_their_rows(client, manager, unit):
    data = offerings_data(
        client,
        unit,
        **{
            "lokala-TOTAL_FORMS": "3",
            "lokala-0-kind": "mall",
            "lokala-0-code": "Egen mall",
            "lokala-0-is_open": None,  # unticked: a closed template
            "lokala-1-kind": "tjanst",
            "lokala-1-code": "Samma",
            "lokala-1-is_open": "on",
            "lokala-2-kind": "tjanst",
            "lokala-2-code": "Samma",
            "lokala-2-is_open": "on",
            "action": "save",
        },
    )
    response = client.post(url("unit_offerings", unit), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "En mall kan inte vara stängd" in page
    assert 'href="#id_lokala-0-is_open"' in page  # the error summary links to the field
    assert 'aria-describedby="id_lokala-0-is_open_error"' in page
    assert not Offering.objects.exists()
    # The duplicate is reported once the closed template is fixed (formset rules run on clean rows).
    data["lokala-0-is_open"] = "on"
    page = client.post(url("unit_offerings", unit), data).content.decode()
    assert "finns redan på en annan rad" in page
    assert not Offering.objects.exists()


def test_a_local_row_with_a_chosen_regional_code_is_refused(client, manager, unit):
    data = offerings_data(
        client,
        unit,
        **{
            service_key("KONTAKT"): "on",
            "lokala-0-kind": "tjanst",
            "lokala-0-code": "KONTAKT",
            "action": "save",
        },
    )
    page = client.post(url("unit_offerings", unit), data).content.decode()
    assert "Samma kod som en vald regional post" in page
    assert not Offering.objects.exists()


def test_add_row_gives_one_more_empty_row_and_saves_nothing(client, manager, unit):
    data = offerings_data(client, unit, action="add_row")
    response = client.post(url("unit_offerings", unit), data)
    assert len(response.context["local"].forms) == 2
    assert not AuditEntry.objects.exists()


# --- Bokning --------------------------------------------------------------------------------------------


def booking_data(**figures):
    values = {
        "booked_total": "400",
        "booked_visible": "400",
        "booked_cancellable": "400",
        "booked_reschedulable": "0",
        "slots_total": "500",
        "slots_open_invitation": "0",
        "slots_citizen_bookable": "50",
        "lookahead_weeks": "9",
    }
    return {**values, **figures}


def test_the_booking_page_defaults_to_the_current_period_with_its_figures(client, manager, unit, period):
    f.SchedulePeriodFactory(
        code="P-SENARE",
        start_date=period.end_date + datetime.timedelta(days=1),
        end_date=period.end_date + datetime.timedelta(days=90),
    )
    f.BookingFiguresFactory(unit=unit, period=period, lookahead_weeks=Decimal("8.50"))
    response = client.get(url("unit_booking", unit))
    page = response.content.decode()
    assert response.context["page"].period == period
    assert "Period P-NU" in page and "innevarande period" in page
    assert 'value="8,50"' in page  # decimal comma
    other = client.get(url("unit_booking", unit, "?period=P-SENARE"))
    assert other.context["page"].period.code == "P-SENARE"
    assert "inga sparade uppgifter" in other.content.decode()


def test_parts_larger_than_their_total_are_shown_next_to_the_field_in_swedish(client, manager, unit, period):
    response = client.post(
        url("unit_booking", unit), {**booking_data(booked_visible="500"), "action": "save"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<p class="ds-validation-message" data-field="validation" id="id_booked_visible_error">' in page
    assert "500 är fler än bokade tider (400)" in page
    assert not BookingFigures.objects.exists()


def test_figures_are_read_as_the_importer_reads_them(client, manager, unit, period):
    response = client.post(
        url("unit_booking", unit),
        {**booking_data(booked_total="1 200", lookahead_weeks="8,5", slots_total="-3"), "action": "preview"},
    )
    form = response.context["form"]
    assert form.cleaned_data["booked_total"] == 1200
    assert form.cleaned_data["lookahead_weeks"] == Decimal("8.5")
    assert "ska vara ett heltal ≥ 0" in form.errors["slots_total"][0]


def test_the_booking_preview_shows_the_level_change(client, manager, unit, period):
    f.BookingFiguresFactory(unit=unit, period=period, booked_reschedulable=0)
    response = client.post(
        url("unit_booking_preview", unit), booking_data(booked_reschedulable="120"), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "Med ändringen: nivå 1 → nivå 2" in page
    assert "TB2-OMBOKA blir uppfyllt" in page
    assert BookingFigures.objects.get().booked_reschedulable == 0


def test_saving_booking_figures_confirms_what_changed(
    client, manager, unit, period, django_capture_on_commit_callbacks
):
    f.BookingFiguresFactory(unit=unit, period=period, booked_reschedulable=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("unit_booking", unit), {**booking_data(booked_reschedulable="120"), "action": "save"}
        )
    assert response.status_code == 302
    assert BookingFigures.objects.get().booked_reschedulable == 120
    entry = AuditEntry.objects.get(action="bookingfigures_changed")
    assert entry.actor == manager and entry.detail["changes"] == {"booked_reschedulable": [0, 120]}
    assert (
        RequirementResult.objects.get(
            unit_result__unit=unit, unit_result__as_of=today(), requirement__code="TB2-OMBOKA"
        ).status
        == "met"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Bokningsuppgifterna för P-NU sparades (ombokningsbara: 0 → 120)" in page


# --- Roller ---------------------------------------------------------------------------------------------


def roles_data(rows, initial=0, **extra):
    data = {"roller-TOTAL_FORMS": str(len(rows)), "roller-INITIAL_FORMS": str(initial)}
    for i, (person, role, *delete) in enumerate(rows):
        data[f"roller-{i}-person_id"] = person
        data[f"roller-{i}-role"] = role
        if delete:
            data[f"roller-{i}-DELETE"] = "on"
    return {**data, **extra}


BRED, SMAL = "SE2321000255-PBRED", "SE2321000255-PSMAL"
B1, B2 = "SE2321000255-PB1", "SE2321000255-PB2"
NOT_A_NAME = "Ange personens HSA-id, t.ex. SE0000000000-EXEMPEL — inte ett namn"


def test_the_roles_preview_counts_a_local_administrators_other_units(client, manager, unit, other_unit):
    f.AdminRoleFactory(unit=other_unit, person_id=BRED, role=LOKAL)
    f.AdminRoleFactory(unit=unit, person_id=SMAL, role=LOKAL)
    data = roles_data([(SMAL, LOKAL, "ta bort"), (BRED, LOKAL), (B1, BEHORIG)], initial=1)
    page = client.post(url("unit_roles_preview", unit), data).content.decode()
    assert "AR1-LOKAL-ADMIN blir uppfyllt" in page
    assert "AR2-BEHORIGHETSADMIN blir uppfyllt" in page
    assert other_unit.name not in page and other_unit.hsa_id not in page
    assert AdminRole.objects.filter(unit=unit).count() == 1


def test_saving_roles_adds_and_removes_and_confirms(
    client, manager, unit, django_capture_on_commit_callbacks
):
    f.AdminRoleFactory(unit=unit, person_id=SMAL, role=LOKAL)
    Person.objects.create(person_id=B1, name="Bo Ek")
    data = roles_data([(SMAL, LOKAL, "ta bort"), (B1, BEHORIG)], initial=1, action="save")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("unit_roles", unit), data)
    assert response.status_code == 302
    assert list(AdminRole.objects.filter(unit=unit).values_list("person_id", "role")) == [(B1, BEHORIG)]
    page = client.get(response["Location"]).content.decode()
    assert "Rollerna sparades" in page
    assert f"Borttagen: lokal administratör {SMAL}" in page
    assert f"Tillagd: behörighetsadministratör Bo Ek ({B1})" in page


def test_the_same_person_and_role_twice_is_refused(client, manager, unit):
    data = roles_data([(B1, BEHORIG), (B1, BEHORIG)], action="save")
    page = client.post(url("unit_roles", unit), data).content.decode()
    assert "Personen har redan den här rollen på en annan rad." in page
    assert not AdminRole.objects.exists()


@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_name_instead_of_an_hsa_id_is_refused_at_the_field_in_swedish(client, manager, unit, action):
    data = roles_data([(B1, BEHORIG), ("Anna Svensson", LOKAL)], action=action)
    response = client.post(url("unit_roles", unit), data)
    assert response.status_code == 200
    page = response.content.decode()
    # At the field (tied to the input) and in the error summary, which names the row.
    field = response.context["roles"].forms[1]["person_id"]
    assert field.errors == [NOT_A_NAME + "."]
    assert f'id="{field.auto_id}_error"' in page and 'aria-invalid="true"' in page
    assert f"Rad 2: {field.label}: {NOT_A_NAME}." in page
    assert response.context["preview"] is None  # a refused proposal is not previewed
    assert not AdminRole.objects.exists()


def test_the_htmx_roles_preview_refuses_a_name_too(client, manager, unit):
    data = roles_data([("Anna Svensson", BEHORIG)])
    page = client.post(url("unit_roles_preview", unit), data).content.decode()
    assert NOT_A_NAME in page and "blir" not in page


def test_an_old_imported_id_stays_shown_does_not_block_saving_and_can_be_removed(
    client, manager, unit, django_capture_on_commit_callbacks
):
    f.AdminRoleFactory(unit=unit, person_id="u12345", role=BEHORIG)
    form = client.get(url("unit_roles", unit)).context["roles"]
    assert form.forms[0]["person_id"].value() == "u12345"

    data = roles_data([("u12345", BEHORIG), (B1, BEHORIG)], initial=1, action="save")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("unit_roles", unit), data).status_code == 302
    assert set(AdminRole.objects.values_list("person_id", flat=True)) == {"u12345", B1}

    # The same old id typed for a role it does not hold is a new role holder: an HSA-id is asked for.
    data = roles_data([("u12345", BEHORIG), (B1, BEHORIG), ("u12345", LOKAL)], initial=2, action="save")
    assert "Ange personens HSA-id, t.ex. SE0000000000-EXEMPEL: ogiltigt HSA-id" in (
        client.post(url("unit_roles", unit), data).content.decode()
    )

    data = roles_data([("u12345", BEHORIG, "ta bort"), (B1, BEHORIG)], initial=2, action="save")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("unit_roles", unit), data).status_code == 302
    assert list(AdminRole.objects.values_list("person_id", flat=True)) == [B1]


def test_the_roles_form_and_the_preview_show_each_persons_name_where_known(client, manager, unit):
    f.AdminRoleFactory(unit=unit, person_id=B1, role=BEHORIG)
    f.AdminRoleFactory(unit=unit, person_id=B2, role=BEHORIG)
    Person.objects.create(person_id=B1, name="Bo Ek")
    Person.objects.create(person_id=SMAL, name="Siv Mal")
    names = [
        n.strip()
        for n in re.findall(
            r'<td class="person-name">(.*?)</td>', client.get(url("unit_roles", unit)).content.decode(), re.S
        )
    ]
    assert names[:2] == ["Bo Ek", '–<span class="ds-sr-only">inget namn känt</span>']
    # A person typed in a new row is named when the page comes back (preview or "Lägg till rad").
    data = roles_data([(B1, BEHORIG), (B2, BEHORIG), (SMAL, LOKAL)], initial=2, action="preview")
    page = client.post(url("unit_roles", unit), data).content.decode()
    names = [n.strip() for n in re.findall(r'<td class="person-name">(.*?)</td>', page, re.S)]
    assert names[0] == "Bo Ek" and names[2] == "Siv Mal"


# --- Saving again what the page shows ---------------------------------------------------------------------
# A person who opens a page and presses "Spara" without touching anything must change nothing: the page
# shows every value exactly as stored (a "." in a name stays a "."), so what it sends back is the same.


def _save_as_shown(client, page_url: str) -> tuple[dict, object]:
    """GET the page, send back exactly what its form shows with "Spara"; the data and the response."""
    data = form_data(client, page_url)
    return data, client.post(page_url, {**data, "action": "save"})


def test_a_local_name_with_a_decimal_point_is_shown_and_saved_again_as_it_is(client, manager, unit):
    f.OfferingFactory(
        unit=unit, kind=Offering.Kind.TJANST, code="Formulär v1.2", variant=Offering.Variant.LOKAL
    )
    f.OfferingFactory(unit=unit, kind=Offering.Kind.MALL, code="Remiss 2.0.1", variant=Offering.Variant.LOKAL)
    audited = AuditEntry.objects.count()

    data, response = _save_as_shown(client, url("unit_offerings", unit))

    assert {data["lokala-0-code"], data["lokala-1-code"]} == {"Formulär v1.2", "Remiss 2.0.1"}
    assert response.status_code == 302
    assert sorted(Offering.objects.filter(unit=unit).values_list("code", flat=True)) == [
        "Formulär v1.2",
        "Remiss 2.0.1",
    ]
    assert AuditEntry.objects.count() == audited  # no delete and create of the same service
    assert "Utbudet: inget ändrades, så inget sparades." in client.get(response["Location"]).content.decode()


def test_a_person_id_with_a_decimal_point_is_shown_and_saved_again_as_it_is(client, manager, unit):
    # The admin_roles import keeps the spec's opaque person_id: an earlier file may have given "a.svensson".
    f.AdminRoleFactory(unit=unit, person_id="a.svensson", role=BEHORIG)
    f.AdminRoleFactory(unit=unit, person_id=B1, role=LOKAL)
    audited = AuditEntry.objects.count()

    data, response = _save_as_shown(client, url("unit_roles", unit))

    assert data["roller-0-person_id"] == "a.svensson"
    assert response.status_code == 302
    assert sorted(AdminRole.objects.filter(unit=unit).values_list("person_id", "role")) == [
        (B1, LOKAL),
        ("a.svensson", BEHORIG),
    ]
    assert AuditEntry.objects.count() == audited
    assert "Rollerna: inget ändrades, så inget sparades." in client.get(response["Location"]).content.decode()


def test_a_typed_name_with_a_decimal_point_comes_back_as_typed(client, manager, unit):
    # "Lägg till rad" (and a preview without JavaScript) shows the page again with what was typed.
    data = offerings_data(client, unit, **{"lokala-0-code": "Formulär v1.2", "action": "add_row"})
    response = client.post(url("unit_offerings", unit), data)
    assert response.status_code == 200
    assert 'value="Formulär v1.2"' in response.content.decode()
    assert not Offering.objects.filter(unit=unit).exists()


def test_booking_figures_keep_their_decimal_comma_and_save_again_unchanged(client, manager, unit, period):
    f.BookingFiguresFactory(unit=unit, period=period, lookahead_weeks=Decimal("8.5"))
    audited = AuditEntry.objects.count()

    data, response = _save_as_shown(client, url("unit_booking", unit))

    assert data["lookahead_weeks"] == "8,50"  # a stored decimal is still shown as a Swedish reader writes it
    assert response.status_code == 302
    assert BookingFigures.objects.get(unit=unit).lookahead_weeks == Decimal("8.5")
    assert AuditEntry.objects.count() == audited


# --- Query counts ---------------------------------------------------------------------------------------


@pytest.fixture
def region(unit, period):
    def build(n):
        for _ in range(n):
            other = f.CareUnitFactory()
            f.OfferingFactory(unit=other, code="KONTAKT")
            f.BookingFiguresFactory(unit=other, period=period)
            f.AdminRoleFactory(unit=other)
        f.OfferingFactory(unit=unit, code="KONTAKT")
        f.BookingFiguresFactory(unit=unit, period=period)
        f.AdminRoleFactory(unit=unit)

    return build


# Every request starts with the same five: session, user, the user's roles, the unit (unit_for_user)
# and whether the user may change it.
ACCESS = 5
# The engine's loader for one unit (compliance/loader.py): the region's versions (the one in force, with
# its catalogue and profiles, and every version's response-time terms), its requirements, periods, the
# unit (its row, and its earlier version that held on the date: two), booking figures, offerings, admin
# roles, exemptions, targets, and the month's cases (one streamed read).
LOADER = 11


@pytest.mark.parametrize("n", [20, 200])
def test_the_pages_and_previews_read_a_fixed_number_of_queries(
    client, manager, unit, region, n, django_assert_num_queries
):
    region(n)
    # utbud: + the unit's offerings, the version in force (whose catalogue lists the codes offered), its
    # services, its templates (Skåne's version has no channels: no query for them)
    with django_assert_num_queries(ACCESS + 4):
        assert client.get(url("unit_offerings", unit)).status_code == 200
    # bokning: + every period (newest first), the unit's figures for the chosen one
    with django_assert_num_queries(ACCESS + 2):
        assert client.get(url("unit_booking", unit)).status_code == 200
    # roller: + the unit's role holders with their names (a subquery, not a query of its own)
    with django_assert_num_queries(ACCESS + 1):
        assert client.get(url("unit_roles", unit)).status_code == 200

    data = offerings_data(client, unit, **{service_key("RADGIVNING"): "on"})
    # + offerings, the version in force, services, templates (the form), then the loader
    with django_assert_num_queries(ACCESS + 4 + LOADER):
        assert client.post(url("unit_offerings_preview", unit), data).status_code == 200
    # + periods, figures; the model's three check constraints (each a savepoint, a SELECT, a release),
    # then the loader
    with django_assert_num_queries(ACCESS + 2 + 3 * 3 + LOADER):
        response = client.post(url("unit_booking_preview", unit), booking_data(booked_reschedulable="120"))
        assert "Med ändringen: oförändrat, nivå 2" in response.content.decode()
    # + role holders with their names (the form's initial rows), the loader, and the proposed local
    # administrators' other units (one aggregate). The fragment names nobody: no names are read for it.
    rows = roles_data([(B1, BEHORIG), ("SE2321000255-PLOK", LOKAL)])
    with django_assert_num_queries(ACCESS + 1 + LOADER + 1):
        assert client.post(url("unit_roles_preview", unit), rows).status_code == 200
    # The page itself (without JavaScript) also names the persons typed in new rows: + 1
    with django_assert_num_queries(ACCESS + 1 + 1 + LOADER + 1):
        assert client.post(url("unit_roles", unit), {**rows, "action": "preview"}).status_code == 200
