"""The action plan (handlingsplan, §4): target shares per vårdområde and period, plans and activities."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from servicelevel.models import Requirement, SchedulePeriod
from units.models import Forvaltning, Vardomrade


class Target(models.Model):
    """Target share for a trend requirement (`*-ANDEL`) in one vårdområde and schedule period."""

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
    """An activity in the action plan, regional (no förvaltning) or for a förvaltning / vårdområde."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planerad"
        ONGOING = "ongoing", "Pågår"
        DONE = "done", "Klar"

    title = models.CharField("aktivitet", max_length=300)
    forvaltning = models.ForeignKey(
        Forvaltning, null=True, blank=True, on_delete=models.CASCADE, verbose_name="förvaltning"
    )
    vardomrade = models.ForeignKey(
        Vardomrade, null=True, blank=True, on_delete=models.CASCADE, verbose_name="vårdområde"
    )
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, verbose_name="krav"
    )
    due_on = models.DateField("klart senast", null=True, blank=True)
    state = models.CharField("läge", max_length=10, choices=State.choices, default=State.PLANNED)

    class Meta:
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        ordering = ["due_on", "title"]

    def __str__(self):
        return self.title
