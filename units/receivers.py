"""Rights changes replace the page cache's generation (servicelevel/page_cache.py): a kept page was made
for one user's rights, and whatever units/permissions.py reads may change them — the object grants
(guardian's direct foreign-key tables), the user's groups (the roles), a group itself, and the user's
active, superuser and staff flags."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from servicelevel.page_cache import changed

from .models import (
    CareUnitGroupObjectPermission,
    CareUnitUserObjectPermission,
    ProviderGroupObjectPermission,
    ProviderUserObjectPermission,
    VardomradeGroupObjectPermission,
    VardomradeUserObjectPermission,
)

GRANT_TABLES = (
    CareUnitUserObjectPermission,
    CareUnitGroupObjectPermission,
    VardomradeUserObjectPermission,
    VardomradeGroupObjectPermission,
    ProviderUserObjectPermission,
    ProviderGroupObjectPermission,
)


def user_saved(*, update_fields=None, **signal) -> None:
    # A login writes last_login alone on every sign-in: no right changes with it.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    changed(**signal)


def connect() -> None:
    user = get_user_model()
    for model in (*GRANT_TABLES, Group, user):
        post_delete.connect(changed, sender=model, dispatch_uid=f"units.page_cache.delete.{model.__name__}")
    for model in (*GRANT_TABLES, Group):
        post_save.connect(changed, sender=model, dispatch_uid=f"units.page_cache.save.{model.__name__}")
    post_save.connect(user_saved, sender=user, dispatch_uid="units.page_cache.save.user")
    m2m_changed.connect(changed, sender=user.groups.through, dispatch_uid="units.page_cache.groups")
