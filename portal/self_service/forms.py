"""Forms of the portal's self-service pages (utbud, bokning, roller).

The forms parse and check what a person typed with the same parsers and rules the importers and the
models use (`servicelevel.importing.fields`, `units.rules`, the models' `clean()`); they save nothing. A
view turns a valid form into the rows a service in `units/services.py` writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from portal.presentation.forms import DesignSystemMixin
from servicelevel.dates import DateField
from servicelevel.importing.fields import FieldError, parse_count, parse_text
from servicelevel.models import CatalogueChannel, CatalogueService, CatalogueTemplate
from servicelevel.validity import change_day, today
from units import rules
from units.importers import parse_weeks
from units.models import AdminRole, BookingFigures, Offering
from units.services import OfferingRow

KIND_LABELS = dict(Offering.Kind.choices)


class RowsFormSet(forms.BaseFormSet):
    """A formset of rows a person adds and removes: its remove box says so in Swedish."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Ta bort"
            form.fields["DELETE"].widget.attrs.setdefault("class", "ds-input")


class ParsedField(forms.CharField):
    """A text field read by one of the importers' cell parsers, so a figure typed in the portal is
    accepted or refused exactly as the same figure in a file ("1 200" and "8,5" included)."""

    def __init__(self, parser: Callable[[str], object], **kwargs):
        self.parser = parser
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A stored Decimal (weeks ahead) shows with a decimal comma, as a Swedish reader writes it. Only a
        # Decimal: a text — a local service's name "Formulär v1.2", a person id, or whatever was typed —
        # is shown exactly as it is, or saving the page unchanged would save "v1,2" (a delete and a create).
        return str(value).replace(".", ",") if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return self.parser(text)
        except FieldError as error:
            raise ValidationError(f"Värdet {error}") from None


# --- Gäller från (the offering and the role pages) ----------------------------------------------------

VALID_FROM_HELP = (
    "Från vilket datum ändringen gäller (tomt = i dag). Ett tidigare datum är en rättelse: de sparade "
    "resultaten från det datumet bedöms om med de rättade uppgifterna. Förhandsgranskningen visar "
    "bedömningen i dag."
)


class ValidFromForm(DesignSystemMixin, forms.Form):
    """From when a change of a unit's offering or role holders holds (docs/self-service.md). Empty — a
    post from before the field, or a cleared field — means today, as the services' default does; a date
    after today is refused (a change is recorded when it holds)."""

    valid_from = DateField(label="Gäller från", required=False, initial=today, help_text=VALID_FROM_HELP)

    def clean_valid_from(self):
        return change_day(self.cleaned_data["valid_from"])


# --- Utbud (offerings) -------------------------------------------------------------------------------


def service_field(service: CatalogueService) -> str:
    return f"tjanst-{service.pk}"


def service_open_field(service: CatalogueService) -> str:
    return f"tjanst-{service.pk}-oppen"


def template_field(template: CatalogueTemplate) -> str:
    return f"mall-{template.pk}"


def channel_field(channel: CatalogueChannel) -> str:
    return f"kanal-{channel.pk}"


class OfferingsForm(DesignSystemMixin, forms.Form):
    """The regional catalogue as checkboxes: one per service (with "öppen för invånare"), one per
    template and one per digital channel (when the version has channels), the unit's current offering
    preselected. Local rows are the `LocalOfferingFormSet`."""

    def __init__(self, *args, services, templates, current: Iterable[Offering], channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.services, self.templates, self.channels = list(services), list(templates), list(channels)
        offered = {(o.kind, o.code): o for o in current if o.variant == Offering.Variant.REGIONAL}
        for s in self.services:
            row = offered.get((Offering.Kind.TJANST, s.code))
            self.fields[service_field(s)] = forms.BooleanField(
                required=False, label=s.name, initial=row is not None
            )
            self.fields[service_open_field(s)] = forms.BooleanField(
                required=False, label="Öppen för invånare", initial=row.is_open if row else True
            )
        for m in self.templates:
            self.fields[template_field(m)] = forms.BooleanField(
                required=False, label=m.name, initial=(Offering.Kind.MALL, m.code) in offered
            )
        for c in self.channels:
            self.fields[channel_field(c)] = forms.BooleanField(
                required=False, label=c.name, initial=(Offering.Kind.KANAL, c.code) in offered
            )
        self.style_fields()  # the catalogue's fields are added after the mixin styled the declared ones

    def service_rows(self):
        """(service, offered field, open field) for the template, in catalogue order."""
        return [(s, self[service_field(s)], self[service_open_field(s)]) for s in self.services]

    def template_rows(self):
        return [(m, self[template_field(m)]) for m in self.templates]

    def channel_rows(self):
        return [(c, self[channel_field(c)]) for c in self.channels]

    def rows(self) -> list[OfferingRow]:
        data = self.cleaned_data
        rows = [
            OfferingRow(
                Offering.Kind.TJANST,
                s.code,
                Offering.Variant.REGIONAL,
                is_open=data[service_open_field(s)],
                catalogue_service=s,
            )
            for s in self.services
            if data[service_field(s)]
        ]
        rows += [
            OfferingRow(Offering.Kind.MALL, m.code, Offering.Variant.REGIONAL, catalogue_template=m)
            for m in self.templates
            if data[template_field(m)]
        ]
        rows += [
            OfferingRow(Offering.Kind.KANAL, c.code, Offering.Variant.REGIONAL, catalogue_channel=c)
            for c in self.channels
            if data[channel_field(c)]
        ]
        return rows


class LocalOfferingForm(DesignSystemMixin, forms.Form):
    """One local service or template, by the unit's own name for it."""

    # Initial values equal to what an empty row submits, so an untouched extra row counts as unchanged.
    # A channel is always one of the catalogue's (units.rules): there is no local one to write.
    kind = forms.ChoiceField(
        label="Slag",
        choices=[(k, label) for k, label in Offering.Kind.choices if k != Offering.Kind.KANAL],
        initial=Offering.Kind.TJANST,
    )
    code = ParsedField(
        parse_text,
        label="Namn",
        max_length=Offering._meta.get_field("code").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    is_open = forms.BooleanField(label="Öppen för invånare", required=False, initial=True)

    def clean(self):
        data = super().clean()
        closed = rules.template_open_problem(data.get("kind", ""), data.get("is_open", True))
        if closed:
            self.add_error("is_open", closed[0].upper() + closed[1:] + ".")
        return data


def _kept(formset: forms.BaseFormSet, form: forms.Form) -> bool:
    """A row that is part of the proposal: filled in (an untouched empty extra row has no cleaned data,
    a current row left as it was has) and not ticked for removal."""
    return bool(getattr(form, "cleaned_data", None)) and not formset._should_delete_form(form)


class BaseLocalOfferingFormSet(RowsFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not _kept(self, form):
                continue
            key = (form.cleaned_data["kind"], form.cleaned_data["code"])
            if key in seen:
                form.add_error("code", f"{KIND_LABELS[key[0]]}en {key[1]!r} finns redan på en annan rad.")
            seen.add(key)

    def rows(self) -> list[OfferingRow]:
        return [
            OfferingRow(
                form.cleaned_data["kind"],
                form.cleaned_data["code"],
                Offering.Variant.LOKAL,
                # Templates are never closed (units.rules): the box is only read for services.
                is_open=form.cleaned_data["is_open"] or form.cleaned_data["kind"] == Offering.Kind.MALL,
            )
            for form in self.forms
            if _kept(self, form)
        ]


LocalOfferingFormSet = forms.formset_factory(
    LocalOfferingForm, formset=BaseLocalOfferingFormSet, extra=1, can_delete=True, max_num=200
)


def offering_rows(form: OfferingsForm, local: BaseLocalOfferingFormSet) -> tuple[list[OfferingRow], list]:
    """The whole proposed offering, and the clashes between a local row and a chosen regional entry of the
    same kind and code (one offering per unit, kind and code), as (form, message) to show at the row."""
    regional = form.rows()
    taken = {(r.kind, r.code) for r in regional}
    clashes = [
        (f, "Samma kod som en vald regional post: välj den regionala eller ge den lokala ett annat namn.")
        for f in local.forms
        if _kept(local, f) and (f.cleaned_data["kind"], f.cleaned_data["code"]) in taken
    ]
    return regional + local.rows(), clashes


def local_initial(current: Iterable[Offering]) -> list[dict]:
    return [
        {"kind": o.kind, "code": o.code, "is_open": o.is_open}
        for o in current
        if o.variant == Offering.Variant.LOKAL
    ]


# --- Bokning (booking figures per schedule period) ----------------------------------------------------


class PeriodChoiceForm(DesignSystemMixin, forms.Form):
    """Which schedule period's figures to edit (a GET form: `?period=KOD`), from periods already read."""

    period = forms.ChoiceField(label="Tidbokningsschemaperiod")

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (p.code, f"{p.code} ({p.start_date:%Y-%m-%d} – {p.end_date:%Y-%m-%d})") for p in periods
        ]


def _figure_field(name: str) -> ParsedField:
    field = BookingFigures._meta.get_field(name)
    label = field.verbose_name[0].upper() + field.verbose_name[1:]
    parser = parse_weeks if name == "lookahead_weeks" else parse_count
    return ParsedField(parser, label=label)


class BookingFiguresForm(DesignSystemMixin, forms.ModelForm):
    """The eight figures of one unit and period, checked by the importers' parsers and then by the model's
    own rules (`BookingFigures.clean`: parts ≤ totals), whose errors land next to their fields."""

    booked_total = _figure_field("booked_total")
    booked_visible = _figure_field("booked_visible")
    booked_cancellable = _figure_field("booked_cancellable")
    booked_reschedulable = _figure_field("booked_reschedulable")
    slots_total = _figure_field("slots_total")
    slots_open_invitation = _figure_field("slots_open_invitation")
    slots_citizen_bookable = _figure_field("slots_citizen_bookable")
    lookahead_weeks = _figure_field("lookahead_weeks")

    class Meta:
        model = BookingFigures
        fields = BookingFigures.FIGURES

    HELP = {
        "booked_total": "Alla tider som var bokade under perioden, hur de än bokades.",
        "slots_total": "Alla tider som gick att boka under perioden.",
        "booked_visible": "Av de bokade tiderna: hur många syns för invånaren på 1177.se.",
        "booked_cancellable": "Av de bokade tiderna: hur många invånaren kan avboka på 1177.se.",
        "booked_reschedulable": "Av de bokade tiderna: hur många invånaren kan omboka på 1177.se.",
        "slots_open_invitation": "Av de bokningsbara tiderna: hur många erbjuds via öppen kallelse.",
        "slots_citizen_bookable": "Av de bokningsbara tiderna: hur många invånaren själv kan boka.",
        "lookahead_weeks": "Hur många veckor framåt det finns tider att boka (decimalkomma går bra).",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.HELP.items():
            self.fields[name].help_text = text

    def _post_clean(self):
        super()._post_clean()
        # The model's rule names the whole by its field name ("… fler än booked_total (400)"); the person
        # knows it by its label.
        labels = {name: self.fields[name].label.lower() for name in BookingFigures.FIGURES}
        for name in list(self._errors):
            messages = []
            for message in self._errors[name]:
                for field_name, label in labels.items():
                    message = message.replace(f" {field_name} ", f" {label} ")
                messages.append(message[0].upper() + message[1:])
            self._errors[name] = self.error_class(messages, renderer=self.renderer)


# --- Roller (administrative role holders) -------------------------------------------------------------


class RoleForm(DesignSystemMixin, forms.Form):
    person_id = ParsedField(
        parse_text,
        label="Personens HSA-id",
        max_length=AdminRole._meta.get_field("person_id").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Roll", choices=AdminRole.Role.choices, initial=AdminRole.Role.LOKAL_ADMINISTRATOR
    )
    person_name = ""  # the person's known name, set by the view (`RoleFormSet.show_names`)


class BaseRoleFormSet(RowsFormSet):
    def clean(self):
        if any(self.errors):
            return
        # A role the unit already has may keep the id an earlier file gave it; a new one is typed by a
        # person and must be a person's HSA-id (units.rules, also held by AdminRole.clean).
        stored = {(row["person_id"], row["role"]) for row in self.initial or ()}
        seen = set()
        for form in self.forms:
            if not _kept(self, form):
                continue
            key = (form.cleaned_data["person_id"], form.cleaned_data["role"])
            if key in seen:
                form.add_error("person_id", "Personen har redan den här rollen på en annan rad.")
            elif key not in stored and (problem := rules.person_id_problem(key[0])):
                form.add_error("person_id", problem + ".")
            seen.add(key)

    def rows(self) -> list[tuple[str, str]]:
        return [
            (form.cleaned_data["person_id"], form.cleaned_data["role"])
            for form in self.forms
            if _kept(self, form)
        ]

    def person_ids(self) -> set[str]:
        """Every person id on the page: the stored rows' and, on a POST, the typed ones."""
        ids = {row["person_id"] for row in self.initial or ()}
        if self.is_bound:
            ids |= {str(value).strip() for form in self.forms if (value := form["person_id"].value())}
        return ids

    def show_names(self, names: dict[str, str]) -> None:
        """Give each row the known name of the person in it (as typed, or as stored)."""
        for form in self.forms:
            value = form["person_id"].value()
            form.person_name = names.get(str(value).strip(), "") if value else ""


RoleFormSet = forms.formset_factory(RoleForm, formset=BaseRoleFormSet, extra=1, can_delete=True, max_num=200)


def role_initial(current: Iterable[AdminRole]) -> list[dict]:
    return [{"person_id": r.person_id, "role": r.role} for r in current]


def with_one_more_row(data, prefix: str):
    """The submitted data with one more empty row in the formset (the "Lägg till rad" button, which
    works without JavaScript: the page comes back with the row, nothing saved)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    # A tampered count stays as it is: the formset reports it as invalid management data.
    with contextlib.suppress(ValueError):
        data[key] = str(int(data.get(key, 0)) + 1)
    return data
