from django.contrib import admin

from . import services as rulebook
from .admin_mixins import ReadOnlyAdminMixin, Services, WritePathAdminMixin
from .audit import action_label, detail_text
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
    """The decision's requirements, shown; each is edited on its own page (through the write path, with
    its parameters checked), never here."""

    model = Requirement
    extra = 0
    fields = ("order", "code", "group", "level", "name", "section", "is_trend", "parameters_shown")
    readonly_fields = fields

    @admin.display(description="parametrar")
    def parameters_shown(self, obj):
        return detail_text(obj.parameters) or "–"

    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "version", "in_force_from", "in_force_until")
    inlines = [RequirementInline]
    services = Services("decision", rulebook.decision_save)

    def has_delete_permission(self, request, obj=None):
        return False  # results name the decision they were judged against


@admin.register(Requirement)
class RequirementAdmin(WritePathAdminMixin, admin.ModelAdmin):
    """Koncernstab edits names and parameters (e.g. SV1's threshold); every unit is judged again."""

    list_display = ("code", "name", "level", "group", "section", "decision")
    list_filter = ("decision", "group", "level")
    search_fields = ("code", "name")
    # The kind and its conditions are the rulebook's: a parameter may be edited, never what it is judged by.
    readonly_fields = ("decision", "code", "group", "level", "is_trend", "kind", "applies_if")
    services = Services("requirement", rulebook.requirement_save)

    def has_add_permission(self, request):
        return False  # a later decision brings its requirements with it

    def has_delete_permission(self, request, obj=None):
        return False  # results name their requirements; a later decision adds new ones instead


@admin.register(CatalogueService)
class CatalogueServiceAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "digital_contact", "retired_on")
    list_filter = ("digital_contact", "retired_on")
    search_fields = ("code", "name")
    services = Services("service", rulebook.catalogue_service_save)

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted, so history stays true


@admin.register(CatalogueTemplate)
class CatalogueTemplateAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "retired_on")
    search_fields = ("code", "name")
    services = Services("template", rulebook.catalogue_template_save)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BaseOfferingProfile)
class BaseOfferingProfileAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("unit_type",)
    filter_horizontal = ("services",)

    def save_model(self, request, obj, form, change):
        # The profile's only fact is its set of services (many-to-many): written, audited and notified
        # together by the service, with what the form chose.
        rulebook.profile_services_set(profile=obj, services=form.cleaned_data["services"], actor=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # the service above has set the services

    def has_delete_permission(self, request, obj=None):
        return False  # every unit type has a profile; an empty one requires nothing beyond digital contact


@admin.register(SchedulePeriod)
class SchedulePeriodAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "start_date", "end_date")
    date_hierarchy = "start_date"
    services = Services("period", rulebook.period_save, rulebook.period_delete)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_label", "action_shown", "object_type", "object_id", "detail_shown")
    fields = ("at", "actor_label", "action_shown", "object_type", "object_id", "detail_shown")
    readonly_fields = fields

    @admin.display(description="händelse", ordering="action")
    def action_shown(self, obj):
        return action_label(obj.action)

    @admin.display(description="detaljer")
    def detail_shown(self, obj):
        return detail_text(obj.detail)

    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label")
    date_hierarchy = "at"
