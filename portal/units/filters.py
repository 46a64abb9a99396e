"""django-filter FilterSets for the portal's lists.

Every queryset and every choice starts from what the user may see (units/permissions.py): a unit manager
is never offered another förvaltning's name, and a hand-written id outside the choices is an invalid
value that filters nothing.

The unit list's parameter names are part of the portal's links (the dashboard links here with them);
keep them: forvaltning, vardomrade, provider, typ, bokningssystem, niva, med_avsteg, krav, status, q.
The level filters (niva, med_avsteg) are there only when the version in force has a ladder, with its own
levels; the requirement choices are that version's requirements. The förvaltning, vårdområde and
vårdgivare filters find the units that belonged there on the shown date (`then_…` of unit_rows).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q

from compliance.engine.types import STATUS_LABELS
from portal.units.selectors import level_top, requirement_status_exists
from servicelevel.models import UnitType
from units.models import CareUnit
from units.permissions import visible_areas, visible_forvaltningar, visible_providers

NO_LEVEL = "ingen"
YES_NO = [("ja", "Med avsteg"), ("nej", "Utan avsteg")]


def level_choices(top: int) -> list[tuple[str, str]]:
    return [(str(n), f"Nivå {n}") for n in range(top + 1)] + [(NO_LEVEL, "Ingen nivå (–)")]


def _visible(choices):
    """A ModelChoiceFilter queryset read from the request's user (django-filter calls it per form)."""
    return lambda request: choices(request.user)


def _chosen_id(data, name: str) -> int | None:
    value = data.get(name) if data is not None else None
    return int(value) if value and str(value).isdigit() else None


def _without_foreign_area(data, forvaltning_id: int, areas):
    """The request's parameters without a vårdområde outside the chosen förvaltning: choosing another
    förvaltning after an area then lists that förvaltning's units (and offers "Alla" areas) instead of
    an invalid choice that would filter nothing."""
    area_id = _chosen_id(data, "vardomrade")
    if area_id is None or areas.filter(pk=area_id, forvaltning_id=forvaltning_id).exists():
        return data
    data = data.copy()
    data.pop("vardomrade", None)
    return data


class UnitFilter(django_filters.FilterSet):
    """Filters over `portal.units.selectors.unit_rows` (the stored level and statuses are annotated)."""

    q = django_filters.CharFilter(method="filter_search", label="Sök namn eller HSA-id")
    forvaltning = django_filters.ModelChoiceFilter(
        method="filter_then",
        queryset=_visible(visible_forvaltningar),
        label="Förvaltning",
        empty_label="Alla",
    )
    vardomrade = django_filters.ModelChoiceFilter(
        method="filter_then", queryset=_visible(visible_areas), label="Vårdområde", empty_label="Alla"
    )
    provider = django_filters.ModelChoiceFilter(
        method="filter_then", queryset=_visible(visible_providers), label="Vårdgivare", empty_label="Alla"
    )
    typ = django_filters.ChoiceFilter(
        field_name="unit_type", choices=UnitType.choices, label="Enhetstyp", empty_label="Alla"
    )
    bokningssystem = django_filters.ChoiceFilter(
        field_name="booking_system",
        choices=CareUnit.BookingSystem.choices,
        label="Bokningssystem",
        empty_label="Alla",
    )
    niva = django_filters.ChoiceFilter(choices=[], method="filter_level", label="Nivå", empty_label="Alla")
    med_avsteg = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_with_exemptions", label="Avsteg i nivån", empty_label="Alla"
    )
    # krav + status work as a pair (see filter_queryset); their methods do nothing on their own.
    krav = django_filters.ChoiceFilter(choices=[], method="pair", label="Krav", empty_label="Alla krav")
    status = django_filters.ChoiceFilter(
        choices=list(STATUS_LABELS.items()), method="pair", label="Status", empty_label="Alla"
    )

    class Meta:
        model = CareUnit
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request, requirements, **kwargs):
        forvaltning_id = _chosen_id(data, "forvaltning")
        if forvaltning_id is not None:
            data = _without_foreign_area(data, forvaltning_id, visible_areas(request.user))
        super().__init__(data, queryset=queryset, request=request, **kwargs)
        if forvaltning_id is not None:
            # A chosen förvaltning narrows the areas offered to its own (the list of 40 mixed areas hid
            # the few that can match); without one every visible area is offered.
            self.filters["vardomrade"].queryset = lambda request: visible_areas(request.user).filter(
                forvaltning_id=forvaltning_id
            )
        self._requirement_ids = {r.code: r.id for r in requirements}
        self.filters["krav"].extra["choices"] = [(r.code, f"{r.code} {r.name}") for r in requirements]
        top = level_top(requirements)
        if top:
            self.filters["niva"].extra["choices"] = level_choices(top)
        else:
            # No ladder in the version (Halland, Norrbotten): no level to filter by, so no such filter.
            del self.filters["niva"], self.filters["med_avsteg"]

    def read_choices(self) -> None:
        """For a page that shows the form: read each visible-choices queryset once. A ModelChoiceIterator
        counts before it iterates (two queries per select); a plain list renders the same. Exports, which
        show no form, never read them."""
        for name in ("forvaltning", "vardomrade", "provider"):
            widget = self.form.fields[name].widget
            if not isinstance(widget.choices, list):
                widget.choices = list(iter(widget.choices))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(hsa_id__icontains=value))

    def filter_then(self, queryset, name, value):
        # Where the unit belonged on the shown date (the stored result's organisation, unit_rows): the
        # choices are what the user may see now, the units found those that were there then.
        return queryset.filter(**{f"then_{name}_id": value.pk})

    def filter_level(self, queryset, name, value):
        if value == NO_LEVEL:
            return queryset.filter(level__isnull=True)
        return queryset.filter(level=int(value))

    def filter_with_exemptions(self, queryset, name, value):
        # A level reached with exemptions; "nej" = a level reached without any (no level is neither).
        return queryset.filter(level__isnull=False, level_with_exemptions=(value == "ja"))

    def pair(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status")
        if status:
            # With a requirement: units whose stored result has that status on it; without: on any.
            code = self.form.cleaned_data.get("krav")
            queryset = queryset.filter(
                requirement_status_exists(requirement_id=self._requirement_ids.get(code), status=status)
            )
        return queryset

    @property
    def active(self) -> bool:
        """Whether any filter is set (the page then offers to clear them)."""
        return self.is_bound and any(
            v not in (None, "") for k, v in self.form.cleaned_data.items() if k in self.filters
        )
