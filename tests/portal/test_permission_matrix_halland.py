"""The permission matrix for a portal that follows another region: Region Halland's decision RS220477
(no ladder, no response time, its own requirement codes) loaded and in force. Every GET of every portal
URL × every role answers as test_permission_matrix.py's rules say, nothing shown to a unit manager or
provider names another's unit, and no page names Skåne's decision.

The world is the Skåne matrix's, built with Halland's requirements for its exemptions and common
decisions; Halland's decision has no share-trend requirement, so there are no action-plan targets and
the target page's rows are left out here (test_permission_matrix.py covers them). The refused POSTs are
the same code paths whatever the region and are tested there.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from servicelevel.models import Requirement
from servicelevel.rulebooks import load_shipped

from ..helpers import FAST_PASSWORD_HASHERS
from .test_permission_matrix import RULES, _build_world, body_of, cases, checked_get

pytestmark = pytest.mark.django_db

HALLAND_CODES = {
    "draft": "WT-SE-ALLA",
    "submitted": "WT-OMBOKA-ALLA",
    "approved": "WT-BOKA",
    "group": "WT-BOKA",
    "draft_group": "WT-AVBOKA-ALLA",
    "target": None,
    "SV1-SVARSTID": "WT-BOKA",
    "AR1-LOKAL-ADMIN": "GU-HEMSIDA",
}


def halland_requirement(code: str) -> Requirement:
    return Requirement.objects.get(decision__region_code="halland", code=code)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """As the Skåne matrix's world (built once, rolled back at the module's end), in a Halland portal."""
    settings = {
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
        "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS,
        "SERVICELEVEL_REGION": "halland",
    }
    with django_db_blocker.unblock(), override_settings(**settings), transaction.atomic():
        (loaded,) = load_shipped()
        assert loaded.decision.number == "RS220477"
        yield _build_world(HALLAND_CODES, halland_requirement, lambda: loaded.decision)
        transaction.set_rollback(True)


def halland_cases():
    return [c for c in cases() if RULES[c[0]].arg != "target"]


@pytest.mark.parametrize(("name", "role", "which"), halland_cases())
def test_get_in_a_halland_portal(client, world, name, role, which):
    response = checked_get(client, world, name, role, which)
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        text = body_of(response)
        assert "2026-0000277" not in text and "Region Skåne" not in text, name
