"""The as-of date (`?per=`, portal/as_of.py) on every page that shows stored results: a date
before the first stored result says so — "Det finns inga beräknade resultat för …" with a link to the
earliest day that has them — instead of an empty page ("till och med –." over an empty table)."""

import datetime
import html as html_module
import re

import pytest
from django.urls import reverse

from compliance.models import UnitResult
from portal.as_of import as_of_from
from units.permissions import Roles, ensure_groups

from .. import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
FIRST = datetime.date(2026, 9, 30)  # the earliest stored date
BEFORE = "2026-01-01"


@pytest.fixture
def unit():
    unit = f.CareUnitFactory(name="Vårdcentralen Exempel")
    for day in (FIRST, datetime.date(2026, 11, 15)):
        UnitResult.objects.create(
            as_of=day, unit=unit, decision=f.decision(), evaluation_month="2026-10", booking_level=2
        )
    return unit


@pytest.fixture
def koncernstab(client):
    user = f.UserFactory()
    user.groups.add(ensure_groups()[Roles.KONCERNSTAB])
    client.force_login(user)
    return user


def pages(unit) -> list[tuple[str, dict]]:
    """Every page that reads stored results, with the parameters that give it a table."""
    return [
        (reverse("portal:dashboard"), {}),
        (reverse("portal:unit_list"), {}),
        (reverse("portal:unit_detail", args=[unit.hsa_id]), {}),
        (reverse("portal:comparison"), {"vardomrade": unit.vardomrade_id, "typ": "mottagning"}),
    ]


def links(html: str) -> list[str]:
    return [html_module.unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def test_a_date_before_the_first_stored_result_says_so_and_links_to_the_earliest(client, koncernstab, unit):
    for path, params in pages(unit):
        response = client.get(path, {**params, "per": BEFORE})
        assert response.status_code == 200, path
        html = response.content.decode()
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        assert (
            "Det finns inga beräknade resultat för 2026-01-01. Tidigaste dag med resultat är 2026-09-30."
            in text
        ), path
        # The link keeps the page's other choices and asks for the earliest day.
        earliest = [h for h in links(html) if "per=2026-09-30" in h]
        assert earliest, path
        for key, value in params.items():
            assert f"{key}={value}" in earliest[0], (path, earliest[0])
        assert "till och med –" not in text and "per –" not in text, path
        if "jamforelse" in path:  # offerings are as registered now: shown, said to be without results
            assert "nivå och svarstid saknas (inga sparade resultat)" in text
        else:  # no table of results under the notice
            assert "<table" not in html.split('id="main"', 1)[1], path


def test_the_earliest_day_shows_its_results(client, koncernstab, unit):
    html = client.get(reverse("portal:dashboard"), {"per": FIRST.isoformat()}).content.decode()
    assert "Det finns inga beräknade resultat" not in html
    assert "Resultat per <strong>30 september 2026</strong>" in html


def test_without_any_stored_result_every_page_says_none_are_computed_yet(client, koncernstab, unit):
    UnitResult.objects.all().delete()
    for path, params in pages(unit):
        html = client.get(path, params).content.decode()
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        assert "Det finns inga beräknade resultat för 2026-11-20. Inga resultat har beräknats ännu" in text, (
            path
        )
        assert "till och med –" not in text, path


def test_the_earliest_day_is_read_only_when_nothing_is_shown(rf, unit, django_assert_num_queries):
    with django_assert_num_queries(1):  # the latest stored date on or before the date asked for
        as_of = as_of_from(rf.get("/", {"per": "2026-10-15"}))
    assert as_of.shown == FIRST and as_of.earliest is None
    with django_assert_num_queries(2):  # … and, as there is none, the earliest stored date
        as_of = as_of_from(rf.get("/", {"per": BEFORE}))
    assert as_of.shown is None and as_of.earliest == FIRST
    with django_assert_num_queries(1):  # a page that reads no stored results asks for the date alone
        as_of = as_of_from(rf.get("/", {"per": BEFORE}), earliest=False)
    assert as_of.shown is None and as_of.earliest is None
