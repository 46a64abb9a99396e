"""Rules of the exemption and action-plan pages kept in one home: the target form and the model agree
on a share's limits, every form's error summary is the one partial, and the pages' views read only
through their selectors."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from actionplan.rules import percent_problem, share_problem
from portal.actionplan.forms import TargetForm
from tests import factories as f

pytestmark = pytest.mark.django_db

PERCENTS = ["0", "0,01", "12,5", "12,34", "12,345", "99,99", "100", "100,01", "-0,01", "150", "33,3333"]


@pytest.mark.parametrize("typed", PERCENTS)
def test_the_target_form_and_the_model_agree_on_a_shares_limits(typed):
    """What the form refuses in percent, the model refuses as a fraction, and nothing else."""
    target = f.TargetFactory.build(vardomrade=f.VardomradeFactory(), period=f.SchedulePeriodFactory())
    form = TargetForm(
        {
            "vardomrade": target.vardomrade.pk,
            "period": target.period.pk,
            "requirement": target.requirement.pk,
            "share_percent": typed,
        }
    )
    form_refuses = not form.is_valid() and "share_percent" in form.errors
    share = Decimal(typed.replace(",", ".")) / 100
    target.target_share = share
    try:
        target.full_clean()
        model_refuses = False
    except ValidationError as error:
        model_refuses = "target_share" in error.message_dict
    assert form_refuses == model_refuses == (share_problem(share) is not None)
    if form_refuses:
        assert form.errors["share_percent"] == [percent_problem(share * 100)]


def test_both_wordings_come_from_one_rule():
    assert share_problem(Decimal("1.2")) == "ska vara mellan 0 och 1, inte 1.2"
    assert percent_problem(Decimal("120")) == "Andelen ska vara mellan 0 och 100 %."
    assert share_problem(Decimal("0.12345")) == "högst fyra decimaler, inte 0.12345"
    assert percent_problem(Decimal("12.345")) == "Högst två decimaler."
    assert percent_problem(Decimal("12.34")) is share_problem(Decimal("0.1234")) is None


FORM_PAGES = [
    "exemptions/templates/portal/exemptions_edit.html",
    "exemptions/templates/portal/exemptions_new.html",
    "exemptions/templates/portal/exemptions_group_new.html",
    "exemptions/templates/portal/exemptions_system.html",
    "actionplan/templates/portal/actionplan_activity.html",
    "actionplan/templates/portal/actionplan_obstacle.html",
    "actionplan/templates/portal/actionplan_obstacle_new.html",
    "actionplan/templates/portal/actionplan_phase_out.html",
    "actionplan/templates/portal/actionplan_target.html",
]
PORTAL = Path(settings.BASE_DIR) / "portal"


@pytest.mark.parametrize("template", FORM_PAGES)
def test_each_form_page_includes_the_one_error_summary(template):
    text = (PORTAL / template).read_text(encoding="utf-8")
    assert '{% include "portal/_form_error_summary.html"' in text


def test_the_error_summary_markup_lives_in_its_partial_only():
    copies = [
        str(path.relative_to(PORTAL))
        for feature in ("exemptions", "actionplan")
        for path in (PORTAL / feature).rglob("*.html")
        if "ds-error-summary" in path.read_text(encoding="utf-8")
    ]
    assert copies == []
    assert (
        "ds-error-summary" in (PORTAL / "presentation/templates/portal/_form_error_summary.html").read_text()
    )


FEATURES = sorted(p.parent.name for p in PORTAL.glob("*/views.py"))


def test_every_feature_is_found():
    assert FEATURES == [
        "actionplan",
        "audit",
        "comparison",
        "dashboard",
        "exemptions",
        "imports",
        "reports",
        "rulebook",
        "self_service",
        "sign_in",
        "unit_history",
        "units",
    ]


@pytest.mark.parametrize("feature", FEATURES)
def test_the_views_read_only_through_selectors(feature):
    """No `Model.objects…`, `get_object_or_404` or query method on a queryset in the views: reads are the
    feature's selectors (which answer 404 for what is not the user's), writes the apps' services."""
    tree = ast.parse((PORTAL / feature / "views.py").read_text(encoding="utf-8"))
    queries = {"objects", "exists", "count", "values_list", "select_related", "filter", "get_object_or_404"}
    found = sorted(
        {
            f"{node.lineno}: {ast.unparse(node)}"
            for node in ast.walk(tree)
            if (isinstance(node, ast.Attribute) and node.attr in queries)
            or (isinstance(node, ast.Name) and node.id == "get_object_or_404")
        }
    )
    assert found == []


@pytest.mark.parametrize("package", ["exemptions", "actionplan", "dashboard", "units", "comparison"])
def test_the_large_selectors_are_packages_of_small_modules(package):
    sizes = {
        p.name: len(p.read_text(encoding="utf-8").splitlines())
        for p in (PORTAL / package / "selectors").glob("*.py")
    }
    assert len(sizes) > 2 and max(sizes.values()) <= 450, sizes


def test_no_selector_module_grows_past_450_lines():
    sizes = {
        str(p.relative_to(PORTAL)): len(p.read_text(encoding="utf-8").splitlines())
        for p in [*PORTAL.glob("*/selectors.py"), *PORTAL.glob("*/selectors/*.py"), PORTAL / "preview.py"]
    }
    assert len(sizes) > 10 and max(sizes.values()) <= 450, sizes
