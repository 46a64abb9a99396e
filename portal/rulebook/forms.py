"""The rulebook pages' forms: a requirement (its kind's parameters as fields, checked with
`servicelevel.kinds.parameter_problems`), a profile's lists, the draft's whole text, the publication date
and an uploaded file. Each gives the service what it takes; the file reader checks the whole again."""

from __future__ import annotations

import datetime
import re

from django import forms

from compliance.engine.roles import ROLE_WORDS
from portal.presentation.forms import DesignSystemMixin
from servicelevel import kinds as k
from servicelevel import rulebook_file as rf
from servicelevel.dates import DateField

MAX_UPLOAD_BYTES = 1_000_000  # the reader's limit is a million characters: a rulebook is a few hundred lines
# A condition as what the unit must have (servicelevel/kinds.py words it as the reason it fails).
CONDITION_MET = {
    "contact_card": "enheten har ett kontaktkort på 1177",
    "booking_system": "enheten har ett bokningssystem (inte ingen)",
}
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def _choice_label(value: str) -> str:
    if value in k.FIGURES:
        return f"{value} – {k.FIGURES[value]}"
    if value in ROLE_WORDS:
        return f"{value} – {ROLE_WORDS[value][0]}"
    return {"services": "services – tjänster", "channels": "channels – kanaler"}.get(value, value)


def _shown_number(value) -> str:
    return "" if value is None else str(value).replace(".", ",")


def parameter_field(parameter: k.Parameter, initial) -> forms.Field:
    label = f"{parameter.name}: {parameter.description}"
    help_text = f"Ska vara {parameter.allowed()}."
    if parameter.type == k.CHOICE:
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            choices=[(c, _choice_label(c)) for c in parameter.choices],
            initial=initial,
        )
    if parameter.type == k.FIGURES_LIST:
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            choices=[(c, _choice_label(c)) for c in parameter.choices],
            widget=forms.CheckboxSelectMultiple,
            initial=initial,
        )
    # Numbers as text: a decimal comma is what people write (0,90), and parameter_problems says what
    # is wrong with the value in the kind's own words.
    return forms.CharField(
        label=label,
        help_text=help_text + (" Lämna tomt för ingen gräns." if parameter.nullable else ""),
        required=not parameter.nullable,
        initial=_shown_number(initial),
        max_length=30,
    )


def _read_number(text: str, parameter: k.Parameter):
    text = (text or "").strip()
    if not text:
        return None
    if not _NUMBER.match(text):
        raise forms.ValidationError(f"ska vara {parameter.allowed()}")
    text = text.replace(",", ".")
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


class RequirementForm(DesignSystemMixin, forms.Form):
    """A requirement of a draft: changed (`requirement` given: its code and kind stay) or added (`kind`
    given: the code is new). The parameter fields are the kind's, named `p_<parameter>`."""

    code = forms.CharField(label="Kod", max_length=40, help_text="A–Z, 0–9 och -, t.ex. SV2-SVARSTID.")
    group = forms.ChoiceField(label="Område")
    name = forms.CharField(label="Namn", max_length=200)
    section = forms.CharField(label="Avsnitt i beslutet", max_length=200, required=False)
    level = forms.IntegerField(
        label="Nivå", min_value=1, required=False, help_text="Nivån i trappan (1, 2, …); tomt: ingen nivå."
    )
    applies_if = forms.MultipleChoiceField(
        label="Gäller bara enheter som uppfyller",
        choices=[(c, f"{c} – {CONDITION_MET.get(c, c)}") for c in k.CONDITION_NAMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args,
        rulebook: rf.RulebookFile,
        requirement: rf.Requirement | None = None,
        kind: str | None = None,
        **kwargs,
    ):
        self.rulebook, self.requirement = rulebook, requirement
        self.kind = requirement.kind if requirement else kind
        if requirement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": requirement.code,
                    "group": requirement.group,
                    "name": requirement.name,
                    "section": requirement.section or "",
                    "level": requirement.level,
                    "applies_if": list(requirement.applies_if),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.code, f"{g.code} – {g.name}") for g in rulebook.groups]
        if requirement is not None:
            del self.fields["code"]  # a requirement's code is how exemptions and targets name it
        values = requirement.parameters if requirement else k.with_defaults(self.kind, {})
        for parameter in k.KINDS[self.kind].parameters:
            self.fields[f"p_{parameter.name}"] = parameter_field(parameter, values.get(parameter.name))
        self.style_fields()

    def parameter_fields(self):
        return [self[name] for name in self.fields if name.startswith("p_")]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if self.rulebook.requirement(code) is not None:
            raise forms.ValidationError("Det finns redan ett krav med koden.")
        return code

    def clean(self):
        cleaned = super().clean()
        parameters = {}
        for parameter in k.KINDS[self.kind].parameters:
            name = f"p_{parameter.name}"
            if name not in cleaned:
                continue  # the field's own error is shown
            value = cleaned[name]
            if parameter.type in (k.NUMBER, k.WHOLE):
                try:
                    value = _read_number(value, parameter)
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    continue
                if value is None and not parameter.nullable:
                    continue
            elif parameter.type == k.FIGURES_LIST:
                value = list(value)
            parameters[parameter.name] = value
        if not any(f.startswith("p_") and f in self.errors for f in self.fields):
            for name, message in k.parameter_problems(self.kind, parameters).items():
                field = f"p_{name}"
                if field in self.fields:
                    self.add_error(field, message)  # the field's label names the parameter
                else:
                    self.add_error(None, f"{name}: {message}")
        cleaned["parameters"] = parameters
        return cleaned

    def requirement_record(self) -> rf.Requirement:
        data = self.cleaned_data
        chosen = set(data["applies_if"])
        return rf.Requirement(
            code=self.requirement.code if self.requirement else data["code"],
            group=data["group"],
            name=data["name"].strip(),
            kind=self.kind,
            section=data["section"].strip() or None,
            level=data["level"],
            parameters=data["parameters"],
            applies_if=tuple(c for c in k.CONDITION_NAMES if c in chosen),
        )


class KindForm(DesignSystemMixin, forms.Form):
    """The first step of adding a requirement: its kind decides which parameters it has."""

    kind = forms.ChoiceField(
        label="Slag av krav",
        choices=[(name, f"{name} – {kind.description}") for name, kind in k.KINDS.items()],
    )


class ProfileForm(DesignSystemMixin, forms.Form):
    services = forms.MultipleChoiceField(
        label="Tjänster i basutbudet", widget=forms.CheckboxSelectMultiple, required=False
    )
    channels = forms.MultipleChoiceField(
        label="Kanaler i basutbudet", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, rulebook: rf.RulebookFile, code: str, **kwargs):
        self.profile = rulebook.profiles[code]
        kwargs.setdefault(
            "initial", {"services": list(self.profile.services), "channels": list(self.profile.channels)}
        )
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = [
            (s.code, f"{s.code} – {s.name}") for s in rulebook.catalogue.services
        ]
        self.fields["channels"].choices = [
            (c.code, f"{c.code} – {c.name}") for c in rulebook.catalogue.channels
        ]
        if not rulebook.catalogue.channels:
            del self.fields["channels"]

    def lists(self) -> tuple[list[str], list[str]]:
        """The chosen codes: those the profile had in their order, then the new ones in the catalogue's."""

        def ordered(old, name):
            chosen = self.cleaned_data.get(name, [])
            options = [value for value, _ in self.fields[name].choices] if name in self.fields else []
            return [c for c in old if c in chosen] + [c for c in options if c in chosen and c not in old]

        return ordered(self.profile.services, "services"), ordered(self.profile.channels, "channels")


class TextForm(forms.Form):
    text = forms.CharField(
        label="Regelboksfilen (YAML)",
        widget=forms.Textarea(attrs={"class": "ds-input rulebook-text", "rows": 30, "spellcheck": "false"}),
        help_text="Filen läses om när du sparar: fel visas med rad och nyckel, och inget sparas förrän "
        "filen kan läsas. Kommentarer (#) försvinner när en ändring görs med formulären.",
        strip=False,
    )

    def clean_text(self):
        # Browsers send a textarea's lines ending in CR LF; the file is kept as the reader and dump write it.
        return self.cleaned_data["text"].replace("\r\n", "\n")


class PublishForm(DesignSystemMixin, forms.Form):
    in_force_from = DateField(
        label="Gäller från och med",
        help_text="Tidigast i dag: en dag som redan har bedömts behåller versionen den bedömdes efter.",
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_in_force_from(self):
        day = self.cleaned_data["in_force_from"]
        if day < self.today:
            raise forms.ValidationError(f"Får inte vara före i dag ({self.today.isoformat()}).")
        return day


class UploadForm(DesignSystemMixin, forms.Form):
    file = forms.FileField(
        label="Regelboksfil (YAML)",
        help_text="En version av regionens beslut som fil (UTF-8). Filen kontrolleras som med load_rulebook: "
        "varje fel visas med rad, och en fil med fel skrivs inte.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Filen är större än 1 MB; en regelbok är några hundra rader.")
        raw = upload.read()
        try:
            self.cleaned_data["text"] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Filen är inte UTF-8-kodad text.") from None
        return upload
