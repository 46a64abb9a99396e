"""The REST API (/api/v1/, docs/api.md): the pages' rights behind a Bearer token — each role, a unit
manager's token that reads only their units — 401/403/404/429, the token's lifecycle and its command,
and an import posted through the API landing exactly as the same file through import_data."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from servicelevel.models import AuditEntry, ImportJob
from units.models import CareUnit
from units.permissions import Roles, grant_provider

from .. import factories as f
from ..helpers import UNITS_HEADER, manage, unit_line, user_in

pytestmark = pytest.mark.django_db

UNITS = reverse("api:units")
RULEBOOK = reverse("api:rulebook")
EXEMPTIONS = reverse("api:exemptions")


def unit_url(hsa_id):
    return reverse("api:unit", args=[hsa_id])


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def token_for(user, scope="read", days=30):
    return tokens.create(user=user, name="test", scope=scope, days=days)[1]


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")


@pytest.fixture
def world():
    provider = f.ProviderFactory(name="Capio Vårdcentral AB")
    mine = f.CareUnitFactory(hsa_id="SE2321000255-M001", name="Min mottagning")
    other = f.CareUnitFactory(hsa_id="SE2321000255-O001", name="Annan mottagning")
    private = f.CareUnitFactory(hsa_id="SE2321000255-P001", name="Privat mottagning", provider=provider)
    chef = user_in(Roles.VERKSAMHETSCHEF, units=[mine], username="chef")
    giver = user_in(Roles.VARDGIVARE, username="givare")
    grant_provider(giver, provider)
    return {
        "mine": mine,
        "other": other,
        "private": private,
        Roles.KONCERNSTAB: user_in(Roles.KONCERNSTAB, username="kurt"),
        Roles.HS_STYRNING: user_in(Roles.HS_STYRNING, username="hanna"),
        Roles.LEDNING: user_in(Roles.LEDNING, username="lena"),
        Roles.VERKSAMHETSCHEF: chef,
        Roles.VARDGIVARE: giver,
    }


def listed(client, secret, **params):
    response = client.get(UNITS, params, headers=bearer(secret))
    assert response.status_code == 200, response.content
    return [row["hsa_id"] for row in response.json()["results"]]


ALL = ["SE2321000255-M001", "SE2321000255-O001", "SE2321000255-P001"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Roles.KONCERNSTAB, ALL),
        (Roles.HS_STYRNING, ALL),
        (Roles.LEDNING, ALL),
        (Roles.VERKSAMHETSCHEF, ["SE2321000255-M001"]),
        (Roles.VARDGIVARE, ["SE2321000255-P001"]),
    ],
)
def test_each_role_lists_exactly_the_units_of_the_pages_and_reads_only_those(client, world, role, sees):
    secret = token_for(world[role])
    assert listed(client, secret) == sees
    for hsa_id in ALL:
        response = client.get(unit_url(hsa_id), headers=bearer(secret))
        assert response.status_code == (200 if hsa_id in sees else 404), (hsa_id, response.content)
    assert client.get(RULEBOOK, headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("role", "scope", "expected"),
    [
        (Roles.KONCERNSTAB, "write", 202),
        (Roles.HS_STYRNING, "write", 202),
        (Roles.KONCERNSTAB, "read", 403),  # the scope may not
        (Roles.LEDNING, "write", 403),  # the role may not
        (Roles.VERKSAMHETSCHEF, "write", 403),
        (Roles.VARDGIVARE, "write", 403),
    ],
)
def test_an_import_needs_a_write_scope_and_an_importing_role(client, world, role, scope, expected):
    secret = token_for(world[role], scope=scope)
    upload = SimpleUploadedFile("enheter.csv", (UNITS_HEADER + unit_line(hsa="SE2321000255-N001")).encode())
    response = client.post(
        reverse("api:import_start", args=["units"]), {"file": upload}, headers=bearer(secret)
    )
    assert response.status_code == expected, response.content
    if expected == 403:
        assert not ImportJob.objects.exists()
        assert "detail" in response.json()


def test_a_unit_managers_token_is_refused_everything_else(client, world):
    secret = token_for(world[Roles.VERKSAMHETSCHEF], scope="write")
    other = world["other"]
    assert client.get(unit_url(other.hsa_id), headers=bearer(secret)).status_code == 404
    # A filter naming another förvaltning or area of theirs is refused as a nonexistent one would be.
    foreign_area = other.vardomrade_id
    response = client.get(UNITS, {"vardomrade": foreign_area}, headers=bearer(secret))
    assert response.status_code == 400
    assert client.get(UNITS, {"vardomrade": 999999}, headers=bearer(secret)).json() == response.json()
    exemption = f.ExemptionFactory(unit=other)
    assert (
        client.get(
            reverse("api:exemption", args=[exemption.exemption_id]), headers=bearer(secret)
        ).status_code
        == 404
    )
    assert client.get(EXEMPTIONS, headers=bearer(secret)).json()["results"] == []
    job = ImportJob.objects.create(kind="units", filename="x.csv", path="/nonexistent")
    assert client.get(reverse("api:import_job", args=[job.pk]), headers=bearer(secret)).status_code == 403


def test_the_list_filters_as_the_unit_list(client, world):
    secret = token_for(world[Roles.KONCERNSTAB])
    private = world["private"]
    assert listed(client, secret, provider=private.provider_id) == ["SE2321000255-P001"]
    assert listed(client, secret, vardomrade=world["mine"].vardomrade_id) == ["SE2321000255-M001"]
    assert listed(client, secret, forvaltning=private.forvaltning_id) == ALL
    response = client.get(UNITS, {"as_of": "2026-02-30"}, headers=bearer(secret))
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_the_list_is_cursor_paginated(client, world):
    secret = token_for(world[Roles.LEDNING])
    first = client.get(UNITS, {"page_size": 2}, headers=bearer(secret)).json()
    assert [r["hsa_id"] for r in first["results"]] == ALL[:2]
    assert first["previous"] is None
    second = client.get(first["next"], headers=bearer(secret)).json()
    assert [r["hsa_id"] for r in second["results"]] == ALL[2:]
    assert second["next"] is None


def test_the_unit_has_export_compliances_fields_and_the_reasons(client, world):
    secret = token_for(world[Roles.VERKSAMHETSCHEF])
    body = client.get(unit_url("SE2321000255-M001"), headers=bearer(secret)).json()
    exported = manage("export_compliance")
    import json

    document = json.loads(exported.out)
    unit = next(u for u in document["units"] if u["hsa_id"] == "SE2321000255-M001")
    for key, value in unit.items():
        if key == "requirements":
            for code, outcome in value.items():
                assert {k: body["requirements"][code][k] for k in outcome} == outcome
                assert body["requirements"][code]["reason"]
        else:
            assert body[key] == value, key
    assert body["decision"] == document["decision"]


def test_the_rulebook_is_the_version_in_force_as_its_file(client, world):
    from servicelevel import rulebook_file
    from servicelevel.models import Decision
    from servicelevel.rulebooks import file_of

    secret = token_for(world[Roles.LEDNING])
    body = client.get(RULEBOOK, headers=bearer(secret)).json()
    decision = Decision.in_force(timezone.localdate())
    expected = rulebook_file.as_data(file_of(decision))
    assert body["decision"]["number"] == expected["decision"]["number"]
    assert [r["code"] for r in body["requirements"]] == [r["code"] for r in expected["requirements"]]
    assert client.get(RULEBOOK, {"as_of": "1999-01-01"}, headers=bearer(secret)).status_code == 200


def test_without_a_valid_token_401(client, world):
    user = world[Roles.KONCERNSTAB]
    assert client.get(UNITS).status_code == 401
    assert client.get(UNITS).headers["WWW-Authenticate"] == "Bearer"
    assert client.get(UNITS, headers=bearer("slp_nonsense")).status_code == 401
    assert client.get(UNITS, headers={"Authorization": "Bearer"}).status_code == 401
    # A signed-in browser session is no token.
    client.force_login(user)
    assert client.get(UNITS).status_code == 401
    client.logout()
    token, secret = tokens.create(user=user, name="a", days=1)
    assert client.get(UNITS, headers=bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(UNITS, headers=bearer(secret)).status_code == 401
    token, secret = tokens.create(user=user, name="b", days=1)
    assert tokens.revoke(token=token, actor=user)
    assert client.get(UNITS, headers=bearer(secret)).status_code == 401
    token, secret = tokens.create(user=user, name="c", days=1)
    user.is_active = False
    user.save()
    assert client.get(UNITS, headers=bearer(secret)).status_code == 401


def test_a_person_without_a_role_403(client):
    secret = token_for(f.UserFactory())
    assert client.get(UNITS, headers=bearer(secret)).status_code == 403


def test_throttled_per_token_429_with_retry_after(client, world, settings):
    settings.API_THROTTLE_RATE = "3/min"
    one, two = token_for(world[Roles.LEDNING]), token_for(world[Roles.LEDNING])
    assert [client.get(RULEBOOK, headers=bearer(one)).status_code for _ in range(3)] == [200] * 3
    refused = client.get(RULEBOOK, headers=bearer(one))
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get(RULEBOOK, headers=bearer(two)).status_code == 200  # another token has its own count


def test_the_token_is_stored_hashed_used_and_audited(client, world):
    user = world[Roles.LEDNING]
    token, secret = tokens.create(user=user, name="Rapportverktyget", scope="read", days=365)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.token_hash == tokens.digest(secret)
    assert token.last_used_at is None
    client.get(RULEBOOK, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None
    with pytest.raises(tokens.TokenRefused):
        tokens.create(user=user, name="x", days=366)
    assert tokens.revoke(token=token, actor=user)
    assert not tokens.revoke(token=token, actor=user)
    actions = list(AuditEntry.objects.filter(object_type="apitoken").values_list("action", flat=True))
    assert sorted(actions) == ["apitoken_created", "apitoken_revoked"]


def test_the_command_prints_the_token_once(client, world):
    ran = manage("create_api_token", "kurt", "--scope", "write", "--days", "10")
    assert ran.code == 0
    secret = ran.out.strip()
    assert "\n" not in secret and secret.startswith("slp_")
    token = ApiToken.objects.get(user__username="kurt")
    assert token.scope == "write"
    assert (token.expires_at - timezone.now()).days in (9, 10)
    assert client.get(UNITS, headers=bearer(secret)).status_code == 200
    assert manage("create_api_token", "kurt", "--days", "400").code != 0
    assert manage("create_api_token", "nobody").code != 0


def test_the_tokens_page_creates_shows_once_and_revokes(client, world):
    user = world[Roles.VERKSAMHETSCHEF]
    client.force_login(user)
    url = reverse("api_tokens")
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "create", "name": "Mitt system", "scope": "read", "days": "30"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=user)
    secret = html.split('id="ny-nyckel" type="text" readonly value="')[1].split('"')[0]
    assert tokens.digest(secret) == token.token_hash
    assert secret not in client.get(url).content.decode()  # shown once
    refused = client.post(url, {"action": "create", "name": "x", "scope": "read", "days": "400"})
    assert "Formuläret har fel" in refused.content.decode()
    # Another's token cannot be revoked from here.
    theirs, _ = tokens.create(user=world[Roles.LEDNING], name="deras")
    assert client.post(url, {"action": "revoke", "token": theirs.pk}).status_code == 404
    assert client.post(url, {"action": "revoke", "token": token.pk}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def snapshot():
    return sorted(
        CareUnit.objects.values_list(
            "hsa_id",
            "name",
            "forvaltning__name",
            "vardomrade__name",
            "unit_kind",
            "unit_type",
            "booking_system",
            "has_contact_card",
            "same_day_contact",
            "provider__name",
            "active",
        )
    )


class Undo(Exception):
    pass


def test_an_import_through_the_api_lands_exactly_as_import_data(
    client, world, write_file, django_capture_on_commit_callbacks
):
    text = (
        UNITS_HEADER
        + unit_line(hsa="SE2321000255-N001", name="Ny mottagning")
        + unit_line(hsa="SE2321000255-M001", name="Min mottagning, nytt namn")
        + unit_line(hsa="SE2321000255-N002", name="Privat ny", provider="Capio Vårdcentral AB")
    )
    with pytest.raises(Undo), transaction.atomic():
        ran = manage("import_data", "units", write_file(text))
        assert ran.code == 0, ran.err
        by_command, command_summary = snapshot(), ran.out.strip().splitlines()[-1]
        raise Undo
    before = snapshot()
    secret = token_for(world[Roles.KONCERNSTAB], scope="write")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:import_start", args=["units"]),
            {"file": SimpleUploadedFile("enheter.csv", text.encode())},
            headers=bearer(secret),
        )
    assert response.status_code == 202, response.content
    job_url = response.json()["url"]
    assert response.headers["Location"] == job_url
    job = client.get(job_url, headers=bearer(secret)).json()
    assert job["status"] == "done", job
    assert snapshot() == by_command != before
    assert command_summary.endswith(job["summary"]) or job["summary"] in ran.out
    assert AuditEntry.objects.filter(action="api_import_started").exists()
    assert AuditEntry.objects.filter(action="import", object_type="units").exists()


def test_a_rejected_import_writes_nothing_and_gives_line_numbered_messages(
    client, world, django_capture_on_commit_callbacks
):
    text = UNITS_HEADER + unit_line(hsa="SE2321000255-N001") + unit_line(hsa="inte-ett-hsa-id")
    before = snapshot()
    secret = token_for(world[Roles.HS_STYRNING], scope="write")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:import_start", args=["units"]),
            {"file": SimpleUploadedFile("enheter.csv", text.encode())},
            headers=bearer(secret),
        )
    job = client.get(response.json()["url"], headers=bearer(secret)).json()
    assert job["status"] == "rejected"
    assert job["problems"][0]["line"] == 3
    assert job["problems"][0]["column"] == "hsa_id"
    assert snapshot() == before


def test_an_unknown_kind_404_and_a_wrong_file_400(client, world):
    secret = token_for(world[Roles.KONCERNSTAB], scope="write")
    upload = SimpleUploadedFile("x.csv", b"a;b\n")
    assert (
        client.post(
            reverse("api:import_start", args=["nope"]), {"file": upload}, headers=bearer(secret)
        ).status_code
        == 404
    )
    upload = SimpleUploadedFile("x.pdf", b"a;b\n")
    assert (
        client.post(
            reverse("api:import_start", args=["units"]), {"file": upload}, headers=bearer(secret)
        ).status_code
        == 400
    )
    assert (
        client.post(reverse("api:import_start", args=["units"]), {}, headers=bearer(secret)).status_code
        == 400
    )


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get(reverse("api:schema"), headers={"Accept": "application/json"})
    assert schema.status_code == 200
    docs = client.get(reverse("api:docs"))
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "https://" not in html and "/static/drf_spectacular_sidecar/redoc/" in html


def test_a_page_of_units_is_a_fixed_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secret = token_for(world[Roles.KONCERNSTAB])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(UNITS, headers=bearer(secret)).status_code == 200
        return len(captured)

    few = queries()
    f.CareUnitFactory.create_batch(20, provider=world["private"].provider)
    assert queries() == few, "one query per unit"
    assert few <= 6  # the token, its last use, the roles, the decision, the page


def test_an_administrator_revokes_a_leaked_token_in_the_admin_audited(admin_client, world):
    owner = user_in(Roles.LEDNING)
    token, secret = tokens.create(user=owner, name="Läckt nyckel")
    changelist = reverse("admin:api_apitoken_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert (
        secret not in admin_client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    )
    response = admin_client.post(
        changelist, {"action": "revoke_tokens", "_selected_action": [token.pk]}, follow=True
    )
    assert "API-nycklar återkallade: 1." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="apitoken_revoked", object_id=str(token.pk)).exists()
    assert admin_client.post(reverse("admin:api_apitoken_change", args=[token.pk]), {}).status_code == 403
