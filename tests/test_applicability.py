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
from servicelevel.kinds import CONDITION_NAMES
from servicelevel.models import Decision, Requirement
from tests import factories as f
from units.applicability import (
    BOOKING_CONDITIONS,
    CONDITIONS,
    applies,
    applies_q,
    booking_q,
    conditions_of,
    is_booking_requirement,
)
from units.models import CareUnit

pytestmark = pytest.mark.django_db

# Every list of conditions a rulebook may give (the shipped ones: none, [contact_card] and
# [contact_card, booking_system]), the other orders too.
CONDITION_LISTS = [
    combination
    for n in range(len(CONDITION_NAMES) + 1)
    for combination in itertools.permutations(CONDITION_NAMES, n)
]


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


def test_the_query_picks_the_units_the_rule_says_for_every_list_of_conditions(units):
    for conditions in CONDITION_LISTS:
        expected = {
            u.pk
            for (active, card, system), u in units.items()
            if active and applies(conditions, has_contact_card=card, booking_system=system)
        }
        found = set(CareUnit.objects.filter(applies_q(conditions)).values_list("pk", flat=True))
        assert found == expected, conditions
    # The rule says something: booking requirements apply to fewer units than the others, to some.
    tb = CareUnit.objects.filter(applies_q(BOOKING_CONDITIONS)).count()
    assert 0 < tb < CareUnit.objects.filter(applies_q(["contact_card"])).count() < len(units)


def test_a_requirement_is_judged_by_its_own_conditions_not_by_its_group():
    skane = Decision.in_force(datetime.date(2026, 11, 2))
    tb1 = Requirement.objects.get(decision=skane, code="TB1-VISA")
    ah3 = Requirement.objects.get(decision=skane, code="AH3-BASUTBUD")
    assert conditions_of(tb1) == BOOKING_CONDITIONS and is_booking_requirement(tb1)
    assert conditions_of(ah3) == ("contact_card",) and not is_booking_requirement(ah3)
    # A booking requirement under another group name is still one: the group is only a page section.
    tb1.group = "AH"
    assert is_booking_requirement(tb1)
    assert applies(ah3, has_contact_card=True, booking_system="ingen")
    assert not applies(tb1, has_contact_card=True, booking_system="ingen")
    with pytest.raises(TypeError):
        conditions_of("TB")  # a group code says nothing of where a requirement applies
    booking = set(Requirement.objects.filter(booking_q(), decision=skane).values_list("code", flat=True))
    assert booking == {
        r.code for r in Requirement.objects.filter(decision=skane) if "booking_system" in r.applies_if
    }
    assert booking and all(code.startswith("TB") for code in booking)


def test_the_conditions_are_the_rulebook_files_conditions():
    assert tuple(CONDITIONS) == CONDITION_NAMES


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
