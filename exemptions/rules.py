"""The exemption rules written once (spec: Exemptions): when one is active, what is wrong with its dates,
how long "tidsbegränsat" may be, and which other exemptions a proposal would duplicate."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q

from servicelevel.dates import in_bounds

ACTIVE_STATUSES = frozenset({"approved", "expired"})

# "Slutar snart": an exemption in force whose valid_until is within this many days of the shown date — the
# dashboard's list, the exemption list's filter, the action plan's mark and the first reminder alike.
ENDING_SOON_DAYS = 30


def is_active(
    *,
    status: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    ended_on: datetime.date | None,
    day: datetime.date,
) -> bool:
    """Active on `day`: within valid_from..valid_until (inclusive) and approved or expired, or revoked with
    `day` before ended_on. Expired ones still count inside their range, so past results stay as they were."""
    if not valid_from <= day <= valid_until:
        return False
    if status in ACTIVE_STATUSES:
        return True
    return status == "revoked" and ended_on is not None and day < ended_on


def active_q(day: datetime.date) -> Q:
    """`is_active` as a query condition, for a query that must not load every exemption to ask it
    (`Exemption.objects.active_on(day)`); a test holds the two equal on every state and date."""
    in_range = Q(valid_from__lte=day, valid_until__gte=day)
    return in_range & (Q(status__in=ACTIVE_STATUSES) | Q(status="revoked", ended_on__gt=day))


def dates_problems(
    *,
    status: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    ended_on: datetime.date | None,
) -> dict[str, str]:
    """Per field, what is wrong with an exemption's dates: it is time-limited (valid_until on or after
    valid_from), and `ended_on` is the day a revoked one ended — required then, inside its range, and
    empty for every other state."""
    problems = {}
    if valid_from and valid_until and valid_until < valid_from:
        problems["valid_until"] = f"{valid_until} är före valid_from {valid_from}"
    if status == "revoked":
        if ended_on is None:
            problems["ended_on"] = "krävs för status revoked (dagen avsteget avslutades)"
        elif valid_from and ended_on < valid_from:
            problems["ended_on"] = f"{ended_on} är före valid_from {valid_from}"
    elif ended_on is not None:
        problems["ended_on"] = "ska vara tomt utom för status revoked"
    return problems


def max_months() -> int:
    """The longest an exemption decided in the portal may run, in months (`DJANGO_EXEMPTION_MAX_MONTHS`,
    default 12; read once at startup)."""
    return settings.EXEMPTION_MAX_MONTHS


def last_allowed_day(valid_from: datetime.date, *, months: int | None = None) -> datetime.date:
    """The latest `valid_until` for an exemption starting on `valid_from`: the same date `months` later
    (a month's end when that month is shorter, so 2026-08-31 + 6 months → 2027-02-28)."""
    return valid_from + relativedelta(months=months or max_months())


def bound_problem(
    *, valid_from: datetime.date | None, valid_until: datetime.date | None, months: int | None = None
) -> str | None:
    """Why `valid_until` is beyond the bound ("tidsbegränsat" means a bound, not 2099-12-31), or None.
    Held by the portal's proposals, draft edits and common decisions and by the model's clean (the admin);
    not by the exemptions import, which brings in what was decided elsewhere as it was decided."""
    if valid_from is None or valid_until is None:
        return None
    if not (in_bounds(valid_from) and in_bounds(valid_until)):
        return None  # the field's own error says so (servicelevel.dates); no bound to add months to
    months = months or max_months()
    last = last_allowed_day(valid_from, months=months)
    if valid_until <= last:
        return None
    return (
        f"Ett avsteg är tidsbegränsat och gäller högst {months} månader: "
        f"sista tillåtna dag är {last:%Y-%m-%d}."
    )


PENDING_STATUSES = ("draft", "submitted")


def duplicating(*, valid_from: datetime.date, valid_until: datetime.date) -> Q:
    """The other exemptions (of the same unit and requirement — the caller filters those) that a proposal
    for `valid_from..valid_until` would duplicate: one still pending (a draft or sent in, whatever its
    dates), or one active on some day of the range — `is_active` over a range: approved or expired and
    overlapping, or revoked and overlapping the days before `ended_on`."""
    overlapping = Q(valid_from__lte=valid_until, valid_until__gte=valid_from)
    return (
        Q(status__in=PENDING_STATUSES)
        | (overlapping & Q(status__in=ACTIVE_STATUSES))
        | (overlapping & Q(status="revoked", ended_on__gt=valid_from))
    )


def ids_text(codes: list[str]) -> str:
    """Ids in a sentence: "AV-1", "AV-1 och AV-2", "AV-1, AV-2 och AV-3"."""
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} och {codes[-1]}"


def siblings_note(siblings, *, rejected: bool) -> str:
    """What rejecting one exemption of a proposal does to the others proposed with it (its siblings):
    nothing — each exemption is decided on its own, so they keep their state (docs/exemptions.md). Said on
    the decision form (`rejected=False`), in the confirmation and in the rejection's e-mail; "" alone."""
    if not siblings:
        return ""
    codes = [e.exemption_id for e in siblings]
    head = (
        f"Det andra avsteget i samma förslag ({codes[0]})"
        if len(codes) == 1
        else f"De andra avstegen i samma förslag ({ids_text(codes)})"
    )
    head += " påverkas inte av avslaget" if rejected else " påverkas inte av ett avslag"
    states = {"submitted": [], "draft": [], "decided": []}
    for e in siblings:
        states[e.status if e.status in ("submitted", "draft") else "decided"].append(e.exemption_id)
    if len(codes) == len(states["submitted"]):
        return f"{head} och väntar kvar på beslut."
    parts = []
    if states["submitted"]:
        parts.append(f"{ids_text(states['submitted'])} väntar kvar på beslut")
    if states["draft"]:
        parts.append(f"{ids_text(states['draft'])} är kvar som utkast")
    if states["decided"]:
        decided = states["decided"]
        parts.append(f"{ids_text(decided)} är redan {'beslutat' if len(decided) == 1 else 'beslutade'}")
    return f"{head}: {', '.join(parts)}."
