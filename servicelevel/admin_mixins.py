"""Admin pages write through the same services as the portal: validated, audited, and the engine told once
per page save (a unit with its offerings and roles inline is one notification).

Facts kept over time (a unit, its offerings and role holders: servicelevel/validity.py) are changed from a
date: their admin forms (`ValidFromAdminForm`) carry "Gäller från" (default today, never after it), passed
to the services for the page's object and its inlines alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from .dates import DateField
from .signals import fact_changes
from .validity import change_day, today

# The admin form's "Gäller från" (not the model's `valid_from`, which is the stored version's own date and
# shown read-only beside it).
VALID_FROM = "change_valid_from"


class ValidFromAdminForm(forms.ModelForm):
    """The admin form of a fact kept over time: from when the change saved here holds. Empty means today
    (the services' default); a past date is a correction, and stored results from then are judged again."""

    change_valid_from = DateField(
        label="Gäller från",
        required=False,
        initial=today,
        help_text="Från vilket datum ändringen gäller; tomt = i dag. Ett tidigare datum är en rättelse: de "
        "sparade resultaten från det datumet bedöms om. Gäller även raderna nedan.",
    )

    def clean_change_valid_from(self):
        return change_day(self.cleaned_data.get(VALID_FROM))


def valid_from_of(form) -> object | None:
    """The date a saved admin form gives its changes, or None (a form without the field)."""
    return (getattr(form, "cleaned_data", None) or {}).get(VALID_FROM)


@dataclass(frozen=True)
class Services:
    """The write path for one model: `save(**{arg: obj}, actor=user)`, `delete(**{arg: obj}, actor=user)`."""

    arg: str
    save: Callable
    delete: Callable | None = None

    def save_obj(self, obj, actor, valid_from=None):
        """`valid_from` only for the services of facts kept over time (None: the service's default)."""
        dated = {} if valid_from is None else {"valid_from": valid_from}
        return self.save(**{self.arg: obj}, actor=actor, **dated)

    def delete_obj(self, obj, actor, valid_from=None):
        if self.delete is None:
            raise ValidationError("Det här kan inte tas bort.")
        dated = {} if valid_from is None else {"valid_from": valid_from}
        return self.delete(**{self.arg: obj}, actor=actor, **dated)


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
        self.services.save_obj(obj, request.user, valid_from=valid_from_of(form))

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
        day = valid_from_of(form)  # the page's "Gäller från" holds for its inline rows too
        for obj in formset.deleted_objects:
            services.delete_obj(obj, request.user, valid_from=day)
        for obj in instances:
            services.save_obj(obj, request.user, valid_from=day)
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
