"""The region's and its decision's words on every page, e-mail and PDF: the region's name, the decision's
number, title and label ("2026-0000277 version 2.0") and the theme colour — read from the rulebook
version in force, never written into a template (issue 15: one portal serves Skåne, Halland or
Norrbotten).

`texts()` answers for today and is what the context processor (servicelevel/context_processors.py) and
the e-mails' `{% region %}` tag (servicelevel/templatetags/region.py) give; `texts_of(decision)` answers
for a given version (a PDF names the version of its as-of date).

Every page shows these, so they must cost no query of their own: today's answer is kept in this process
(keyed by the region setting and the day), at most one query when it is not. A version loaded or changed
here forgets it once the change is committed (`post_save` on Decision, connected in servicelevel/apps.py),
and tells the other processes through Django's cache; a change rolled back forgets nothing, so the
answer kept from before it stays true. Inside the transaction that changed a version, the answer is read
afresh each time (that transaction sees the change, nobody else does yet).
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# The theme colour per region code when SERVICELEVEL_THEME_COLOUR is not set (docs/rulebooks.md,
# "Region-neutral texts"). Skåne's is the accent static/css/portal.css is generated from, so Skåne's
# pages keep their hand-made scale. Halland's and Norrbotten's are the blues of the regions' public web
# profiles as far as the project could tell (their graphic manuals were not at hand): a region confirms
# or corrects its own with the setting. Each has at least 4.5:1 contrast with white (links, white text
# on buttons: WCAG 2.1 AA): #a6192e 7.5:1, #00629b 6.5:1, #1d4f91 8.1:1.
STYLESHEET_COLOUR = "#a6192e"
THEME_COLOURS = {
    "skane": STYLESHEET_COLOUR,
    "halland": "#00629b",
    "norrbotten": "#1d4f91",
}
# A region without a colour of its own, and every page when the database cannot be read: a near-black
# neutral (the design system's neutral base), 14:1 on white.
NEUTRAL_COLOUR = "#1e1e1e"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

STAMP_KEY = "region-texts:stamp"  # replaced when a version changes, so other processes read afresh


def theme_colour(region_code: str) -> str:
    """SERVICELEVEL_THEME_COLOUR when it is a colour (#rrggbb), else the region's own, else neutral."""
    configured = (getattr(settings, "SERVICELEVEL_THEME_COLOUR", "") or "").strip()
    if configured:
        if COLOUR.fullmatch(configured):
            return configured.lower()
        # Written into the page's CSS: anything but a plain colour is ignored, never copied there.
        log.warning("SERVICELEVEL_THEME_COLOUR %r is not #rrggbb: the region's own is used", configured)
    return THEME_COLOURS.get(region_code, NEUTRAL_COLOUR)


def in_sentence(name: str) -> str:
    """A name inside a sentence: its first letter in lower case, unless it begins with an abbreviation
    ("NPÖ …", "1177 …")."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


@dataclass(frozen=True)
class RegionTexts:
    region_code: str = ""
    region_name: str = ""
    decision_number: str = ""
    decision_title: str = ""
    decision_version: str = ""
    decision_label: str = ""
    theme_colour: str = NEUTRAL_COLOUR
    groups: tuple[str, ...] = field(default=())  # the version's groups' names, in its order

    @property
    def decision_subject(self) -> str:
        """The title as the object of a sentence ("… uppföljning av beslut N om gemensam servicenivå …")."""
        return in_sentence(self.decision_title)

    @property
    def groups_text(self) -> str:
        """The groups' names in a sentence: "tidbokning genom 1177.se, …, svarstid … och administrativa
        roller"."""
        names = [in_sentence(n) for n in self.groups if n]
        return ", ".join(names[:-1]) + " och " + names[-1] if len(names) > 1 else "".join(names)

    def context(self) -> dict:
        """The names every template may use (servicelevel/context_processors.py)."""
        return {
            "region_code": self.region_code,
            "region_name": self.region_name,
            "decision_number": self.decision_number,
            "decision_title": self.decision_title,
            "decision_subject": self.decision_subject,
            "decision_version": self.decision_version,
            "decision_label": self.decision_label,
            "decision_groups": self.groups,
            "decision_groups_text": self.groups_text,
            "theme_colour": self.theme_colour,
            # Only a colour other than the stylesheet's own needs its scale derived on the page.
            "theme_derived": self.theme_colour != STYLESHEET_COLOUR,
        }


# Nothing read (the database is down, or no version is stored): a neutral frame.
NEUTRAL = RegionTexts()


def texts_of(decision) -> RegionTexts:
    """The words of one version (None: neutral)."""
    if decision is None:
        return NEUTRAL
    return RegionTexts(
        region_code=decision.region_code,
        region_name=decision.region_name,
        decision_number=decision.number,
        decision_title=decision.title,
        decision_version=decision.version,
        decision_label=decision.label,
        theme_colour=theme_colour(decision.region_code),
        groups=tuple(g.get("name", "") for g in decision.groups or ()),
    )


# ---------------------------------------------------------------------------------- today's, kept here

_kept: dict[tuple[str, datetime.date], tuple[object, RegionTexts]] = {}
KEPT_DAYS = 8  # a long-running process keeps a few days' answers, never an ever-growing dict


def texts(day: datetime.date | None = None) -> RegionTexts:
    """The words of the region's version in force on `day` (default today): kept, or one query."""
    from . import region
    from .models import Decision

    day = day or timezone.localdate()
    key = (region.configured(), day)
    fresh = _changed_here()
    stamp = _stamp()
    if not fresh:
        kept = _kept.get(key)
        if kept is not None and (stamp is None or kept[0] == stamp):
            return kept[1]
    try:
        found = texts_of(Decision.in_force(day))
    except DatabaseError:
        # Error pages (404, 403) render through the context processor too: they must not fail with the
        # database, and show the neutral frame instead.
        log.exception("region texts: the rulebook could not be read")
        return NEUTRAL
    if not fresh:
        if len(_kept) >= KEPT_DAYS:
            _kept.clear()
        _kept[key] = (stamp, found)
    return found


def forget() -> None:
    """Forget every kept answer (this process)."""
    _kept.clear()


def _stamp():
    """Another process's news, if the cache has any (None: none, or no cache to ask)."""
    try:
        return cache.get(STAMP_KEY)
    except Exception:  # a cache that cannot be reached costs the freshness across processes, not the page
        return None


def _changed_here() -> bool:
    """Whether this connection's open transaction changed a version: then its answer is its own."""
    block = getattr(connection, "_region_texts_changed_in", None)
    if block is None:
        return False
    if connection.in_atomic_block and connection.atomic_blocks and connection.atomic_blocks[0] is block:
        return True
    # That transaction ended: committed (the commit forgot the kept answers) or rolled back (they are
    # still true).
    connection._region_texts_changed_in = None
    return False


def _committed() -> None:
    forget()
    try:
        cache.set(STAMP_KEY, uuid.uuid4().hex, None)
    except Exception:
        log.exception("region texts: the other processes could not be told of a new version")


def decision_changed(sender=None, **_signal) -> None:
    """post_save / post_delete on Decision: forget the kept answers once the change is committed."""
    if connection.in_atomic_block and connection.atomic_blocks:
        connection._region_texts_changed_in = connection.atomic_blocks[0]
        transaction.on_commit(_committed)
    else:
        _committed()
