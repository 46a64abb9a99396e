"""The layout's role-dependent parts: `{% portal_nav as nav %}` in templates/partials/_header.html.

Who sees which link is decided here, from units.permissions (the one module that knows the roles); the
pages themselves still check access. The user's roles are read once per request (cached on the user).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from units.permissions import Roles, may_import, may_keep_sign_in_rules, roles, sees_everything

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, path, who): the portal's sections. Paths are written out because the pages are being built
# beside this; each becomes a `reverse("portal:…")` once its view exists.
SECTIONS = [
    ("Översikt", "/", "anyone"),
    ("Enheter", "/enheter/", "anyone"),
    ("Jämförelse", "/jamforelse/", "anyone"),
    ("Avsteg", "/avsteg/", "anyone"),
    ("Handlingsplan", "/handlingsplan/", "anyone"),
    ("Rapporter", "/rapporter/", "anyone"),
    ("Regelverk", "/regelverk/", "anyone"),
    ("Granskning", "/granskning/", "region"),
    ("Import", "/import/", "import"),
    ("Inloggning", "/inloggning/rollregler/", "sign_in_rules"),
    ("Admin", "/admin/", "admin"),
]


def _may(user, who: str) -> bool:
    if who == "anyone":
        return True
    if who == "import":
        return may_import(user)
    if who == "sign_in_rules":  # which identity-provider claims give which role: Koncernstab
        return may_keep_sign_in_rules(user)
    if who == "region":  # the audit trail: region-wide roles only (portal/audit/views.py)
        return sees_everything(user)
    # The admin is Koncernstab's tool for the catalogue: staff accounts of that role (or a superuser).
    return user.is_staff and (user.is_superuser or Roles.KONCERNSTAB in roles(user))


def navigation(user, path: str) -> list[NavItem]:
    """The links this user sees, the current section marked (the start page only on "/" itself)."""
    if user is None or not user.is_authenticated:
        return []
    items = []
    for label, url, who in SECTIONS:
        if _may(user, who):
            current = path == url if url == "/" else path.startswith(url)
            items.append(NavItem(label, url, current))
    return items


@register.simple_tag(takes_context=True)
def portal_nav(context) -> list[NavItem]:
    # Error pages (500) render without a request or user: no navigation then.
    request = context.get("request")
    return navigation(context.get("user"), request.path if request else "")
