"""`comparison_for`: the peer group the filters (or the user's own units) point at, with every row."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Value
from django.http import Http404

from compliance.services import today as local_today
from servicelevel.models import Decision, UnitType
from units.permissions import sees_everything, visible_areas, visible_units

from .facts import GroupFacts, group_queryset
from .rows import Measures, RowBuilder
from .shapes import NOT_FOUND, PEER_MINIMUM, RESPONSE_TIME, Choices, Column, Comparison, Filters, Scope


def comparison_for(user, *, filters: Filters, results_date: datetime.date | None) -> Comparison:
    """The peer group the filters (or the user's own units) point at, with every row computed.

    `results_date` is the stored date to read levels and statuses from (AsOf.shown)."""
    areas = list(visible_areas(user).select_related("forvaltning").order_by("forvaltning__name", "name"))
    choices = _choices(areas)
    region_wide = sees_everything(user)
    scope = _scope(user, filters, areas, region_wide)
    if scope is None:
        message = (
            "Välj en förvaltning eller ett vårdområde och en enhetstyp för att jämföra likvärdiga enheter."
            if region_wide or areas
            else "Du har inga enheter att jämföra."
        )
        return Comparison(choices=choices, filters=filters, message=message, measures=_measures(results_date))

    group = group_queryset(scope, results_date)
    visible_ids = visible_units(user).values("id")
    units = list(
        group.annotate(own=Value(True) if region_wide else Exists(visible_ids.filter(pk=OuterRef("pk"))))
        .order_by("name", "hsa_id")
        .values("id", "hsa_id", "name", "own")
    )
    shown = [u for u in units if u["own"]]
    peers = [u for u in units if not u["own"]]
    # From here on, peers are ids only: their names and HSA-ids go no further.
    peer_ids = [u["id"] for u in peers]
    shown_ids = [u["id"] for u in shown]
    columns = tuple(Column(u["hsa_id"], u["name"]) for u in shown)

    if region_wide:
        summary_ids = shown_ids
        heading = f"Alla likvärdiga enheter ({len(units)} st)"
    else:
        summary_ids = peer_ids
        heading = (
            f"Likvärdiga enheter ({len(peer_ids)} st)"
            if len(peer_ids) >= PEER_MINIMUM
            else f"Likvärdiga enheter (färre än {PEER_MINIMUM})"
        )
    withheld = not region_wide and len(peer_ids) < PEER_MINIMUM

    facts = GroupFacts.load(group, scope, results_date, [u["id"] for u in units])
    builder = RowBuilder(
        facts=facts,
        shown_ids=shown_ids,
        shown_names=[u["name"] for u in shown],
        summary_ids=summary_ids,
        region_wide=region_wide,
        withheld=withheld,
    )
    message = ""
    if not units:
        message = "Det finns inga aktiva enheter med kontaktkort i det här urvalet."
    elif not shown:
        message = (
            "Du har inga egna enheter i det här urvalet; "
            "tabellen visar bara de likvärdiga enheterna sammantaget."
        )
    return Comparison(
        choices=choices,
        filters=filters,
        scope=scope,
        shows_peer_names=region_wide,
        columns=columns,
        group_size=len(units),
        summary_count=len(summary_ids),
        summary_heading=heading,
        aggregate_withheld=withheld,
        sections=builder.sections() if units else (),
        results_date=results_date,
        message=message,
        measures=builder.measures(),
    )


def _measures(results_date: datetime.date | None) -> Measures:
    """The version's level and response time without a peer group (the page's words still follow it)."""
    decision = Decision.in_force(results_date or local_today())
    if decision is None:
        return Measures(False, False)
    rows = list(decision.requirements.values_list("kind", "level"))
    has_levels = bool(decision.ladder) and any(level for _kind, level in rows)
    return Measures(has_levels, any(kind == RESPONSE_TIME for kind, _level in rows))


def _choices(areas) -> Choices:
    forvaltningar: dict[int, str] = {}
    by_forvaltning: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for area in areas:
        forvaltningar[area.forvaltning_id] = area.forvaltning.name
        by_forvaltning[area.forvaltning.name].append((area.id, area.name))
    return Choices(
        forvaltningar=tuple(sorted(forvaltningar.items(), key=lambda item: item[1])),
        areas=tuple((name, tuple(items)) for name, items in by_forvaltning.items()),
    )


def _scope(user, filters: Filters, areas, region_wide: bool) -> Scope | None:
    """The chosen förvaltning or vårdområde, checked against what the user may see (404 otherwise); for a
    unit manager without a choice, the vårdområde and type where most of their units are."""
    unit_type = filters.unit_type
    if not filters.scope_given:
        if region_wide:
            return None
        top = (
            visible_units(user)
            .filter(active=True, has_contact_card=True, **({"unit_type": unit_type} if unit_type else {}))
            .values("vardomrade_id", "unit_type")
            .annotate(n=Count("id"))
            .order_by("-n", "vardomrade__name", "unit_type")
            .first()
        )
        if top is None:
            return None
        filters = Filters(vardomrade_id=top["vardomrade_id"], booking_system=filters.booking_system)
        unit_type = top["unit_type"]
    if filters.vardomrade_id is not None:
        area = next((a for a in areas if a.id == filters.vardomrade_id), None)
        if area is None:
            raise Http404(NOT_FOUND)
        return Scope(
            area.forvaltning_id,
            area.forvaltning.name,
            area.id,
            area.name,
            unit_type or UnitType.MOTTAGNING,
            filters.booking_system,
        )
    forvaltning = next((a.forvaltning for a in areas if a.forvaltning_id == filters.forvaltning_id), None)
    if forvaltning is None:
        raise Http404(NOT_FOUND)
    return Scope(
        forvaltning.id, forvaltning.name, None, "", unit_type or UnitType.MOTTAGNING, filters.booking_system
    )
