from django.contrib import admin

from servicelevel.admin_mixins import ReadOnlyAdminMixin
from servicelevel.signals import fact_changes

from .cases import case_delete
from .closed_days import add_closed_day, remove_closed_day
from .engine.values import value_text
from .models import Case, ClosedDay, RecomputeJob, RequirementResult, UnitResult


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    """A region's extra closed day; saving or deleting one recomputes the deadlines around it."""

    list_display = ("date", "name")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            remove_closed_day(closed=ClosedDay.objects.get(pk=obj.pk), actor=request.user)
            obj.pk = None
        saved = add_closed_day(date=obj.date, name=obj.name, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        remove_closed_day(closed=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            remove_closed_day(closed=obj, actor=request.user)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("case_id", "unit", "service_code", "received_at", "first_response_at", "deadline")
    search_fields = ("case_id", "unit__hsa_id")
    list_select_related = ("unit",)
    readonly_fields = ("deadline", "deadline_same_day")
    raw_id_fields = ("unit",)
    show_full_result_count = False  # a million rows: skip the COUNT(*) of the whole table

    def has_add_permission(self, request):
        return False  # cases come from 1177 statistics files (import_data cases)

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        case_delete(case=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with fact_changes():  # each case audited, the engine told once
            for case in queryset:
                case_delete(case=case, actor=request.user)


class RequirementResultInline(admin.TabularInline):
    model = RequirementResult
    extra = 0
    fields = ("requirement", "status", "measured", "reason", "exemption_code", "exemption_unneeded")
    readonly_fields = fields
    can_delete = False
    # Django's tabular template would print each row's str() ("12: met") above it.
    template = "admin/compliance/unitresult/requirementresult_tabular.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requirement")  # one query, not one a row

    @admin.display(description="mätvärde")
    def measured(self, obj):
        """The value as the portal writes it ('93,3 %', '3', '8 veckor'): its kind is the engine's."""
        return value_text(obj.requirement, obj.value)


@admin.register(UnitResult)
class UnitResultAdmin(admin.ModelAdmin):
    list_display = (
        "as_of",
        "unit",
        "decision",
        "current_period",
        "evaluation_month",
        "booking_level",
        "booking_level_with_exemptions",
    )
    list_filter = ("as_of", "decision", "booking_level")
    search_fields = ("unit__hsa_id", "unit__name")
    list_select_related = ("unit", "decision")
    fields = (
        "as_of",
        "unit",
        "decision",
        "current_period",
        "evaluation_month",
        "booking_level",
        "booking_level_with_exemptions",
        "response_time_summary",
        "computed_at",
    )
    readonly_fields = ("response_time_summary",)
    inlines = [RequirementResultInline]

    @admin.display(description="svarstid")
    def response_time_summary(self, obj):
        """The stored response-time figures (export JSON) in a sentence instead of raw JSON."""
        from fractions import Fraction

        from .engine.text import count, month_name, pct

        figures = obj.response_time
        if figures is None:
            return "Bedöms inte: enheten har inget kontaktkort på 1177.se"
        month = month_name(figures["month"])
        if not figures["assessed"]:
            return f"{month}: inga bedömda ärenden; {figures['pending']} väntar på svar inom fristen"
        parts = [
            f"{month}: {figures['in_time']} av {figures['assessed']} bedömda ärenden i tid "
            f"({pct(figures['in_time'], figures['assessed'])})",
            ", ".join(
                [
                    count(figures["late_notified"], "sent med besked i tid", "sena med besked i tid"),
                    count(figures["late"], "sent utan besked", "sena utan besked"),
                    count(figures["overdue"], "obesvarat efter fristen", "obesvarade efter fristen"),
                ]
            ),
            f"{figures['pending']} väntar på svar inom fristen",
        ]
        if figures.get("share_within_2h") is not None:
            # Stored rounded to 4 decimals; read as text so 0.31 is exactly 31 %.
            parts.append(f"besvarade inom 2 timmar: {pct(Fraction(str(figures['share_within_2h'])))}")
        return "; ".join(parts)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeJob)
class RecomputeJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A correction's recompute of stored results (compliance/corrections.py): its progress, read here."""

    list_display = ("created_at", "since", "status", "dates_done", "dates_total", "finished_at")
    list_filter = ("status",)
