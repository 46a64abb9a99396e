"""Every page as each role reads it: Swedish prompts instead of Django's "---------",
the region named once in the title, and no English or Python left in what people read.

It walks the permission matrix's world: every portal URL a role may open (GET 200), with the objects it
names."""

import re

import pytest

from .test_permission_matrix import (  # noqa: F401 (world is a fixture)
    RULES,
    body_of,
    cases,
    expected_get,
    url_for,
    world,
)

pytestmark = pytest.mark.django_db

ROLES = ["koncernstab", "styrning", "ledning", "enhetschef", "vardgivare"]


def pages(world, role):  # noqa: F811 (the fixture)
    """(url, html) of every page the role may open."""
    seen = set()
    for name, r, which in cases():
        if r != role or expected_get(name, role, which) != 200:
            continue
        url = url_for(world, name, role, which)
        if url in seen:
            continue
        seen.add(url)
        yield url


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_swedish_to(client, world, role):  # noqa: F811
    client.force_login(world["users"][role])
    checked = 0
    for url in pages(world, role):
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = body_of(response)
        checked += 1
        assert "---------" not in html, (
            f"{url}: Djangos tomma val '---------' i stället för en svensk uppmaning"
        )
        assert not re.search(r">\s*None\s*<", html), f"{url}: 'None' syns på sidan"
        # The approving department has one name: "Avdelningen för hälso- och sjukvårdsstyrning".
        text = re.sub(r"<[^>]+>", " ", html)
        assert "HS-styrning" not in text and "Hälso- och sjukvårdsstyrning" not in text, url
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        if title is None:  # a fragment (an htmx status), not a page
            continue
        assert title.group(1).count("Region Skåne") == 1, f"{url}: titeln {title.group(1)!r}"
    assert checked >= 10


def test_the_login_page_names_the_department_as_the_workflow_does(client):
    html = body_of(client.get("/konto/logga-in/"))
    assert "Avdelningen för hälso- och" in html and "Hälso- och sjukvårdsstyrning" not in html


def test_a_select_with_nothing_chosen_says_valj(client, world):  # noqa: F811
    """A model choice with nothing chosen yet (the booking systems' table: system and requirement) starts
    with a Swedish prompt; Django's widget would write "---------"."""
    client.force_login(world["users"]["koncernstab"])
    html = body_of(client.get("/avsteg/system/"))
    assert '<option value="" selected>– välj –</option>' in html


def test_the_dashboard_leads_on_to_a_forvaltning_or_a_vardomrade_with_the_right_article(client, world):  # noqa: F811
    client.force_login(world["users"]["koncernstab"])
    assert "Gå vidare till en förvaltning" in body_of(client.get("/"))
    unit = world["objects"]["enhetschef"]["unit"]
    html = body_of(client.get(f"/?forvaltning={unit.forvaltning_id}"))
    assert "Gå vidare till ett vårdområde" in html
    assert "Gå vidare till en vårdområde" not in html


@pytest.mark.parametrize(("lines", "words"), [(1, "1 rad"), (2, "2 rader")])
def test_an_import_job_counts_its_lines_in_swedish(client, world, lines, words):  # noqa: F811
    job = world["job"]
    job.lines = lines
    job.save()
    client.force_login(world["users"]["koncernstab"])
    html = body_of(client.get(f"/import/{job.pk}/"))
    assert f", {words}</dd>" in html
