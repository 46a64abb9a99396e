from django.contrib import admin

from .models import Exemption, ExemptionApproval, FollowUp


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
class ExemptionAdmin(admin.ModelAdmin):
    """Read-mostly until the portal's workflow exists: states change through services that audit them."""

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
    readonly_fields = ("status", "ended_on", "imported", "proposed_by", "created_at")
    raw_id_fields = ("unit",)
    inlines = [ApprovalInline, FollowUpInline]

    def has_delete_permission(self, request, obj=None):
        return False
