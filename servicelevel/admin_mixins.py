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
        # A bulk delete from the list: judge every unit again (one background run) rather than asking
        # changed_units() row by row, which may query per row.
        super().delete_queryset(request, queryset)
        notify_facts_changed(unit_ids=None)
