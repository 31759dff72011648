"""POST /api/v1/imports/ocds: who may import, the summary, malformed and oversized bodies.

Tokens are stored here as `matchmaker tokens create` stores them: that command cannot run in
tests yet (no app context under the test runner, and a naive `created_at` that sqlmodel
0.0.50 refuses), see the report of the OCDS import work.
"""

import json

import pytest
from sqlmodel import select

from models import Authority, Lot, Tender, User
from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE, bearer

URL = "/api/v1/imports/ocds"


@pytest.fixture
def scottish(shared_data) -> bytes:
    path = shared_data / "ocds" / "scotland" / "public_contracts_scotland_releases.json"
    return path.read_bytes()


def post(client, body, headers, content_type="application/json"):
    return client.post(URL, data=body, headers=headers, content_type=content_type)


def test_a_coordinator_imports_the_scottish_file_and_again(app, client, db, scottish):
    auth = bearer(app, COORDINATOR)
    response = post(client, scottish, auth)
    assert response.status_code == 200, response.json
    # The file's tenders closed in 2019: stored, and the summary says they are closed.
    assert response.json == {"created": 90, "updated": 0, "closed": 90, "skipped": [],
                             "warnings": []}
    again = post(client, scottish, auth)
    assert (again.json["created"], again.json["updated"]) == (0, 90)
    assert len(db.exec(select(Tender).where(Tender.source == "ocds")).all()) == 90


def test_bad_records_are_listed_and_the_rest_imported(app, client, db):
    body = json.dumps({"releases": [
        {"ocid": "ocds-api-1", "tender": {"title": "Catering", "lots": [{"id": "1"}],
                                          "items": [{"id": "1", "deliveryAddresses": [
                                              {"region": "Atlantis"}]}]}},
        {"ocid": "ocds-api-2", "tender": {"description": "no title"}},
    ]})
    response = post(client, body, bearer(app, COORDINATOR))
    assert response.status_code == 200
    assert response.json["created"] == 1
    assert response.json["skipped"] == [{"record": "release 2 (ocds-api-2)",
                                         "reason": "no tender title"}]
    assert response.json["warnings"] == [{
        "record": "release 1 (ocds-api-1)",
        "message": "region name 'Atlantis' could not be mapped to a NUTS code"}]
    tender = db.exec(select(Tender).where(Tender.source_id == "ocds-api-1")).one()
    assert [lot.lot_ref for lot in db.exec(select(Lot).where(Lot.tender_id == tender.id))] == ["1"]


def test_an_authority_imports_and_its_own_tenders_are_linked(app, client, db):
    user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    authority = db.get(Authority, user.authority_id)
    body = json.dumps([
        {"ocid": "ocds-own", "buyer": {"name": authority.name.upper()},
         "tender": {"title": "Ours"}},
        {"ocid": "ocds-other", "buyer": {"name": "Someone else"}, "tender": {"title": "Theirs"}},
    ])
    response = post(client, body, bearer(app, AUTHORITY))
    assert response.status_code == 200 and response.json["created"] == 1
    # Another buyer's tender is not the authority's to publish (tests/security/…ownership).
    assert [s["record"] for s in response.json["skipped"]] == ["release 2 (ocds-other)"]
    linked = {t.source_id: t.authority_id
              for t in db.exec(select(Tender).where(Tender.source == "ocds"))}
    assert linked == {"ocds-own": authority.id}


def test_only_coordinators_and_authorities_may_import(app, client):
    body = json.dumps([])
    assert post(client, body, {}).status_code == 401
    assert post(client, body, {"Authorization": "Bearer nonsense"}).status_code == 401
    assert post(client, body, bearer(app, ENTERPRISE)).status_code == 403


@pytest.mark.parametrize("body, content_type, message", [
    ("{not json", "application/json", "not JSON"),
    (json.dumps({"tenders": []}), "application/json",
     "expected an OCDS release package, record package or list of releases"),
    (json.dumps([]), "text/plain", "Content-Type: application/json"),
])
def test_a_malformed_body_is_422_with_a_message(app, client, body, content_type, message):
    response = post(client, body, bearer(app, COORDINATOR), content_type)
    assert response.status_code == 422
    assert message in response.json["message"]


def test_a_body_over_the_limit_is_413(app, client, scottish):
    app.config["OCDS_IMPORT_MAX_BYTES"] = 1024 * 1024
    response = post(client, scottish, bearer(app, COORDINATOR))
    assert response.status_code == 413
    assert response.json["error"] == "Too large"


def test_the_endpoint_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/imports/ocds"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "413", "422"}
    summary = document["components"]["schemas"]["ImportSummary"]
    assert set(summary["properties"]) == {"created", "updated", "closed", "skipped", "warnings"}
