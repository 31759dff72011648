"""The OpenAPI document tells the truth: schemathesis sends generated requests to every
documented operation, in process, and runs every one of its checks on each answer.

Valid requests (positive) and invalid ones (negative) alike: no 5xx; the status, content type,
headers and body shape the document promises; invalid input refused; 405 with an Allow header
for undocumented methods. `MATCHMAKER_SCHEMATHESIS_EXAMPLES` raises the
number of examples per operation and mode (bench runs a longer pass).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.helpers import COORDINATOR, bearer
from webapp.api.openapi import build_document

# Left out: positive_data_acceptance. The API refuses with 422 some requests that its JSON
# Schema allows, for rules a schema cannot state: codes must exist in the loaded CPV and NUTS
# lists, the smallest contract value may not exceed the largest, applicants must be able to
# fill the groups asked for. Every other check runs.
EXCLUDED = [positive_data_acceptance]
EXAMPLES = int(os.environ.get("MATCHMAKER_SCHEMATHESIS_EXAMPLES", "6"))
OPERATIONS = [(path, method.upper()) for path, operations in build_document()["paths"].items()
              for method in operations]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_as_documented(app, path, method, mode):
    # A coordinator of every sector: the role that may reach the most operations.
    headers = bearer(app, COORDINATOR)
    app.config["MARKET_RESEARCH_LIMIT"] = "10000 per minute"  # generated cases, not a person
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    answers_as_documented()
