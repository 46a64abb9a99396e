"""The reports page's form: which report, for what scope or unit, per which date."""

from __future__ import annotations

from django import forms
from django.http import Http404

from compliance.models import Report
from compliance.services import today
from portal.actionplan.forms import REGION, parse_scope, scope_choices
from portal.presentation.forms import DesignSystemMixin
from portal.reports.selectors import periods_newest_first, report_areas, unit_choices
from servicelevel.dates import DateField
from units.permissions import area_for_user, forvaltning_for_user, unit_for_user

KIND_HELP = {
    Report.Kind.EFTERLEVNAD: "Nivåer, krav per enhet, svarstider, varje enhets status och avsteg – "
    "för regionen, en förvaltning eller ett vårdområde.",
    Report.Kind.ENHETSKORT: "En sida om en enhet: nivå, varje krav, svarstid och avsteg.",
    Report.Kind.HANDLINGSPLAN: "Aktiviteter, målnivåer, avsteg, utfasning och hinder för en period.",
}


NO_SUCH_UNIT = "Det finns ingen enhet med det HSA-id:t som du har behörighet till."


class ReportForm(DesignSystemMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Rapport",
        choices=[(k.value, f"{k.label}: {KIND_HELP[k]}") for k in Report.Kind],
        widget=forms.RadioSelect,
        initial=Report.Kind.EFTERLEVNAD,
    )
    omfattning = forms.ChoiceField(
        label="Omfattning",
        required=False,
        help_text="Efterlevnadsrapport och handlingsplan: regionen, en förvaltning eller ett vårdområde.",
    )
    enhet = forms.ChoiceField(
        label="Enhet",
        required=False,
        help_text="Enhetskort: enheten kortet gäller, bland dem du har behörighet till.",
        # A unit outside the choices (a hand-made request) is refused in the same words whether it does
        # not exist or is someone else's: nothing leaks.
        error_messages={"invalid_choice": NO_SUCH_UNIT},
    )
    period = forms.ChoiceField(label="Period", required=False, help_text="Handlingsplan: planens period.")
    per = DateField(
        label="Per datum",
        help_text="ÅÅÅÅ-MM-DD. Rapporten visar de sparade resultaten för datumet (eller det senaste före).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].widget.attrs["class"] = "ds-input"
        self.fields["omfattning"].choices = scope_choices(report_areas(user), region=True)
        self.fields["enhet"].choices = unit_choices(user)
        self.fields["period"].choices = [("", "Perioden som gäller per datumet")] + [
            (p.code, f"{p.code} ({p.start_date:%Y-%m-%d} – {p.end_date:%Y-%m-%d})")
            for p in periods_newest_first()
        ]
        self.fields["per"].initial = today()

    def clean(self):
        data = super().clean()
        data["forvaltning"] = data["vardomrade"] = data["unit"] = None
        kind = data.get("kind")
        if kind == Report.Kind.ENHETSKORT:
            hsa_id = data.get("enhet")
            if not hsa_id:
                if "enhet" not in self.errors:
                    self.add_error("enhet", "Välj enheten som enhetskortet ska gälla.")
                return data
            try:
                data["unit"] = unit_for_user(self.user, hsa_id)
            except Http404:  # the choices are the visible units: only if a grant went meanwhile
                self.add_error("enhet", NO_SUCH_UNIT)
        elif kind:
            try:
                scope, number = parse_scope(data.get("omfattning") or REGION)
                if scope == "omrade":
                    data["vardomrade"] = area_for_user(self.user, number)
                elif scope == "forvaltning":
                    data["forvaltning"] = forvaltning_for_user(self.user, number)
            except (ValueError, Http404):
                self.add_error("omfattning", "Välj en omfattning i listan.")
        return data
