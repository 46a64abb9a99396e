from django.contrib import admin

from servicelevel.admin_mixins import FactsChangedAdminMixin
from units.models import CareUnit

from .models import Activity, Target


@admin.register(Target)
class TargetAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("vardomrade", "period", "requirement", "target_share")
    list_filter = ("period", "requirement", "vardomrade__forvaltning")
    list_select_related = ("vardomrade", "period", "requirement")

    def changed_units(self, obj):
        return set(CareUnit.objects.filter(vardomrade_id=obj.vardomrade_id).values_list("id", flat=True))


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "forvaltning", "vardomrade", "requirement", "due_on", "state")
    list_filter = ("state", "forvaltning")
