from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from servicelevel.admin_mixins import FactsChangedAdminMixin
from servicelevel.signals import notify_facts_changed

from .models import AdminRole, BookingFigures, CareUnit, Forvaltning, Offering, Provider, Vardomrade


@admin.register(Forvaltning)
class ForvaltningAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Vardomrade)
class VardomradeAdmin(GuardedModelAdmin):
    list_display = ("name", "forvaltning")
    list_filter = ("forvaltning",)
    search_fields = ("name",)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    autocomplete_fields = ("catalogue_service", "catalogue_template")


class AdminRoleInline(admin.TabularInline):
    model = AdminRole
    extra = 0


@admin.register(CareUnit)
class CareUnitAdmin(GuardedModelAdmin):
    list_display = (
        "hsa_id",
        "name",
        "forvaltning",
        "vardomrade",
        "unit_type",
        "booking_system",
        "has_contact_card",
        "same_day_contact",
        "active",
    )
    list_filter = (
        "forvaltning",
        "unit_type",
        "booking_system",
        "has_contact_card",
        "same_day_contact",
        "active",
    )
    search_fields = ("hsa_id", "name")
    list_select_related = ("forvaltning", "vardomrade")
    inlines = [OfferingInline, AdminRoleInline]

    def save_model(self, request, obj, form, change):
        same_day_changed = change and "same_day_contact" in form.changed_data
        super().save_model(request, obj, form, change)
        notify_facts_changed(unit_ids={obj.pk}, same_day_changed={obj.pk} if same_day_changed else ())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        notify_facts_changed(unit_ids={form.instance.pk})


@admin.register(Offering)
class OfferingAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "kind", "code", "variant", "is_open")
    list_filter = ("kind", "variant", "is_open")
    search_fields = ("unit__hsa_id", "unit__name", "code")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)


@admin.register(BookingFigures)
class BookingFiguresAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "period", *BookingFigures.FIGURES)
    list_filter = ("period",)
    search_fields = ("unit__hsa_id", "unit__name")
    list_select_related = ("unit", "period")
    raw_id_fields = ("unit",)


@admin.register(AdminRole)
class AdminRoleAdmin(FactsChangedAdminMixin, admin.ModelAdmin):
    list_display = ("person_id", "unit", "role")
    list_filter = ("role",)
    search_fields = ("person_id", "unit__hsa_id", "unit__name")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)

    def changed_units(self, obj):
        # AR1 counts a local administrator's units region-wide: every unit of the person may change.
        return set(AdminRole.objects.filter(person_id=obj.person_id).values_list("unit_id", flat=True)) | {
            obj.unit_id
        }
