"""Admin edits of facts tell the engine, like imports do: results and deadlines stay true."""

from .signals import notify_facts_changed


class FactsChangedAdminMixin:
    """For models with a `unit` foreign key: an edit or delete recomputes that unit."""

    def changed_units(self, obj) -> set[int] | None:
        return {obj.unit_id}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        notify_facts_changed(unit_ids=self.changed_units(obj))

    def delete_model(self, request, obj):
        units = self.changed_units(obj)
        super().delete_model(request, obj)
        notify_facts_changed(unit_ids=units)

    def delete_queryset(self, request, queryset):
        units = set()
        for obj in queryset:
            found = self.changed_units(obj)
            units = None if found is None or units is None else units | found
        super().delete_queryset(request, queryset)
        notify_facts_changed(unit_ids=units)
