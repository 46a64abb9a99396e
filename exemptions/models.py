"""Exemptions (avsteg, §2.1.2): time-limited, for one unit and one requirement, decided centrally."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from exemptions import rules
from servicelevel.dates import validate_in_bounds
from servicelevel.models import AuditEntry, Requirement
from units.models import CareUnit


class ExemptionQuerySet(models.QuerySet):
    def covering(self, day: datetime.date):
        """Exemptions whose date range includes `day` — a pre-filter only: whether one is *active* depends on
        its state too, and that rule is written once, in `exemptions.rules.is_active`."""
        return self.filter(valid_from__lte=day, valid_until__gte=day)

    def active_on(self, day: datetime.date):
        """Exemptions active on `day`, the rule of `exemptions.rules.is_active` in SQL."""
        return self.filter(rules.active_q(day))

    def siblings_of(self, exemption: "Exemption"):
        """The other exemptions proposed together with `exemption` (one form, several requirements: the same
        `proposal`), in id order; none for an imported one or one made by a common decision."""
        if not exemption.proposal:
            return self.none()
        return self.filter(proposal=exemption.proposal).exclude(pk=exemption.pk).order_by("exemption_id")


class Exemption(models.Model):
    class Reason(models.TextChoices):
        PATIENTSAKERHET = "patientsakerhet", "Patientsäkerhet (patienten kan komma till skada)"
        TEKNISK = "teknisk", "Teknisk (bakomliggande system stödjer inte funktionen)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        SUBMITTED = "submitted", "Inskickat"
        APPROVED = "approved", "Godkänt"
        REJECTED = "rejected", "Avslaget"
        REVOKED = "revoked", "Avslutat i förtid"
        EXPIRED = "expired", "Utgånget"

    exemption_id = models.CharField("avstegs-id", max_length=40, unique=True)
    unit = models.ForeignKey(
        CareUnit, on_delete=models.PROTECT, related_name="exemptions", verbose_name="vårdenhet"
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, verbose_name="krav")
    reason = models.CharField("skäl", max_length=20, choices=Reason.choices)
    valid_from = models.DateField("gäller fr.o.m.", validators=[validate_in_bounds])
    valid_until = models.DateField("gäller t.o.m.", validators=[validate_in_bounds])
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    ended_on = models.DateField("avslutat", null=True, blank=True, validators=[validate_in_bounds])
    justification = models.TextField("motivering", blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="föreslaget av",
    )
    imported = models.BooleanField("importerat", default=False, help_text="Beslutat utanför portalen.")
    group = models.ForeignKey(
        "ExemptionGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exemptions",
        verbose_name="gemensamt beslut",
        help_text="Avsteget skapades av ett gemensamt beslut för ett bokningssystem.",
    )
    # The one-time token of the form (or the service call) that proposed it: exemptions proposed together
    # share it (siblings), and a form sent twice finds what the first sending made. Empty when imported or
    # made by a common decision.
    proposal = models.CharField(
        "förslag",
        max_length=36,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Förslaget avsteget kom till i: avsteg som föreslogs tillsammans har samma.",
    )
    created_at = models.DateTimeField("skapat", auto_now_add=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = "avsteg"
        verbose_name_plural = "avsteg"
        ordering = ["exemption_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="exemption_until_after_from"
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", ended_on__isnull=False)
                | (~Q(status="revoked") & Q(ended_on__isnull=True)),
                name="exemption_ended_on_iff_revoked",
            ),
        ]
        indexes = [models.Index(fields=["unit", "valid_from", "valid_until"])]

    def __str__(self):
        return self.exemption_id

    def clean(self):
        _clean_dates(self, bounded=not self.imported)


def _clean_dates(obj, *, bounded: bool) -> None:
    """The model's clean for an exemption or a common decision (exemptions/rules.py): the dates, and the
    bound for what is decided in the portal (an imported exemption was decided elsewhere)."""
    from .rules import bound_problem, dates_problems

    problems = dates_problems(
        status=obj.status, valid_from=obj.valid_from, valid_until=obj.valid_until, ended_on=obj.ended_on
    )
    if bounded and "valid_until" not in problems:
        too_long = bound_problem(valid_from=obj.valid_from, valid_until=obj.valid_until)
        if too_long:
            problems["valid_until"] = too_long
    if problems:
        raise ValidationError(problems)


class ExemptionGroup(models.Model):
    """Gemensamt beslut: one technical exemption for every unit on a booking system that cannot yet support
    a function (§2.1.2). Decided once, through the same two approvals as a single exemption; approval
    creates one `Exemption` per affected unit and requirement, linked here (the engine still reads one
    unit, one requirement)."""

    Status = Exemption.Status

    group_id = models.CharField("beslutets id", max_length=40, unique=True)
    booking_system = models.CharField("bokningssystem", max_length=10, choices=CareUnit.BookingSystem.choices)
    requirements = models.ManyToManyField(Requirement, verbose_name="krav", related_name="+")
    reason = models.CharField(
        "skäl", max_length=20, choices=Exemption.Reason.choices, default=Exemption.Reason.TEKNISK
    )
    valid_from = models.DateField("gäller fr.o.m.", validators=[validate_in_bounds])
    valid_until = models.DateField("gäller t.o.m.", validators=[validate_in_bounds])
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    ended_on = models.DateField("avslutat", null=True, blank=True, validators=[validate_in_bounds])
    justification = models.TextField("motivering", blank=True)
    follow_up_dates = models.JSONField(
        "uppföljningsdatum", default=list, blank=True, help_text="Datum (ÅÅÅÅ-MM-DD) som varje avsteg får."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="föreslaget av",
    )
    proposal = models.CharField(  # noqa: DJ001 - NULL, not "", for decisions without one: it is unique
        "förslag",
        max_length=36,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Engångsnyckeln i formuläret som föreslog beslutet: samma formulär två gånger, ett beslut.",
    )
    created_at = models.DateTimeField("skapat", auto_now_add=True)

    class Meta:
        verbose_name = "gemensamt beslut om avsteg"
        verbose_name_plural = "gemensamma beslut om avsteg"
        ordering = ["-group_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="exemption_group_until_after_from"
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", ended_on__isnull=False)
                | (~Q(status="revoked") & Q(ended_on__isnull=True)),
                name="exemption_group_ended_on_iff_revoked",
            ),
            models.CheckConstraint(condition=Q(reason="teknisk"), name="exemption_group_is_technical"),
        ]

    def __str__(self):
        return self.group_id

    def clean(self):
        _clean_dates(self, bounded=True)


class ExemptionApproval(models.Model):
    """One of the two decisions approval takes: Koncernstab kommunikation and HS-styrning — on a single
    exemption or on a common decision (exactly one of the two)."""

    class Body(models.TextChoices):
        KONCERNSTAB = "koncernstab", "Koncernstab kommunikation"
        HS_STYRNING = "hs_styrning", "Avdelningen för hälso- och sjukvårdsstyrning"

    exemption = models.ForeignKey(
        Exemption,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approvals",
        verbose_name="avsteg",
    )
    group = models.ForeignKey(
        ExemptionGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approvals",
        verbose_name="gemensamt beslut",
    )
    body = models.CharField("instans", max_length=20, choices=Body.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="beslutat av"
    )
    approved = models.BooleanField("godkänt")
    decided_at = models.DateTimeField("beslutat", auto_now_add=True)
    comment = models.TextField("kommentar", blank=True)

    class Meta:
        verbose_name = "beslut om avsteg"
        verbose_name_plural = "beslut om avsteg"
        constraints = [
            models.UniqueConstraint(fields=["exemption", "body"], name="one_decision_per_body"),
            models.UniqueConstraint(fields=["group", "body"], name="one_group_decision_per_body"),
            models.CheckConstraint(
                condition=Q(exemption__isnull=False, group__isnull=True)
                | Q(exemption__isnull=True, group__isnull=False),
                name="approval_of_exemption_or_group",
            ),
        ]

    def __str__(self):
        return f"{self.get_body_display()}: {'godkänt' if self.approved else 'avslaget'}"


class FollowUp(models.Model):
    """Uppföljning ("följas upp löpande"): a date an exemption is to be reviewed."""

    exemption = models.ForeignKey(
        Exemption, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="avsteg"
    )
    due_on = models.DateField("ska följas upp", validators=[validate_in_bounds])
    done_on = models.DateField("uppföljt", null=True, blank=True, validators=[validate_in_bounds])
    note = models.TextField("anteckning", blank=True)

    class Meta:
        verbose_name = "uppföljning"
        verbose_name_plural = "uppföljningar"
        ordering = ["due_on"]

    def __str__(self):
        return f"Uppföljning {self.due_on}"


class SystemCapability(models.Model):
    """What a booking system supports (§2.1.2): kept by Koncernstab. A requirement a system does not support
    is the ground for a common technical exemption for its units; when it becomes supported, the
    approvers are told which exemptions to end."""

    booking_system = models.CharField("bokningssystem", max_length=10, choices=CareUnit.BookingSystem.choices)
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, verbose_name="krav")
    supported = models.BooleanField("stöds", default=False)
    expected_on = models.DateField("väntas stödjas", null=True, blank=True, validators=[validate_in_bounds])
    note = models.TextField("anteckning", blank=True)

    class Meta:
        verbose_name = "bokningssystemets stöd"
        verbose_name_plural = "bokningssystemens stöd"
        ordering = ["booking_system", "requirement__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking_system", "requirement"], name="one_capability_per_system_requirement"
            )
        ]

    def __str__(self):
        return f"{self.booking_system} {self.requirement.code}: {'stöds' if self.supported else 'stöds inte'}"


class ExemptionNumber(models.Model):
    """The last number given per year: ids AV-2026-0042 (exemptions) and GB-2026-0003 (common
    decisions) are handed out under a row lock, so two proposals at once never get the same."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_prefix_year")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


class ReminderSent(models.Model):
    """One reminder e-mail claimed for sending (docs/reports.md, Reminders): the row is inserted before the
    mail goes out, and the unique constraint makes a rerun or a second worker skip what is already
    claimed — each reminder is sent at most once. `due_date` is the day the reminder is about (the
    exemption's last day, the follow-up's date, the digest's Monday)."""

    class Kind(models.TextChoices):
        ENDS_IN_30 = "ends_30", "Avsteget slutar om 30 dagar"
        ENDS_IN_7 = "ends_7", "Avsteget slutar om 7 dagar"
        FOLLOW_UP = "follow_up", "Uppföljning att göra"
        DIGEST = "digest", "Veckosammanfattning"

    kind = models.CharField("slag", max_length=12, choices=Kind.choices)
    exemption = models.ForeignKey(
        Exemption,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name="avsteg",
    )
    recipient = models.EmailField("mottagare")
    due_date = models.DateField("gäller dag")
    sent_at = models.DateTimeField("skickat", null=True, blank=True)
    error = models.TextField("fel", blank=True)
    created_at = models.DateTimeField("skapat", auto_now_add=True)

    class Meta:
        verbose_name = "skickad påminnelse"
        verbose_name_plural = "skickade påminnelser"
        # Two partial constraints rather than one with nulls_distinct=False, which SQLite (the embedded
        # default) cannot make: the weekly digest has no exemption and is still once per recipient and week.
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "exemption", "recipient", "due_date"],
                condition=models.Q(exemption__isnull=False),
                name="one_reminder_per_kind_exemption_recipient_day",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "due_date"],
                condition=models.Q(exemption__isnull=True),
                name="one_digest_per_kind_recipient_day",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} till {self.recipient} ({self.due_date})"


class WorkflowMail(models.Model):
    """One e-mail about a step of the workflow (sent in, approved by one body or both, rejected, withdrawn:
    docs/reports.md, The workflow's e-mails), claimed before it is sent: `event` is the step's audit entry
    and the unique constraint makes a rerun of the sending, or a second worker, skip a recipient already
    claimed — each person is told about each step once."""

    event = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="+", verbose_name="händelse")
    recipient = models.EmailField("mottagare")
    sent_at = models.DateTimeField("skickat", null=True, blank=True)
    error = models.TextField("fel", blank=True)
    created_at = models.DateTimeField("skapat", auto_now_add=True)

    class Meta:
        verbose_name = "meddelande om avsteg"
        verbose_name_plural = "meddelanden om avsteg"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], name="one_workflow_mail_per_event_recipient"
            )
        ]

    def __str__(self):
        return f"{self.event.action} {self.event.object_id} till {self.recipient}"
