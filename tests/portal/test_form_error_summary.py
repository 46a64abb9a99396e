"""Every portal form's error summary is the one partial (portal/_form_error_summary.html), fed by the one
builder (portal.presentation.forms.error_summary): no template writes the summary's markup itself."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.loader import render_to_string

from portal.presentation.forms import error_summary

PARTIAL = Path("portal/presentation/templates/portal/_form_error_summary.html")


def test_no_template_but_the_partial_writes_the_error_summary():
    base = Path(settings.BASE_DIR)
    copies = [
        str(path.relative_to(base))
        for folder in ("portal", "templates")
        for path in (base / folder).rglob("*.html")
        if 'class="ds-error-summary"' in path.read_text(encoding="utf-8")
        and path.relative_to(base) != PARTIAL
    ]
    assert copies == []


class _Form(forms.Form):
    name = forms.CharField(label="Namn")
    weeks = forms.IntegerField(label="Veckor")

    def clean(self):
        raise forms.ValidationError("Något stämmer inte.")


def test_the_summary_links_each_field_error_to_its_field():
    form = _Form({"name": "", "weeks": "x"})
    errors = error_summary(form, None, _Form())  # an unbound form and a missing one add nothing
    assert [anchor for anchor, _text in errors] == ["", "id_name", "id_weeks"]
    assert errors[0][1] == "Något stämmer inte."
    assert errors[1][1].startswith("Namn: ") and errors[2][1].startswith("Veckor: ")
    html = render_to_string("portal/_form_error_summary.html", {"errors": errors})
    assert 'href="#id_name"' in html and 'href="#id_weeks"' in html and "Rätta de 3 felen" in html
