"""Region-neutral texts (issue 15): the region's name, its decision's number, title and version and its
theme colour come from the rulebook version in force — on every page (a context processor), in the
e-mails and in the PDFs — and the dashboard draws only what the version has: a Halland portal says
Region Halland and RS220477 everywhere, and has no level chart, no local administrators, no trends per
period and no pass/fail wording on response times. Skåne's own surfaces stay as the other tests pin them
(tests/portal/test_dashboard.py, tests/test_reports.py).

Halland's results are written by the engine itself, from its shipped rulebook file."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from compliance.models import Report
from compliance.reports import write_pdf
from compliance.services import recompute
from portal.reports.content import report_html
from servicelevel import region_texts, rulebooks
from servicelevel.region_texts import texts
from servicelevel.templatetags.region import css_string
from units.permissions import Roles

from .. import factories as f
from ..helpers import html_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
DAY = datetime.date(2026, 11, 20)
URL = reverse("portal:dashboard")
SKANE_LITERALS = ("Region Skåne", "2026-0000277")


@pytest.fixture(autouse=True)
def _nothing_kept():
    """Each test reads the rulebook afresh: an answer kept by an earlier test's process state is not
    what this one is about (and a test's rolled-back version must not linger)."""
    region_texts.forget()
    yield
    region_texts.forget()


@pytest.fixture
def halland(settings):
    """A Halland portal: its shipped rulebook loaded, a few units with booking figures, results stored."""
    settings.SERVICELEVEL_REGION = "halland"
    rulebooks.load_shipped()
    area = f.VardomradeFactory(
        name="Närsjukvård Halmstad", forvaltning=f.ForvaltningFactory(name="Närsjukvården")
    )
    period = f.SchedulePeriodFactory(
        code="2026-T3", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 12, 31)
    )
    units = [f.CareUnitFactory(name=f"Vårdcentralen Halmstad {i}", vardomrade=area) for i in range(3)]
    for unit in units:
        f.BookingFiguresFactory(unit=unit, period=period)
    recompute(as_of=DAY)
    return units


def no_skane(text: str) -> None:
    for literal in SKANE_LITERALS:
        assert literal not in text


# ----------------------------------------------------------------------------------------- templates


def test_no_template_writes_skanes_name_or_decision_number():
    """Every template directory of the project: the region and the decision come from the rulebook."""
    root = Path(django_settings.BASE_DIR)
    found = []
    for path in sorted(root.glob("**/templates/**/*")):
        if ".venv" in path.parts or not path.is_file() or path.suffix not in (".html", ".txt", ".xml"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(root)}: {literal}" for literal in SKANE_LITERALS if literal in text]
    assert found == []


# ------------------------------------------------------------------------------- the context processor


def test_it_gives_skanes_words_from_the_version_in_force(client):
    words = texts()
    assert (words.region_name, words.decision_number, words.decision_label) == (
        "Region Skåne",
        "2026-0000277",
        "2026-0000277 version 2.0",
    )
    assert words.decision_title.startswith("Gemensam servicenivå av digitala tjänster")
    assert words.theme_colour == "#a6192e"  # the stylesheet's own: Skåne's scale is not derived anew
    html = client.get(reverse("login")).content.decode()
    assert "<title>Logga in – Region Skåne</title>" in html
    assert '<span class="portal-brand__region">Region Skåne</span>' in html
    assert "Uppföljning av beslut 2026-0000277" in html
    assert "--portal-theme-colour: #a6192e;" in html and "color-mix" not in html


def test_it_costs_no_query_once_kept(django_assert_num_queries):
    # 1 the version in force today (with the region's subquery); kept from then on.
    with django_assert_num_queries(1):
        texts()
    with django_assert_num_queries(0):
        assert texts().region_name == "Region Skåne"


def test_a_version_loaded_in_this_transaction_is_read_at_once(settings):
    assert texts().region_name == "Region Skåne"  # kept
    settings.SERVICELEVEL_REGION = "halland"
    rulebooks.load_shipped()
    assert texts().region_name == "Region Halland"
    settings.SERVICELEVEL_REGION = ""  # the region of the version loaded last: Halland's, not the kept one
    assert texts().decision_number == "RS220477"


def test_a_halland_portal_names_halland_everywhere_on_its_pages(client, halland):
    words = texts()
    assert (words.region_name, words.decision_number) == ("Region Halland", "RS220477")
    assert words.theme_colour == "#00629b"
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL))
    no_skane(html)
    assert "<title>Översikt – Region Halland</title>" in html
    assert '<span class="portal-brand__region">Region Halland</span>' in html
    assert "Uppföljning av beslut RS220477" in html
    assert "uppföljning av beslut RS220477 om digitalt utbud för alla vård- och tandvårdsmottagningar" in html
    # Halland's colour, with its scale mixed from it.
    assert "--portal-theme-colour: #00629b;" in html
    assert "--ds-color-accent-base-default: var(--portal-theme-colour);" in html


def test_the_theme_colour_setting_wins_and_only_a_colour_is_written(client, settings):
    settings.SERVICELEVEL_THEME_COLOUR = "#0B4F6C"
    assert texts().theme_colour == "#0b4f6c"
    assert "--portal-theme-colour: #0b4f6c;" in client.get(reverse("login")).content.decode()
    region_texts.forget()
    settings.SERVICELEVEL_THEME_COLOUR = "red; } body { display: none"
    assert texts().theme_colour == "#a6192e"  # not a colour: the region's own


def test_the_500_page_is_neutral_and_reads_nothing(django_assert_num_queries):
    # Rendered when something already failed, the database perhaps: no context, no query.
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    no_skane(html)
    assert "<title>Något gick fel – Servicenivåportalen</title>" in html


def test_the_login_page_says_what_the_decision_in_force_asks(client, halland):
    html = client.get(reverse("login")).content.decode()
    no_skane(html)
    assert "Här följer Region Halland upp" in html
    assert "grundutbud, e-tjänster och tidbokning via webbtidbok" in html


# --------------------------------------------------------------------------------------------- e-mails


def test_the_emails_are_signed_by_the_region_in_force(halland):
    signature = render_to_string("emails/_workflow_signature.txt", {})
    assert "Servicenivåportalen, Region Halland\n" in signature
    digest = render_to_string(
        "emails/weekly_digest.txt",
        {"person": user_in(Roles.KONCERNSTAB), "body_label": "Koncernstab", "exemptions": [], "groups": []},
    )
    no_skane(digest)
    assert "Servicenivåportalen, Region Halland" in digest


def test_skanes_emails_are_signed_as_before():
    assert render_to_string("emails/_workflow_signature.txt", {}) == (
        "Vänliga hälsningar\nServicenivåportalen, Region Skåne\n"
        "(Det här meddelandet skickas automatiskt och går inte att svara på.)\n"
    )


# ------------------------------------------------------------------------------------------- dashboard


def section_ids(html: str) -> list[str]:
    return re.findall(r'<section class="dashboard-section" aria-labelledby="([^"]+)"', html)


def test_a_dashboard_without_a_ladder_has_no_level_chart_and_no_error(client, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    response = client.get(URL)
    assert response.status_code == 200
    html = html_of(response)
    assert "Översikt: Region Halland" in html and "bedömda mot beslut RS220477" in html
    # No levels (no ladder), no local administrators (no such requirement), no trends (no share_trend).
    assert section_ids(html) == [
        "rubrik-krav",
        "rubrik-svarstid",
        "rubrik-avsteg",
        "rubrik-aktualitet",
    ]
    assert "nivå" not in html.split('id="rubrik-krav"')[0].split("<main")[1].lower()
    assert 'id="nivaer"' not in html and "Bokningsnivå" not in html
    # Every one of Halland's requirements is a heatmap column, none of Skåne's.
    for code in ("GU-HEMSIDA", "WT-SE-ALLA"):
        assert code in html
    assert "TB1-" not in html and "AR1-" not in html and "SV1-" not in html


def test_without_a_response_time_requirement_response_times_are_information_only(client, halland):
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL))
    start = html.index('aria-labelledby="rubrik-svarstid"')
    response = html[start : html.index("</section>", start)]
    assert "Som information: beslutet ställer inget krav på svarstid" in response
    assert "Svar inom 2 vardagar per månad" in response
    # No pass/fail: no requirement, no threshold line, no "i tid", no "strävan".
    for word in ("Krav:", "krav minst", " i tid", "strävan", "Strävan"):
        assert word not in response


def test_a_unit_managers_halland_dashboard_has_no_level_comparison(client, halland):
    from units.permissions import grant_units

    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, halland[:1])
    client.force_login(manager)
    html = html_of(client.get(URL))
    assert "rubrik-jamforelse" not in html and "rubrik-nivaer" not in html
    no_skane(html)


# --------------------------------------------------------------------------------------------- reports


def a_report(kind: str, **fields) -> Report:
    return Report.objects.create(
        kind=kind, as_of=DAY, requested_by=user_in(Roles.KONCERNSTAB), **{"scope": "region", **fields}
    )


def test_a_halland_compliance_report_names_its_version_and_has_no_levels(halland):
    document = report_html(a_report("efterlevnad"))
    no_skane(document.html)
    assert document.title == "Efterlevnadsrapport Region Halland per 2026-11-20"
    assert '<meta name="author" content="Region Halland – Servicenivåportalen">' in document.html
    assert (
        "<dd>RS220477 version 1.0 (digitalt utbud för alla vård- och tandvårdsmottagningar" in document.html
    )
    assert 'id="nivaer"' not in document.html
    assert '<th scope="col">Nivå</th>' not in document.html  # the unit table has no level column
    assert "Svar inom 2 vardagar</th>" in document.html  # the unit table's column: no requirement to name
    # The PDF itself: its running header and footer are the rulebook's, as CSS strings.
    pdf, _pages = write_pdf(document)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Beslut RS220477" in text and "Region Halland · Servicenivåportalen" in text
    no_skane(text)


def test_a_halland_scorecard_and_action_plan_name_halland(halland):
    card = report_html(a_report("enhetskort", scope="unit", unit=halland[0]))
    no_skane(card.html)
    assert "RS220477 version 1.0" in card.html
    assert "Bokningsnivå" not in card.html and "Tidbokningsnivå" not in card.html  # no ladder
    assert "Svarstid, senaste månaderna (som information)" in card.html
    plan = report_html(a_report("handlingsplan"))
    no_skane(plan.html)
    assert "Handlingsplan: Region Halland" in plan.html


def test_skanes_reports_name_its_version_and_keep_their_sections():
    unit = f.CareUnitFactory()
    recompute(as_of=DAY)
    document = report_html(a_report("efterlevnad"))
    assert "Region Skåne · Servicenivåportalen" in document.html
    assert "<dd>2026-0000277 version 2.0 (gemensam servicenivå av digitala tjänster" in document.html
    assert '<h2 id="nivaer">Bokningsnivåer</h2>' in document.html
    assert "Nivå 1–3 enligt beslutets krav på tidbokning genom 1177.se" in document.html
    assert "Svar i tid (SV1-SVARSTID)</th>" in document.html
    assert '<th scope="col">Nivå</th>' in document.html  # the unit table's level column
    card = report_html(a_report("enhetskort", scope="unit", unit=unit))
    assert "Svarstid (SV1-SVARSTID), senaste månaderna – krav minst 95 %" in card.html


def test_a_css_string_cannot_end_its_string_or_the_style():
    assert css_string("Region Skåne") == '"Region Skåne"'
    assert css_string('Ö"; } </style><script>') == '"Ö\\22 ; } \\3c /style\\3e \\3c script\\3e "'


def test_a_norrbotten_portal_renders_its_own_dashboard_and_colour(client, settings):
    settings.SERVICELEVEL_REGION = "norrbotten"
    rulebooks.load_shipped()
    f.CareUnitFactory()
    recompute(as_of=DAY)
    client.force_login(user_in(Roles.KONCERNSTAB))
    html = html_of(client.get(URL))
    no_skane(html)
    assert "Översikt: Region Norrbotten" in html and "bedömda mot beslut 678-2021" in html
    assert "--portal-theme-colour: #1d4f91;" in html
    assert section_ids(html) == ["rubrik-krav", "rubrik-svarstid", "rubrik-avsteg", "rubrik-aktualitet"]
