"""Logging in and out in a real browser, by keyboard, for every role; axe and screenshots on the way."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, focus_by_tab, login_as, screenshot

# The sections every role sees, and who sees the two that depend on the role (tests/test_accounts.py checks
# the same rule without a browser). Other sections may be added beside these.
EVERYONE = ["Översikt", "Enheter", "Jämförelse"]
IMPORT = {"koncernstab", "styrning"}
ADMIN = {"koncernstab"}
ROLES = ["koncernstab", "styrning", "ledning", "enhetschef", "vardgivare"]
FULL_NAMES = {
    "koncernstab": "Karin Koncernstab",
    "styrning": "Sven Styrning",
    "ledning": "Lena Ledning",
    "enhetschef": "Erik Enhetschef",
    "vardgivare": "Vera Vårdgivare",
}


def test_the_login_page_is_accessible(page, demo_users):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/\?next=/$"))
    expect(page).to_have_title("Logga in – Region Skåne")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    expect(page.get_by_label("Lösenord")).to_be_visible()
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
    expect(page.get_by_role("banner").get_by_text("Uppföljning av beslut 2026-0000277")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "login")


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, demo_users):
    page.goto("/konto/logga-in/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    screenshot(page, "login-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


@pytest.mark.parametrize("username", ROLES)
def test_each_role_logs_in_by_keyboard_and_sees_its_navigation(page, demo_users, username):
    page.goto("/")
    login_as(page, username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(f"Inloggad som {FULL_NAMES[username]}")).to_be_visible()
    nav = page.get_by_role("navigation", name="Huvudmeny")
    for label in EVERYONE:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Import", exact=True)).to_have_count(1 if username in IMPORT else 0)
    expect(nav.get_by_role("link", name="Admin", exact=True)).to_have_count(1 if username in ADMIN else 0)
    expect(nav.get_by_role("link", name="Översikt")).to_have_attribute("aria-current", "page")
    assert_no_axe_violations(page)
    screenshot(page, f"start-{username}")


def test_a_wrong_password_is_explained_and_accessible(page, demo_users):
    page.goto("/konto/logga-in/")
    login_as(page, "ledning", "fel-lösenord")
    expect(page.get_by_role("alert")).to_contain_text("Ange ett korrekt användarnamn och lösenord")
    expect(page.get_by_label("Användarnamn")).to_have_value("ledning")
    expect(page.get_by_label("Lösenord")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    screenshot(page, "login-wrong-password")


def test_logout_with_the_button(page, demo_users):
    page.goto("/")
    login_as(page, "styrning")
    focus_by_tab(page, "button[type=submit]")  # the keyboard reaches Logga ut
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/$"))
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "logged-out")
    page.goto("/")  # the start page is closed again
    expect(page).to_have_url(re.compile(r"/konto/logga-in/\?next=/$"))


def test_five_wrong_passwords_lock_the_login(page, demo_users):
    page.goto("/konto/logga-in/")
    for attempt in range(1, 6):
        login_as(page, "enhetschef", f"fel-{attempt}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggningen är tillfälligt spärrad")
    expect(page.get_by_role("alert")).to_contain_text("För många misslyckade inloggningsförsök")
    expect(page.get_by_role("alert")).to_contain_text("15 minuter")
    assert_no_axe_violations(page)
    screenshot(page, "locked-out")
    # The right password does not open the portal while the lock lasts.
    page.get_by_role("link", name="Till inloggningen").click()
    login_as(page, "enhetschef")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggningen är tillfälligt spärrad")


def test_the_layout_fits_a_phone(page, demo_users):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    login_as(page, "vardgivare")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sidled rullning"
    assert_no_axe_violations(page)
    screenshot(page, "start-vardgivare-phone")
