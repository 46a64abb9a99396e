"""Schemathesis against the API's own OpenAPI schema (/api/schema/), through the WSGI app on the test
database, with a real write token of Koncernstab (who may call every operation): no 5xx, every status
code, content type and body as the schema says. A few examples per operation keep CI fast.

Each operation's cases come from Schemathesis's Hypothesis strategy, run here with `given` (its pytest
plugin's `parametrize` reads a private pytest attribute that pytest 9 no longer has)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import tokens
from units.permissions import Roles

from .. import factories as f
from ..helpers import user_in

pytestmark = pytest.mark.django_db

EXAMPLES = 10  # per operation


@pytest.fixture
def app(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    settings.API_THROTTLE_RATE = "100000/min"
    # As Django's test client does: a request's end must not close the test's connection (and with it
    # the transaction the test runs in).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secret():
    user = user_in(Roles.KONCERNSTAB, username="schemathesis")
    f.CareUnitFactory(hsa_id="SE2321000255-S001")
    f.ExemptionFactory()
    return tokens.create(user=user, name="schemathesis", scope="write", days=1)[1]


def test_the_api_answers_as_its_schema_says(app, secret):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    headers = {"Authorization": f"Bearer {secret}"}
    ran, calls, statuses = [], [0], {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case):
            # Every check but "a schema-valid request is accepted": the schema cannot say that an id must
            # be one the person may choose, or that a date lies in 1900–2100; those are 400s by design.
            response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
            calls[0] += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        check()
        ran.append(operation.label)
    assert len(ran) == 7, ran  # every operation of the schema
    print(
        f"Schemathesis: {len(ran)} operations, {calls[0]} requests, statuses {dict(sorted(statuses.items()))}"
    )
