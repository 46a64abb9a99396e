"""The as-of date picker (?per=YYYY-MM-DD) opens <main>: inside a landmark (axe's "region" rule, which
assert_no_axe_violations checks on every page), the first stop after the skip link, and used by keyboard
alone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from compliance.services import recompute, today

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_date_picker_is_in_main_and_works_by_keyboard(page, demo_users):
    recompute(as_of=today() - datetime.timedelta(days=400))
    recompute(as_of=today())
    page.goto("/enheter/")
    login_as(page, "ledning")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enheter")
    main = page.get_by_role("main")
    expect(main.get_by_label("Visa läget per")).to_be_visible()
    assert_no_axe_violations(page)

    # Skip link, then the date: the first thing in the content.
    page.locator("body").evaluate("body => body.focus()")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    page.keyboard.press("Enter")
    expect(main).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Visa läget per")).to_be_focused()
    # An arrow key steps the field's first part (its order follows the browser's language), so the date
    # changes without a mouse, whatever the order.
    page.keyboard.press("ArrowDown")
    chosen = page.get_by_label("Visa läget per").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", chosen) and chosen < today().isoformat(), chosen
    # Tab moves through the field's parts, then to the button.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'Visa'"):
            break
    expect(page.get_by_role("button", name="Visa", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]per={chosen}"))
    expect(page.get_by_label("Visa läget per")).to_have_value(chosen)
    assert_no_axe_violations(page)
    screenshot(page, "as-of-by-keyboard")


def test_a_date_before_the_first_result_says_so_and_leads_to_the_earliest_day(page, demo_users):
    """Results are stored from ten days ago. A person asks for a date a month before that: every page of
    results says there are none for it and names the earliest day, and the link there shows its results."""
    first = today() - datetime.timedelta(days=10)
    recompute(as_of=first)
    recompute(as_of=today())
    before = first - datetime.timedelta(days=30)
    page.goto("/")
    login_as(page, "ledning")
    page.get_by_label("Visa läget per").fill(before.isoformat())
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page).to_have_url(re.compile(rf"\?per={before.isoformat()}$"))
    notice = page.locator("main .ds-alert")
    expect(notice).to_have_text(
        f"Det finns inga beräknade resultat för {before.isoformat()}. "
        f"Tidigaste dag med resultat är {first.isoformat()}."
    )
    expect(page.get_by_text("till och med –")).to_have_count(0)
    expect(page.get_by_role("heading", name="Bokningsnivåer")).to_have_count(0)  # no empty sections
    assert_no_axe_violations(page)
    screenshot(page, "as-of-before-the-first-result")

    notice.get_by_role("link", name=first.isoformat()).click()
    expect(page).to_have_url(re.compile(rf"\?per={first.isoformat()}$"))
    expect(page.locator("main")).to_contain_text("Resultat per")
    expect(page.get_by_role("heading", name="Bokningsnivåer")).to_be_visible()

    # The unit list keeps its filters on the way to the earliest day.
    page.goto(f"/enheter/?typ=mottagning&per={before.isoformat()}")
    notice = page.locator("main .ds-alert")
    expect(notice).to_contain_text(f"Tidigaste dag med resultat är {first.isoformat()}.")
    expect(page.locator("#enheter-tabell")).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "as-of-unit-list-before-the-first-result")
    notice.get_by_role("link", name=first.isoformat()).click()
    expect(page).to_have_url(re.compile(rf"typ=mottagning&per={first.isoformat()}$"))
    expect(page.locator("#enheter-tabell")).to_be_visible()
