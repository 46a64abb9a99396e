from django.contrib import admin

from servicelevel.admin_mixins import ReadOnlyAdminMixin, Services, WritePathAdminMixin

from . import services
from .models import (
    Exemption,
    ExemptionApproval,
    ExemptionGroup,
    FollowUp,
    ReminderSent,
    SystemCapability,
    WorkflowMail,
)


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0


class ApprovalInline(admin.TabularInline):
    model = ExemptionApproval
    extra = 0
    readonly_fields = ("body", "decided_by", "approved", "decided_at", "comment")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # decisions are taken in the approval workflow, which audits them


@admin.register(Exemption)
class ExemptionAdmin(WritePathAdminMixin, admin.ModelAdmin):
    """A draft's terms may be edited here (audited); once sent in, an exemption's unit, requirement, reason
    and dates are what the approvers decide on, so they are read-only and change only through the
    workflow's services, which audit and recompute."""

    list_display = (
        "exemption_id",
        "unit",
        "requirement",
        "reason",
        "valid_from",
        "valid_until",
        "status",
        "ended_on",
    )
    list_filter = ("status", "reason", "requirement")
    search_fields = ("exemption_id", "unit__hsa_id", "unit__name")
    list_select_related = ("unit", "requirement")
    readonly_fields = ("status", "ended_on", "imported", "proposed_by", "group", "created_at")
    raw_id_fields = ("unit",)
    inlines = [ApprovalInline, FollowUpInline]
    services = Services("exemption", services.exemption_draft_save)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Exemption.Status.DRAFT:
            return [f.name for f in Exemption._meta.fields if f.name != "id"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change and obj.status != Exemption.Status.DRAFT:
            return  # every field is read-only: only the follow-ups inline can have changed
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SystemCapability)
class SystemCapabilityAdmin(WritePathAdminMixin, admin.ModelAdmin):
    """What each booking system supports; also kept at /avsteg/system/ in the portal."""

    list_display = ("booking_system", "requirement", "supported", "expected_on")
    list_filter = ("booking_system", "supported")
    services = Services("capability", services.capability_save)

    def has_delete_permission(self, request, obj=None):
        return False


class GroupApprovalInline(ApprovalInline):
    fk_name = "group"


@admin.register(ExemptionGroup)
class ExemptionGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Common decisions are proposed and decided in the portal (/avsteg/system/); read-only here."""

    list_display = ("group_id", "booking_system", "status", "valid_from", "valid_until", "ended_on")
    list_filter = ("status", "booking_system")
    inlines = [GroupApprovalInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ExemptionGroup._meta.fields if f.name != "id"] + ["requirements"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reminders the jobs have claimed (docs/reports.md, Reminders), to read: who was told what about
    which exemption, and whether the mail went out. Written only by `exemptions/reminders.py`, each row
    before its mail is sent, so a row here is what makes a rerun skip that reminder: nothing is added,
    changed or deleted here (deleting a failed row, to send it again, is a deliberate act in a shell)."""

    list_display = ("created_at", "kind", "exemption", "recipient", "due_date", "outcome", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient", "exemption__exemption_id")
    list_select_related = ("exemption",)
    date_hierarchy = "created_at"
    fields = ("kind", "exemption", "recipient", "due_date", "outcome", "sent_at", "error", "created_at")
    readonly_fields = fields

    @admin.display(description="utfall")
    def outcome(self, obj):
        if obj.sent_at:
            return "Skickad"
        return "Misslyckades" if obj.error else "Inte skickad"


@admin.register(WorkflowMail)
class WorkflowMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The workflow's e-mails (exemptions/notices.py: sent in, approved, rejected, withdrawn), to read: who
    was told about which step, and whether the mail went out. Each row is claimed before its mail is sent,
    so a row here is what keeps a rerun from telling the person twice: nothing is changed here."""

    list_display = ("created_at", "step", "object_id", "recipient", "outcome", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("recipient", "event__object_id")
    list_select_related = ("event",)
    date_hierarchy = "created_at"
    fields = ("step", "object_id", "recipient", "outcome", "sent_at", "error", "created_at")
    readonly_fields = fields

    @admin.display(description="steg")
    def step(self, obj):
        from servicelevel.audit import action_label

        return action_label(obj.event.action)

    @admin.display(description="avsteg eller beslut")
    def object_id(self, obj):
        return obj.event.object_id

    @admin.display(description="utfall")
    def outcome(self, obj):
        if obj.sent_at:
            return "Skickad"
        return "Misslyckades" if obj.error else "Inte skickad"
