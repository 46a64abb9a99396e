from django.contrib import admin

from .admin_mixins import FactsChangedAdminMixin
from .models import (
    AuditEntry,
    BaseOfferingProfile,
    CatalogueService,
    CatalogueTemplate,
    Decision,
    Requirement,
    SchedulePeriod,
)


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ("order", "code", "group", "level", "name", "section", "is_trend", "parameters")


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "version", "in_force_from", "in_force_until")
    inlines = [RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    """Koncernstab edits names and parameters (e.g. SV1's threshold); every unit is judged again."""

    list_display = ("code", "name", "level", "group", "section", "decision")
    list_filter = ("decision", "group", "level")
    search_fields = ("code", "name")
    readonly_fields = ("decision", "code", "group", "is_trend")

    def changed_units(self, obj):
        return None

    def has_delete_permission(self, request, obj=None):
        return False  # results name their requirements; a later decision adds new ones instead


@admin.register(CatalogueService)
class CatalogueServiceAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "digital_contact", "retired_on")
    list_filter = ("digital_contact", "retired_on")
    search_fields = ("code", "name")

    def changed_units(self, obj):
        return None

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted, so history stays true


@admin.register(CatalogueTemplate)
class CatalogueTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "retired_on")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BaseOfferingProfile)
class BaseOfferingProfileAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("unit_type",)
    filter_horizontal = ("services",)

    def changed_units(self, obj):
        return None


@admin.register(SchedulePeriod)
class SchedulePeriodAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "start_date", "end_date")
    date_hierarchy = "start_date"

    def changed_units(self, obj):
        return None


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
