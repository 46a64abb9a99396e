"""`Exemption.objects.active_on(day)` is `exemptions.rules.is_active` in SQL: one rule, two forms, held equal
for every state, for days before, on and after each boundary (valid_from, valid_until, ended_on)."""

import datetime

import pytest

from exemptions.models import Exemption
from exemptions.rules import is_active
from tests import factories as f

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 3, 10), datetime.date(2026, 3, 20)


def test_active_on_selects_exactly_the_exemptions_is_active_calls_active():
    unit = f.CareUnitFactory()
    made = []
    for status in Exemption.Status.values:
        for ended_on in [START, datetime.date(2026, 3, 15), END] if status == "revoked" else [None]:
            made.append(
                f.ExemptionFactory(
                    unit=unit, status=status, valid_from=START, valid_until=END, ended_on=ended_on
                )
            )
    checked = 0
    for offset in range(-2, 14):
        day = START + datetime.timedelta(days=offset)
        expected = {
            e.pk
            for e in made
            if is_active(
                status=e.status,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
                ended_on=e.ended_on,
                day=day,
            )
        }
        assert set(Exemption.objects.active_on(day).values_list("pk", flat=True)) == expected, day
        checked += len(expected)
    # The rule says something: approved and expired ones are active on all 11 days of their range, the
    # revoked ones before their end (0, 5 and 10 days); nothing else ever is.
    assert checked == 11 + 11 + 0 + 5 + 10
