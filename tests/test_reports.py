"""PDF reports (/rapporter/, docs/reports.md): asked for in the portal, rendered by the Celery task (in-process
here) with WeasyPrint as tagged PDF/UA-1, downloaded through a view that checks rights and audits.

The PDFs' text is extracted with pypdf and checked for the right units and numbers; the structure that
makes them PDF/UA (StructTreeRoot, /Lang sv, /MarkInfo, a title) is read from the file itself. Results
are stored by the engine (`compliance.services.recompute`) from facts made with the factories."""

import datetime
import io
import re

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError
from django.shortcuts import resolve_url
from django.urls import reverse
from pypdf import PdfReader

from compliance import reports
from compliance.models import Report
from compliance.services import recompute
from compliance.tasks import render_report
from servicelevel.models import AuditEntry, Requirement
from units.permissions import Roles, grant_provider, grant_units

from . import factories as f
from .helpers import text_of, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
DAY = datetime.date(2026, 11, 20)
LIST = reverse("portal:reports")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def region():
    """Two vårdområden in one förvaltning and one in another; a private provider's two units in the
    first area; one approved exemption; results stored by the engine for DAY."""
    fvg = f.ForvaltningFactory(name="Primärvård Skåne")
    malmo = f.VardomradeFactory(name="Primärvård Malmö", forvaltning=fvg)
    lund = f.VardomradeFactory(name="Primärvård Lund", forvaltning=fvg)
    psyk = f.VardomradeFactory(
        name="Vuxenpsykiatri", forvaltning=f.ForvaltningFactory(name="Psykiatri Skåne")
    )
    provider = f.ProviderFactory(name="Hälsohuset AB")
    other_provider = f.ProviderFactory(name="Doktor Direkt AB")
    units = {
        "a1": f.CareUnitFactory(hsa_id="SE2321000255-MA01", name="Vårdcentralen Annelund", vardomrade=malmo),
        "a2": f.CareUnitFactory(hsa_id="SE2321000255-MA02", name="Vårdcentralen Bulltofta", vardomrade=malmo),
        "p1": f.CareUnitFactory(
            hsa_id="SE2321000255-HH01", name="Hälsohuset Centrum", vardomrade=malmo, provider=provider
        ),
        "p2": f.CareUnitFactory(
            hsa_id="SE2321000255-DD01", name="Doktor Direkt Väster", vardomrade=malmo, provider=other_provider
        ),
        "l1": f.CareUnitFactory(hsa_id="SE2321000255-LU01", name="Vårdcentralen Linero", vardomrade=lund),
        "s1": f.CareUnitFactory(hsa_id="SE2321000255-PS01", name="Psykiatrimottagning Syd", vardomrade=psyk),
    }
    exemption = f.ExemptionFactory(
        exemption_id="AV-2026-0007",
        unit=units["a1"],
        requirement=f.requirement("TB3-OPPEN-KALLELSE"),
        status="approved",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
    )
    recompute(as_of=DAY)
    return {"units": units, "malmo": malmo, "lund": lund, "provider": provider, "exemption": exemption}


def request_report(client, captured, **data):
    """POST the form as a person does; the task runs when the request's transaction commits."""
    payload = {"kind": "efterlevnad", "omfattning": "region", "per": DAY.isoformat(), **data}
    with captured(execute=True):
        response = client.post(LIST, payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def pdf_of(report) -> PdfReader:
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    with report.file.open("rb") as fh:
        return PdfReader(io.BytesIO(fh.read()))


# ----------------------------------------------------------------------------------------------- rights


def test_it_sends_an_anonymous_visitor_to_the_login(client):
    for url in (LIST, reverse("portal:report_detail", args=[1]), reverse("portal:report_download", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_a_providers_region_report_holds_only_its_own_units(
    client, region, django_capture_on_commit_callbacks
):
    provider_user = user_in(Roles.VARDGIVARE)
    grant_provider(provider_user, region["provider"])
    client.force_login(provider_user)

    text = text_of(pdf_of(request_report(client, django_capture_on_commit_callbacks, omfattning="region")))

    assert "SE2321000255-HH01" in text and "Hälsohuset Centrum" in text
    for other in ("SE2321000255-DD01", "SE2321000255-MA01", "SE2321000255-LU01", "SE2321000255-PS01"):
        assert other not in text
    assert "Doktor Direkt" not in text and "Annelund" not in text
    assert "Psykiatri Skåne" not in text  # not even another förvaltning's name
    assert "Enheternas status (1)" in text


def test_a_unit_manager_gets_404_for_another_units_scorecard(client, region):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [region["units"]["a1"]])
    client.force_login(manager)
    other = reverse("portal:report_unit_scorecard", args=["SE2321000255-LU01"])
    assert client.get(other).status_code == 404
    assert client.post(other).status_code == 404
    # The form refuses it in the same words as a unit that does not exist.
    response = client.post(LIST, {"kind": "enhetskort", "enhet": "SE2321000255-LU01", "per": DAY.isoformat()})
    assert response.status_code == 400
    assert "Det finns ingen enhet med det HSA-id:t som du har behörighet till." in response.content.decode()
    assert not Report.objects.exists()


def test_a_unit_manager_gets_404_for_someone_elses_report(client, region, django_capture_on_commit_callbacks):
    boss = user_in(Roles.KONCERNSTAB)
    client.force_login(boss)
    report = request_report(client, django_capture_on_commit_callbacks)
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [region["units"]["a1"]])
    client.force_login(manager)
    for name in ("report_detail", "report_status", "report_download"):
        assert client.get(reverse(f"portal:{name}", args=[report.pk])).status_code == 404
    assert f"/rapporter/{report.pk}/" not in client.get(LIST).content.decode()


def test_ledning_downloads_any_report_and_each_download_is_audited(
    client, region, django_capture_on_commit_callbacks
):
    client.force_login(user_in(Roles.KONCERNSTAB, username="analytiker"))
    report = request_report(
        client, django_capture_on_commit_callbacks, omfattning=f"omrade-{region['malmo'].pk}"
    )
    reader = user_in(Roles.LEDNING, username="direktor")
    client.force_login(reader)

    response = client.get(reverse("portal:report_download", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    entry = AuditEntry.objects.get(action="report_downloaded")
    assert (entry.actor, entry.object_type, entry.object_id) == (reader, "report", str(report.pk))
    assert entry.detail == {
        "rapport": "Efterlevnadsrapport Primärvård Malmö per 2026-11-20",
        "per": "2026-11-20",
        "beställd av": "analytiker",
    }


def test_ledning_may_request_reports_read_only_as_it_is(client, region, django_capture_on_commit_callbacks):
    client.force_login(user_in(Roles.LEDNING))
    report = request_report(client, django_capture_on_commit_callbacks)
    assert pdf_of(report).pages


def test_a_report_fails_when_the_person_has_lost_the_right_before_it_is_made(client, region):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    report = Report.objects.create(
        kind="enhetskort", scope="unit", unit=region["units"]["a1"], as_of=DAY, requested_by=manager
    )
    assert render_report.delay(report.pk).get() is False
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == reports.FAILED_RIGHTS
    assert not report.file


# ---------------------------------------------------------------------------------------------- content


def test_an_area_compliance_report_is_tagged_pdf_ua_with_its_units_and_numbers(
    client, region, django_capture_on_commit_callbacks
):
    client.force_login(user_in(Roles.KONCERNSTAB))
    report = request_report(
        client, django_capture_on_commit_callbacks, omfattning=f"omrade-{region['malmo'].pk}"
    )
    pdf = pdf_of(report)
    text = text_of(pdf)

    # The header on every page, the page numbers, the decision and the date.
    assert "Beslut 2026-0000277" in pdf.pages[0].extract_text()
    assert f"Sida 1 av {len(pdf.pages)}" in text and f"Sida {len(pdf.pages)} av {len(pdf.pages)}" in text
    assert "Efterlevnadsrapport: Primärvård Malmö" in text
    assert "20 november 2026" in text
    # Exactly the area's four units, with their HSA-ids; none from elsewhere.
    for hsa in ("SE2321000255-MA01", "SE2321000255-MA02", "SE2321000255-HH01", "SE2321000255-DD01"):
        assert hsa in text
    assert "SE2321000255-LU01" not in text and "SE2321000255-PS01" not in text
    assert "Enheternas status (4)" in text
    assert "Ingen nivå 4 0 4" in text  # the dashboard's level table: no unit has booking figures
    # The exemption in force, and the requirements as the dashboard counts them.
    assert "AV-2026-0007" in text and "Avsteg som gäller (1)" in text
    assert "TB1-VISA" in text

    # PDF/UA: a structure tree, the language, marked content, a title — and the report names its pages.
    catalog = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "sv"
    assert catalog["/MarkInfo"]["/Marked"].value is True  # a pypdf BooleanObject
    assert pdf.metadata.title == report.title == "Efterlevnadsrapport Primärvård Malmö per 2026-11-20"
    assert "pdfuaid" in pdf.xmp_metadata.stream.get_data().decode()  # the PDF/UA identification
    assert report.pages == len(pdf.pages)


def test_the_heatmap_alone_is_on_a_landscape_page_and_each_chart_keeps_its_heading(
    client, region, django_capture_on_commit_callbacks
):
    """The landscape page holds the heatmap and its table; the response-time section after it starts on
    a portrait page of its own, its heading and caption with the chart (not left behind at the foot of
    the landscape page)."""
    client.force_login(user_in(Roles.KONCERNSTAB))
    pdf = pdf_of(request_report(client, django_capture_on_commit_callbacks, omfattning="region"))
    pages = [(" ".join(p.extract_text().split()), p.mediabox.width > p.mediabox.height) for p in pdf.pages]
    landscape = [text for text, wide in pages if wide]
    assert len(landscape) == 1 and "Andel uppfyllda krav per förvaltning" in landscape[0]
    assert "Svarstid i ärendehanteringen" not in landscape[0]
    response = next(text for text, _wide in pages if "Svarstid i ärendehanteringen" in text)
    assert "Svar i tid per månad" in response and "okt 2026" in response  # the chart and its table


def test_the_pdf_heatmap_says_avsteg_and_uppgift_saknas_not_a_red_zero(
    client, region, django_capture_on_commit_callbacks
):
    """Malmö's four units have no booking figures and no cases, so their TB requirements and SV1 have no
    data; Annelund's approved exemption covers TB3-OPPEN-KALLELSE. The picture, the page-wide table and
    the requirement table say so in words, not as a red 0 %."""
    client.force_login(user_in(Roles.KONCERNSTAB))
    report = request_report(
        client, django_capture_on_commit_callbacks, omfattning=f"omrade-{region['malmo'].pk}"
    )
    pdf = pdf_of(report)
    landscape = next(
        " ".join(p.extract_text().split()) for p in pdf.pages if p.mediabox.width > p.mediabox.height
    )
    codes = list(
        Requirement.objects.filter(decision=f.decision())
        .order_by("order", "code")
        .values_list("code", flat=True)
    )
    cell = r"Uppgift saknas|Avsteg|\d+(?:,\d)? %"

    def row(name: str, hsa_id: str) -> list[str]:
        """The page-wide table's row: the unit, its count of units, then a cell per requirement."""
        start = landscape.index(f"{name} ({hsa_id}) 1 enhet")
        return re.findall(cell, landscape[start:])[: len(codes)]

    annelund = row("Vårdcentralen Annelund", "SE2321000255-MA01")
    bulltofta = row("Vårdcentralen Bulltofta", "SE2321000255-MA02")
    assert annelund[codes.index("TB3-OPPEN-KALLELSE")] == "Avsteg"
    assert bulltofta[codes.index("TB3-OPPEN-KALLELSE")] == "Uppgift saknas"
    assert annelund[codes.index("SV1-SVARSTID")] == bulltofta[codes.index("SV1-SVARSTID")] == "Uppgift saknas"
    assert annelund[codes.index("AH3-BASUTBUD")] == "0 %"  # not met, no exemption: a real zero
    # The legend under the picture names both.
    assert "under 50 % Avsteg Uppgift saknas inga bedömda enheter" in landscape
    # The requirement table: SV1 has no share when no unit could be judged on it.
    assert "samma dag) 0 0 0 4 0 Uppgift saknas" in text_of(pdf)


def test_a_tables_heading_and_caption_are_never_left_at_the_foot_of_a_page():
    """The print styles keep a section's heading and a table's caption with the table's first row, wherever
    the table falls on the page (a caption alone at a page's foot, its rows on the next, was seen)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    styles = render_to_string(
        "reports/_print_styles.html", {"decision_number": "2026-0000277", "running_date": "2026-11-20"}
    )
    row = "<br>".join(["AV-2026-0007", "Vårdcentralen Annelund", "TB3-OPPEN-KALLELSE", "Teknisk", "2026"])
    for filler in range(26, 42):  # the table's start moves down the first page and past its foot
        html = (
            f'<html lang="sv"><head><title>T</title>{styles}</head><body><h1>Rapport</h1>'
            + "<p>Text.</p>" * filler
            + "<section><h2>Avsteg som gäller (1)</h2><table><caption>Godkända avsteg som gäller</caption>"
            + f"<thead><tr><th>Avsteg</th></tr></thead><tbody><tr><td>{row}</td></tr></tbody></table></section>"
            + "</body></html>"
        )
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(HTML(string=html).write_pdf())).pages]
        for text in pages:
            if "Godkända avsteg som gäller" in text or "Avsteg som gäller (1)" in text:
                assert "Avsteg som gäller (1)" in text and "Godkända avsteg som gäller" in text, filler
                assert "Vårdcentralen Annelund" in text, filler


def test_a_unit_scorecard_is_one_page_with_the_units_statuses(
    client, region, django_capture_on_commit_callbacks
):
    client.force_login(user_in(Roles.KONCERNSTAB))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:report_unit_scorecard", args=["SE2321000255-MA01"]))
    report = Report.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    pdf = pdf_of(report)
    text = text_of(pdf)

    assert len(pdf.pages) == 1
    assert "Enhetskort: Vårdcentralen Annelund" in text and "SE2321000255-MA01" in text
    assert "TB3-OPPEN-KALLELSE" in text and "Avsteg (AV-2026-0007)" in text
    assert "Avsteg som gäller (1)" in text
    # No booking figures: no level, and the scorecard says what level 1 lacks (the unit page's words).
    assert "För nivå 1 saknas: TB1-VISA (Uppgift saknas), TB1-AVBOKA (Uppgift saknas)." in text


def test_an_action_plan_report_names_the_exemptions_in_force(
    client, region, django_capture_on_commit_callbacks
):
    f.SchedulePeriodFactory(
        code="2026-T3", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 12, 31)
    )
    client.force_login(user_in(Roles.LEDNING))
    report = request_report(
        client, django_capture_on_commit_callbacks, kind="handlingsplan", omfattning="region"
    )
    text = text_of(pdf_of(report))
    assert "Handlingsplan: Region Skåne, period 2026-T3" in text
    assert "AV-2026-0007" in text and "Vårdcentralen Annelund" in text


# ------------------------------------------------------------------------------------------ reliable jobs


def test_a_rerun_of_a_done_report_makes_no_second_file(
    client, region, django_capture_on_commit_callbacks, _media
):
    client.force_login(user_in(Roles.KONCERNSTAB))
    report = request_report(
        client, django_capture_on_commit_callbacks, omfattning=f"omrade-{region['lund'].pk}"
    )
    first = pdf_of(report)

    assert render_report.delay(report.pk).get() is False
    assert render_report.delay(report.pk).get() is False

    assert len(list((_media / "reports").iterdir())) == 1
    report.refresh_from_db()
    assert report.attempts == 1 and report.status == Report.Status.DONE
    assert len(pdf_of(report).pages) == len(first.pages)


def test_a_report_being_rendered_elsewhere_is_left_alone_until_its_claim_is_stale(region, _media):
    report = Report.objects.create(
        kind="efterlevnad", scope="region", as_of=DAY, requested_by=user_in(Roles.KONCERNSTAB)
    )
    Report.objects.filter(pk=report.pk).update(
        status="rendering", started_at=datetime.datetime.now(datetime.UTC)
    )
    assert render_report.delay(report.pk).get() is False
    assert not (_media / "reports").exists()
    # A claim older than the task's hard time limit is a dead worker's: the next run takes it over.
    with time_machine.travel(
        datetime.datetime.now(datetime.UTC) + reports.STALE_CLAIM + datetime.timedelta(1)
    ):
        assert render_report.delay(report.pk).get() is True
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 1


def test_the_task_retries_transient_faults_with_backoff_within_time_limits():
    assert OperationalError in render_report.autoretry_for
    assert render_report.max_retries == 3 and render_report.retry_backoff
    assert render_report.soft_time_limit == reports.SOFT_TIME_LIMIT < render_report.time_limit
    assert reports.STALE_CLAIM.total_seconds() > render_report.time_limit
    assert render_report.acks_late


def test_a_transient_fault_puts_the_report_back_for_the_retry_which_makes_it(region, monkeypatch, _media):
    """What the task's autoretry does, step by step: the first attempt fails on the database and hands
    the report back to the queue (re-raising for Celery to retry with backoff); the retry makes it."""
    real, calls = reports.write_pdf, []

    def flaky(document):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(document)

    monkeypatch.setattr(reports, "write_pdf", flaky)
    report = Report.objects.create(
        kind="efterlevnad", scope="region", as_of=DAY, requested_by=user_in(Roles.KONCERNSTAB)
    )
    with pytest.raises(OperationalError):
        reports.render(report_id=report.pk, final_attempt=False)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and report.error == ""

    assert reports.render(report_id=report.pk, final_attempt=False) is True
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 2
    assert len(list((_media / "reports").iterdir())) == 1


def test_a_transient_fault_on_the_last_attempt_fails_the_report_with_a_reason(region, monkeypatch):
    def down(document):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(reports, "write_pdf", down)
    report = Report.objects.create(
        kind="efterlevnad", scope="region", as_of=DAY, requested_by=user_in(Roles.KONCERNSTAB)
    )
    assert reports.render(report_id=report.pk, final_attempt=True) is False
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == reports.FAILED_TRANSIENT


def test_a_failure_is_shown_to_the_person_who_asked(
    client, region, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(report):
        raise ValueError("a template bug")

    monkeypatch.setattr(reports, "build_html", broken)
    client.force_login(user_in(Roles.KONCERNSTAB))
    report = request_report(client, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED

    html = client.get(reverse("portal:report_detail", args=[report.pk])).content.decode()
    assert "Misslyckades" in html and reports.FAILED_UNEXPECTED in html
    assert "a template bug" not in html  # the cause is logged, not shown
    assert client.get(reverse("portal:report_download", args=[report.pk])).status_code == 404


def test_the_page_polls_a_report_in_progress_and_offers_the_download_when_done(
    client, region, django_capture_on_commit_callbacks
):
    boss = user_in(Roles.KONCERNSTAB)
    client.force_login(boss)
    waiting = Report.objects.create(kind="efterlevnad", scope="region", as_of=DAY, requested_by=boss)
    status_url = reverse("portal:report_status", args=[waiting.pk])
    html = client.get(status_url).content.decode()
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 1s"' in html
    assert '<progress id="report-progress" max="100" value="0">' in html

    done = request_report(client, django_capture_on_commit_callbacks)
    html = client.get(reverse("portal:report_status", args=[done.pk])).content.decode()
    assert "hx-get" not in html
    assert f'href="{reverse("portal:report_download", args=[done.pk])}"' in html
