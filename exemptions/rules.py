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
