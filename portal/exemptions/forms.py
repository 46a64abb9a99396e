"""Forms of the exemption pages (/avsteg/). They parse what a person typed; the services in
`exemptions/services.py` hold every rule (an end date always, two different approvers, the allowed
transitions) and the views show a refusal from them next to the form's own errors."""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.db.models import Q

from exemptions.models import Exemption, SystemCapability
from portal.presentation.forms import DesignSystemMixin
from servicelevel.dates import DateField
from servicelevel.models import Decision, Requirement
from units.applicability import booking_q, books_through_1177
from units.models import CareUnit

FOLLOW_UPS = 3
# The systems a common decision (and the capability table) is about: those the booking requirements
# apply to.
BOOKING_SYSTEMS = [c for c in CareUnit.BookingSystem.choices if books_through_1177(c[0])]


def requirements_in_force(today: datetime.date, *, booking_only: bool = False):
    """The requirements of the version in force, in the rulebook's order; `booking_only`: those a common
    decision for a booking system is about (their `applies_if` names the booking system), whatever the
    rulebook calls their group."""
    decision = Decision.in_force(today)
    qs = Requirement.objects.filter(decision=decision).order_by("order", "code")
    return qs.filter(booking_q()) if booking_only else qs


class _Terms(DesignSystemMixin, forms.Form):
    """Dates and follow-ups, shared by single proposals and common decisions."""

    justification = forms.CharField(
        label="Motivering",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Varför kravet inte kan uppfyllas nu, och vad som görs för att det ska kunna uppfyllas.",
    )
    valid_from = DateField(label="Gäller från")
    valid_until = DateField(
        label="Gäller till",
        help_text="Till och med denna dag. Ett avsteg är alltid tidsbegränsat.",
        required=False,  # the service refuses a missing end date, with its own words
    )
    follow_up_1 = DateField(label="Uppföljning 1", required=False)
    follow_up_2 = DateField(label="Uppföljning 2", required=False)
    follow_up_3 = DateField(label="Uppföljning 3", required=False)

    def __init__(self, *args, follow_up_count: int = FOLLOW_UPS, **kwargs):
        super().__init__(*args, **kwargs)
        # A draft with more follow-ups than the form's three (from the admin) shows them all, so an edit
        # drops none.
        self.follow_up_count = max(FOLLOW_UPS, follow_up_count)
        for i in range(FOLLOW_UPS + 1, self.follow_up_count + 1):
            self.fields[f"follow_up_{i}"] = DateField(label=f"Uppföljning {i}", required=False)
        self.style_fields()

    def follow_ups(self) -> list[datetime.date]:
        count = self.follow_up_count
        return [d for i in range(1, count + 1) if (d := self.cleaned_data.get(f"follow_up_{i}"))]

    def follow_up_fields(self):
        return [self[f"follow_up_{i}"] for i in range(1, self.follow_up_count + 1)]


class _OnceAndWarned(forms.Form):
    """A proposal form sent once: its one-time token (hidden; the same token twice makes the proposal once),
    and the tick that confirms a proposal the service warned duplicates another."""

    # The page's address carries it too (…?forslag=<token>, portal.exemptions.views): going Back re-asks
    # the page by its address, and the browser brings back what was typed but not a hidden field's value.
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm_duplicates = forms.BooleanField(
        label="Spara ändå: jag har sett avstegen ovan och ett avsteg till behövs",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = str(uuid.uuid4())


class ProposalForm(_OnceAndWarned, _Terms):
    """/avsteg/ny/: one unit the user may change, one or more requirements."""

    unit = forms.ModelChoiceField(label="Enhet", queryset=CareUnit.objects.none(), empty_label="Välj enhet")
    requirements = forms.ModelMultipleChoiceField(
        label="Krav", queryset=Requirement.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.ChoiceField(label="Skäl", choices=Exemption.Reason.choices, widget=forms.RadioSelect)

    field_order = ["unit", "requirements", "reason", "justification", "valid_from", "valid_until"]

    def __init__(self, *args, units, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related(None).order_by("name", "hsa_id")
        self.fields["unit"].label_from_instance = lambda u: f"{u.name} ({u.hsa_id})"
        self.fields["requirements"].queryset = requirements_in_force(today)
        self.fields["requirements"].label_from_instance = lambda r: f"{r.code} – {r.name}"


class DraftForm(_OnceAndWarned, _Terms):
    """/avsteg/<id>/andra/: a draft's terms — one exemption, so one requirement."""

    unit = forms.ModelChoiceField(label="Enhet", queryset=CareUnit.objects.none(), empty_label="Välj enhet")
    requirement = forms.ModelChoiceField(
        label="Krav", queryset=Requirement.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    reason = forms.ChoiceField(label="Skäl", choices=Exemption.Reason.choices, widget=forms.RadioSelect)

    field_order = ["unit", "requirement", "reason", "justification", "valid_from", "valid_until"]

    def __init__(self, *args, units, today: datetime.date, exemption: Exemption, **kwargs):
        follow_ups = [fu.due_on for fu in exemption.follow_ups.all()]
        initial = {
            "unit": exemption.unit_id,
            "requirement": exemption.requirement_id,
            "reason": exemption.reason,
            "justification": exemption.justification,
            "valid_from": exemption.valid_from,
            "valid_until": exemption.valid_until,
            **{f"follow_up_{i}": d for i, d in enumerate(follow_ups, start=1)},
        }
        super().__init__(*args, initial=initial, follow_up_count=len(follow_ups), **kwargs)
        # The draft's own unit stays a choice even if the person no longer changes it (the proposer may).
        self.fields["unit"].queryset = (
            (units | CareUnit.objects.filter(pk=exemption.unit_id)).distinct().order_by("name", "hsa_id")
        )
        self.fields["unit"].label_from_instance = lambda u: f"{u.name} ({u.hsa_id})"
        self.fields["requirement"].queryset = Requirement.objects.filter(
            Q(pk__in=requirements_in_force(today).values("pk")) | Q(pk=exemption.requirement_id)
        ).order_by("order", "code")
        self.fields["requirement"].label_from_instance = lambda r: f"{r.code} – {r.name}"


class GroupProposalForm(_OnceAndWarned, _Terms):
    """/avsteg/system/ny/ and a draft's /avsteg/system/<id>/andra/: a technical exemption for every unit on
    one booking system."""

    booking_system = forms.ChoiceField(
        label="Bokningssystem",
        choices=BOOKING_SYSTEMS,
    )
    requirements = forms.ModelMultipleChoiceField(
        label="Krav", queryset=Requirement.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    field_order = ["booking_system", "requirements", "justification", "valid_from", "valid_until"]

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = requirements_in_force(today, booking_only=True)
        self.fields["requirements"].label_from_instance = lambda r: f"{r.code} – {r.name}"


class DecisionForm(DesignSystemMixin, forms.Form):
    """Godkänn (comment optional) or Avslå (reason required — the service says so)."""

    comment = forms.CharField(
        label="Kommentar eller skäl till avslag",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Valfritt vid godkännande; krävs vid avslag.",
    )


class RevokeForm(DesignSystemMixin, forms.Form):
    ended_on = DateField(
        label="Upphör den",
        required=False,  # the service refuses a missing date
        help_text="Från och med denna dag gäller avsteget inte längre; dagar före står kvar.",
    )


class FollowUpForm(DesignSystemMixin, forms.Form):
    note = forms.CharField(
        label="Anteckning från uppföljningen", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CapabilityForm(DesignSystemMixin, forms.Form):
    """One row of the capability table, found by (system, requirement): added or changed."""

    booking_system = forms.ChoiceField(
        label="Bokningssystem",
        choices=BOOKING_SYSTEMS,
    )
    requirement = forms.ModelChoiceField(label="Krav", queryset=Requirement.objects.none())
    supported = forms.BooleanField(label="Systemet stödjer funktionen", required=False)
    expected_on = DateField(label="Väntas stödjas från", required=False)
    note = forms.CharField(label="Anteckning", required=False)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = requirements_in_force(today, booking_only=True)
        self.fields["requirement"].label_from_instance = lambda r: f"{r.code} – {r.name}"

    def capability(self) -> SystemCapability:
        data = self.cleaned_data
        found = SystemCapability.objects.filter(
            booking_system=data["booking_system"], requirement=data["requirement"]
        ).first() or SystemCapability(booking_system=data["booking_system"], requirement=data["requirement"])
        found.supported, found.expected_on, found.note = data["supported"], data["expected_on"], data["note"]
        return found
