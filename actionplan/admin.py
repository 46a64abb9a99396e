from django.contrib import admin

from servicelevel.admin_mixins import Services, WritePathAdminMixin

from . import services as plan
from .models import Activity, ActivityNote, Obstacle, PhaseOut, Target


@admin.register(Target)
class TargetAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("vardomrade", "period", "requirement", "target_share")
    list_filter = ("period", "requirement", "vardomrade__forvaltning")
    list_select_related = ("vardomrade", "period", "requirement")
    services = Services("target", plan.target_save, plan.target_delete)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requirement":  # only trend requirements (share_trend) have targets
            from servicelevel.models import Requirement

            kwargs["queryset"] = Requirement.objects.filter(is_trend=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Activity)
class ActivityAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("title", "period", "forvaltning", "vardomrade", "due_on", "state")
    list_filter = ("state", "period", "forvaltning")
    list_select_related = ("period", "forvaltning", "vardomrade")
    raw_id_fields = ("units", "exemptions", "owner")
    services = Services("activity", plan.activity_save, plan.activity_delete)

    def save_model(self, request, obj, form, change):
        # The links are saved with the activity, through the same service (validated and audited).
        plan.activity_save(
            activity=obj,
            actor=request.user,
            requirements=[r.pk for r in form.cleaned_data.get("requirements", [])],
            units=[u.pk for u in form.cleaned_data.get("units", [])],
            exemptions=[e.pk for e in form.cleaned_data.get("exemptions", [])],
        )

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # no inlines today; the links went through save_model
            self.save_formset(request, form, formset, change=change)


@admin.register(ActivityNote)
class ActivityNoteAdmin(admin.ModelAdmin):
    list_display = ("activity", "written_on", "author")

    def has_change_permission(self, request, obj=None):
        return False  # notes are added in the portal, never edited

    def has_add_permission(self, request):
        return False


@admin.register(PhaseOut)
class PhaseOutAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "kind", "code", "planned_end", "replacement_service", "replacement_template")
    list_select_related = ("unit", "replacement_service", "replacement_template")
    raw_id_fields = ("unit",)
    services = Services("phase_out", plan.phase_out_save, plan.phase_out_delete)


@admin.register(Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ("title", "vardomrade", "status", "reported_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False  # reported and answered in the portal, through the services

    def has_add_permission(self, request):
        return False
