"""The dashboard's links: every figure leads to the units behind it (the unit list with the filter
parameters of portal/units/filters.py, or a unit's page), keeping the as-of date asked for."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from portal.as_of import AsOf
from portal.dashboard.selectors import (
    Dashboard,
)


class Links:
    """The page's links, all keeping the as-of date asked for (`per`) unless told another."""

    def __init__(self, board: Dashboard):
        self.board = board
        self.as_of: AsOf = board.as_of
        self.list_path = reverse("portal:unit_list")

    def _per(self, day: datetime.date | None = None) -> dict[str, str]:
        if day is not None:
            return {"per": day.isoformat()}
        return {} if self.as_of.is_today else {"per": self.as_of.requested.isoformat()}

    def units(self, day: datetime.date | None = None, scope: dict | None = None, **filters) -> str:
        """The unit list in the page's scope (or `scope`), with filters."""
        params = {**(self.board.scope.params if scope is None else scope), **filters, **self._per(day)}
        return f"{self.list_path}?{urlencode(params)}" if params else self.list_path

    def unit(self, hsa_id: str) -> str:
        path = reverse("portal:unit_detail", args=[hsa_id])
        per = self._per()
        return f"{path}?{urlencode(per)}" if per else path

    def page(self, **scope) -> str:
        """The dashboard itself, in another scope."""
        params = {**scope, **self._per()}
        return f"/?{urlencode(params)}" if params else "/"

    def level(self, level: int | None, with_exemptions: bool | None) -> str:
        filters = {"niva": "ingen" if level is None else str(level)}
        if level is not None and with_exemptions is not None:
            filters["med_avsteg"] = "ja" if with_exemptions else "nej"
        return self.units(**filters)
