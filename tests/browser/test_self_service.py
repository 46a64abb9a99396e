"""Self-service in a real browser: a unit manager edits booking figures and the offering, sees the
engine's verdict in the preview (htmx), saves and reads the confirmation; axe on each page."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, login_as, screenshot


# The live server needs a transactional database; an earlier transactional test flushes the rulebook and
# catalogue that the migrations load, so they are restored for this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_unit_manager_previews_and_saves_a_change(page, demo_users):
    from compliance.services import recompute, today
    from tests import factories as f
    from units.permissions import changeable_units

    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    day = today()
    period = f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )
    # Level 1: every TB1 figure is fine, but times are bookable only 6 weeks ahead (TB2 asks for 8).
    f.BookingFiguresFactory(unit=unit, period=period, lookahead_weeks=Decimal("6"))
    f.OfferingFactory(unit=unit, code="KONTAKT")
    recompute(as_of=day, unit_ids=[unit.pk])

    login_as(page, "enhetschef")
    page.wait_for_url(lambda url: "/konto/logga-in/" not in url)  # the login's redirect has landed
    page.goto(f"/enheter/{unit.hsa_id}/bokning/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bokningsuppgifter")
    assert_no_axe_violations(page)

    page.get_by_label("Framförhållning (veckor)").fill("8,5")
    page.get_by_role("button", name="Förhandsgranska").click()
    preview = page.locator("#forhandsgranskning")
    expect(preview).to_contain_text("Med ändringen: nivå 1 → nivå 2")
    expect(preview).to_contain_text("TB2-FRAMFORHALLNING blir uppfyllt")
    expect(page).to_have_url(
        f"{page.url.split('/enheter/')[0]}/enheter/{unit.hsa_id}/bokning/"
    )  # htmx: no reload
    assert_no_axe_violations(page)
    screenshot(page, "self-service-booking-preview")

    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Bokningsuppgifterna för P-NU sparades")
    expect(page.get_by_role("status")).to_contain_text("framförhållning (veckor): 6,00 → 8,5")

    page.get_by_role("link", name="Utbud", exact=True).click()
    page.get_by_label("Kontakta mig", exact=True).check()
    page.get_by_label("Meddelande från vården", exact=True).check()
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(preview).to_contain_text("AH2-REGIONALA-MALLAR blir uppfyllt")
    assert_no_axe_violations(page)
    screenshot(page, "self-service-offerings-preview")
    page.get_by_role("button", name="Spara").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Tillagd: tjänsten KONTAKTA-MIG")
    expect(status).to_contain_text("Tillagd: mallen MALL-MEDDELANDE")
    expect(status).to_contain_text("Enhetens resultat har räknats om.")
    screenshot(page, "self-service-offerings-saved")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_unit_manager_names_role_holders_by_hsa_id_and_sees_their_names(page, demo_users):
    """A name typed where the HSA-id belongs is refused at the field, in Swedish; an HSA-id the
    portal knows a name for is named on the form, in the confirmation and on the unit page."""
    from tests import factories as f
    from units.models import AdminRole, Person
    from units.permissions import changeable_units

    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    f.AdminRoleFactory(unit=unit, person_id="SE2321000255-P1001", role="behorighetsadministrator")
    f.AdminRoleFactory(unit=unit, person_id="u12345", role="behorighetsadministrator")  # an old import's id
    Person.objects.create(person_id="SE2321000255-P1001", name="Bo Ek")
    Person.objects.create(person_id="SE2321000255-P1234", name="Anna Svensson")

    login_as(page, "enhetschef")
    page.wait_for_url(lambda url: "/konto/logga-in/" not in url)
    page.goto(f"/enheter/{unit.hsa_id}/roller/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Administrativa roller")
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Bo Ek")
    assert_no_axe_violations(page)

    new = page.get_by_label("Personens HSA-id – rad 3")
    new.fill("Anna Svensson")
    page.get_by_role("button", name="Spara").click()
    expect(new).to_have_attribute("aria-invalid", "true")
    message = "Ange personens HSA-id, t.ex. SE0000000000-EXEMPEL — inte ett namn."
    expect(page.locator(f"#{new.get_attribute('id')}_error")).to_have_text(message)
    expect(page.locator("#felsammanfattning")).to_contain_text(f"Rad 3: Personens HSA-id: {message}")
    assert AdminRole.objects.filter(unit=unit).count() == 2
    assert_no_axe_violations(page)
    screenshot(page, "self-service-roles-refused")

    page.get_by_label("Personens HSA-id – rad 3").fill("SE2321000255-P1234")
    page.get_by_role("button", name="Spara").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Rollerna sparades")
    expect(status).to_contain_text("Tillagd: lokal administratör Anna Svensson (SE2321000255-P1234)")
    expect(page.locator("tbody tr").nth(2)).to_contain_text("Anna Svensson")
    assert_no_axe_violations(page)
    screenshot(page, "self-service-roles-saved")

    page.goto(f"/enheter/{unit.hsa_id}/")
    roles = page.locator("section", has=page.locator("#roller"))
    expect(roles).to_contain_text("Anna Svensson (SE2321000255-P1234)")
    expect(roles).to_contain_text("Bo Ek (SE2321000255-P1001)")
    expect(roles).to_contain_text("u12345")
    roles.scroll_into_view_if_needed()
    assert_no_axe_violations(page)
    screenshot(page, "unit-page-roles-named")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_decimal_point_in_a_name_or_a_person_id_survives_saving_the_page_again(page, demo_users):
    """A local service named "Formulär v1.2", saved, opened again and saved again without a
    change, stays "Formulär v1.2" (it became "Formulär v1,2": a delete and a create); the same for a role
    holder's person id with a point in it (an earlier import's id)."""
    from servicelevel.models import AuditEntry
    from tests import factories as f
    from units.models import AdminRole, Offering
    from units.permissions import changeable_units

    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    f.AdminRoleFactory(unit=unit, person_id="a.svensson", role="behorighetsadministrator")

    login_as(page, "enhetschef")
    page.wait_for_url(lambda url: "/konto/logga-in/" not in url)
    page.goto(f"/enheter/{unit.hsa_id}/utbud/")
    page.get_by_label("Namn – rad 1").fill("Formulär v1.2")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Tillagd: tjänsten Formulär v1.2")
    audited = AuditEntry.objects.count()

    page.goto(f"/enheter/{unit.hsa_id}/utbud/")  # opened again, as a person coming back would
    expect(page.get_by_label("Namn – rad 1")).to_have_value("Formulär v1.2")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Utbudet: inget ändrades, så inget sparades.")
    expect(page.get_by_label("Namn – rad 1")).to_have_value("Formulär v1.2")
    assert list(Offering.objects.filter(unit=unit).values_list("code", flat=True)) == ["Formulär v1.2"]
    assert AuditEntry.objects.count() == audited
    assert_no_axe_violations(page)
    screenshot(page, "self-service-offerings-decimal-point-kept")

    page.goto(f"/enheter/{unit.hsa_id}/roller/")
    expect(page.get_by_label("Personens HSA-id – rad 1")).to_have_value("a.svensson")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Rollerna: inget ändrades, så inget sparades.")
    expect(page.get_by_label("Personens HSA-id – rad 1")).to_have_value("a.svensson")
    assert list(AdminRole.objects.filter(unit=unit).values_list("person_id", flat=True)) == ["a.svensson"]
    assert AuditEntry.objects.count() == audited
    assert_no_axe_violations(page)
    screenshot(page, "self-service-roles-decimal-point-kept")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_unit_manager_corrects_the_offering_from_a_past_date(page, demo_users):
    """ "Gäller från" on the offering page: today by default; a date after today is refused at the field, in
    Swedish; a past date saves from then and the confirmation says which stored dates are judged again."""
    from compliance.services import recompute, today
    from tests import factories as f
    from units.models import Offering
    from units.permissions import changeable_units

    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    f.OfferingFactory(unit=unit, code="KONTAKT")
    day = today()
    past, stored = day - datetime.timedelta(days=20), day - datetime.timedelta(days=10)
    recompute(as_of=stored, unit_ids=[unit.pk])

    login_as(page, "enhetschef")
    page.wait_for_url(lambda url: "/konto/logga-in/" not in url)
    page.goto(f"/enheter/{unit.hsa_id}/utbud/")
    field = page.get_by_label("Gäller från")
    expect(field).to_have_value(day.isoformat())
    expect(field).to_have_accessible_description(re.compile("Ett tidigare datum är en rättelse"))
    assert_no_axe_violations(page)

    page.get_by_label("Kontakta mig", exact=True).check()
    field.fill((day + datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Spara").click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#felsammanfattning")).to_contain_text(
        "Gäller från: Gäller från kan inte ligga efter i dag."
    )
    assert not Offering.objects.filter(unit=unit, code="KONTAKTA-MIG").exists()
    assert_no_axe_violations(page)
    screenshot(page, "self-service-offerings-valid-from-refused")

    page.get_by_label("Gäller från").fill(past.isoformat())
    page.get_by_role("button", name="Spara").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Tillagd: tjänsten KONTAKTA-MIG")
    expect(status).to_contain_text(
        f"Ändringen gäller från {past.isoformat()} (rättelse: 1 sparat datum, {stored.isoformat()}, "
        "räknas om för 1 enhet)"
    )
    expect(page.get_by_label("Gäller från")).to_have_value(day.isoformat())  # the next change: today again
    assert Offering.objects.get(unit=unit, code="KONTAKTA-MIG").valid_from == past
    assert_no_axe_violations(page)
    screenshot(page, "self-service-offerings-valid-from-saved")
