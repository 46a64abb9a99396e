"""What each PDF report shows (docs/reports.md): a report → one selector → one template → finished HTML.

Named by `settings.REPORT_CONTENT`, called by `compliance.reports.render` inside the Celery task. Each
report is read *as the person who asked for it*: the same selectors the pages use, filtered by
`units.permissions` for `report.requested_by`, with the scope checked again now (a scope or unit the
person may no longer see raises Http404, and the report fails with a sentence saying so). Nothing here
judges; the charts are the dashboard's own (portal/presentation/charts.py and its templates in
portal/presentation/templates/portal/charts/).

- `efterlevnad`: the dashboard's selector for the scope (levels, heatmap, statuses per requirement,
  response time), every unit of the scope with its stored level and counts (the unit list's selector),
  and the exemptions in force (the action plan's).
- `enhetskort`: the unit page's selector, on one page.
- `handlingsplan`: the action plan's selector for the period and scope.
"""

from __future__ import annotations

import re
import unicodedata
from types import SimpleNamespace

from django.template.loader import render_to_string

from compliance.models import Report
from compliance.reports import ReportHTML
from portal.actionplan.selectors import action_plan, exemptions_in_force, period_for
from portal.as_of import AsOf, as_of_from
from portal.dashboard.presentation import page_context
from portal.dashboard.selectors import dashboard, scope_for
from portal.presentation.values import share_text
from portal.units.selectors import level_label, unit_page, unit_rows
from units.permissions import area_for_user, forvaltning_for_user, unit_for_user, visible_units

DECISION_NUMBER = "2026-0000277"  # the follow-up's decision; each report names the one its results used


def report_html(report: Report) -> ReportHTML:
    return BUILDERS[report.kind](report)


def as_of_for(day) -> AsOf:
    """The as-of date as the pages answer it (the latest stored date on or before `day`)."""
    return as_of_from(SimpleNamespace(GET={"per": day.isoformat()}))


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "rapport"


def _scope_name(report: Report) -> str:
    if report.vardomrade_id:
        return report.vardomrade.name
    if report.forvaltning_id:
        return report.forvaltning.name
    return "Region Skåne"


# ------------------------------------------------------------------------------------ compliance report


def compliance_report(report: Report) -> ReportHTML:
    user = report.requested_by
    scope = scope_for(
        user,
        forvaltning=str(report.forvaltning_id or ""),
        vardomrade=str(report.vardomrade_id or ""),
    )
    as_of = as_of_for(report.as_of)
    board = dashboard(user, as_of, scope)
    context = page_context(board)
    units = visible_units(user).filter(scope.units(""))
    rows = (
        unit_rows(user, day=as_of.shown, decision=board.decision)
        .filter(scope.units(""))
        .order_by("vardomrade__name", "name", "hsa_id")
    )
    name = _scope_name(report)
    title = f"Efterlevnadsrapport {name} per {as_of.shown or report.as_of}"
    context.update(
        report=report,
        doc_title=title,
        scope_name=name,
        decision_number=board.decision.number if board.decision else DECISION_NUMBER,
        unit_lines=[
            {
                "hsa_id": u.hsa_id,
                "name": u.name,
                "area": u.vardomrade.name,
                "level": level_label(u.level, bool(u.level_with_exemptions)) if u.result_id else "–",
                "met": u.met if u.result_id else "–",
                "not_met": u.not_met if u.result_id else "–",
                "sv1": share_text(u.sv1_share),
            }
            for u in rows
        ],
        exemptions=exemptions_in_force(units, as_of.shown or report.as_of),
        heat_lines=_heat_lines(context["heatmap"]),
    )
    html = render_to_string("reports/compliance.html", context)
    return ReportHTML(html, title, f"efterlevnad-{slug(name)}-{report.as_of.isoformat()}")


def _heat_lines(heatmap) -> list[dict]:
    """The heatmap's rows for a page-wide table: the row's full name and its units (the chart's own table)
    and each cell's share as the picture prints it — the counts behind them are in the table per status."""
    if heatmap is None:
        return []
    return [
        {"label": table_row[0].text, "units": table_row[1].text, "shares": [c.text or "–" for c in row.cells]}
        for table_row, row in zip(heatmap.table.rows, heatmap.rows, strict=True)
    ]


# ---------------------------------------------------------------------------------------- unit scorecard


def unit_scorecard(report: Report) -> ReportHTML:
    user = report.requested_by
    unit = unit_for_user(user, report.unit.hsa_id)
    as_of = as_of_for(report.as_of)
    page = unit_page(user, unit, day=as_of.shown)
    title = f"Enhetskort {unit.name} ({unit.hsa_id}) per {as_of.shown or report.as_of}"
    lines = [line for section in page.sections for line in section.lines]
    html = render_to_string(
        "reports/scorecard.html",
        {
            "report": report,
            "doc_title": title,
            "as_of": as_of,
            "unit": unit,
            "page": page,
            "lines": lines,
            "months": page.months[:6],
            "active_exemptions": [e for e in page.exemptions if e.active],
            "decision_number": page.result.decision.number if page.result else DECISION_NUMBER,
        },
    )
    return ReportHTML(html, title, f"enhetskort-{slug(unit.hsa_id)}-{report.as_of.isoformat()}")


# ------------------------------------------------------------------------------------------- action plan


def action_plan_report(report: Report) -> ReportHTML:
    user = report.requested_by
    vardomrade = area_for_user(user, report.vardomrade_id) if report.vardomrade_id else None
    forvaltning = (
        forvaltning_for_user(user, report.forvaltning_id)
        if report.forvaltning_id and vardomrade is None
        else None
    )
    period = period_for(report.period or None, report.as_of)
    plan = action_plan(
        user, period=period, forvaltning=forvaltning, vardomrade=vardomrade, as_of=report.as_of
    )
    name = _scope_name(report)
    title = f"Handlingsplan {name}" + (f" {period.code}" if period else "") + f" per {report.as_of}"
    html = render_to_string(
        "reports/actionplan.html",
        {
            "report": report,
            "doc_title": title,
            "scope_name": name,
            "plan": plan,
            "as_of": as_of_for(report.as_of),
            "decision_number": DECISION_NUMBER,
        },
    )
    return ReportHTML(html, title, f"handlingsplan-{slug(name)}-{report.as_of.isoformat()}")


BUILDERS = {
    Report.Kind.EFTERLEVNAD: compliance_report,
    Report.Kind.ENHETSKORT: unit_scorecard,
    Report.Kind.HANDLINGSPLAN: action_plan_report,
}
