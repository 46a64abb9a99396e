"""Which units a requirement applies to is written once (`units.applicability`): the engine judges by
it, a common decision covers the units it names, and its query form picks the same units as its Python
form for every kind of unit."""

import datetime
import itertools
from pathlib import Path

import pytest
from django.conf import settings

from compliance.engine import evaluate_unit
from compliance.engine.types import NOT_APPLICABLE
from compliance.loader import load_context, load_units
from exemptions.services import affected_units
from tests import factories as f
from units.applicability import BOOKING_GROUP, applies, applies_q
from units.models import CareUnit

pytestmark = pytest.mark.django_db

GROUPS = ("TB", "AH", "SV", "AR")


@pytest.fixture
def units():
    made = {}
    for active, card, system in itertools.product(
        (True, False), (True, False), CareUnit.BookingSystem.values
    ):
        made[(active, card, system)] = f.CareUnitFactory(
            active=active, has_contact_card=card, booking_system=system
        )
    return made


def test_the_query_picks_the_units_the_rule_says_for_every_group(units):
    for group in GROUPS:
        expected = {
            u.pk
            for (active, card, system), u in units.items()
            if active and applies(group=group, has_contact_card=card, booking_system=system)
        }
        assert set(CareUnit.objects.filter(applies_q(group)).values_list("pk", flat=True)) == expected, group
    # The rule says something: booking requirements apply to fewer units than the others, to some.
    tb = CareUnit.objects.filter(applies_q(BOOKING_GROUP)).count()
    assert 0 < tb < CareUnit.objects.filter(applies_q("AH")).count() < len(units)


def test_a_common_decision_covers_the_units_the_engine_judges_on_the_booking_requirements(units):
    day = datetime.date(2026, 11, 2)
    context = load_context(day)
    judged = {
        facts.unit_id
        for facts in load_units(context, [u.pk for u in units.values()])
        if evaluate_unit(facts, context.rulebook, day).requirements["TB1-VISA"].status != NOT_APPLICABLE
    }
    covered = set()
    for system in CareUnit.BookingSystem.values:
        covered |= set(affected_units(system).values_list("pk", flat=True))
    assert covered == judged
    assert set(affected_units().values_list("pk", flat=True)) == judged  # every system's, for the page


def test_no_other_module_decides_applicability_itself():
    """The tell-tale conditions of a copy: a contact-card or "ingen" test beside the rule's own module."""
    copies = ('booking_system != "ingen"', 'booking_system == "ingen"', "has_contact_card=True")
    found = []
    for folder in ("compliance/engine", "exemptions", "portal/exemptions"):
        for path in (Path(settings.BASE_DIR) / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(settings.BASE_DIR)}: {c}" for c in copies if c in text]
    assert found == []
