"""Sign-in through an identity provider (OIDC: servicelevel/oidc.py; SAML 2 uses the same function).

`sign_in_from_claims(request, *, issuer, subject, claims)` is the one mapping from what the provider says
to who the person is in the portal, run at every sign-in:

- the user is found by (issuer, subject) — a `SignInIdentity` — and created on the first sign-in (never
  found by a name or an e-mail, which can change hands);
- the values of the role claim map to the five roles through `ClaimRoleRule` (kept by Koncernstab in the
  admin); the user's role groups become exactly those roles;
- the unit HSA-ids of the unit claim become unit grants (`grant_units`), the provider HSA-ids of the
  provider claim provider grants (`grant_provider`); every other object grant the user held is removed, so
  a person who leaves a commission loses its units at the next sign-in;
- a sign-in that maps to no role is refused (`SignInRefused`, a Swedish message) and audited, and an
  existing user's roles and grants are taken away; every sign-in is audited with what it gave.

The claim names are settings (OIDC_ROLE_CLAIM, OIDC_UNIT_CLAIM, OIDC_PROVIDER_CLAIM, OIDC_HSA_ID_CLAIM);
another door (SAML) passes its own `names`. A claim's value may be one string or a list of strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .audit import audit
from .models import ClaimRoleRule, SignInIdentity

# The session is kept by the portal's own backend (it also answers get_user for every request).
SESSION_BACKEND = "servicelevel.auth.PortalModelBackend"

REFUSED_NO_ROLE = (
    "Inloggningen nekades: din identitet ger ingen roll i Servicenivåportalen. Kontakta Koncernstab "
    "kommunikation om du ska ha tillgång."
)


REFUSED_INACTIVE = "Inloggningen nekades: ditt konto i portalen är avstängt."


class SignInRefused(Exception):
    """A sign-in the portal will not accept; str(exc) is the Swedish message to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ClaimNames:
    """Which claims (or SAML attributes) carry the HSA-id, the role values, the units and the providers."""

    hsa_id: str
    role: str
    unit: str
    provider: str


def oidc_claim_names() -> ClaimNames:
    return ClaimNames(
        hsa_id=settings.OIDC_HSA_ID_CLAIM,
        role=settings.OIDC_ROLE_CLAIM,
        unit=settings.OIDC_UNIT_CLAIM,
        provider=settings.OIDC_PROVIDER_CLAIM,
    )


def claim_values(claims: dict, name: str) -> list[str]:
    """A claim's values as a list of non-empty strings: one string, or a list of them (anything else,
    and a missing or unnamed claim, gives none)."""
    if not name:
        return []
    value = claims.get(name)
    if isinstance(value, str):
        values = [value]
    elif isinstance(value, list | tuple):
        values = [item for item in value if isinstance(item, str)]
    else:
        values = []
    return sorted({item.strip() for item in values if item.strip()})


def roles_for(values: list[str]) -> list[str]:
    """The roles these claim values give (ClaimRoleRule), in the roles' own order."""
    found = set(ClaimRoleRule.objects.filter(claim_value__in=values).values_list("role", flat=True))
    return [role for role, _ in ClaimRoleRule.ROLE_CHOICES if role in found]


def sign_in_from_claims(
    request, *, issuer: str, subject: str, claims: dict, names: ClaimNames | None = None
) -> AbstractBaseUser:
    """Find or create the user for (issuer, subject), set their roles and grants from the claims, log them
    in on `request` and return them; `SignInRefused` when the claims give no role."""
    names = names or oidc_claim_names()
    if not issuer or not subject:
        raise SignInRefused("Inloggningen nekades: identitetsutfärdaren angav inte vem du är.")
    role_values = claim_values(claims, names.role)
    roles = roles_for(role_values)
    identity = SignInIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    hsa_id = (claim_values(claims, names.hsa_id) or [""])[0]
    if identity is not None and not identity.user.is_active:
        audit(
            action="sign_in_refused",
            object_type="user",
            object_id=identity.user_id,
            actor=identity.user,
            detail={"issuer": issuer, "subject": subject, "hsa_id": hsa_id, "inactive": True},
        )
        raise SignInRefused(REFUSED_INACTIVE)
    if not roles:
        with transaction.atomic():
            if identity is not None:
                _set_rights(identity.user, roles=[], unit_ids=[], provider_ids=[])
            audit(
                action="sign_in_refused",
                object_type="user",
                object_id=identity.user_id if identity else "",
                actor=identity.user if identity else None,
                actor_label=hsa_id or subject,
                detail={"issuer": issuer, "subject": subject, "hsa_id": hsa_id, "role_values": role_values},
            )
        raise SignInRefused(REFUSED_NO_ROLE)

    with transaction.atomic():
        if identity is None:
            identity = _new_identity(issuer, subject, hsa_id or subject)
        user = identity.user
        _update_person(user, claims)
        units, providers, unknown = _set_rights(
            user,
            roles=roles,
            unit_ids=claim_values(claims, names.unit),
            provider_ids=claim_values(claims, names.provider),
        )
        identity.last_sign_in = timezone.now()
        identity.save(update_fields=["last_sign_in"])
        audit(
            action="sign_in",
            object_type="user",
            object_id=user.pk,
            actor=user,
            detail={
                "issuer": issuer,
                "subject": subject,
                "hsa_id": hsa_id,
                "roles": roles,
                "units": units,
                "providers": providers,
                **({"unknown": unknown} if unknown else {}),
            },
        )
    login(request, user, backend=SESSION_BACKEND)
    return user


def _new_identity(issuer: str, subject: str, wanted_username: str) -> SignInIdentity:
    """The first sign-in's user and identity; the same person's second first sign-in at the same moment
    (two tabs) finds the one the other made instead of failing on the unique pair."""
    try:
        with transaction.atomic():
            user = _new_user(wanted_username)
            return SignInIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    except IntegrityError:
        return SignInIdentity.objects.select_related("user").get(issuer=issuer, subject=subject)


def _new_user(wanted: str):
    User = get_user_model()
    base = wanted[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username)
    user.set_unusable_password()  # signs in only through the provider
    user.save()
    return user


def _update_person(user, claims: dict) -> None:
    """Names and e-mail as the provider says them today (shown, never used to find the person)."""
    fields = {
        "first_name": claims.get("given_name"),
        "last_name": claims.get("family_name"),
        "email": claims.get("email"),
    }
    changed = [f for f, v in fields.items() if isinstance(v, str) and v and getattr(user, f) != v[:150]]
    for field in changed:
        setattr(user, field, fields[field][:150])
    if changed:
        user.save(update_fields=changed)


def _set_rights(user, *, roles: list[str], unit_ids: list[str], provider_ids: list[str]):
    """The roles and grants themselves are the units app's (settings.SIGN_IN_RIGHTS: units/sign_in.py)."""
    return import_string(settings.SIGN_IN_RIGHTS)(
        user, roles=roles, unit_ids=unit_ids, provider_ids=provider_ids
    )
