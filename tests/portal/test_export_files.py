"""Every CSV the portal serves is one file convention, for people opening it in a Swedish Excel:
UTF-8 with a byte-order mark, semicolons, decimal comma, ISO dates and instants, lines ending in
CR LF, formula-safe cells — written once, `servicelevel.spreadsheet.csv_lines`. The command-line exports
keep the data-exchange spec's comma format (tests/test_exports_safe.py)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, reverse

from compliance.models import UnitResult
from portal import urls as portal_urls
from servicelevel.audit import audit
from servicelevel.spreadsheet import csv_lines
from units.permissions import Roles, ensure_groups

from .. import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

DAY = datetime.date(2026, 11, 15)
NOW = "2026-11-22 12:00 +01:00"


@pytest.fixture
def unit():
    area = f.VardomradeFactory(name="VO Ett; två")  # a separator inside a cell is quoted, not split on
    unit = f.CareUnitFactory(name="Vårdcentralen Åhus", vardomrade=area, forvaltning=area.forvaltning)
    UnitResult.objects.create(
        as_of=DAY,
        unit=unit,
        decision=f.decision(),
        evaluation_month="2026-10",
        current_period="2026-T3",
        booking_level=1,
        response_time={"month": "2026-10", "share_in_time": 0.9333},
    )
    audit(action="import", object_type="units", object_id="enheter.csv", detail={"rows": 1, "summary": "x"})
    return unit


def routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p.name, prefix + str(p.pattern)


# Every URL of the portal that answers a CSV, with the query that gives it rows.
CSV_URLS = {
    "unit_export_csv": lambda unit: reverse("portal:unit_export_csv"),
    "unit_cases_csv": lambda unit: reverse("portal:unit_cases_csv", args=[unit.hsa_id]),
    "comparison_export_csv": lambda unit: (
        reverse("portal:comparison_export_csv") + f"?vardomrade={unit.vardomrade_id}&typ=mottagning"
    ),
    "audit_export_csv": lambda unit: reverse("portal:audit_export_csv"),
    "import_template_csv": lambda unit: reverse("portal:import_template_csv", args=["booking"]),
}


def test_every_csv_the_portal_serves_is_checked_here():
    served = {name for name, route in routes(portal_urls.urlpatterns) if ".csv" in route}
    assert served == set(CSV_URLS)


@pytest.mark.parametrize("name", sorted(CSV_URLS))
def test_each_csv_is_for_swedish_excel(client, unit, name):
    user = f.UserFactory()
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    client.force_login(user)
    response = client.get(CSV_URLS[name](unit))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"].startswith('attachment; filename="')
        and ".csv" in response["Content-Disposition"]
    )
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads å, ä, ö as UTF-8
    text = raw.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[-1] == "" and all("\n" not in line for line in lines)  # CR LF, as Excel writes
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows[0]) > 2 and all(len(row) == len(rows[0]) for row in rows)


def test_the_convention_itself():
    rows = [
        ["text", "=1+1", "a;b", "rad\nbrytning"],
        [0.9333, Decimal("8.50"), -0.25, 1e-05],
        [3, -2, None, True],
        [datetime.date(2026, 11, 15), datetime.datetime(2026, 10, 7, 8, 0, tzinfo=datetime.UTC), "", False],
    ]
    text = "".join(csv_lines(rows))
    assert text.startswith("\ufeff")
    assert text[1:].split("\r\n")[0] == 'text;\'=1+1;"a;b";"rad\nbrytning"'
    parsed = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert parsed == [
        ["text", "'=1+1", "a;b", "rad\nbrytning"],
        ["0,9333", "8,50", "-0,25", "0,00001"],  # decimal comma, never an exponent; a negative stays a number
        ["3", "-2", "", "ja"],
        ["2026-11-15", "2026-10-07T08:00:00+00:00", "", "nej"],
    ]


# A text cell holding ";" or "," followed by a formula character: a local service
# `Formulär;=cmd|' /C calc'!A0`, an imported unit name with `;=1+1`. The csv module quotes for its own
# delimiter only, so a "," variant went out bare in these ";" files, and an English Excel (which splits on
# ",") read a live formula; the ";" variant was quoted and stays so. Each such cell is now quoted for both
# separators, and each part that would start a formula begins with "'" (tests/test_exports_safe.py: the
# rule itself).
SERVICE = "Formulär;=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(unit):
    unit.name = "Vårdcentralen,=1+1"
    unit.save()
    area = unit.vardomrade
    area.name = 'VO;=HYPERLINK("http://evil.example/")'
    area.save()
    forvaltning = unit.forvaltning
    forvaltning.name = "Förvaltning,@SUM(A1)"
    forvaltning.save()
    f.CaseFactory(unit=unit, case_id="K;=1+1")  # overdue in the evaluation month, so in the cases CSV
    f.CaseFactory(unit=unit, case_id="K,-1+1")
    audit(
        action="offering_created",
        object_type="offering",
        object_id=SERVICE,
        actor_label="x,+1+1",
        detail={"changes": {"code": [None, SERVICE]}},
    )
    return unit


@pytest.mark.parametrize("name", sorted(CSV_URLS))
def test_no_csv_hands_either_excel_a_formula(client, hostile, name):
    from ..test_exports_safe import live_formulas

    user = f.UserFactory()
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    client.force_login(user)
    response = client.get(CSV_URLS[name](hostile))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode("utf-8-sig")
    assert live_formulas(text, ";") == []  # a Swedish Excel
    assert live_formulas(text, ",") == []  # an English one, or a program told the file is comma-separated
    assert live_formulas(text, "\t") == []


def test_the_payloads_reach_the_files_they_are_meant_for(client, hostile):
    """The test above proves something only if the hostile cells are there: each file holds its payload,
    neutralized and whole."""
    user = f.UserFactory()
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    client.force_login(user)

    def cells(name):
        response = client.get(CSV_URLS[name](hostile))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return {c for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for c in row}

    assert {"Vårdcentralen,'=1+1", "Förvaltning,'@SUM(A1)"} <= cells("unit_export_csv")
    assert {"K;'=1+1", "K,'-1+1"} <= cells("unit_cases_csv")
    assert "Vårdcentralen,'=1+1 (SE2321000255-" in "".join(cells("comparison_export_csv"))
    audit_cells = cells("audit_export_csv")
    assert "Formulär;'=cmd|' /C calc'!A0" in audit_cells and "x,'+1+1" in audit_cells
    assert "kod: – → Formulär;'=cmd|' /C calc'!A0" in audit_cells


def test_the_excel_export_follows_the_same_rule(client, hostile):
    """No cell of the XLSX is a formula, and a cell with a formula after a separator is neutralized as in the
    CSV: the same text whichever file a person opens, and still text if they save the sheet as CSV."""
    import openpyxl

    user = f.UserFactory()
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    client.force_login(user)
    response = client.get(reverse("portal:unit_export_xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    values = {c.value for c in cells}
    assert {"Vårdcentralen,'=1+1", "Förvaltning,'@SUM(A1)"} <= values
