"""Dates within bounds (1900–2100) as a person meets them: the date pickers offer 1900–2100 only, a link
with a date outside it shows the page for today with the reason, and a form given one answers with the
field's error in Swedish — never the server's error page. Each page axe-clean and photographed."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from compliance.services import recompute, today
from tests import factories as f
from units.permissions import changeable_units

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BOUNDS = "Ange ett datum mellan 1900-01-01 och 2100-12-31."


def test_the_as_of_picker_refuses_9999_and_a_link_with_it_shows_today_with_the_reason(page, demo_users):
    recompute(as_of=today())
    page.goto("/")
    login_as(page, "ledning")
    picker = page.get_by_label("Visa läget per")
    expect(picker).to_have_attribute("min", "1900-01-01")
    expect(picker).to_have_attribute("max", "2100-12-31")
    # The browser itself will not send a date beyond the picker's bounds: the page stays as it was.
    picker.fill("9999-12-31")
    page.get_by_role("button", name="Visa", exact=True).click()
    assert picker.evaluate("input => input.validity.rangeOverflow")
    expect(page).not_to_have_url(re.compile(r"per=9999"))

    # A link from elsewhere (a bookmark, an e-mail) still can: the page for today, and why.
    page.goto("/?per=9999-12-31")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    notice = page.locator("main .ds-alert")
    expect(notice).to_have_text(
        "”9999-12-31” är ett ogiltigt datum: året ska vara 1900–2100; sidan visar i dag."
    )
    expect(page.get_by_role("heading", name="Bokningsnivåer")).to_be_visible()  # today's results
    assert_no_axe_violations(page)
    screenshot(page, "dates-as-of-out-of-bounds")

    page.goto("/handlingsplan/?per=0001-01-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlingsplan")
    expect(page.locator("main .ds-alert").first).to_contain_text("”0001-01-01” är ett ogiltigt datum")
    expect(page.get_by_label("Avsteg som gäller per")).to_have_value(today().isoformat())
    assert_no_axe_violations(page)
    screenshot(page, "dates-action-plan-out-of-bounds")


def test_the_audit_trail_names_the_field_and_its_export_link_leaves_it_out(page, demo_users):
    page.goto("/granskning/?fran=0001-01-01&objekttyp=units")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Granskningslogg")
    field = page.get_by_label("Från och med")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main")).to_contain_text(BOUNDS)
    export = page.get_by_role("link", name="Exportera som CSV")
    expect(export).to_have_attribute("href", "/granskning/export.csv?objekttyp=units")
    assert_no_axe_violations(page)
    screenshot(page, "dates-audit-trail-out-of-bounds")


def test_an_exemption_proposal_with_9999_12_31_answers_the_fields_error(page, demo_users):
    day = today()
    f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )
    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    page.goto("/avsteg/ny/")
    login_as(page, "enhetschef")
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreslå avsteg")
    page.get_by_label("Enhet", exact=True).select_option(label=f"{unit.name} ({unit.hsa_id})")
    page.get_by_role("group", name="Krav").get_by_label(re.compile("^TB3-OPPEN-KALLELSE –")).check()
    page.get_by_role("group", name="Skäl").get_by_label(re.compile("^Teknisk")).check()
    page.get_by_label("Motivering", exact=True).fill("PASiS stödjer ännu inte öppen kallelse.")
    page.get_by_label("Gäller från").fill(day.isoformat())
    until = page.get_by_label("Gäller till")
    expect(until).to_have_attribute("max", "2100-12-31")
    until.fill("9999-12-31")  # "for ever": the form is sent (novalidate) and the portal answers
    page.get_by_label("Uppföljning 1").fill((day + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Skicka in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreslå avsteg")
    expect(page.locator("main")).to_contain_text(BOUNDS)
    expect(page.get_by_label("Gäller till")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    screenshot(page, "dates-exemption-proposal-out-of-bounds")
