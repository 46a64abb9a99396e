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

Every report names the region and the decision version of its as-of date (`region_texts.texts_of`:
number, title, version, the region's name), never a literal: a Halland report says Region Halland and
RS220477.
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
from portal.units.selectors import decision_for, level_label, unit_page, unit_rows
from servicelevel.kinds import with_defaults
from servicelevel.region_texts import texts_of
from units.permissions import area_for_user, forvaltning_for_user, unit_for_user


def report_html(report: Report) -> ReportHTML:
    return BUILDERS[report.kind](report)


def as_of_for(day) -> AsOf:
    """The as-of date as the pages answer it (the latest stored date on or before `day`)."""
    return as_of_from(SimpleNamespace(GET={"per": day.isoformat()}))


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "rapport"


def decision_words(decision) -> dict:
    """The report's region and decision (its as-of date's version), and its response-time requirement's
    code ("" when the version has none: response times are information only then)."""
    words = texts_of(decision).context()
    response = decision.requirements.filter(kind="response_time").first() if decision else None
    words["response_code"] = response.code if response else ""
    words["ladder"] = decision.ladder if decision else ""
    parameters = with_defaults("response_time", response.parameters if response else None)
    days = parameters["working_days"]
    words["response_deadline"] = f"inom {days} {'vardag' if days == 1 else 'vardagar'}"
    return words


def _scope_name(report: Report, region_name: str) -> str:
    if report.vardomrade_id:
        return report.vardomrade.name
    if report.forvaltning_id:
        return report.forvaltning.name
    return region_name


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
    # The scope's units where they belonged on the shown date (as the dashboard counts them), and their
    # exemptions in force then.
    rows = (
        unit_rows(user, day=as_of.shown, decision=board.decision)
        .filter(scope.listed())
        .order_by("then_vardomrade_name", "name", "hsa_id")
    )
    units = rows.order_by().values("id")
    words = decision_words(board.decision or decision_for(report.as_of))
    name = _scope_name(report, words["region_name"])
    title = f"Efterlevnadsrapport {name} per {as_of.shown or report.as_of}"
    context.update(
        words,
        report=report,
        doc_title=title,
        scope_name=name,
        unit_lines=[
            {
                "hsa_id": u.hsa_id,
                "name": u.name,
                "area": u.then_vardomrade_name,
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
    decision = page.result.decision if page.result else decision_for(as_of.shown or report.as_of)
    html = render_to_string(
        "reports/scorecard.html",
        {
            **decision_words(decision),
            "report": report,
            "doc_title": title,
            "as_of": as_of,
            "unit": unit,
            "page": page,
            "lines": lines,
            "months": page.months[:6],
            "active_exemptions": [e for e in page.exemptions if e.active],
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
    words = decision_words(decision_for(report.as_of))
    name = _scope_name(report, words["region_name"])
    title = f"Handlingsplan {name}" + (f" {period.code}" if period else "") + f" per {report.as_of}"
    html = render_to_string(
        "reports/actionplan.html",
        {
            **words,
            "report": report,
            "doc_title": title,
            "scope_name": name,
            "plan": plan,
            "as_of": as_of_for(report.as_of),
        },
    )
    return ReportHTML(html, title, f"handlingsplan-{slug(name)}-{report.as_of.isoformat()}")


BUILDERS = {
    Report.Kind.EFTERLEVNAD: compliance_report,
    Report.Kind.ENHETSKORT: unit_scorecard,
    Report.Kind.HANDLINGSPLAN: action_plan_report,
}
