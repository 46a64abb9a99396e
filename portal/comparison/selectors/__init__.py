"""Reads for the comparison page: equivalent units side by side (/jamforelse/), the decision's first
principle, *alla likvärdiga enheter ska ha samma digitala servicenivå*.

A peer group is the active units with a 1177 contact card of one unit type (and optionally one booking
system) inside a förvaltning or a vårdområde. The matrix shows, per unit, the regional catalogue services
and templates it offers, its stored level (when the version has a ladder), the stored status of the
version's response-time and base-offering requirements for the page's date, and its local offerings;
gaps against the peers and the basutbud are marked in words, never by colour alone.

Region-wide roles see every unit of the group by name. Anyone else (a unit manager, a private provider)
sees their own units by name and the other units only as one aggregate of counts: the peers' names and
HSA-ids are never read into these dataclasses, so no template or export can show them. With fewer than
`PEER_MINIMUM` other units the aggregate is withheld (and no peer gap is marked), so a single peer's
offering cannot be read off it. docs/comparison.md explains the choices.

Queries, whatever the number of units: the user's visible areas (1), the default scope for a unit
manager without a choice (1, only then), the group's units (1), their offerings (1), the catalogue's
services with the basutbud flag (1), its templates (1), the decision in force (1), its requirements (1),
the stored results with the statuses of its response-time and base-offering requirements (1).

Modules: `shapes` (constants and dataclasses), `filters` (query parameters), `facts` (the group's units and
their facts), `rows` (the matrix's rows), `comparison` (`comparison_for`), `export` (CSV rows). Callers
import from here.
"""

from .comparison import comparison_for
from .export import export_rows
from .filters import filters_from
from .shapes import PEER_MINIMUM, Comparison, Filters

__all__ = ["PEER_MINIMUM", "Comparison", "Filters", "comparison_for", "export_rows", "filters_from"]
