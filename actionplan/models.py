"""The action plan (handlingsplan, §4 of decision 2026-0000277).

A plan is not a row of its own: the plan of a schedule period for a scope (the region, one förvaltning or
one vårdområde) is what these rows say for that period and scope — its activities (scoped by their
`forvaltning` / `vardomrade`, none for a regional one), the target shares of the scope's vårdområden, the
exemptions in force, the phase-out of local services and templates, and the obstacles reported. See
docs/actionplan.md and `portal/actionplan/selectors.py: action_plan`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from servicelevel.dates import validate_in_bounds
from servicelevel.models import CatalogueService, CatalogueTemplate, Requirement, SchedulePeriod
from units.models import CareUnit, Forvaltning, Offering, Vardomrade


class Target(models.Model):
    """Target share for a trend requirement (kind `share_trend`) in one vårdområde and schedule period."""

    vardomrade = models.ForeignKey(Vardomrade, on_delete=models.CASCADE, verbose_name="vårdområde")
    period = models.ForeignKey(SchedulePeriod, on_delete=models.PROTECT, verbose_name="period")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, verbose_name="krav")
    target_share = models.DecimalField("målandel", max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = "mål i handlingsplanen"
        verbose_name_plural = "mål i handlingsplanen"
        ordering = ["vardomrade", "period", "requirement"]
        constraints = [
            models.UniqueConstraint(fields=["vardomrade", "period", "requirement"], name="target_unique"),
            models.CheckConstraint(
                condition=Q(target_share__gte=0, target_share__lte=1), name="target_share_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.vardomrade} {self.period} {self.requirement.code} ≥ {self.target_share}"

    def clean(self):
        from .rules import share_problem, trend_requirement_problem

        problems = {}
        if self.requirement_id:
            problem = trend_requirement_problem(self.requirement.code, self.requirement.is_trend)
            if problem:
                problems["requirement"] = problem
        if self.target_share is not None and (problem := share_problem(self.target_share)):
            problems["target_share"] = problem
        if problems:
            raise ValidationError(problems)


class Activity(models.Model):
    """An activity in the action plan of one schedule period: regional (no förvaltning, no vårdområde) or
    local to a förvaltning or to a vårdområde (then its förvaltning too)."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planerad"
        ONGOING = "ongoing", "Pågår"
        DONE = "done", "Klar"

    title = models.CharField("aktivitet", max_length=300)
    description = models.TextField("beskrivning", blank=True)
    # Nullable only for rows from before plans had periods; the rules require one (full_clean).
    period = models.ForeignKey(
        SchedulePeriod, null=True, on_delete=models.PROTECT, verbose_name="period", related_name="+"
    )
    forvaltning = models.ForeignKey(
        Forvaltning, null=True, blank=True, on_delete=models.CASCADE, verbose_name="förvaltning"
    )
    vardomrade = models.ForeignKey(
        Vardomrade, null=True, blank=True, on_delete=models.CASCADE, verbose_name="vårdområde"
    )
    requirements = models.ManyToManyField(Requirement, blank=True, verbose_name="krav", related_name="+")
    units = models.ManyToManyField(CareUnit, blank=True, verbose_name="enheter", related_name="+")
    # Named by string: actionplan and exemptions are siblings that do not import each other; the link
    # table is the plan's, and the exemptions app knows nothing of it.
    exemptions = models.ManyToManyField(
        "exemptions.Exemption", blank=True, verbose_name="avsteg", related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="ansvarig (användare)",
        related_name="+",
    )
    owner_text = models.CharField("ansvarig", max_length=200, blank=True)
    due_on = models.DateField("klart senast", null=True, blank=True, validators=[validate_in_bounds])
    state = models.CharField("läge", max_length=10, choices=State.choices, default=State.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="skapad av",
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        ordering = ["due_on", "title"]

    def __str__(self):
        return self.title

    @property
    def is_regional(self) -> bool:
        return self.forvaltning_id is None and self.vardomrade_id is None

    @property
    def owner_label(self) -> str:
        if self.owner_text:
            return self.owner_text
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.get_username()
        return ""

    def clean(self):
        from .rules import activity_problems

        problems = activity_problems(
            period_id=self.period_id,
            forvaltning_id=self.forvaltning_id,
            area_forvaltning_id=self.vardomrade.forvaltning_id if self.vardomrade_id else None,
        )
        if problems:
            raise ValidationError(problems)


class ActivityNote(models.Model):
    """A dated progress note (lägesanteckning) on an activity; notes are added, never edited."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="notes", verbose_name="aktivitet"
    )
    written_on = models.DateField("datum", validators=[validate_in_bounds])
    text = models.TextField("anteckning")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="skriven av",
        related_name="+",
    )

    class Meta:
        verbose_name = "lägesanteckning"
        verbose_name_plural = "lägesanteckningar"
        ordering = ["activity", "written_on", "id"]

    def __str__(self):
        return f"{self.written_on}: {self.text[:40]}"


class PhaseOut(models.Model):
    """The plan for retiring one local service or template (§2.2) at one unit: when, and which regional
    one replaces it. Keyed by the offering's identity (unit, kind, code), not the Offering row: imports
    replace a unit's offerings, and the plan must survive that."""

    unit = models.ForeignKey(CareUnit, on_delete=models.CASCADE, verbose_name="vårdenhet", related_name="+")
    # Only local offerings are phased out, and a channel is never local: services and templates.
    kind = models.CharField(
        "slag", max_length=6, choices=[(k, label) for k, label in Offering.Kind.choices if k != "kanal"]
    )
    code = models.CharField("kod", max_length=100)
    planned_end = models.DateField("planerat slut", validators=[validate_in_bounds])
    replacement_service = models.ForeignKey(
        CatalogueService,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="ersätts av regional tjänst",
        related_name="+",
    )
    replacement_template = models.ForeignKey(
        CatalogueTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="ersätts av regional mall",
        related_name="+",
    )
    note = models.TextField("anteckning", blank=True)

    class Meta:
        verbose_name = "utfasning"
        verbose_name_plural = "utfasningar"
        ordering = ["unit", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "code"], name="phase_out_unique_per_offering"),
            # A service is replaced by a regional service, a template by a regional template.
            models.CheckConstraint(
                condition=Q(kind="tjanst", replacement_template__isnull=True)
                | Q(kind="mall", replacement_service__isnull=True),
                name="phase_out_replacement_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.unit.hsa_id} {self.kind} {self.code} → {self.planned_end}"

    @property
    def replacement(self):
        return self.replacement_service or self.replacement_template

    def clean(self):
        from .rules import replacement_problem

        problem = replacement_problem(
            self.kind, self.replacement_service_id is not None, self.replacement_template_id is not None
        )
        if problem:
            raise ValidationError(problem)


class Obstacle(models.Model):
    """An obstacle report (hinder, §2.1.2): a vårdområde tells Koncernkontoret what stops it meeting the
    decision; Koncernstab kommunikation answers and links it to the activities that deal with it."""

    class Status(models.TextChoices):
        OPEN = "open", "Öppet"
        ANSWERED = "answered", "Besvarat"
        CLOSED = "closed", "Avslutat"

    vardomrade = models.ForeignKey(
        Vardomrade, on_delete=models.CASCADE, verbose_name="vårdområde", related_name="+"
    )
    title = models.CharField("rubrik", max_length=200)
    description = models.TextField("beskrivning")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        verbose_name="rapporterat av",
        related_name="+",
    )
    reported_at = models.DateTimeField("rapporterat", auto_now_add=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("svar", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="besvarat av",
        related_name="+",
    )
    answered_at = models.DateTimeField("besvarat", null=True, blank=True)
    activities = models.ManyToManyField(
        Activity, blank=True, verbose_name="aktiviteter", related_name="obstacles"
    )

    class Meta:
        verbose_name = "hinder"
        verbose_name_plural = "hinder"
        ordering = ["-reported_at"]

    def __str__(self):
        return self.title

    def clean(self):
        from .rules import obstacle_problems

        problems = obstacle_problems(status=self.status, answer=self.answer)
        if problems:
            raise ValidationError(problems)
