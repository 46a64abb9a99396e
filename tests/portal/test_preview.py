"""The preview's comparison (portal/preview.py): two evaluations in, the differences in words
out — pure, so tested on hand-made evaluations; and the facts a proposal replaces."""

import datetime
from decimal import Decimal

import pytest

from compliance.engine import evaluate_unit
from compliance.engine import types as t
from compliance.loader import load_context, load_units
from compliance.services import today
from portal.preview import compare, level_text, preview_booking, preview_offerings, preview_roles
from units.models import AdminRole, BookingFigures
from units.services import OfferingRow

from .. import factories as f

DAY = datetime.date(2026, 11, 15)
RULES = (
    t.RequirementRule("TB1-VISA", "TB", 1, "Visa bokade tider"),
    t.RequirementRule("TB2-OMBOKA", "TB", 2, "Omboka tid"),
    t.RequirementRule("AH1-REGIONALA-TJANSTER", "AH", None, "Regionala ärendehanteringstjänster"),
)


def evaluation(statuses: dict[str, str], level, with_exemptions=False) -> t.UnitEvaluation:
    facts = t.UnitFacts(1, "SE-1", "mottagning", "PASiS", True, False)
    requirements = {
        code: t.RequirementOutcome(code, status, f"skäl {code} {status}") for code, status in statuses.items()
    }
    return t.UnitEvaluation(facts, requirements, level, with_exemptions, None)


BEFORE = {"TB1-VISA": "met", "TB2-OMBOKA": "not_met", "AH1-REGIONALA-TJANSTER": "not_met"}


def test_the_level_and_each_changed_status_are_said_in_words():
    after = {**BEFORE, "TB2-OMBOKA": "met", "AH1-REGIONALA-TJANSTER": "met"}
    preview = compare(evaluation(BEFORE, 1), evaluation(after, 2), RULES, as_of=DAY)
    assert preview.level_sentence == "Med ändringen: nivå 1 → nivå 2"
    assert [c.sentence for c in preview.changes] == [
        "TB2-OMBOKA blir uppfyllt",
        "AH1-REGIONALA-TJANSTER blir uppfyllt",
    ]
    assert preview.changes[0].reason == "skäl TB2-OMBOKA met"  # the new reason, from the engine
    assert (preview.changes[0].before_label, preview.changes[0].after_label) == ("Ej uppfyllt", "Uppfyllt")
    assert not preview.unchanged


def test_a_requirement_that_stops_being_met_and_a_level_with_exemptions():
    after = {**BEFORE, "TB1-VISA": "exempt"}
    preview = compare(evaluation(BEFORE, 1), evaluation(after, 1, with_exemptions=True), RULES, as_of=DAY)
    assert preview.level_sentence == "Med ändringen: nivå 1 → nivå 1 med avsteg"
    assert [c.sentence for c in preview.changes] == ["TB1-VISA täcks av avsteg"]


def test_no_change_says_so():
    preview = compare(evaluation(BEFORE, 1), evaluation(BEFORE, 1), RULES, as_of=DAY, notes=["en not"])
    assert preview.unchanged and preview.changes == ()
    assert preview.level_sentence == "Med ändringen: oförändrat, nivå 1"
    assert preview.notes == ("en not",)


@pytest.mark.parametrize(
    ("level", "with_exemptions", "text"),
    [
        (None, False, "ingen nivå (tidbokning bedöms inte)"),
        (0, True, "nivå 0"),
        (3, True, "nivå 3 med avsteg"),
    ],
)
def test_level_text(level, with_exemptions, text):
    assert level_text(level, with_exemptions) == text


# --- Proposals applied to the unit's real facts (database) ----------------------------------------------


@pytest.fixture
def periods(db):
    day = today()
    previous = f.SchedulePeriodFactory(
        code="P-FORE",
        start_date=day - datetime.timedelta(days=100),
        end_date=day - datetime.timedelta(days=21),
    )
    current = f.SchedulePeriodFactory(
        code="P-NU", start_date=day - datetime.timedelta(days=20), end_date=day + datetime.timedelta(days=60)
    )
    old = f.SchedulePeriodFactory(
        code="P-GAMMAL",
        start_date=day - datetime.timedelta(days=300),
        end_date=day - datetime.timedelta(days=200),
    )
    return previous, current, old


def figures(**values):
    base = dict(
        booked_total=400,
        booked_visible=400,
        booked_cancellable=400,
        booked_reschedulable=120,
        slots_total=500,
        slots_open_invitation=0,
        slots_citizen_bookable=50,
        lookahead_weeks=Decimal("9"),
    )
    return BookingFigures(**{**base, **values})


def test_figures_of_the_previous_period_change_the_trend(periods):
    previous, current, _ = periods
    unit = f.CareUnitFactory()
    f.BookingFiguresFactory(unit=unit, period=current, booked_reschedulable=120)
    f.BookingFiguresFactory(unit=unit, period=previous, booked_reschedulable=100)
    # The previous share rises above this period's 30 %: the trend is no longer met.
    preview = preview_booking(unit, previous, figures(booked_reschedulable=200))
    assert "TB2-OMBOKA-ANDEL blir ej uppfyllt" in [c.sentence for c in preview.changes]
    assert any("föregående period" in note for note in preview.notes)
    assert BookingFigures.objects.get(unit=unit, period=previous).booked_reschedulable == 100


def test_figures_of_an_older_period_change_nothing_today_and_say_so(periods):
    _, current, old = periods
    unit = f.CareUnitFactory()
    f.BookingFiguresFactory(unit=unit, period=current)
    preview = preview_booking(unit, old, figures(booked_visible=0))
    assert preview.unchanged
    assert "påverkar inte dagens bedömning" in preview.notes[0]


def test_an_offering_preview_matches_the_engine_on_the_same_facts_saved(periods):
    """The preview is the engine's verdict: evaluating the facts once saved gives the same statuses."""
    unit = f.CareUnitFactory()
    rows = [
        OfferingRow("tjanst", "KONTAKT", "regional", True, f.service("KONTAKT")),
        OfferingRow("tjanst", "Egen", "lokal", True),
    ]
    preview = preview_offerings(unit, rows)
    after = {c.code: c.after for c in preview.changes}
    assert after == {"AH0-DIGITAL-KONTAKT": "met"}  # AH1 stays not met: a local service

    for row in rows:
        f.OfferingFactory(unit=unit, kind=row.kind, code=row.code, variant=row.variant)
    context = load_context(today())
    saved = evaluate_unit(load_units(context, [unit.pk])[0], context.rulebook, today())
    assert saved.requirements["AH0-DIGITAL-KONTAKT"].status == "met"
    assert saved.requirements["AH1-REGIONALA-TJANSTER"].status == "not_met"


def test_a_role_preview_never_names_another_unit(periods):
    unit, other = f.CareUnitFactory(), f.CareUnitFactory(name="Hemlig enhet")
    f.AdminRoleFactory(unit=other, person_id="P1", role=AdminRole.Role.LOKAL_ADMINISTRATOR)
    preview = preview_roles(unit, [("P1", AdminRole.Role.LOKAL_ADMINISTRATOR)])
    assert "AR1-LOKAL-ADMIN" not in [c.code for c in preview.changes]  # P1 has two units: still met
    text = " ".join([*preview.notes, *(c.reason for c in preview.changes)])
    assert "andra enheter" in text and "Hemlig enhet" not in text and other.hsa_id not in text
