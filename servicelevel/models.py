"""The rulebook: decisions, their requirements, the regional catalogue and the schedule periods.

Nothing here knows about any one unit. A later decision is a new `Decision` with its own requirements,
standing beside this one; results name the decision they were judged against.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from servicelevel.dates import validate_in_bounds
from servicelevel.kinds import KIND_NAMES, parameter_problems


class Decision(models.Model):
    """Beslut, e.g. 2026-0000277 *Gemensam servicenivå av digitala tjänster*."""

    # A version of a decision is identified by (number, version): several versions of one number coexist.
    number = models.CharField("ärendenummer", max_length=40)
    title = models.CharField("titel", max_length=300)
    version = models.CharField("version", max_length=20, blank=True)
    in_force_from = models.DateField("gäller fr.o.m.", validators=[validate_in_bounds])
    in_force_until = models.DateField("gäller t.o.m.", null=True, blank=True, validators=[validate_in_bounds])
    # The ladder's name ("Bokningsnivå") when the requirements with a level form one; empty: no levels.
    ladder = models.CharField("nivåtrappa", max_length=100, blank=True)
    # The region whose decision it is (SERVICELEVEL_REGION names a deployment's region by its code).
    region_code = models.CharField("region (kod)", max_length=40, default="skane")
    region_name = models.CharField("region", max_length=200, default="Region Skåne")
    replaces = models.CharField("ersätter", max_length=100, blank=True)
    approved_by = models.CharField("beslutat av", max_length=200, blank=True)
    # The version's own lists, exactly as its file gives them (servicelevel/rulebooks.py): its groups
    # [{code, name}], its catalogue {services: [{code, name, digital_contact}], templates, channels} and
    # its base-offering profiles {profile: {services: [...], channels: [...]}}. A version is never edited,
    # so a past date is judged by the catalogue and profiles of the version in force then.
    groups = models.JSONField("områden", default=list, blank=True)
    catalogue = models.JSONField("katalog", default=dict, blank=True)
    profiles = models.JSONField("basutbudsprofiler", default=dict, blank=True)
    loaded_at = models.DateTimeField("inläst", null=True, blank=True)

    class Meta:
        verbose_name = "beslut"
        verbose_name_plural = "beslut"
        ordering = ["-in_force_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_force_until__isnull=True) | Q(in_force_until__gte=F("in_force_from")),
                name="decision_until_after_from",
            ),
            models.UniqueConstraint(fields=["number", "version"], name="decision_number_version_unique"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def label(self) -> str:
        """ "2026-0000277 version 2.0": how results and pages name a version."""
        return f"{self.number} version {self.version}" if self.version else self.number

    def group_name(self, code: str) -> str:
        return next((g["name"] for g in self.groups if g.get("code") == code), code)

    @classmethod
    def of_region(cls):
        """The deployment's region's versions (servicelevel/region.py): a database may also hold another
        region's, e.g. Skåne's from the first migrations in a Halland deployment."""
        from .region import region_code_expression

        return cls.objects.filter(region_code=region_code_expression())

    @classmethod
    def in_force(cls, on_date):
        """The region's version in force on a date: the latest one that started on or before it and has
        not ended before it; of two that started the same day, the one loaded later. Before the first
        version, the first (so a date before any decision is still judged, by the earliest text)."""
        versions = cls.of_region()
        return (
            versions.filter(in_force_from__lte=on_date)
            .filter(Q(in_force_until__isnull=True) | Q(in_force_until__gte=on_date))
            .order_by("-in_force_from", "-id")
            .first()
        ) or versions.order_by("in_force_from", "id").first()


class Requirement(models.Model):
    """One requirement (krav) of a decision. `parameters` holds its settings, e.g. SV1's threshold."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="requirements", verbose_name="beslut"
    )
    code = models.CharField("kod", max_length=40)
    # One of the decision's groups (Decision.groups), e.g. Skåne's TB, Halland's GU.
    group = models.CharField("område", max_length=40)
    level = models.PositiveSmallIntegerField("nivå", null=True, blank=True)
    name = models.CharField("namn", max_length=200)
    section = models.CharField("avsnitt i beslutet", max_length=200, blank=True)
    is_trend = models.BooleanField("trendkrav (andel ska öka)", default=False)
    # The rule it is judged by (compliance/engine/kinds.py) and that rule's parameters
    # (servicelevel/kinds.py: each kind's parameters and defaults).
    kind = models.CharField("slag", max_length=40, choices=[(k, k) for k in KIND_NAMES], blank=True)
    parameters = models.JSONField("parametrar", default=dict, blank=True)
    # The conditions a unit must meet for it to apply, checked in order (units/applicability.py).
    applies_if = models.JSONField("gäller om", default=list, blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "krav"
        verbose_name_plural = "krav"
        ordering = ["decision", "order"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "code"], name="requirement_code_unique_per_decision"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1), name="requirement_level_1_up"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def group_name(self) -> str:
        return self.decision.group_name(self.group)

    def clean(self):
        if not self.kind:
            return
        problems = parameter_problems(self.kind, self.parameters)
        if problems:
            raise ValidationError(
                {"parameters": [f"{name}: {message}" for name, message in problems.items()]}
            )


class CatalogueService(models.Model):
    """Regional ärendehanteringstjänst. Retired, never deleted, so history stays true."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=200)
    digital_contact = models.BooleanField("digital kontakt", default=False)
    retired_on = models.DateField("utgick", null=True, blank=True, validators=[validate_in_bounds])

    class Meta:
        verbose_name = "regional tjänst"
        verbose_name_plural = "regionala tjänster"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CatalogueTemplate(models.Model):
    """Regional mall för vårdinitierat ärende."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=200)
    retired_on = models.DateField("utgick", null=True, blank=True, validators=[validate_in_bounds])

    class Meta:
        verbose_name = "regional mall"
        verbose_name_plural = "regionala mallar"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CatalogueChannel(models.Model):
    """Digital kanal that is not a 1177 e-service (Journalen, NPÖ, Digitalen …): offered with kind `kanal`."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=200)
    retired_on = models.DateField("utgick", null=True, blank=True, validators=[validate_in_bounds])

    class Meta:
        verbose_name = "digital kanal"
        verbose_name_plural = "digitala kanaler"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class UnitType(models.TextChoices):
    """Enhetstyp: names the base-offering profile unless the unit has a `profile` of its own."""

    MOTTAGNING = "mottagning", "Mottagning"
    AVDELNING = "avdelning", "Avdelning"
    ANNAN = "annan", "Annan"


class SchedulePeriod(models.Model):
    """Tidbokningsschemaperiod (start and end inclusive). Periods never overlap; PostgreSQL enforces it
    with an exclusion constraint (migration 0003), the importer checks it on every engine."""

    code = models.CharField("kod", max_length=20, unique=True)
    name = models.CharField("namn", max_length=100, blank=True)
    start_date = models.DateField("startdatum", validators=[validate_in_bounds])
    end_date = models.DateField("slutdatum", validators=[validate_in_bounds])

    class Meta:
        verbose_name = "tidbokningsschemaperiod"
        verbose_name_plural = "tidbokningsschemaperioder"
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="period_end_after_start")
        ]

    def __str__(self):
        return self.code

    def clean(self):
        from .rules import end_before_start_message, overlap_message, overlapping_period

        if self.start_date is None or self.end_date is None:
            return  # the fields' own errors say so
        if self.end_date < self.start_date:
            raise ValidationError({"end_date": end_before_start_message(self.start_date, self.end_date)})
        others = SchedulePeriod.objects.exclude(pk=self.pk).values_list("code", "start_date", "end_date")
        overlap = overlapping_period(self.start_date, self.end_date, others)
        if overlap:
            raise ValidationError({"start_date": overlap_message(*overlap)})


class AuditEntry(models.Model):
    """Who did what to which object, when: every decision and import writes one."""

    at = models.DateTimeField("tidpunkt", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="av"
    )
    actor_label = models.CharField("av (text)", max_length=150, blank=True)
    action = models.CharField("händelse", max_length=60)
    object_type = models.CharField("objekttyp", max_length=60)
    object_id = models.CharField("objekt", max_length=100, blank=True)
    detail = models.JSONField("detaljer", default=dict, blank=True)

    class Meta:
        verbose_name = "granskningspost"
        verbose_name_plural = "granskningslogg"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class ImportJob(models.Model):
    """A file uploaded in the browser (/import/): checked first (a dry run), then imported on request.
    The job keeps the outcome — the summary or every problem found — so it stays visible afterwards."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Kontrolleras"
        CHECKED = "checked", "Klar att importera"
        REJECTED = "rejected", "Avvisad"
        IMPORTING = "importing", "Importeras"
        DONE = "done", "Importerad"
        FAILED = "failed", "Misslyckades"
        # Checked but never imported within a day: the file is removed (servicelevel.import_jobs).
        EXPIRED = "expired", "Filen borttagen"

    RUNNING = (Status.CHECKING, Status.IMPORTING)

    kind = models.CharField("slag", max_length=20)
    filename = models.CharField("filnamn", max_length=255)
    path = models.CharField("sparad fil", max_length=500)
    size = models.BigIntegerField("storlek (byte)", default=0)
    lines = models.PositiveIntegerField("rader", default=0)
    status = models.CharField("läge", max_length=10, choices=Status.choices, default=Status.CHECKING)
    check_summary = models.CharField("torrkörning", max_length=300, blank=True)
    summary = models.CharField("resultat", max_length=300, blank=True)
    problems = models.TextField("fel", blank=True)  # the lines import_data would print, at most 1,001
    message = models.TextField("meddelande", blank=True)
    # The kinds kept over time: from when the file's facts hold (`import_data --valid-from`); empty = the
    # import's default (today, or the beginning for a unit's first facts).
    valid_from = models.DateField("gäller från", null=True, blank=True, validators=[validate_in_bounds])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="uppladdad av"
    )
    created_at = models.DateTimeField("uppladdad", auto_now_add=True)
    started_at = models.DateTimeField("importen startade", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)

    class Meta:
        verbose_name = "import i webbläsaren"
        verbose_name_plural = "importer i webbläsaren"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.filename} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    def problem_lines(self) -> list[str]:
        return self.problems.splitlines()


class RulebookDraft(models.Model):
    """A new version of the region's rulebook being drafted in the portal (/regelverk/utkast/): the text
    of its file, always one `rulebook_file.parse` accepts (servicelevel/rulebook_drafts.py refuses a change
    that makes it unreadable). Published, it becomes a `Decision` through `rulebooks.load`; the draft stays
    as the record of where the version came from, and is then read-only."""

    text = models.TextField("regelboksfil (YAML)")
    based_on = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="drafts", verbose_name="utgår från"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="skapat av"
    )
    created_at = models.DateTimeField("skapat", auto_now_add=True)
    changed_at = models.DateTimeField("ändrat", auto_now=True)
    published_as = models.OneToOneField(
        Decision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="published_from",
        verbose_name="publicerat som",
    )

    class Meta:
        verbose_name = "regelboksutkast"
        verbose_name_plural = "regelboksutkast"
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"Utkast {self.pk} (från {self.based_on.label})"

    @property
    def published(self) -> bool:
        return self.published_as_id is not None


class SignInIdentity(models.Model):
    """A person as an identity provider knows them: the provider's issuer and its `sub` for them (OIDC), or
    the SAML IdP's entity id and NameID. The portal finds the user by this pair only, never by a name or an
    e-mail that can change hands (servicelevel/identity.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_in_identities",
        verbose_name="användare",
    )
    issuer = models.CharField("utfärdare", max_length=500)
    subject = models.CharField("subjekt (sub)", max_length=255)
    created = models.DateTimeField("första inloggning", auto_now_add=True)
    last_sign_in = models.DateTimeField("senaste inloggning", null=True, blank=True)

    class Meta:
        verbose_name = "inloggningsidentitet"
        verbose_name_plural = "inloggningsidentiteter"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="signinidentity_unique")]

    def __str__(self):
        return f"{self.subject} ({self.issuer})"


class ClaimRoleRule(models.Model):
    """One value of the role claim (OIDC_ROLE_CLAIM, e.g. a group or a commission purpose) and the portal
    role it gives. Kept by Koncernstab kommunikation in the admin; read at every sign-in."""

    ROLE_CHOICES = [
        ("Koncernstab kommunikation", "Koncernstab kommunikation"),
        ("Hälso- och sjukvårdsstyrning", "Avdelningen för hälso- och sjukvårdsstyrning"),
        ("Ledning", "Ledning"),
        ("Verksamhetschef", "Verksamhetschef"),
        ("Vårdgivare", "Vårdgivare"),
    ]

    claim_value = models.CharField("värde i anspråket", max_length=255)
    role = models.CharField("roll", max_length=60, choices=ROLE_CHOICES)

    class Meta:
        verbose_name = "rollregel"
        verbose_name_plural = "rollregler för inloggning"
        ordering = ["claim_value", "role"]
        constraints = [models.UniqueConstraint(fields=["claim_value", "role"], name="claimrolerule_unique")]

    def __str__(self):
        return f"{self.claim_value} → {self.role}"
