"""django-tables2 tables for the portal's lists. Cells only show what the selector annotated; the
engine decided every level and status."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from .selectors.units import level_label, share_text


def _nulls_last(queryset, field: str, is_descending: bool):
    """Order by a stored figure with units without one last either way, then by HSA-id so pages never
    overlap (ties are common: many units share a level)."""
    expr = F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
    return queryset.order_by(expr, "hsa_id"), True


class UnitTable(tables.Table):
    """The unit list. `as_of_query` (e.g. "per=2026-11-01") is kept on the links to the unit pages."""

    hsa_id = tables.Column("HSA-id", attrs={"td": {"class": "nowrap"}})
    name = tables.Column("Namn", order_by=("name", "hsa_id"))
    forvaltning = tables.Column(
        "Förvaltning", accessor="forvaltning__name", order_by=("forvaltning__name", "hsa_id")
    )
    vardomrade = tables.Column(
        "Vårdområde", accessor="vardomrade__name", order_by=("vardomrade__name", "hsa_id")
    )
    provider = tables.Column(
        "Vårdgivare", accessor="provider__name", order_by=("provider__name", "hsa_id"), default="Regionen"
    )
    unit_type = tables.Column("Enhetstyp", order_by=("unit_type", "hsa_id"))
    booking_system = tables.Column("Bokningssystem", order_by=("booking_system", "hsa_id"))
    level = tables.Column("Nivå", empty_values=(), attrs={"td": {"class": "nowrap"}})
    met = tables.Column("Uppfyllda", empty_values=(), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    not_met = tables.Column(
        "Ej uppfyllda", empty_values=(), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    sv1_share = tables.Column(
        "Svar i tid", empty_values=(), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )

    class Meta:
        template_name = "portal/_unit_table.html"
        attrs = {"class": "ds-table unit-table", "data-size": "sm", "id": "enheter-tabell"}
        order_by = ("name",)
        # The judgement first, so it is in view on a narrow screen; the unit's facts after it.
        sequence = ("hsa_id", "name", "level", "met", "not_met", "sv1_share", "...")
        empty_text = "Inga enheter matchar filtret."
        orderable = True

    def __init__(self, *args, as_of_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of_query = as_of_query

    def render_hsa_id(self, value, record):
        url = reverse("portal:unit_detail", args=[value])
        if self.as_of_query:
            url = f"{url}?{self.as_of_query}"
        return format_html('<a class="ds-link" href="{}">{}</a>', url, value)

    def render_booking_system(self, record):
        # "Ingen (inga bokningsbara besök)" → "Ingen": the list is narrow; the unit page says it whole.
        return record.get_booking_system_display().split(" (")[0]

    def render_level(self, record):
        return level_label(record.level, bool(record.level_with_exemptions))

    def render_met(self, record):
        return "–" if record.result_id is None else record.met

    def render_not_met(self, record):
        return "–" if record.result_id is None else record.not_met

    def render_sv1_share(self, record):
        return share_text(record.sv1_share)

    def order_level(self, queryset, is_descending):
        return _nulls_last(queryset, "level", is_descending)

    def order_met(self, queryset, is_descending):
        return _nulls_last(queryset, "met", is_descending)

    def order_not_met(self, queryset, is_descending):
        return _nulls_last(queryset, "not_met", is_descending)

    def order_sv1_share(self, queryset, is_descending):
        return _nulls_last(queryset, "sv1_share", is_descending)

    def order_hsa_id(self, queryset, is_descending):
        return queryset.order_by(F("hsa_id").desc() if is_descending else "hsa_id"), True
