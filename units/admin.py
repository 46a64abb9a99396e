from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from servicelevel.admin_mixins import ReadOnlyAdminMixin, Services, ValidFromAdminForm, WritePathAdminMixin

from . import services as facts
from .models import (
    UNIT_FACT_FIELDS,
    AdminRole,
    BookingFigures,
    CareUnit,
    CareUnitVersion,
    Forvaltning,
    Offering,
    Person,
    Provider,
    Vardomrade,
)

OFFERINGS = Services("offering", facts.offering_save, facts.offering_delete)
BOOKING = Services("figures", facts.booking_figures_save, facts.booking_figures_delete)
ROLES = Services("role", facts.admin_role_save, facts.admin_role_delete)


@admin.register(Forvaltning)
class ForvaltningAdmin(WritePathAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)
    services = Services("forvaltning", facts.forvaltning_save)

    def has_delete_permission(self, request, obj=None):
        return False  # units and results refer to it


@admin.register(Vardomrade)
class VardomradeAdmin(WritePathAdminMixin, GuardedModelAdmin):
    list_display = ("name", "forvaltning")
    list_filter = ("forvaltning",)
    search_fields = ("name",)
    services = Services("area", facts.area_save)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(WritePathAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)
    services = Services("provider", facts.provider_save)

    def has_delete_permission(self, request, obj=None):
        return False


# A version's dates are the write path's (servicelevel/validity.py): shown, never typed. A change holds
# from the page's "Gäller från" (ValidFromAdminForm), the inline rows' too.
VERSION_DATES = ("valid_from", "valid_to")


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    autocomplete_fields = ("catalogue_service", "catalogue_template", "catalogue_channel")
    exclude = VERSION_DATES
    readonly_fields = ("valid_from",)
    services = OFFERINGS


class AdminRoleInline(admin.TabularInline):
    model = AdminRole
    extra = 0
    exclude = VERSION_DATES
    readonly_fields = ("valid_from",)
    services = ROLES


@admin.register(CareUnit)
class CareUnitAdmin(WritePathAdminMixin, GuardedModelAdmin):
    list_display = (
        "hsa_id",
        "name",
        "forvaltning",
        "vardomrade",
        "unit_type",
        "profile",
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
    form = ValidFromAdminForm
    exclude = ("valid_from",)
    readonly_fields = ("holds_from",)
    services = Services("unit", facts.unit_save)

    @admin.display(description="nuvarande uppgifter gäller från")
    def holds_from(self, unit):
        return unit.valid_from if unit.pk else "–"

    def has_delete_permission(self, request, obj=None):
        return False  # a unit that closes is made inactive; its cases and results stay


@admin.register(Offering)
class OfferingAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "kind", "code", "variant", "is_open", "valid_from")
    list_filter = ("kind", "variant", "is_open")
    search_fields = ("unit__hsa_id", "unit__name", "code")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    form = ValidFromAdminForm
    exclude = VERSION_DATES
    readonly_fields = ("holds_from",)
    services = OFFERINGS

    @admin.display(description="nuvarande version gäller från")
    def holds_from(self, offering):
        return offering.valid_from if offering.pk else "–"


@admin.register(BookingFigures)
class BookingFiguresAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "period", *BookingFigures.FIGURES)
    list_filter = ("period",)
    search_fields = ("unit__hsa_id", "unit__name")
    list_select_related = ("unit", "period")
    raw_id_fields = ("unit",)
    services = BOOKING


@admin.register(AdminRole)
class AdminRoleAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("holder", "unit", "role", "valid_from")
    list_filter = ("role",)
    search_fields = ("person_id", "unit__hsa_id", "unit__name")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    form = ValidFromAdminForm
    exclude = VERSION_DATES
    readonly_fields = ("holds_from",)
    services = ROLES

    @admin.display(description="nuvarande version gäller från")
    def holds_from(self, role):
        return role.valid_from if role.pk else "–"

    def get_queryset(self, request):
        return super().get_queryset(request).with_person_names()

    @admin.display(description="person", ordering="person_id")
    def holder(self, role):
        return role.person_label


@admin.register(Person)
class PersonAdmin(WritePathAdminMixin, admin.ModelAdmin):
    """Role holders' names; the admin_roles import's `name` column writes them too."""

    list_display = ("name", "person_id")
    search_fields = ("name", "person_id")
    services = Services("person", facts.person_save, facts.person_delete)


@admin.register(CareUnitVersion)
class CareUnitVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A unit's earlier versions (the one that holds now is the unit row): written by the services and the
    units import from a date, read here."""

    list_display = ("unit", "valid_from", "valid_to", "name", "vardomrade", "active", "recorded_at")
    list_filter = ("active",)
    search_fields = ("unit__hsa_id", "unit__name", "name")
    list_select_related = ("unit", "vardomrade")
    fields = ("unit", "valid_from", "valid_to", *UNIT_FACT_FIELDS, "recorded_at", "recorded_by")
