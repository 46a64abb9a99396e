"""Imports in a real browser: Koncernstab uploads a bad file and reads its line-numbered problems, then a
good one, sees what it would change, confirms and sees the outcome; the unit list then has the unit and
its CSV export downloads. axe finds no WCAG 2.1 AA violation on the pages."""

import pytest
from playwright.sync_api import expect

from tests.helpers import UNITS_HEADER, unit_line

from .conftest import assert_no_axe_violations, login_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")


def upload(page, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto("/import/")
    page.get_by_label("Slag av fil").select_option("units")
    page.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_load_state()


def test_a_bad_then_a_good_import(page, demo_users, tmp_path):
    page.goto("/import/")
    login_as(page, "koncernstab")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera en fil")
    assert_no_axe_violations(page)
    screenshot(page, "import-start")

    upload(page, tmp_path, "enheter-fel.csv", UNITS_HEADER + unit_line(hsa="SE123-X"))
    expect(page.get_by_role("heading", name="Avvisad")).to_be_visible()
    expect(page.locator(".portal-problems")).to_contain_text("enheter-fel.csv:2: hsa_id:")
    assert_no_axe_violations(page)
    screenshot(page, "import-rejected")

    upload(page, tmp_path, "enheter.csv", UNITS_HEADER + unit_line(name="Vårdcentralen Importerad"))
    expect(page.get_by_text("units: 1 created, 0 updated, 0 unchanged")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Importera").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Importerad")).to_be_visible()
    expect(page.locator("#import-status")).to_contain_text("Importen är klar")
    screenshot(page, "import-done")

    page.goto("/enheter/?q=Importerad")
    expect(page.locator("#enheter-tabell")).to_contain_text("Vårdcentralen Importerad")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("enheter-")


def test_other_roles_are_refused_the_import_page(page, demo_users):
    page.goto("/import/")
    login_as(page, "ledning")
    expect(page.get_by_role("navigation", name="Huvudmeny")).not_to_contain_text("Import")
    response = page.goto("/import/")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("Åtkomst nekad")
