"""Authentication: the demo accounts work only in development.

`seed_demo` creates one account per role with a published password (`demo-2026`) and puts them in the
group DEMO_GROUP. A database seeded in development may later run with DJANGO_DEBUG off (a copied
database, a demo server made "real"); this backend then refuses those accounts — at login and for any
session they still hold — so a published password never opens a production portal.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

DEMO_GROUP = "Demo (endast utveckling)"


def _demo_membership():
    User = get_user_model()
    return User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=DEMO_GROUP)


def is_demo_account(user) -> bool:
    known = getattr(user, "is_demo_account", None)
    if known is not None:
        return known
    return user.groups.filter(name=DEMO_GROUP).exists()


def demo_group() -> Group:
    return Group.objects.get_or_create(name=DEMO_GROUP)[0]


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend, refusing demo accounts unless DEBUG is on.

    The session's user is read on every request through get_user; it is loaded here with whether it is
    a demo account in the same SELECT (an EXISTS), so the guard costs no query of its own.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LOCAL_LOGIN:
            return None  # DJANGO_LOCAL_LOGIN=0: no password opens the portal, the admin's form neither
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return settings.DEBUG or not is_demo_account(user)

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.annotate(is_demo_account=Exists(_demo_membership())).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
