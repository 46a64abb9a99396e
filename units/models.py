"""Facts about care units: who they are and what they report (offerings, booking figures, roles)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from servicelevel.dates import validate_in_bounds
from servicelevel.models import (
    CatalogueChannel,
    CatalogueService,
    CatalogueTemplate,
    Decision,
    SchedulePeriod,
    UnitType,
)
from servicelevel.validity import BEGINNING, CurrentManager

from . import rules
from .validators import PROFILE_MAX, profile_problem, validate_hsa_id, validate_profile


class Forvaltning(models.Model):
    """Förvaltning (administration); private providers are grouped under their own."""

    name = models.CharField("namn", max_length=200, unique=True)

    class Meta:
        verbose_name = "förvaltning"
        verbose_name_plural = "förvaltningar"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Vardomrade(models.Model):
    """Vårdområde inside a förvaltning. Names are unique region-wide: files refer to them by name."""

    name = models.CharField("namn", max_length=200, unique=True)
    forvaltning = models.ForeignKey(
        Forvaltning, on_delete=models.PROTECT, related_name="vardomraden", verbose_name="förvaltning"
    )

    class Meta:
        verbose_name = "vårdområde"
        verbose_name_plural = "vårdområden"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Provider(models.Model):
    """Private care provider under contract (Hälsoval); units without one are run by the region."""

    name = models.CharField("namn", max_length=200, unique=True)
    # The provider's HSA-id (healthCareProviderHsaId), by which a sign-in's provider claim grants its units
    # (servicelevel/identity.py); set in the admin.
    hsa_id = models.CharField("HSA-id", max_length=31, blank=True, default="")

    class Meta:
        verbose_name = "vårdgivare"
        verbose_name_plural = "vårdgivare"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hsa_id"], condition=~models.Q(hsa_id=""), name="provider_hsa_id_unique"
            )
        ]

    def __str__(self):
        return self.name


class UnitKind(models.TextChoices):
    VUE = "VUE", "Vårdutförande enhet"
    TUE = "TUE", "Tjänsteutförande enhet"


class BookingSystem(models.TextChoices):
    PASIS = "PASiS", "PASiS"
    PMO = "PMO", "PMO"
    ANNAT = "annat", "Annat"
    INGEN = "ingen", "Ingen (inga bokningsbara besök)"


class UnitFacts(models.Model):
    """A unit's attributes that change over time (UNIT_FACT_FIELDS): declared once, held by the unit row
    (the version that holds now) and by each of its versions (`CareUnitVersion`)."""

    name = models.CharField("namn", max_length=200)
    forvaltning = models.ForeignKey(Forvaltning, on_delete=models.PROTECT, verbose_name="förvaltning")
    vardomrade = models.ForeignKey(Vardomrade, on_delete=models.PROTECT, verbose_name="vårdområde")
    provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="vårdgivare",
        help_text="Tom = regiondriven enhet.",
    )
    unit_kind = models.CharField("enhetsslag", max_length=3, choices=UnitKind.choices)
    unit_type = models.CharField("enhetstyp", max_length=20, choices=UnitType.choices)
    # The base-offering profile (basutbudsprofil) of the decision in force, when the unit is a variant of
    # its type (RULEBOOKS.md "Profiles"): empty = the profile named by `unit_type`.
    profile = models.CharField(
        "basutbudsprofil",
        max_length=PROFILE_MAX,
        blank=True,
        validators=[validate_profile],
        help_text="Tom = enhetstypens profil. En profil ur beslutets basutbud, t.ex. mottagning-behandling.",
    )
    booking_system = models.CharField("bokningssystem", max_length=10, choices=BookingSystem.choices)
    has_contact_card = models.BooleanField("har kontaktkort på 1177.se", default=True)
    same_day_contact = models.BooleanField("vårdgarantins kontakt samma dag", default=False)
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        abstract = True


class CareUnit(UnitFacts):
    """Vårdenhet (VUE/TUE) with an HSA-id."""

    Kind, BookingSystem = UnitKind, BookingSystem

    hsa_id = models.CharField("HSA-id", max_length=31, unique=True, validators=[validate_hsa_id])
    # The attributes (UnitFacts) hold from this date; earlier versions are `versions` (CareUnitVersion).
    valid_from = models.DateField("gäller från", default=BEGINNING, validators=[validate_in_bounds])

    class Meta:
        verbose_name = "vårdenhet"
        verbose_name_plural = "vårdenheter"
        ordering = ["hsa_id"]

    def __str__(self):
        return f"{self.name} ({self.hsa_id})"

    def clean(self):
        if self.vardomrade_id and self.forvaltning_id:
            area = self.vardomrade
            problem = rules.area_owner_problem(area.name, area.forvaltning.name, self.forvaltning.name)
            if problem:
                raise ValidationError({"vardomrade": problem})
        if self.profile and profile_problem(self.profile) is None and self.profile != self._stored_profile():
            # Checked when set or changed (a unit whose profile a later version dropped can still be
            # edited, e.g. made inactive; the engine says `no_data` for it): today's version names them.
            decision = Decision.in_force(timezone.localdate())
            known = decision.profiles if decision is not None else {}
            problem = rules.profile_unknown_problem(self.profile, known, decision.label if decision else "")
            if problem:
                raise ValidationError({"profile": problem})

    def _stored_profile(self) -> str | None:
        if self.pk is None:
            return None
        return CareUnit.objects.filter(pk=self.pk).values_list("profile", flat=True).first()


class Versioned(models.Model):
    """A version of a fact kept over time (servicelevel/validity.py): it holds from `valid_from` until
    `valid_to` (exclusive; empty = it still holds), recorded when and by whom."""

    valid_from = models.DateField("gäller från", default=BEGINNING, validators=[validate_in_bounds])
    valid_to = models.DateField(
        "gäller till (t.o.m. dagen före)", null=True, blank=True, validators=[validate_in_bounds]
    )
    recorded_at = models.DateTimeField("registrerad", default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name="registrerad av",
    )

    class Meta:
        abstract = True


# A unit's attributes that change over time, kept per version; hsa_id is who the unit is, and stays.
UNIT_FACT_FIELDS = (
    "name",
    "forvaltning",
    "vardomrade",
    "provider",
    "unit_kind",
    "unit_type",
    "profile",
    "booking_system",
    "has_contact_card",
    "same_day_contact",
    "active",
)


class CareUnitVersion(Versioned, UnitFacts):
    """An earlier version of a unit's attributes (UNIT_FACT_FIELDS), ended at `valid_to`. The version that
    holds now is the unit row itself (from its `valid_from`), which every page reads; units/history.py
    writes both."""

    unit = models.ForeignKey(
        CareUnit, on_delete=models.CASCADE, related_name="versions", verbose_name="vårdenhet"
    )

    class Meta:
        verbose_name = "version av vårdenhet"
        verbose_name_plural = "versioner av vårdenheter"
        ordering = ["unit", "valid_from"]
        constraints = [
            # An ended version: the one that holds now is the unit row itself.
            models.CheckConstraint(
                condition=Q(valid_to__isnull=False) & Q(valid_to__gt=F("valid_from")),
                name="careunitversion_ended",
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} från {self.valid_from}"


class CareUnitUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key permissions (guardian): no generic scans or casts on lists."""

    content_object = models.ForeignKey(CareUnit, on_delete=models.CASCADE)


class CareUnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CareUnit, on_delete=models.CASCADE)


class VardomradeUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Vardomrade, on_delete=models.CASCADE)


class VardomradeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Vardomrade, on_delete=models.CASCADE)


class ProviderUserObjectPermission(UserObjectPermissionBase):
    """A private provider's users see every unit of the provider, including units a later import adds."""

    content_object = models.ForeignKey(Provider, on_delete=models.CASCADE)


class ProviderGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Provider, on_delete=models.CASCADE)


class Offering(Versioned):
    """A case-handling service (tjänst), care-initiated template (mall) or digital channel (kanal: Journalen,
    NPÖ …, always regional) a unit offers."""

    class Kind(models.TextChoices):
        TJANST = "tjanst", "Tjänst"
        MALL = "mall", "Mall"
        KANAL = "kanal", "Kanal"

    class Variant(models.TextChoices):
        REGIONAL = "regional", "Regional"
        LOKAL = "lokal", "Lokal"

    unit = models.ForeignKey(
        CareUnit, on_delete=models.CASCADE, related_name="offerings", verbose_name="vårdenhet"
    )
    kind = models.CharField("slag", max_length=6, choices=Kind.choices)
    code = models.CharField("kod", max_length=100)
    variant = models.CharField("variant", max_length=8, choices=Variant.choices)
    is_open = models.BooleanField("öppen för invånare", default=True)
    catalogue_service = models.ForeignKey(
        CatalogueService, null=True, blank=True, on_delete=models.PROTECT, verbose_name="regional tjänst"
    )
    catalogue_template = models.ForeignKey(
        CatalogueTemplate, null=True, blank=True, on_delete=models.PROTECT, verbose_name="regional mall"
    )
    catalogue_channel = models.ForeignKey(
        CatalogueChannel, null=True, blank=True, on_delete=models.PROTECT, verbose_name="digital kanal"
    )

    # One fact is a unit's offering of one kind and code; its versions differ in these values.
    KEY = ("unit_id", "kind", "code")
    VALUES = ("variant", "is_open", "catalogue_service_id", "catalogue_template_id", "catalogue_channel_id")

    # What the unit offers now; `versions` holds every version, ended ones too.
    objects = CurrentManager()
    versions = models.Manager()  # noqa: DJ012 - `objects` is a manager, not a field

    class Meta:
        verbose_name = "utbud"
        verbose_name_plural = "utbud"
        ordering = ["unit", "kind", "code"]
        base_manager_name = "versions"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "code"],
                condition=Q(valid_to__isnull=True),
                name="offering_unique_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="offering_to_after_from",
            ),
            # A regional row points at its catalogue entry of the right kind; a local row at none. A channel
            # is always regional: a unit has no channel of its own making (RULEBOOKS.md "Channels").
            models.CheckConstraint(
                condition=(
                    Q(
                        variant="regional",
                        kind="tjanst",
                        catalogue_service__isnull=False,
                        catalogue_template__isnull=True,
                        catalogue_channel__isnull=True,
                    )
                    | Q(
                        variant="regional",
                        kind="mall",
                        catalogue_template__isnull=False,
                        catalogue_service__isnull=True,
                        catalogue_channel__isnull=True,
                    )
                    | Q(
                        variant="regional",
                        kind="kanal",
                        catalogue_channel__isnull=False,
                        catalogue_service__isnull=True,
                        catalogue_template__isnull=True,
                    )
                    | Q(
                        ~Q(kind="kanal"),
                        variant="lokal",
                        catalogue_service__isnull=True,
                        catalogue_template__isnull=True,
                        catalogue_channel__isnull=True,
                    )
                ),
                name="offering_catalogue_link_matches_variant",
            ),
        ]

    def __str__(self):
        return f"{self.unit.hsa_id} {self.kind} {self.code}"

    def clean(self):
        problems = rules.catalogue_link_problem(
            self.kind,
            self.variant,
            self.code,
            self.catalogue_service,
            self.catalogue_template,
            self.catalogue_channel,
        )
        closed = rules.template_open_problem(self.kind, self.is_open)
        if closed:
            problems.setdefault("is_open", closed)
        if problems:
            raise ValidationError(problems)


class BookingFigures(models.Model):
    """Booking-system figures for one unit and schedule period (spec: the `booking` kind)."""

    # The parts that may not exceed their whole, and every figure in the order files and lists show them.
    BOOKED_PARTS, SLOT_PARTS = rules.BOOKED_PARTS, rules.SLOT_PARTS
    FIGURES = ("booked_total", *BOOKED_PARTS, "slots_total", *SLOT_PARTS, "lookahead_weeks")

    unit = models.ForeignKey(
        CareUnit, on_delete=models.CASCADE, related_name="booking_figures", verbose_name="vårdenhet"
    )
    period = models.ForeignKey(SchedulePeriod, on_delete=models.PROTECT, verbose_name="period")
    booked_total = models.PositiveIntegerField("bokade tider")
    booked_visible = models.PositiveIntegerField("synliga på 1177.se")
    booked_cancellable = models.PositiveIntegerField("avbokningsbara")
    booked_reschedulable = models.PositiveIntegerField("ombokningsbara")
    slots_total = models.PositiveIntegerField("bokningsbara tider")
    slots_open_invitation = models.PositiveIntegerField("via öppen kallelse")
    slots_citizen_bookable = models.PositiveIntegerField("bokningsbara av invånaren")
    lookahead_weeks = models.DecimalField("framförhållning (veckor)", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "bokningsuppgifter"
        verbose_name_plural = "bokningsuppgifter"
        ordering = ["unit", "period"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="booking_unique_per_unit_period"),
            models.CheckConstraint(
                condition=Q(booked_visible__lte=F("booked_total"))
                & Q(booked_cancellable__lte=F("booked_total"))
                & Q(booked_reschedulable__lte=F("booked_total")),
                name="booking_booked_parts_within_total",
            ),
            models.CheckConstraint(
                condition=Q(slots_open_invitation__lte=F("slots_total"))
                & Q(slots_citizen_bookable__lte=F("slots_total")),
                name="booking_slot_parts_within_total",
            ),
            models.CheckConstraint(
                condition=Q(lookahead_weeks__gte=0), name="booking_lookahead_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.unit.hsa_id} {self.period.code}"

    def clean(self):
        problems = rules.booking_part_problems({name: getattr(self, name) for name in self.FIGURES})
        if problems:
            raise ValidationError(problems)


class TypedPersonId(models.Model):
    """A `person_id` that people type is a person's HSA-id (`rules.person_id_problem`); one stored earlier
    and left as it was is not checked again. Imported files' ids are opaque (spec) and go straight to the
    table, so an old row with such an id still shows, may be removed, and never blocks saving the rows
    beside it (the admin validates every inline row it shows, changed or not)."""

    person_id = models.CharField("person (HSA-id)", max_length=64, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or "person_id" in fields:
            self._stored_person_id = self.person_id  # what is stored now (bookkeeping for clean, no rule)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "person_id" in field_names:  # not when the field was deferred
            instance._stored_person_id = values[list(field_names).index("person_id")]
        return instance

    def stored_person_id(self) -> str | None:
        """The person_id as stored (None for a new row). Rows read or saved know it; any other instance
        with a primary key asks (one query: a row whose person_id was deferred, or built by hand)."""
        if hasattr(self, "_stored_person_id"):
            return self._stored_person_id
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("person_id", flat=True).first()

    def clean(self):
        super().clean()
        if self.person_id and self.person_id != self.stored_person_id():
            problem = rules.person_id_problem(self.person_id)
            if problem:
                raise ValidationError({"person_id": problem})


class Person(TypedPersonId):
    """A person who holds (or has held) an administrative role: the name the portal shows beside the
    person's id. Known names come from the `admin_roles` import's optional `name` column and the admin; a
    person without a row here is shown by id alone. Not a foreign key target: role rows name their person
    by id, as the files do, and most ids may never have a name."""

    person_id = models.CharField("person (HSA-id)", max_length=64, unique=True)
    name = models.CharField("namn", max_length=200)

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "personer"
        ordering = ["name", "person_id"]

    def __str__(self):
        return person_label(self.person_id, self.name)


def person_label(person_id: str, name: str | None) -> str:
    """How the portal names a role holder everywhere: "Anna Svensson (SE2321000255-P1234)", or the id
    alone when no name is known."""
    return f"{name} ({person_id})" if name else person_id


class CurrentRoles(CurrentManager):
    pass


class AdminRoleQuerySet(models.QuerySet):
    def with_person_names(self):
        """Each row with `person_name` (the person's known name, or None) in the same query."""
        names = Person.objects.filter(person_id=OuterRef("person_id")).values("name")[:1]
        return self.annotate(person_name=Subquery(names))


class AdminRole(Versioned, TypedPersonId):
    """A person holding an administrative role in 1177 personalverktyg at a unit (§2.4)."""

    class Role(models.TextChoices):
        LOKAL_ADMINISTRATOR = "lokal_administrator", "Lokal administratör"
        BEHORIGHETSADMINISTRATOR = "behorighetsadministrator", "Behörighetsadministratör"

    unit = models.ForeignKey(
        CareUnit, on_delete=models.CASCADE, related_name="admin_roles", verbose_name="vårdenhet"
    )
    role = models.CharField("roll", max_length=30, choices=Role.choices)

    KEY = ("unit_id", "person_id", "role")
    VALUES = ()  # a role is held or not: nothing else about it changes

    # The roles held now; `versions` holds every version, ended ones too.
    objects = CurrentRoles.from_queryset(AdminRoleQuerySet)()
    versions = models.Manager.from_queryset(AdminRoleQuerySet)()

    class Meta:
        verbose_name = "administrativ roll"
        verbose_name_plural = "administrativa roller"
        ordering = ["unit", "role", "person_id"]
        base_manager_name = "versions"
        constraints = [
            models.UniqueConstraint(
                fields=["person_id", "unit", "role"],
                condition=Q(valid_to__isnull=True),
                name="admin_role_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="admin_role_to_after_from",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.role} @ {self.unit.hsa_id}"

    @property
    def person_label(self) -> str:
        """The holder as the portal names them (read `with_person_names()` for the name)."""
        return person_label(self.person_id, getattr(self, "person_name", None))
