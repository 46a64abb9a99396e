"""Admin pages write through the same services as the portal: validated, audited, and the engine told once
per page save (a unit with its offerings and roles inline is one notification)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .signals import fact_changes


@dataclass(frozen=True)
class Services:
    """The write path for one model: `save(**{arg: obj}, actor=user)`, `delete(**{arg: obj}, actor=user)`."""

    arg: str
    save: Callable
    delete: Callable | None = None

    def save_obj(self, obj, actor):
        return self.save(**{self.arg: obj}, actor=actor)

    def delete_obj(self, obj, actor):
        if self.delete is None:
            raise ValidationError("Det här kan inte tas bort.")
        return self.delete(**{self.arg: obj}, actor=actor)


class WritePathAdminMixin:
    """For a ModelAdmin with `services = Services(...)`; inlines may carry their own `services`."""

    services: Services

    def changeform_view(self, request, *args, **kwargs):
        with fact_changes():
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with fact_changes():
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with fact_changes():  # bulk delete and list_editable save from here
            return super().changelist_view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        self.services.save_obj(obj, request.user)

    def delete_model(self, request, obj):
        self.services.delete_obj(obj, request.user)

    def delete_queryset(self, request, queryset):
        # Each row through the service (each is audited); the engine is still told once, by fact_changes.
        for obj in queryset:
            self.services.delete_obj(obj, request.user)

    def save_formset(self, request, form, formset, change):
        services = next(
            (i.services for i in self.inlines if i.model is formset.model and hasattr(i, "services")), None
        )
        if services is None:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_obj(obj, request.user)
        for obj in instances:
            services.save_obj(obj, request.user)
        formset.save_m2m()


class ReadOnlyAdminMixin:
    """A record kept as it was written (audit entries, sent reminders, common decisions made in the
    portal): listed and shown, never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
