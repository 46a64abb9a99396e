"""HSA-id validation (spec/DATA_EXCHANGE.md): `SE` + 10-digit organisation number + `-` + letters/digits,
14 to 31 characters in all."""

import re

from django.core.exceptions import ValidationError

# [0-9], not \d: \d also takes full-width and other scripts' digits, which would look like a real HSA-id.
HSA_ID_RE = re.compile(r"SE[0-9]{10}-[A-Za-z0-9]+")
HSA_ID_MIN, HSA_ID_MAX = 14, 31


def hsa_id_problem(value: str) -> str | None:
    """The Swedish message saying what is wrong with an HSA-id, or None when it is valid."""
    if not HSA_ID_RE.fullmatch(value):
        return f"ogiltigt HSA-id {value!r}: ska vara SE + 10 siffror + '-' + bokstäver A–Z/siffror"
    if not HSA_ID_MIN <= len(value) <= HSA_ID_MAX:
        return f"ogiltigt HSA-id {value!r}: ska vara {HSA_ID_MIN}–{HSA_ID_MAX} tecken, är {len(value)}"
    return None


def validate_hsa_id(value: str) -> None:
    problem = hsa_id_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_hsa_id")


# A base-offering profile's code, as rulebook files write them (servicelevel/rulebook_file: profiles are
# lower-case, at most 40 characters): `mottagning-behandling`.
PROFILE_RE = re.compile(r"[a-z0-9-]+", re.ASCII)
PROFILE_MAX = 40


def profile_problem(value: str) -> str | None:
    """The Swedish message saying what is wrong with a profile code, or None (also for empty: the unit's
    type is its profile then)."""
    if value and (not PROFILE_RE.fullmatch(value) or len(value) > PROFILE_MAX):
        return (
            f"ogiltig basutbudsprofil {value[:60]!r}: gemena a–z, siffror och '-', högst {PROFILE_MAX} tecken"
        )
    return None


def validate_profile(value: str) -> None:
    problem = profile_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_profile")
