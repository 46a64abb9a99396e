"""The as-of date every page shows (`?per=YYYY-MM-DD`), answered from the stored results.

Results are stored per date: on every change for today, and by the nightly run for the day that ended,
so every past day since the portal started has its own. A date with no stored results (a night the job
did not run) shows the latest stored date before it, and says so. A date before the first stored result
shows nothing and says that, with the earliest day that has results (`earliest`, read only then), which
every page words the same way through `partials/_as_of_notice.html`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from compliance.models import UnitResult
from compliance.services import today
from servicelevel.dates import DATE_MAX, DATE_MIN, InvalidDay, parse_day


@dataclass(frozen=True)
class AsOf:
    requested: datetime.date  # what the person asked for (default today)
    shown: datetime.date | None  # the stored date the page shows; None when nothing is stored yet
    invalid: str = ""  # the text of a ?per= that was no date of the rule (servicelevel.dates)
    reason: str = ""  # why, in Swedish: "är inget datum (ÅÅÅÅ-MM-DD)" or "är ett ogiltigt datum: året …"
    earliest: datetime.date | None = None  # when nothing is shown: the first stored date, if any

    # The date picker's min and max (the rule's bounds).
    date_min = DATE_MIN
    date_max = DATE_MAX

    @property
    def is_today(self) -> bool:
        return self.requested == today()

    @property
    def notice(self) -> str:
        """A sentence for the page when it does not show exactly what was asked for."""
        if self.invalid:
            return f"”{self.invalid[:20]}” {self.reason}; sidan visar i dag."
        if self.shown is None:
            first = (
                f"Tidigaste dag med resultat är {self.earliest}."
                if self.earliest
                else "Inga resultat har beräknats ännu; de beräknas när uppgifter ändras och varje natt."
            )
            return f"{self.nothing_text} {first}"
        if self.shown != self.requested:
            return (
                f"Det finns inga sparade resultat per {self.requested}; "
                f"sidan visar {self.shown}, det senaste sparade datumet före."
            )
        return ""

    @property
    def nothing_text(self) -> str:
        """The notice's first sentence when nothing is shown (the partial links the earliest day after it)."""
        return f"Det finns inga beräknade resultat för {self.requested}."

    @property
    def query(self) -> str:
        """`?per=…` to keep on links, empty for today."""
        return "" if self.is_today else f"per={self.requested.isoformat()}"


def as_of_from(request, *, earliest: bool = True) -> AsOf:
    """Parse `?per=` (one query: the latest stored date on or before it; a second, the earliest stored
    date for the notice, only when there is none — unless `earliest=False`: a page that only wants the
    date asked for, such as the action plan, which reads no stored results)."""
    text = request.GET.get("per", "").strip()
    invalid = reason = ""
    requested = today()
    if text:
        try:
            requested = parse_day(text)  # 1900–2100: every date computed from it stays representable
        except InvalidDay as error:
            invalid, reason = text, str(error)
    shown = (
        UnitResult.objects.filter(as_of__lte=requested)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    first = None
    if shown is None and earliest:
        first = UnitResult.objects.order_by("as_of").values_list("as_of", flat=True).first()
    return AsOf(requested=requested, shown=shown, invalid=invalid, reason=reason, earliest=first)
