"""The requirement kinds: the rule each kind judges by, and what its measured value is.

A rulebook says which requirements a decision has and of which kind, with which parameters
(servicelevel/kinds.py holds each kind's parameters and defaults); the engine looks a requirement's
judge up here by its kind and never by its code.
"""

from __future__ import annotations

from . import booking, offerings, response_time, roles
from .types import COUNT, SHARE, WEEKS, RequirementRule

# kind → judge(facts, rule, rulebook, as_of) → Judgement (before exemptions)
JUDGES = {
    "booked_all": booking.booked_all,
    "any_positive": booking.any_positive,
    "minimum": booking.minimum,
    "share_trend": booking.share_trend,
    "contact_card": offerings.contact_card,
    "digital_contact": offerings.digital_contact,
    "regional_services": offerings.regional_services,
    "regional_templates": offerings.regional_templates,
    "base_offering": offerings.base_offering,
    "response_time": response_time.response_time,
    "local_admin_wide_mandate": roles.local_admin_wide_mandate,
    "role_count": roles.role_count,
}

# kind → what its measured value is: the share of all booked times, a count (of times, services, people),
# the trend's share this period, the share of the profile offered, the share answered in time.
VALUE_KINDS = {
    "booked_all": SHARE,
    "any_positive": COUNT,
    "share_trend": SHARE,
    "digital_contact": COUNT,
    "regional_services": SHARE,
    "regional_templates": SHARE,
    "base_offering": SHARE,
    "response_time": SHARE,
    "local_admin_wide_mandate": COUNT,
    "role_count": COUNT,
}


def value_kind_of(kind: str, parameters: dict) -> str | None:
    """What a requirement's measured value is: a share, a count, weeks; None when it measures nothing."""
    if kind == "minimum":
        return WEEKS if parameters.get("figure") == "lookahead_weeks" else COUNT
    return VALUE_KINDS.get(kind)


def value_kind(rule: RequirementRule) -> str | None:
    return value_kind_of(rule.kind, rule.parameters)
