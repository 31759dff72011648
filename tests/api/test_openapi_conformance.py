"""The OpenAPI document tells the truth: schemathesis sends generated requests to every
documented operation, in process, and runs every one of its checks on each answer.

Valid requests (positive) and invalid ones (negative) alike: no 5xx; the status, content type,
headers and body shape the document promises; valid input accepted (but for the six
operations named below); invalid input refused; 405 with an Allow header for undocumented
methods. `MATCHMAKER_SCHEMATHESIS_EXAMPLES` raises the number of examples per operation and
mode (bench runs a longer pass).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.helpers import COORDINATOR, bearer
from webapp.api.openapi import build_document

# positive_data_acceptance (schema-valid requests are accepted) runs on every operation but
# these, which refuse with 422 some requests their JSON Schema allows, for rules a schema
# cannot state; their own tests check those rules and their messages.
SCHEMA_CANNOT_SAY = {
    ("/enterprises", "POST"): "a NUTS code of a NUTS country; smallest value <= largest",
    ("/market-research", "POST"): "CPV codes with eight digits and a valid check digit",
    ("/groupings", "POST"): "enough applicants to fill the groups asked for",
    ("/groupings/sectors/{slug}/proposals", "POST"): "smallest group size <= largest",
    ("/imports/eforms", "POST"): "a body that is an eForms notice (any string is allowed)",
    ("/saved-searches", "POST"): "a region that is a NUTS code; smallest value <= largest",
}
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
        excluded = [positive_data_acceptance] if (path, method) in SCHEMA_CANNOT_SAY else []
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    answers_as_documented()
