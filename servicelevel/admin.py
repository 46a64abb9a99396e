from django.contrib import admin

from . import services as rulebook
from .admin_mixins import ReadOnlyAdminMixin, Services, WritePathAdminMixin
from .audit import action_label, detail_text
from .models import (
    AuditEntry,
    CatalogueChannel,
    CatalogueService,
    CatalogueTemplate,
    ClaimRoleRule,
    Decision,
    Requirement,
    SchedulePeriod,
    SignInIdentity,
)


class RequirementInline(admin.TabularInline):
    """The version's requirements, shown read-only: a loaded version is never edited."""

    model = Requirement
    extra = 0
    fields = ("order", "code", "group", "level", "name", "section", "kind", "parameters_shown", "applies_if")
    readonly_fields = fields

    @admin.display(description="parametrar")
    def parameters_shown(self, obj):
        return detail_text(obj.parameters) or "–"

    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Versions are loaded from their files (load_rulebook, /regelverk/) and never edited: results name
    them, and a past date is judged by the version in force then. A change is a new version."""

    list_display = ("number", "version", "title", "region_name", "in_force_from", "in_force_until")
    list_filter = ("region_code",)
    inlines = [RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a parameter is changed by a new version of the decision (/regelverk/)."""

    list_display = ("code", "name", "level", "group", "kind", "section", "decision")
    list_filter = ("decision", "group", "level", "kind")
    search_fields = ("code", "name")


class RegistryAdmin(WritePathAdminMixin, admin.ModelAdmin):
    """The region's catalogue registry: each entry comes with a rulebook version (code, name and the
    digital-contact flag are the version's); what the admin keeps is the date an entry was retired."""

    list_display = ("code", "name", "retired_on")
    search_fields = ("code", "name")
    readonly_fields = ("code", "name")

    def has_add_permission(self, request):
        return False  # a version's file brings its catalogue

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted, so history stays true


@admin.register(CatalogueService)
class CatalogueServiceAdmin(RegistryAdmin):
    list_display = ("code", "name", "digital_contact", "retired_on")
    list_filter = ("digital_contact", "retired_on")
    readonly_fields = ("code", "name", "digital_contact")
    services = Services("service", rulebook.catalogue_service_save)


@admin.register(CatalogueTemplate)
class CatalogueTemplateAdmin(RegistryAdmin):
    services = Services("template", rulebook.catalogue_template_save)


@admin.register(CatalogueChannel)
class CatalogueChannelAdmin(RegistryAdmin):
    services = Services("channel", rulebook.catalogue_channel_save)


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


@admin.register(ClaimRoleRule)
class ClaimRoleRuleAdmin(admin.ModelAdmin):
    """Which value of the role claim (OIDC_ROLE_CLAIM, or SAML's role attribute) gives which role; read at
    every sign-in through the identity provider (servicelevel/identity.py). Kept by Koncernstab."""

    list_display = ("claim_value", "role")
    list_filter = ("role",)
    search_fields = ("claim_value",)


@admin.register(SignInIdentity)
class SignInIdentityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "subject", "issuer", "created", "last_sign_in")
    search_fields = ("subject", "user__username")
