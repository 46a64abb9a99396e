"""Reads for the exemption pages (/avsteg/): the list with its worklists (`lists`), one exemption with its
history and the engine's effect before approving (`detail`), the booking systems' capabilities and common
decisions (`groups`), and what they all read the same way (`rows`).

Every read starts from `units.permissions.visible_units(user)`: a unit manager or provider sees only
their units' exemptions; region-wide roles see all. Common decisions span many units and are shown only
to region-wide roles. Each function runs a fixed number of queries whatever the number of units. Who
may do what, and whose step it is, is `exemptions.steps`.
"""

from .detail import Decision, DetailPage, Effect, HistoryLine, detail_page, exemption_effect
from .groups import (
    EndSuggestion,
    GroupEffect,
    GroupPage,
    GroupRow,
    SystemPage,
    end_suggestions,
    group_effect,
    group_exemption_count,
    group_form_initial,
    group_page,
    group_rows,
    system_page,
)
from .lists import ListPage, Worklist, list_page
from .rows import (
    Reader,
    Row,
    exemption_for_user,
    follow_up_of,
    group_for_user,
    may_propose,
    proposal_made,
    reader,
    to_do,
    unit_chosen,
    units_to_propose_for,
    visible_exemptions,
    waits_for,
)

__all__ = [
    "Decision",
    "DetailPage",
    "Effect",
    "EndSuggestion",
    "GroupEffect",
    "GroupPage",
    "GroupRow",
    "HistoryLine",
    "ListPage",
    "Reader",
    "Row",
    "SystemPage",
    "Worklist",
    "detail_page",
    "end_suggestions",
    "exemption_effect",
    "exemption_for_user",
    "follow_up_of",
    "group_effect",
    "group_exemption_count",
    "group_for_user",
    "group_form_initial",
    "group_page",
    "group_rows",
    "list_page",
    "may_propose",
    "proposal_made",
    "reader",
    "system_page",
    "to_do",
    "unit_chosen",
    "units_to_propose_for",
    "visible_exemptions",
    "waits_for",
]
