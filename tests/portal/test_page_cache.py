"""The page cache (servicelevel/page_cache.py) on the dashboard, the unit list, a unit page and the
comparison: a second request is cheaper and the same page; nobody gets a page made for someone else's
rights; every change a page shows — results stored, an import, an admin edit, a right taken away — shows
on the very next request; the CSRF token and the header are always the request's own."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import remove_perm

from compliance.services import recompute
from units.models import CareUnit, Offering, Vardomrade
from units.permissions import Roles, ensure_groups, grant_area

from .. import factories as f
from ..admin_forms import form_data

pytestmark = pytest.mark.django_db

NOW = "2026-11-21 12:00 +01:00"
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def region(django_capture_on_commit_callbacks):
    """A small demo region through the ordinary importers, with today's results stored."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "seed_demo",
            "--units",
            "40",
            "--cases",
            "3000",
            "--today",
            TODAY.isoformat(),
            stdout=io.StringIO(),
        )
    return CareUnit.objects.order_by("hsa_id")


def user_in(role):
    user = f.UserFactory()
    user.groups.add(ensure_groups()[role])
    return user


@pytest.fixture
def chef(region):
    """A unit manager for one vårdområde (not the one with the most units)."""
    area = Vardomrade.objects.filter(careunit__isnull=False).order_by("pk").first()
    user = user_in(Roles.VERKSAMHETSCHEF)
    grant_area(user, area)
    return user, area


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def page(c: Client, url: str) -> str:
    response = c.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return without_tokens(response.content.decode())


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens (new on every response)."""
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def fresh(c: Client, url: str) -> str:
    """The page computed from scratch (nothing kept)."""
    cache.clear()
    return page(c, url)


def urls(region) -> dict[str, str]:
    unit = region.filter(has_contact_card=True).first()
    return {
        "dashboard": "/",
        "unit list": "/enheter/?sort=name&page=1",
        "unit page": f"/enheter/{unit.hsa_id}/",
        "comparison": f"/jamforelse/?forvaltning={unit.forvaltning_id}&typ={unit.unit_type}",
    }


@pytest.mark.parametrize("name", ["dashboard", "unit list", "unit page", "comparison"])
def test_a_second_request_costs_fewer_queries_and_shows_the_same_page(
    region, name, django_assert_num_queries
):
    url = urls(region)[name]
    c = signed_in(user_in(Roles.KONCERNSTAB))
    with CaptureQueriesContext(connection) as computed:
        first = page(c, url)
    # 1 the session, 2 the user, 3 the user's roles for the navigation: nothing of the page itself.
    with django_assert_num_queries(3):
        again = page(c, url)
    assert len(computed) > 3
    assert again == first
    assert again == fresh(c, url)


def test_every_parameter_the_page_reads_is_part_of_the_key(region):
    c = signed_in(user_in(Roles.KONCERNSTAB))
    urls = ("/enheter/?sort=name", "/enheter/?sort=-name", "/enheter/?sort=name&per=2026-10-31")
    pages = [page(c, url) for url in urls]
    assert len(set(pages)) == 3
    for url, html in zip(urls, pages, strict=True):
        assert page(c, url) == html == fresh(c, url)


@pytest.mark.parametrize("region_wide_first", [True, False])
def test_users_of_different_scope_never_see_each_others_units_with_a_warm_cache(
    region, chef, region_wide_first
):
    manager, area = chef
    outside = region.exclude(vardomrade=area).first()
    inside = region.filter(vardomrade=area).first()
    staff, unit_manager = signed_in(user_in(Roles.KONCERNSTAB)), signed_in(manager)
    order = [(staff, True), (unit_manager, False)]
    for c, sees_all in order if region_wide_first else order[::-1]:
        assert ("som du har behörighet till" in page(c, "/")) is not sees_all
        for url in ("/enheter/?sort=name", f"/enheter/?q={outside.hsa_id}"):
            assert (f'href="/enheter/{outside.hsa_id}/' in page(c, url)) is sees_all, url
        assert f'href="/enheter/{inside.hsa_id}/' in page(c, "/enheter/?sort=name")
        assert c.get(f"/enheter/{outside.hsa_id}/").status_code == (200 if sees_all else 404)


def test_a_grant_taken_away_shows_on_the_next_request(region, chef):
    manager, area = chef
    unit = region.filter(vardomrade=area).first()
    c = signed_in(manager)
    assert unit.hsa_id in page(c, "/enheter/")
    assert c.get(f"/enheter/{unit.hsa_id}/").status_code == 200
    for codename in ("view_vardomrade", "change_vardomrade"):
        remove_perm(f"units.{codename}", manager, area)
    assert unit.hsa_id not in page(c, "/enheter/")
    assert c.get(f"/enheter/{unit.hsa_id}/").status_code == 404


def test_a_role_taken_away_shows_on_the_next_request(region):
    user = user_in(Roles.KONCERNSTAB)
    unit = region.first()
    c = signed_in(user)
    assert unit.hsa_id in page(c, "/enheter/")
    user.groups.clear()  # no role, no grant: no unit
    assert unit.hsa_id not in page(c, "/enheter/")
    assert c.get(f"/enheter/{unit.hsa_id}/").status_code == 404


def test_an_import_then_an_immediate_page_read_shows_the_new_result(
    region, write_file, django_capture_on_commit_callbacks
):
    unit = region.filter(has_contact_card=True).first()
    c = signed_in(user_in(Roles.KONCERNSTAB))
    url = f"/enheter/{unit.hsa_id}/"
    before, dashboard_before = page(c, url), page(c, "/")
    # A hundred October cases never answered: the unit's response time (the evaluation month) changes.
    rows = "".join(
        f"X{n:05d},{unit.hsa_id},KONTAKT,2026-10-{5 + n % 20:02d}T09:00:00,,\n" for n in range(100)
    )
    path = write_file(
        "case_id,unit_hsa_id,service_code,received_at,first_response_at,delay_notified_at\n" + rows
    )
    with django_capture_on_commit_callbacks(execute=True):  # the recompute runs on commit, in-process
        call_command("import_data", "cases", str(path), stdout=io.StringIO())
    after, dashboard_after = page(c, url), page(c, "/")
    assert after != before and dashboard_after != dashboard_before
    assert after == fresh(c, url)
    assert dashboard_after == fresh(c, "/")


def test_a_recompute_that_stores_results_changes_the_page(region):
    unit = region.filter(has_contact_card=True, offerings__isnull=False).distinct().first()
    c = signed_in(user_in(Roles.KONCERNSTAB))
    url = f"/enheter/{unit.hsa_id}/"
    before = page(c, url)
    # Removed beside the write path (no signal, no audit): the kept page stays until results are stored.
    Offering.objects.filter(unit=unit).delete()
    assert page(c, url) == before
    recompute(as_of=TODAY, unit_ids=[unit.pk])
    after = page(c, url)
    assert after != before
    assert after == fresh(c, url)


def test_the_admins_edit_of_a_unit_changes_its_page(region, admin_client, django_capture_on_commit_callbacks):
    unit = region.first()
    c = signed_in(user_in(Roles.KONCERNSTAB))
    url = f"/enheter/{unit.hsa_id}/"
    assert "Nytt namn på mottagningen" not in page(c, url)
    admin_url = f"/admin/units/careunit/{unit.pk}/change/"
    data = form_data(admin_client, admin_url)
    data["name"] = "Nytt namn på mottagningen"
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(admin_url, data).status_code == 302
    assert "Nytt namn på mottagningen" in page(c, url)
    assert "Nytt namn på mottagningen" in page(c, "/enheter/")


def test_the_csrf_token_and_the_header_are_the_requests_own_on_a_kept_page(region):
    unit = region.filter(has_contact_card=True).first()
    user = user_in(Roles.KONCERNSTAB)
    url = f"/enheter/{unit.hsa_id}/"
    signed_in(user).get(url)  # kept, from another session with another CSRF secret
    get_user_model().objects.filter(pk=user.pk).update(first_name="Ny", last_name="Person")  # no signal
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    response = c.get(url)
    html = response.content.decode()
    assert "Inloggad som <strong>Ny Person</strong>" in html
    assert "Enhetskort som PDF" in html  # the kept part with the form in it
    before_button = html[: html.index("Enhetskort som PDF")]
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', before_button)[-1]  # the form's own
    # The token in the kept part is valid for this session: the logout form's check accepts it.
    assert c.post("/konto/logga-ut/", {"csrfmiddlewaretoken": "wrong"}).status_code == 403
    assert c.post("/konto/logga-ut/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_an_htmx_fragment_and_a_turned_off_cache_are_computed_every_time(region, settings):
    c = signed_in(user_in(Roles.KONCERNSTAB))
    c.get("/enheter/", HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as fragment:
        c.get("/enheter/", HTTP_HX_REQUEST="true")
    settings.PAGE_CACHE_SECONDS = 0
    page(c, "/")
    with CaptureQueriesContext(connection) as uncached:
        page(c, "/")
    assert len(fragment) > 3 and len(uncached) > 3
