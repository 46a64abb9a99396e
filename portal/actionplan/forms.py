"""Forms of the action plan's pages (/handlingsplan/…). They parse what a person typed and offer only the
choices the person may make (from `units.permissions`); the rules themselves are the models' `clean()`
and `actionplan/rules.py`, which the services check again on every save."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from actionplan.models import Activity, Obstacle, PhaseOut, Target
from actionplan.rules import SHARE_STEP, percent_problem
from exemptions.models import Exemption
from portal.presentation.forms import DesignSystemMixin
from servicelevel.dates import DateField, DateInput
from servicelevel.models import CatalogueService, CatalogueTemplate, Decision, Requirement, SchedulePeriod
from units.models import CareUnit, Forvaltning, Offering, Vardomrade

REGION = "region"


def scope_value(forvaltning: Forvaltning | None, vardomrade: Vardomrade | None) -> str:
    """How a scope travels in a form or a link: "region", "forvaltning-<id>" or "omrade-<id>"."""
    if vardomrade is not None:
        return f"omrade-{vardomrade.pk}"
    if forvaltning is not None:
        return f"forvaltning-{forvaltning.pk}"
    return REGION


def parse_scope(text: str) -> tuple[str, int | None]:
    """("region", None), ("forvaltning", id) or ("omrade", id); ValueError for anything else."""
    if not text or text == REGION:
        return REGION, None
    kind, _, number = text.partition("-")
    if kind not in ("forvaltning", "omrade") or not number.isdigit():
        raise ValueError(text)
    return kind, int(number)


def scope_choices(areas: list[Vardomrade], *, region: bool) -> list:
    """The region (if offered), then each förvaltning followed by its areas, as optgroups."""
    choices: list = [(REGION, "Hela regionen")] if region else []
    by_forvaltning: dict[Forvaltning, list[Vardomrade]] = {}
    for area in areas:
        by_forvaltning.setdefault(area.forvaltning, []).append(area)
    for forvaltning in sorted(by_forvaltning, key=lambda f: f.name):
        group = (
            []
            if not region
            else [(scope_value(forvaltning, None), f"{forvaltning.name} (hela förvaltningen)")]
        )
        group += [
            (scope_value(None, a), a.name) for a in sorted(by_forvaltning[forvaltning], key=lambda a: a.name)
        ]
        choices.append((forvaltning.name, group))
    return choices


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;]+", text or "") if t]


class PeriodChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} ({obj.start_date:%Y-%m-%d} – {obj.end_date:%Y-%m-%d})"


class PlanChoiceForm(DesignSystemMixin, forms.Form):
    """The plan's period and scope (GET)."""

    period = forms.ChoiceField(label="Period")
    omfattning = forms.ChoiceField(label="Omfattning")

    def __init__(self, *args, periods, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (p.code, f"{p.code} ({p.start_date:%Y-%m-%d} – {p.end_date:%Y-%m-%d})") for p in periods
        ]
        self.fields["omfattning"].choices = scope_choices(areas, region=True)


class ActivityForm(DesignSystemMixin, forms.ModelForm):
    """An activity: its scope from the scopes the person may plan for (planners: the region, any
    förvaltning or vårdområde; a unit manager: the areas of their own units), units and exemptions as
    HSA-ids and exemption ids (one field, however many units the region has)."""

    omfattning = forms.ChoiceField(label="Gäller")
    requirements = forms.ModelMultipleChoiceField(
        label="Krav", queryset=Requirement.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    unit_ids = forms.CharField(
        label="Enheter",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="HSA-id för enheterna aktiviteten gäller, ett per rad eller åtskilda med komma.",
    )
    exemption_ids = forms.CharField(
        label="Avsteg",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Avstegs-id för avsteg aktiviteten hör till, ett per rad eller åtskilda med komma.",
    )

    class Meta:
        model = Activity
        fields = ["title", "description", "period", "owner_text", "due_on", "state"]
        labels = {"title": "Aktivitet", "owner_text": "Ansvarig", "due_on": "Klart senast", "state": "Läge"}
        widgets = {
            "due_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"period": PeriodChoice, "due_on": DateField}

    def __init__(
        self,
        *args,
        areas: list[Vardomrade],
        regional: bool,
        allowed_units: QuerySet[CareUnit],
        visible_exemptions: QuerySet[Exemption],
        requirements: QuerySet[Requirement],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.regional = regional
        self.allowed_units, self.visible_exemptions = allowed_units, visible_exemptions
        self.fields["period"].queryset = SchedulePeriod.objects.order_by("start_date")
        self.fields["period"].required = True
        self.fields["period"].empty_label = None
        self.fields["requirements"].queryset = requirements
        self.fields["omfattning"].choices = scope_choices(areas, region=regional)
        if not regional:
            self.fields["unit_ids"].required = True
            self.fields["unit_ids"].help_text += " Minst en av dina egna enheter."
        activity = self.instance
        if activity.pk:
            self.initial.setdefault("omfattning", scope_value(activity.forvaltning, activity.vardomrade))
            self.initial.setdefault("requirements", list(activity.requirements.all()))
            self.initial.setdefault("unit_ids", "\n".join(activity.units.values_list("hsa_id", flat=True)))
            self.initial.setdefault(
                "exemption_ids", "\n".join(activity.exemptions.values_list("exemption_id", flat=True))
            )

    def clean_omfattning(self):
        kind, number = parse_scope(self.cleaned_data["omfattning"])
        return kind, number

    def clean_unit_ids(self):
        tokens = _tokens(self.cleaned_data["unit_ids"])
        found = dict(self.allowed_units.filter(hsa_id__in=tokens).values_list("hsa_id", "id"))
        unknown = [t for t in tokens if t not in found]
        if unknown:
            raise ValidationError(
                "Okänd enhet eller en enhet du inte kan planera för: " + ", ".join(unknown[:10])
            )
        return sorted(set(found.values()))

    def clean_exemption_ids(self):
        tokens = _tokens(self.cleaned_data["exemption_ids"])
        found = dict(
            self.visible_exemptions.filter(exemption_id__in=tokens).values_list("exemption_id", "id")
        )
        unknown = [t for t in tokens if t not in found]
        if unknown:
            raise ValidationError("Okänt avsteg: " + ", ".join(unknown[:10]))
        return sorted(set(found.values()))

    def apply_scope(self) -> Activity:
        """The instance with the chosen scope set (the service fills the förvaltning from the area)."""
        activity = self.instance
        kind, number = self.cleaned_data["omfattning"]
        activity.vardomrade = Vardomrade.objects.get(pk=number) if kind == "omrade" else None
        activity.forvaltning = Forvaltning.objects.get(pk=number) if kind == "forvaltning" else None
        if kind == "omrade":
            activity.forvaltning_id = activity.vardomrade.forvaltning_id
        return activity


class NoteForm(DesignSystemMixin, forms.Form):
    text = forms.CharField(label="Lägesanteckning", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class TargetForm(DesignSystemMixin, forms.ModelForm):
    """A target share, typed in percent as a Swedish reader writes it ("25" or "12,5")."""

    share_percent = forms.CharField(
        label="Målandel (%)",
        help_text="Andel i procent, högst två decimaler, t.ex. 25 eller 12,5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    class Meta:
        model = Target
        fields = ["vardomrade", "period", "requirement"]
        labels = {"vardomrade": "Vårdområde", "period": "Period", "requirement": "Krav"}
        field_classes = {"period": PeriodChoice}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vardomrade"].queryset = Vardomrade.objects.select_related("forvaltning").order_by("name")
        self.fields["period"].queryset = SchedulePeriod.objects.order_by("start_date")
        # The region's own trend requirements: a database may hold another region's versions too.
        self.fields["requirement"].queryset = Requirement.objects.filter(
            is_trend=True, decision__in=Decision.of_region()
        ).order_by("decision__in_force_from", "order")
        if self.instance.pk:
            for name in ("vardomrade", "period", "requirement"):
                self.fields[name].disabled = True  # a target's identity; change its share or delete it
            share = (self.instance.target_share * 100).normalize()
            self.initial["share_percent"] = format(share, "f").replace(".", ",")

    def clean_share_percent(self):
        text = self.cleaned_data["share_percent"].strip().replace(" ", "").replace(",", ".")
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Skriv andelen som ett tal, t.ex. 25 eller 12,5.") from None
        if problem := percent_problem(percent):
            raise ValidationError(problem)
        return percent

    def save_target(self) -> Target:
        target = self.instance
        target.target_share = (self.cleaned_data["share_percent"] / 100).quantize(SHARE_STEP)
        return target


class PhaseOutForm(DesignSystemMixin, forms.ModelForm):
    """A local service's or template's planned end and regional replacement (of the same kind)."""

    class Meta:
        model = PhaseOut
        fields = ["planned_end", "replacement_service", "replacement_template", "note"]
        labels = {
            "planned_end": "Planerat slut",
            "replacement_service": "Ersätts av regional tjänst",
            "replacement_template": "Ersätts av regional mall",
            "note": "Anteckning",
        }
        widgets = {
            "planned_end": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"planned_end": DateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == Offering.Kind.MALL:
            del self.fields["replacement_service"]
            self.fields["replacement_template"].queryset = CatalogueTemplate.objects.filter(
                retired_on=None
            ).order_by("name")
        else:
            del self.fields["replacement_template"]
            self.fields["replacement_service"].queryset = CatalogueService.objects.filter(
                retired_on=None
            ).order_by("name")


class ObstacleForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = Obstacle
        fields = ["vardomrade", "title", "description"]
        labels = {"vardomrade": "Vårdområde", "title": "Rubrik", "description": "Beskriv hindret"}
        help_texts = {
            "description": "Vad hindrar vårdområdet från att uppfylla beslutet, vilka enheter och krav det "
            "gäller och vad ni behöver från Koncernkontoret."
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, areas: QuerySet[Vardomrade], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vardomrade"].queryset = areas.order_by("name")


class AnswerForm(DesignSystemMixin, forms.Form):
    answer = forms.CharField(label="Svar", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    status = forms.ChoiceField(
        label="Status",
        choices=[(Obstacle.Status.ANSWERED, "Besvarat"), (Obstacle.Status.CLOSED, "Avslutat")],
        initial=Obstacle.Status.ANSWERED,
    )
    activities = forms.ModelMultipleChoiceField(
        label="Aktiviteter som hanterar hindret",
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, activities: QuerySet[Activity], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities
        self.fields["activities"].label_from_instance = lambda a: f"{a.title} ({a.period})"
