"""Values, status words and import kinds each have one home: the engine says what each requirement's
measured value is and how a status reads, the import registry names the kinds; the admin, the unit page,
the badge and the import pages all read them from there, so they cannot disagree."""

import datetime
from fractions import Fraction

import pytest
from django.contrib import admin
from django.template.loader import render_to_string

from compliance.admin import RequirementResultInline
from compliance.engine import evaluate_unit
from compliance.engine import types as t
from compliance.engine.kinds import JUDGES, VALUE_KINDS, value_kind
from compliance.engine.text import format_value
from compliance.engine.values import value_text
from compliance.models import RequirementResult, UnitResult
from portal.imports.selectors import import_kinds, kind_label
from portal.imports.views import UploadForm
from portal.units.selectors import unit_page
from servicelevel import rulebook_2026_0000277 as data
from servicelevel.importing import registry
from units.permissions import Roles, ensure_groups

from . import factories as f
from .test_engine import RULEBOOK, judge, unit

CODES = [code for code, *_rest in data.REQUIREMENTS]


def test_every_kind_that_measures_declares_what_its_value_is():
    """Every kind but `contact_card` (a yes or no) and `minimum` (whose value is its figure's:
    `value_kind_of`) declares its value; every requirement of the decision then has one."""
    assert set(VALUE_KINDS) == set(JUDGES) - {"contact_card", "minimum"}
    assert set(VALUE_KINDS.values()) <= {t.SHARE, t.COUNT, t.WEEKS}
    assert all(value_kind(rule) for rule in RULEBOOK.requirements)
    assert value_kind(RULEBOOK.rule("TB2-FRAMFORHALLNING")) == t.WEEKS


def test_the_engines_measured_values_are_what_their_kind_says():
    """A share is 0..1, a count a whole number: the declared kind matches what the judge measures."""
    evaluations = [
        judge(),
        judge(offerings=(t.OfferingFact("tjanst", "KONTAKT", "regional", True),)),
        evaluate_unit(unit(local_admins={"P2": 1, "P3": 4}), RULEBOOK, datetime.date(2026, 11, 15)),
    ]
    seen = set()
    for evaluation in evaluations:
        for code, outcome in evaluation.requirements.items():
            if outcome.value is None:
                continue
            seen.add(code)
            kind = value_kind(RULEBOOK.rule(code))
            if kind == t.SHARE:
                assert 0 <= outcome.value <= 1, code
            elif kind == t.COUNT:
                assert outcome.value == int(outcome.value) >= 0, code
    assert {"AH1-REGIONALA-TJANSTER", "AH3-BASUTBUD", "SV1-SVARSTID", "TB2-FRAMFORHALLNING"} <= seen


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (t.SHARE, 0.5, "50 %"),
        (t.SHARE, Fraction(14, 15), "93,3 %"),
        (t.SHARE, 0.99999, "99,9 %"),
        (t.COUNT, 3.0, "3"),
        (t.WEEKS, 8.5, "8,5 veckor"),
        (None, 2.25, "2,25"),
        (t.SHARE, None, "–"),
    ],
)
def test_format_value_writes_each_kind_with_its_unit(kind, value, text):
    assert format_value(kind, value) == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "value", "text"),
    [
        ("AH1-REGIONALA-TJANSTER", 0.5, "50 %"),
        ("AH3-BASUTBUD", 0.75, "75 %"),
        ("TB1-VISA", 1.0, "100 %"),
        ("AR2-BEHORIGHETSADMIN", 2.0, "2"),
        ("TB2-FRAMFORHALLNING", 8.5, "8,5 veckor"),
    ],
)
def test_the_admin_and_the_unit_page_write_a_stored_value_alike(code, value, text):
    result = f.RequirementResultFactory(requirement=f.requirement(code), value=value)
    admin_text = RequirementResultInline(UnitResult, admin.site).measured(result)
    user = f.UserFactory()
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    page = unit_page(user, result.unit_result.unit, day=result.unit_result.as_of)
    page_text = next(line.value for s in page.sections for line in s.lines if line.code == code)
    assert admin_text == page_text == value_text(result.requirement, value) == text


def test_the_models_status_choices_are_the_engines_words():
    assert dict(RequirementResult.Status.choices) == t.STATUS_LABELS


@pytest.mark.parametrize("status", list(t.STATUS_LABELS))
def test_the_badge_says_the_engines_word_for_each_status(status):
    html = render_to_string("partials/_status_badge.html", {"status": status})
    others = [w for s, w in t.STATUS_LABELS.items() if s != status and w not in t.STATUS_LABELS[status]]
    assert t.STATUS_LABELS[status] in html and not any(w in html for w in others)


def test_the_status_legend_shows_every_status_in_the_engines_words():
    html = render_to_string("partials/_status_legend.html", {})
    assert all(word in html for word in t.STATUS_LABELS.values())


def test_every_import_kind_has_its_swedish_name_in_the_registry():
    assert set(registry.LABELS) == set(registry.KINDS)


def test_the_import_page_names_the_kinds_in_the_registrys_words():
    choices = dict(UploadForm().fields["kind"].choices)
    assert choices == {k: f"{registry.LABELS[k]} ({k})" for k in registry.KINDS}
    assert {k["kind"]: k["label"] for k in import_kinds()} == {k: kind_label(k) for k in registry.kinds()}
