"""The saved-search operations as their owners call them: schemathesis sends generated
requests with an enterprise user's token (the conformance test at large uses a coordinator's,
which these operations refuse with 403) and checks each answer against the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.api.test_openapi_conformance import SCHEMA_CANNOT_SAY
from tests.helpers import ENTERPRISE, bearer
from webapp.alerts.api import OPENAPI_PATHS

OPERATIONS = [(path, method.upper()) for path, operations in OPENAPI_PATHS.items()
              for method in operations]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_saved_search_operations_answer_as_documented(app, client, path, method):
    headers = bearer(app, ENTERPRISE)
    # One search of the user's own, so PATCH and DELETE meet an existing id now and then.
    client.post("/api/v1/saved-searches", headers=headers, json={"name": "Mine"})
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        excluded = [positive_data_acceptance] if (path, method) in SCHEMA_CANNOT_SAY else []
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    answers_as_documented()
