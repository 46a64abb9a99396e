"""Cases with their deadlines, the region's extra closed days, and stored results per as-of date."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from servicelevel.dates import validate_in_bounds
from servicelevel.models import Decision, Requirement
from units.models import CareUnit, Forvaltning, Provider, Vardomrade

from .calendar import WorkingCalendar, local_midnight
from .engine import types as engine
from .engine.response_time import month_bounds


class ClosedDay(models.Model):
    """An extra non-working day the region adds to the law's calendar (e.g. a bridge day)."""

    date = models.DateField("datum", unique=True, validators=[validate_in_bounds])
    name = models.CharField("anledning", max_length=100)

    class Meta:
        verbose_name = "extra stängd dag"
        verbose_name_plural = "extra stängda dagar"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


def region_calendar() -> WorkingCalendar:
    """The working-day calendar with the region's extra closed days and the deadline terms of its rulebook
    versions, from the database (two queries)."""
    from .deadlines import response_terms  # deadlines imports this module

    return WorkingCalendar(ClosedDay.objects.values_list("date", flat=True), terms=response_terms())


class CaseQuerySet(models.QuerySet):
    def received_in_month(self, month: str):
        """Cases whose *local* receipt date is in `month` (YYYY-MM): the month they belong to (§2.3)."""
        start, end = month_bounds(month)
        return self.filter(received_at__gte=local_midnight(start), received_at__lt=local_midnight(end))


class Case(models.Model):
    """Ärende in a 1177 case-handling service. No personal data: ids and instants only.

    `deadline` is computed by the engine at import (and again when the unit's same_day_contact or the
    calendar changes); `deadline_same_day` records which rule it was computed with."""

    # Unique through a constraint, not unique=True: on PostgreSQL that would add a second (LIKE) index, and
    # every index costs at import. The FK needs no index of its own: (unit, received_at) serves it.
    case_id = models.CharField("ärende-id", max_length=64)
    unit = models.ForeignKey(
        CareUnit, on_delete=models.PROTECT, related_name="cases", db_index=False, verbose_name="vårdenhet"
    )
    service_code = models.CharField("tjänst", max_length=100, blank=True)
    received_at = models.DateTimeField("inkommet", validators=[validate_in_bounds])
    first_response_at = models.DateTimeField(
        "första svar", null=True, blank=True, validators=[validate_in_bounds]
    )
    delay_notified_at = models.DateTimeField(
        "meddelat förlängd svarstid", null=True, blank=True, validators=[validate_in_bounds]
    )
    deadline = models.DateTimeField("svarsfrist", null=True, blank=True)
    deadline_same_day = models.BooleanField("frist enligt 24-timmarsregeln", default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "ärende"
        verbose_name_plural = "ärenden"
        # No default ordering: the month's cases are read in bulk, and sorting a million rows is waste.
        constraints = [
            models.UniqueConstraint(fields=["case_id"], name="case_id_unique"),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("received_at")),
                name="case_response_not_before_receipt",
            ),
            models.CheckConstraint(
                condition=Q(delay_notified_at__isnull=True) | Q(delay_notified_at__gte=F("received_at")),
                name="case_notice_not_before_receipt",
            ),
        ]
        # (unit, received_at) serves a unit's months and the foreign key. The region-wide month read uses a
        # BRIN index on received_at on PostgreSQL (migration 0002): a few pages, nearly free at import,
        # where a B-tree cost a fifth of the import's time; SQLite gets a plain index there.
        indexes = [models.Index(fields=["unit", "received_at"])]

    def __str__(self):
        return self.case_id


class UnitResult(models.Model):
    """A unit's judgement on one as-of date against one decision: level and response-time figures."""

    as_of = models.DateField("per datum")
    unit = models.ForeignKey(
        CareUnit, on_delete=models.CASCADE, related_name="results", verbose_name="vårdenhet"
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, verbose_name="beslut")
    current_period = models.CharField("aktuell period", max_length=20, blank=True)
    evaluation_month = models.CharField("utvärderingsmånad", max_length=7)
    booking_level = models.PositiveSmallIntegerField("nivå", null=True, blank=True)
    booking_level_with_exemptions = models.BooleanField("nivå med avsteg", default=False)
    response_time = models.JSONField("svarstid", null=True, blank=True)
    computed_at = models.DateTimeField("beräknat", auto_now=True)
    # Where the unit belonged on the as-of date (its facts then): the dashboards count a past date's
    # results by these, so a unit that moves takes no history along. Empty for results stored before
    # facts were kept over time: read as the unit's own (portal/dashboard/selectors).
    forvaltning = models.ForeignKey(
        Forvaltning,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="förvaltning",
    )
    vardomrade = models.ForeignKey(
        Vardomrade,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="vårdområde",
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="vårdgivare"
    )

    class Meta:
        verbose_name = "resultat per enhet"
        verbose_name_plural = "resultat per enhet"
        constraints = [
            models.UniqueConstraint(fields=["as_of", "unit", "decision"], name="unit_result_unique"),
        ]
        indexes = [models.Index(fields=["decision", "as_of"])]

    def __str__(self):
        level = "–" if self.booking_level is None else self.booking_level
        return f"{self.unit} per {self.as_of}: nivå {level}"


class RequirementResult(models.Model):
    """One (unit, requirement, as-of date) status with its measured value and Swedish reason."""

    class Status(models.TextChoices):
        # The words are the engine's (compliance.engine.types.STATUS_LABELS), written once there.
        MET = engine.MET, engine.STATUS_LABELS[engine.MET]
        NOT_MET = engine.NOT_MET, engine.STATUS_LABELS[engine.NOT_MET]
        EXEMPT = engine.EXEMPT, engine.STATUS_LABELS[engine.EXEMPT]
        NOT_APPLICABLE = engine.NOT_APPLICABLE, engine.STATUS_LABELS[engine.NOT_APPLICABLE]
        NO_DATA = engine.NO_DATA, engine.STATUS_LABELS[engine.NO_DATA]

    unit_result = models.ForeignKey(
        UnitResult, on_delete=models.CASCADE, related_name="requirements", verbose_name="resultat per enhet"
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, verbose_name="krav")
    status = models.CharField("status", max_length=16, choices=Status.choices)
    value = models.FloatField("mätvärde", null=True, blank=True)
    reason = models.TextField("förklaring")
    exemption_code = models.CharField("avsteg", max_length=40, blank=True)
    exemption_unneeded = models.BooleanField("avsteg behövs inte", default=False)

    class Meta:
        verbose_name = "resultat per krav"
        verbose_name_plural = "resultat per krav"
        constraints = [
            models.UniqueConstraint(fields=["unit_result", "requirement"], name="requirement_result_unique"),
        ]

    def __str__(self):
        return f"{self.requirement.code}: {self.get_status_display()}"


class Report(models.Model):
    """A PDF report asked for at /rapporter/ and rendered by a Celery task into a stored file
    (docs/reports.md). The file lies under MEDIA_ROOT/reports and is only ever served through the portal's
    download view, which checks the reader's rights; it has no public URL."""

    class Kind(models.TextChoices):
        HANDLINGSPLAN = "handlingsplan", "Handlingsplan"
        EFTERLEVNAD = "efterlevnad", "Efterlevnadsrapport"
        ENHETSKORT = "enhetskort", "Enhetskort"

    class Scope(models.TextChoices):
        REGION = "region", "Regionen"
        FORVALTNING = "forvaltning", "Förvaltning"
        VARDOMRADE = "vardomrade", "Vårdområde"
        UNIT = "unit", "Enhet"

    class Status(models.TextChoices):
        QUEUED = "queued", "I kö"
        RENDERING = "rendering", "Skapas"
        DONE = "done", "Klar"
        FAILED = "failed", "Misslyckades"

    RUNNING = (Status.QUEUED, Status.RENDERING)

    kind = models.CharField("slag", max_length=20, choices=Kind.choices)
    scope = models.CharField("omfattning", max_length=20, choices=Scope.choices)
    forvaltning = models.ForeignKey(
        "units.Forvaltning", null=True, blank=True, on_delete=models.PROTECT, verbose_name="förvaltning"
    )
    vardomrade = models.ForeignKey(
        "units.Vardomrade", null=True, blank=True, on_delete=models.PROTECT, verbose_name="vårdområde"
    )
    unit = models.ForeignKey(
        CareUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="vårdenhet"
    )
    period = models.CharField("period", max_length=20, blank=True)  # the action plan's schedule period
    as_of = models.DateField("per datum", validators=[validate_in_bounds])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports", verbose_name="beställd av"
    )
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("förlopp (%)", default=0)
    file = models.FileField("fil", upload_to="reports/", blank=True)
    title = models.CharField("titel", max_length=200, blank=True)
    pages = models.PositiveIntegerField("sidor", null=True, blank=True)
    error = models.TextField("fel", blank=True)
    attempts = models.PositiveSmallIntegerField("försök", default=0)
    created_at = models.DateTimeField("beställd", auto_now_add=True)
    started_at = models.DateTimeField("påbörjad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)

    class Meta:
        verbose_name = "rapport"
        verbose_name_plural = "rapporter"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The scope names exactly what it covers: a unit scorecard a unit, a vårdområde report its area.
            models.CheckConstraint(
                name="report_scope_matches",
                condition=(
                    Q(scope="region", forvaltning=None, vardomrade=None, unit=None)
                    | Q(scope="forvaltning", forvaltning__isnull=False, vardomrade=None, unit=None)
                    | Q(scope="vardomrade", vardomrade__isnull=False, unit=None)
                    | Q(scope="unit", unit__isnull=False)
                ),
            ),
            models.CheckConstraint(name="report_progress_percent", condition=Q(progress__lte=100)),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING


class RecomputeJob(models.Model):
    """The stored results a correction reaches back to, judged again in the background (a change of a
    unit's facts valid from a past date: compliance/corrections.py). Kept as the record of its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "I kö"
        RUNNING = "running", "Pågår"
        DONE = "done", "Klar"
        FAILED = "failed", "Misslyckades"

    since = models.DateField("från datum")
    unit_ids = models.JSONField("enheter", null=True, blank=True)  # null: every unit
    status = models.CharField("läge", max_length=10, choices=Status.choices, default=Status.QUEUED)
    dates_total = models.PositiveIntegerField("sparade datum", default=0)
    dates_done = models.PositiveIntegerField("omräknade datum", default=0)
    created_at = models.DateTimeField("begärd", auto_now_add=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    message = models.TextField("meddelande", blank=True)

    class Meta:
        verbose_name = "omräkning bakåt"
        verbose_name_plural = "omräkningar bakåt"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Omräkning från {self.since} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.dates_done / self.dates_total) if self.dates_total else 0

    def covers(self, unit_id: int) -> bool:
        return self.unit_ids is None or unit_id in self.unit_ids
