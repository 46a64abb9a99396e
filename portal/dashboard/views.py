"""The region dashboard at `/`: parse the request (as-of date, scope) → one selector → the page's context
(portal/dashboard/presentation/: charts, tables and links, every figure linked to the units behind it) →
render. docs/dashboard.md describes the page and its choices.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.as_of import as_of_from
from portal.dashboard.presentation import page_context
from portal.dashboard.selectors import dashboard as read_dashboard
from portal.dashboard.selectors import scope_for
from servicelevel.page_cache import cached_page


@login_required
@require_safe
@cached_page
def dashboard(request):
    as_of = as_of_from(request)
    scope = scope_for(
        request.user,
        forvaltning=request.GET.get("forvaltning", "").strip(),
        vardomrade=request.GET.get("vardomrade", "").strip(),
    )
    board = read_dashboard(request.user, as_of, scope)
    return render(request, "portal/dashboard.html", page_context(board))
