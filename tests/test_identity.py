"""The shared mapping from an identity provider's claims to a portal user (servicelevel/identity.py)."""

import pytest
from django.test import RequestFactory

from servicelevel.identity import REFUSED_NO_ROLE, SignInRefused, sign_in_from_claims
from servicelevel.models import AuditEntry, ClaimRoleRule, SignInIdentity
from tests.factories import CareUnitFactory, ProviderFactory
from units.permissions import Roles, roles, visible_units

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example.se"


@pytest.fixture(autouse=True)
def _claims(settings):
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_UNIT_CLAIM = "commissionUnitHsaId"
    settings.OIDC_PROVIDER_CLAIM = "healthCareProviderHsaId"
    ClaimRoleRule.objects.create(claim_value="enhetschef", role=Roles.VERKSAMHETSCHEF)
    ClaimRoleRule.objects.create(claim_value="privat", role=Roles.VARDGIVARE)


def request_with_session():
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


def sign_in(subject="sub-1", **claims):
    return sign_in_from_claims(request_with_session(), issuer=ISSUER, subject=subject, claims=claims)


def test_role_choices_are_the_roles():
    assert [value for value, _ in ClaimRoleRule.ROLE_CHOICES] == list(Roles.ALL)


def test_first_sign_in_creates_the_user_with_the_claims_rights_and_a_changed_claim_changes_them():
    a, b = CareUnitFactory(), CareUnitFactory()
    user = sign_in(employeeHsaId="SE2321000016-ABCD", groups=["enhetschef"], commissionUnitHsaId=a.hsa_id)
    assert user.username == "SE2321000016-ABCD"
    assert not user.has_usable_password()
    assert roles(user) == {Roles.VERKSAMHETSCHEF}
    assert set(visible_units(user)) == {a}
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.detail["roles"] == [Roles.VERKSAMHETSCHEF] and entry.detail["units"] == [a.hsa_id]

    again = sign_in(employeeHsaId="SE2321000016-ABCD", groups="enhetschef", commissionUnitHsaId=[b.hsa_id])
    assert again.pk == user.pk and SignInIdentity.objects.count() == 1
    again._portal_roles = None
    assert set(visible_units(again)) == {b}


def test_found_by_subject_never_by_name():
    first = sign_in("sub-1", employeeHsaId="SE-1", groups="enhetschef")
    other = sign_in("sub-2", employeeHsaId="SE-1", groups="enhetschef")
    assert other.pk != first.pk and other.username == "SE-1-2"


def test_provider_claim_grants_the_providers_units_and_role_change_takes_effect():
    provider = ProviderFactory(hsa_id="SE2321000016-PROV")
    unit = CareUnitFactory(provider=provider)
    user = sign_in(groups=["privat"], healthCareProviderHsaId="SE2321000016-PROV")
    assert roles(user) == {Roles.VARDGIVARE} and set(visible_units(user)) == {unit}
    user = sign_in(groups=["enhetschef"])
    user._portal_roles = None
    assert roles(user) == {Roles.VERKSAMHETSCHEF} and not visible_units(user).exists()


def test_no_role_is_refused_audited_and_takes_away_what_the_user_had():
    unit = CareUnitFactory()
    user = sign_in(groups="enhetschef", commissionUnitHsaId=unit.hsa_id)
    with pytest.raises(SignInRefused) as refused:
        sign_in(groups=["okänd"], commissionUnitHsaId=unit.hsa_id)
    assert refused.value.message == REFUSED_NO_ROLE
    assert AuditEntry.objects.filter(action="sign_in_refused", object_id=str(user.pk)).exists()
    user.refresh_from_db()
    assert not roles(user) and not visible_units(user).exists()
    with pytest.raises(SignInRefused):
        sign_in("new-person", groups=[])
    assert not SignInIdentity.objects.filter(subject="new-person").exists()


def test_koncernstab_keeps_the_rules_in_the_portal_audited(client):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory
    from units.permissions import ensure_groups

    ensure_groups()
    karin = UserFactory(username="karin")
    karin.groups.add(Group.objects.get(name=Roles.KONCERNSTAB))
    client.force_login(karin)
    page = client.get("/inloggning/rollregler/")
    assert page.status_code == 200 and "enhetschef" in page.content.decode()
    response = client.post(
        "/inloggning/rollregler/", {"claim_value": " ledningsgrupp ", "role": Roles.LEDNING}
    )
    assert response.status_code == 302
    rule = ClaimRoleRule.objects.get(claim_value="ledningsgrupp")
    assert rule.role == Roles.LEDNING
    assert AuditEntry.objects.filter(action="claimrolerule_created", object_id=str(rule.pk)).exists()
    assert (
        client.post(
            "/inloggning/rollregler/", {"claim_value": "ledningsgrupp", "role": Roles.LEDNING}
        ).status_code
        == 400
    )
    assert client.post(f"/inloggning/rollregler/{rule.pk}/ta-bort/").status_code == 302
    assert not ClaimRoleRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(action="claimrolerule_deleted", object_id=str(rule.pk)).exists()
    from servicelevel.audit import action_label

    assert action_label("claimrolerule_created") == "Rollregel skapad"


def test_an_inactive_account_is_refused_and_audited():
    user = sign_in("sub-9", groups="enhetschef")
    user.is_active = False
    user.save()
    with pytest.raises(SignInRefused, match="avstängt"):
        sign_in("sub-9", groups="enhetschef")
    assert AuditEntry.objects.filter(action="sign_in_refused", object_id=str(user.pk)).exists()
