"""Django names its model permissions in English ("Can add vårdenhet") when it creates them; the admin's
group and user pages show those names. After every migrate they are renamed in Swedish."""

from __future__ import annotations

VERBS = {"add": "Kan lägga till", "change": "Kan ändra", "delete": "Kan ta bort", "view": "Kan se"}


def swedish_permission_names(sender=None, **kwargs) -> int:
    """Rename the default permissions of every model; returns how many names changed. Idempotent."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    renamed = 0
    types = ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)
    for model, content_type in types.items():
        for action, verb in VERBS.items():
            name = f"{verb} {model._meta.verbose_name}"[:255]
            renamed += (
                Permission.objects.filter(
                    content_type=content_type, codename=f"{action}_{model._meta.model_name}"
                )
                .exclude(name=name)
                .update(name=name)
            )
    return renamed
