"""Reads for the reports page (/rapporter/): the reports a person may follow, and the choices of its form
(units, vårdområden and schedule periods the person may ask a report for)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from compliance.models import Report
from servicelevel.models import SchedulePeriod
from units.permissions import sees_everything, visible_areas, visible_units


def unit_choices(user) -> list:
    """The units the person may see, grouped by vårdområde: "Name (HSA-id)" under each area's name."""
    groups: dict[str, list] = {}
    units = visible_units(user).order_by("vardomrade__name", "name", "hsa_id")
    for hsa_id, name, area in units.values_list("hsa_id", "name", "vardomrade__name"):
        groups.setdefault(area, []).append((hsa_id, f"{name} ({hsa_id})"))
    return [("", "– välj enhet –"), *groups.items()]


def report_areas(user) -> list:
    """The vårdområden the person may ask a report for, by förvaltning and name (one query)."""
    return list(visible_areas(user).select_related("forvaltning").order_by("forvaltning__name", "name"))


def periods_newest_first() -> list[SchedulePeriod]:
    return list(SchedulePeriod.objects.order_by("-start_date"))


def visible_reports(user) -> QuerySet[Report]:
    """The reports the user may follow and download: their own, or every one for a region-wide role."""
    reports = Report.objects.select_related("requested_by", "forvaltning", "vardomrade", "unit")
    return reports if sees_everything(user) else reports.filter(requested_by=user)


def report_for_user(user, pk: int) -> Report:
    """The report if the user may see it, else 404 (another person's report is not even confirmed)."""
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404("Rapporten finns inte eller så saknar du behörighet till den.")
    return report


def recent_reports(user, limit: int) -> list[Report]:
    """The newest `limit` reports the user may follow (the model's order)."""
    return list(visible_reports(user)[:limit])
