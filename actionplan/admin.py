from django.contrib import admin

from servicelevel.admin_mixins import Services, WritePathAdminMixin

from . import services as plan
from .models import Activity, Target


@admin.register(Target)
class TargetAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("vardomrade", "period", "requirement", "target_share")
    list_filter = ("period", "requirement", "vardomrade__forvaltning")
    list_select_related = ("vardomrade", "period", "requirement")
    services = Services("target", plan.target_save, plan.target_delete)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requirement":  # only trend requirements (*-ANDEL) have targets
            from servicelevel.models import Requirement

            kwargs["queryset"] = Requirement.objects.filter(is_trend=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "forvaltning", "vardomrade", "requirement", "due_on", "state")
    list_filter = ("state", "forvaltning")
