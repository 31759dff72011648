"""The OpenAPI document tells the truth: schemathesis sends generated requests to every
documented operation, in process, and checks each answer against the document.

What must hold for any input it makes up: no 5xx, and every answer (2xx and 4xx alike) has the
status, content type and body shape that the document promises for that operation.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import COORDINATOR, bearer
from webapp.api.openapi import build_document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
OPERATIONS = [(path, method.upper()) for path, operations in build_document()["paths"].items()
              for method in operations]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_as_documented(app, path, method):
    # A coordinator of every sector: the role that may reach the most operations.
    headers = bearer(app, COORDINATOR)
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers_as_documented()
