"""The exemption journey in a real browser: enhetschef proposes an exemption through the form, koncernstab
sees the engine's effect and gives the first approval, styrning the second, and the unit's page shows the
new level with exemptions. Every page on the way is axe-clean (WCAG 2.1 AA) and photographed."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from compliance.services import recompute, today
from tests import factories as f
from units.permissions import changeable_units

from .conftest import assert_no_axe_violations, login_as, screenshot

# The rulebook comes from migrations; a transactional test flushes it, so it is put back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def unit(demo_users):
    """The unit manager's first unit as the spec's worked example: PASiS, nivå 2, no open invitations."""
    day = today()
    period = f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )
    unit = changeable_units(demo_users["enhetschef"]).order_by("hsa_id").first()
    unit.name = "Vårdcentralen Husie"
    unit.save(update_fields=["name"])
    f.BookingFiguresFactory(unit=unit, period=period)
    recompute(as_of=day, unit_ids=[unit.pk])
    return unit


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()


def test_propose_approve_twice_and_the_unit_page_shows_the_effect_then_the_booking_systems(page, unit):
    day = today()
    page.goto("/avsteg/ny/")
    login_as(page, "enhetschef")
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreslå avsteg")
    assert_no_axe_violations(page)
    page.get_by_label("Enhet", exact=True).select_option(label=f"Vårdcentralen Husie ({unit.hsa_id})")
    page.get_by_role("group", name="Krav").get_by_label(re.compile("^TB3-OPPEN-KALLELSE –")).check()
    page.get_by_role("group", name="Skäl").get_by_label(re.compile("^Teknisk")).check()
    page.get_by_label("Motivering", exact=True).fill(
        "PASiS stödjer ännu inte öppen kallelse för verksamheten."
    )
    page.get_by_label("Gäller från").fill(day.isoformat())
    page.get_by_label("Gäller till").fill((day + datetime.timedelta(days=180)).isoformat())
    page.get_by_label("Uppföljning 1").fill((day + datetime.timedelta(days=60)).isoformat())
    screenshot(page, "exemption-new")
    page.get_by_role("button", name="Skicka in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Avsteg AV-\d{4}-0001$"))
    expect(page.locator(".portal-messages")).to_contain_text("inskickat")
    expect(page.get_by_role("button", name="Godkänn")).to_have_count(0)
    detail = page.url
    log_out(page)

    page.goto("/avsteg/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avsteg")
    worklist = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Väntar på mitt beslut"))
    )
    expect(worklist).to_contain_text("Vårdcentralen Husie")
    assert_no_axe_violations(page)
    screenshot(page, "exemption-list")
    page.goto(detail)
    expect(page.get_by_text("Med avsteget: nivå 2 → nivå 3 med avsteg").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "exemption-detail-before-approval")
    page.get_by_label("Kommentar eller skäl till avslag").fill("Beredd av Koncernstab.")
    page.get_by_role("button", name="Godkänn").click()
    expect(page.locator(".portal-messages")).to_contain_text(
        "väntar nu på Avdelningen för hälso- och sjukvårdsstyrning"
    )
    log_out(page)

    page.goto(detail)
    login_as(page, "styrning")
    page.get_by_role("button", name="Godkänn").click()
    expect(page.locator(".portal-messages")).to_contain_text("godkänt av båda")
    expect(page.get_by_role("button", name="Återkalla")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "exemption-detail-approved")

    page.goto(f"/enheter/{unit.hsa_id}/")
    expect(page.locator("main")).to_contain_text("nivå 3 med avsteg")
    row = page.get_by_role("row", name=re.compile("öppen kallelse", re.IGNORECASE)).first
    expect(row).to_contain_text("Avsteg")
    screenshot(page, "exemption-unit-after-approval")

    # The booking systems' page (one test: the rulebook rows are restored once per test in this file's
    # transactional setup, and a second test found them gone).
    f.SystemCapabilityFactory(booking_system="PMO", note="Digitala kallelser från PMO är på väg")
    f.SystemCapabilityFactory(booking_system="PASiS", supported=True)
    log_out(page)
    page.goto("/avsteg/system/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bokningssystem och gemensamma beslut")
    expect(page.get_by_role("status").filter(has_text="Avsteg att avsluta")).to_contain_text(
        "PASiS stödjer nu TB3-OPPEN-KALLELSE"
    )
    assert_no_axe_violations(page)
    screenshot(page, "exemption-system")
    page.get_by_role("link", name="Föreslå gemensamt beslut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreslå gemensamt beslut")
    assert_no_axe_violations(page)


def test_a_draft_is_saved_once_changed_sent_in_withdrawn_and_deleted_as_a_person_would(
    page, unit, demo_users
):
    """By hand: Spara utkast, browser Back, Spara utkast again (one exemption, not two); change the draft
    (an end beyond the bound is refused with the last allowed day); send it in and withdraw it; a second
    proposal for the same unit and requirement is warned about; delete the draft."""
    from django.core import mail

    from exemptions.models import Exemption
    from exemptions.rules import last_allowed_day

    day = today()
    page.goto("/avsteg/ny/")
    login_as(page, "enhetschef")

    def fill_proposal():
        page.get_by_label("Enhet", exact=True).select_option(label=f"Vårdcentralen Husie ({unit.hsa_id})")
        page.get_by_role("group", name="Krav").get_by_label(re.compile("^TB3-OPPEN-KALLELSE –")).check()
        page.get_by_role("group", name="Skäl").get_by_label(re.compile("^Teknisk")).check()
        page.get_by_label("Motivering", exact=True).fill("PASiS stödjer ännu inte öppen kallelse här.")
        page.get_by_label("Gäller från").fill(day.isoformat())
        page.get_by_label("Gäller till").fill((day + datetime.timedelta(days=120)).isoformat())

    fill_proposal()
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.locator(".portal-messages")).to_contain_text("är sparat som utkast")
    (draft,) = Exemption.objects.all()
    detail = page.url

    # Back to the filled-in form, and "Spara utkast" again: still one exemption, and the page says so.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreslå avsteg")

    page.get_by_role("button", name="Spara utkast").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Avsteg {draft.exemption_id}")
    expect(page.locator(".portal-messages")).to_contain_text(
        f"Förslaget var redan sparat som {draft.exemption_id}"
    )
    assert Exemption.objects.count() == 1
    assert page.url == detail
    screenshot(page, "exemption-draft-saved-once")

    # Change the draft: beyond the bound first, then right, with a follow-up date.
    page.get_by_role("link", name="Ändra utkastet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ändra utkast {draft.exemption_id}")
    page.get_by_label("Gäller till").fill("2099-12-31")
    page.get_by_role("button", name="Spara utkast").click()
    summary = page.locator("#felsammanfattning")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"sista tillåtna dag är {last_allowed_day(day):%Y-%m-%d}")
    assert_no_axe_violations(page)
    screenshot(page, "exemption-edit-beyond-the-bound")
    page.get_by_label("Gäller till").fill((day + datetime.timedelta(days=150)).isoformat())
    page.get_by_label("Uppföljning 1").fill((day + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.locator(".portal-messages")).to_contain_text(f"Utkastet {draft.exemption_id} är sparat")
    draft.refresh_from_db()
    assert draft.valid_until == day + datetime.timedelta(days=150)

    # Send it in (Koncernstab is told), then withdraw it before anyone decides: a draft again.
    demo_users["koncernstab"].email = "koncernstab@skane.se"
    demo_users["koncernstab"].save(update_fields=["email"])
    mail.outbox.clear()
    page.get_by_role("button", name="Skicka in").click()
    expect(page.locator(".portal-messages")).to_contain_text("är inskickat")
    assert [m.subject for m in mail.outbox if m.to == ["koncernstab@skane.se"]] == [
        f"Avsteg {draft.exemption_id} väntar på ert beslut (första godkännandet)"
    ]
    expect(page.get_by_role("button", name="Dra tillbaka")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "exemption-submitted-may-be-withdrawn")
    page.get_by_role("button", name="Dra tillbaka").click()
    expect(page.locator(".portal-messages")).to_contain_text("är ett utkast igen")
    draft.refresh_from_db()
    assert draft.status == "draft"

    # The list says what to do with it.
    page.goto("/avsteg/")
    drafts = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Utkast att skicka in"))
    )
    expect(drafts.get_by_role("row", name=re.compile(draft.exemption_id))).to_contain_text(
        "Skicka in eller ta bort utkastet"
    )
    assert_no_axe_violations(page)
    screenshot(page, "exemption-list-att-gora")

    # A second proposal for the same unit and requirement: warned, linked, nothing saved.
    page.goto("/avsteg/ny/")
    fill_proposal()
    page.get_by_label("Uppföljning 1").fill((day + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Skicka in").click()
    warning = page.locator("#dubbletter")
    expect(warning).to_contain_text(f"{draft.exemption_id} gäller redan samma enhet och krav")
    expect(page.get_by_label(re.compile("^Spara ändå"))).to_be_visible()
    assert Exemption.objects.count() == 1
    assert_no_axe_violations(page)
    screenshot(page, "exemption-duplicate-warning")
    warning.get_by_role("link", name=draft.exemption_id).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Avsteg {draft.exemption_id}")

    # Delete the draft, after the question.
    page.get_by_role("link", name="Ta bort utkastet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ta bort utkastet {draft.exemption_id}?")
    assert_no_axe_violations(page)
    screenshot(page, "exemption-delete-question")
    page.get_by_role("button", name="Ta bort utkastet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avsteg")
    expect(page.locator(".portal-messages")).to_contain_text(f"Utkastet {draft.exemption_id} är borttaget")
    assert not Exemption.objects.exists()
