"""django-tables2 tables for the portal's lists. Cells only show what the selector annotated; the
engine decided every level and status."""

from __future__ import annotations

from dataclasses import dataclass

import django_tables2 as tables
from django.db.models import F
from django.urls import reverse

from portal.presentation.values import share_text
from portal.units.selectors import level_label


def _nulls_last(queryset, field: str, is_descending: bool):
    """Order by a stored figure with units without one last either way, then by HSA-id so pages never
    overlap (ties are common: many units share a level)."""
    expr = F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
    return queryset.order_by(expr, "hsa_id"), True


@dataclass(frozen=True)
class UnitRow:
    hsa_id: str
    url: str
    name: str
    level: str
    met: int | str
    not_met: int | str
    sv1_share: str
    forvaltning: str
    vardomrade: str
    provider: str
    unit_type: str
    booking_system: str


class UnitTable(tables.Table):
    """The unit list. `as_of_query` (e.g. "per=2026-11-01") is kept on the links to the unit pages;
    `has_levels`: the version in force has a ladder (without one there is no level column, on the screen
    or in the files)."""

    hsa_id = tables.Column("HSA-id", attrs={"td": {"class": "nowrap"}})
    name = tables.Column("Namn", order_by=("name", "hsa_id"))
    # Where the unit belonged on the shown date (unit_rows' then_…): a unit that moved since shows its
    # area of then on a past date; its name is its name now.
    forvaltning = tables.Column(
        "Förvaltning", accessor="then_forvaltning_name", order_by=("then_forvaltning_name", "hsa_id")
    )
    vardomrade = tables.Column(
        "Vårdområde", accessor="then_vardomrade_name", order_by=("then_vardomrade_name", "hsa_id")
    )
    provider = tables.Column(
        "Vårdgivare",
        accessor="then_provider_name",
        order_by=("then_provider_name", "hsa_id"),
        default="Regionen",
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

    def __init__(self, *args, as_of_query: str = "", has_levels: bool = True, **kwargs):
        if not has_levels:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "level")
        super().__init__(*args, **kwargs)
        self.as_of_query = as_of_query
        self.has_levels = has_levels

    def page_rows(self) -> list[UnitRow]:
        """The page's rows as plain values, in the columns' order. django-tables2 renders a cell by
        inspecting its render method's signature, per cell: for 50 rows × 11 columns that cost more than
        the query, so the template prints these instead (the table still sorts, pages and heads)."""
        suffix = f"?{self.as_of_query}" if self.as_of_query else ""
        return [self.shown(row.record, suffix) for row in self.page.object_list]

    @staticmethod
    def shown(record, url_suffix: str = "") -> UnitRow:
        """One unit as the list shows it: the one place its cells are worded (the page and the files)."""
        has_result = record.result_id is not None
        return UnitRow(
            hsa_id=record.hsa_id,
            url=reverse("portal:unit_detail", args=[record.hsa_id]) + url_suffix,
            name=record.name,
            level=level_label(record.level, bool(record.level_with_exemptions)),
            met=record.met if has_result else "–",
            not_met=record.not_met if has_result else "–",
            sv1_share=share_text(record.sv1_share),
            forvaltning=record.then_forvaltning_name,
            vardomrade=record.then_vardomrade_name,
            provider=record.then_provider_name or "Regionen",
            unit_type=record.get_unit_type_display(),
            # "Ingen (inga bokningsbara besök)" → "Ingen": the list is narrow; the unit page has it.
            booking_system=record.get_booking_system_display().split(" (")[0],
        )

    # The files' extra column, beside the level: the screen says "nivå 2 med avsteg" in the level's cell.
    WITH_EXEMPTIONS = "Nivå med avsteg"
    SHARE_COLUMNS = ("Svar i tid",)  # shares 0–1: shown as percentages in the XLSX

    def export_rows(self):
        """The CSV/XLSX rows: the screen's headings, columns and order (sort included), every row streamed.
        Words as the screen has them (the provider "Regionen", the booking system); numbers stay numbers
        so a spreadsheet can count: the level an integer with "Nivå med avsteg" ja/nej beside it, the
        counts, the share in time as the stored fraction 0–1 with four decimals; empty where nothing is
        stored. Without a ladder there is no level and no "Nivå med avsteg"."""
        names = [column.name for column in self.columns]
        headings = [str(column.header) for column in self.columns]
        levels = "level" in names
        after_level = names.index("level") + 1 if levels else len(names)
        extra = [self.WITH_EXEMPTIONS] if levels else []
        yield [*headings[:after_level], *extra, *headings[after_level:]]
        numbers = {"level", "met", "not_met", "sv1_share"}  # read from the record, not its screen text
        for record in self.data.data.iterator(chunk_size=2000):
            shown, stored = self.shown(record), record.result_id is not None
            cells = [
                (getattr(record, name) if stored else None) if name in numbers else getattr(shown, name)
                for name in names
            ]
            if not levels:
                yield cells
                continue
            with_exemptions = "ja" if record.level_with_exemptions else "nej"
            if record.level is None:
                with_exemptions = None
            yield [*cells[:after_level], with_exemptions, *cells[after_level:]]

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
