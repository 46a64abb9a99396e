"""When an exemption is active — the one place this rule is written (spec: Exemptions)."""

import datetime

ACTIVE_STATUSES = frozenset({"approved", "expired"})


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
