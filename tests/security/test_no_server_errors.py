"""Inputs that used to answer 500: deeply nested JSON (RecursionError), a 5,000-digit integer
in an OCDS file, NUL characters (PostgreSQL refuses them) in a query, a URL part, a JSON text
or a CSV upload, 40-digit ids, and the error page after a database error. Each now answers a
4xx with a message, and a database error still gets a whole error page."""

import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import Application, SavedSearch, User
from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE, bearer, login, post_form
from tests.webapp.groupings.test_members import arrange_proposals
from webapp import create_app
from webapp.db import ENGINE_KEY, get_session

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000


@pytest.fixture
def world(app, db):
    arranged = arrange_proposals(db)
    enterprise_id = db.exec(select(User.enterprise_id).where(User.email == ENTERPRISE)).one()
    user_id = db.exec(select(User.id).where(User.email == ENTERPRISE)).one()
    authority_id = db.exec(select(User.authority_id).where(User.email == AUTHORITY)).one()
    application_id = db.exec(select(Application.id)
                             .where(Application.authority_id == authority_id)).first()
    search = SavedSearch(user_id=user_id, enterprise_id=enterprise_id, name="Mine",
                         feed_token="security-test-feed")
    db.add(search)
    db.commit()
    return {
        "search_id": search.id, "application_id": application_id,
        "group_id": arranged.my_group_id, "enterprise_id": enterprise_id,
        "slug": arranged.sector_slug, "proposal_id": arranged.draft_proposal_id,
        "tokens": {role: bearer(app, email) for role, email in
                   (("coordinator", COORDINATOR), ("authority", AUTHORITY),
                    ("enterprise", ENTERPRISE))},
    }


def _json_operations(client):
    document = client.get("/api/v1/openapi.json").json
    return [(method.upper(), path) for path, operations in document["paths"].items()
            for method, operation in operations.items() if "requestBody" in operation]


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, '{"name": "A\\u0000B"}'],
                         ids=["deep-list", "deep-object", "nul"])
def test_every_json_endpoint_answers_4xx_to_unusable_json(client, world, body):
    operations = _json_operations(client)
    assert len(operations) >= 9
    answers = {}
    for method, path in operations:
        url = "/api/v1" + path.format(**world)
        for role, headers in world["tokens"].items():
            response = client.open(url, method=method, data=body, headers=headers,
                                   content_type="application/json")
            answers[f"{role} {method} {path}"] = response.status_code
    assert {k: v for k, v in answers.items() if v >= 500} == {}
    assert all(400 <= v < 500 for v in answers.values())


def test_a_deep_body_is_a_422_that_says_why(client, world):
    response = client.post("/api/v1/groupings", data=DEEP, content_type="application/json",
                           headers=world["tokens"]["coordinator"])
    assert response.status_code == 422
    assert "nested deeper than" in response.json["fields"]["body"]
    nul = client.patch(f"/api/v1/enterprises/{world['enterprise_id']}",
                       json={"description": "bad\u0000text"},
                       headers=world["tokens"]["enterprise"])
    assert nul.status_code == 422 and "NUL" in nul.json["fields"]["body"]


def test_a_huge_integer_in_an_ocds_file_is_a_422(app, client):
    body = '{"releases": [{"ocid": "ocds-x", "tender": {"title": "T", "value": {"amount": ' \
        + "9" * 5_000 + "}}}]}"
    response = client.post("/api/v1/imports/ocds", data=body, content_type="application/json",
                           headers=bearer(app, COORDINATOR))
    assert response.status_code == 422
    assert "not usable JSON" in response.json["message"]
    deep = client.post("/api/v1/imports/ocds", data='{"releases": [' + '{"a":' * 900
                       + "1" + "}" * 900 + "]}", content_type="application/json",
                       headers=bearer(app, COORDINATOR))
    assert deep.status_code == 422 and "nested deeper" in deep.json["message"]


@pytest.mark.parametrize("who, url", [
    (ENTERPRISE, "/opportunities/?q=clean%00ing"),
    (COORDINATOR, "/sectors/circular%00ict"),
    (COORDINATOR, "/sectors/circular-ict/answers?proposal=1%00"),
    (COORDINATOR, "/audit/?action=%00"),
    (AUTHORITY, "/buyers/research?cpv_codes=90911200%00"),
])
def test_a_nul_in_a_page_request_is_a_400(client, who, url):
    login(client, who)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_a_nul_or_an_overlong_value_in_an_api_query_is_a_400(app, client):
    headers = bearer(app, COORDINATOR)
    response = client.get("/api/v1/tenders?q=a%00b", headers=headers)
    assert response.status_code == 400 and "NUL character" in response.json["message"]
    long = client.get("/api/v1/tenders?q=" + "a" * 5000, headers=headers)
    assert long.status_code == 400 and "longer than" in long.json["message"]


def test_a_nul_in_a_csv_upload_is_reported_beside_the_file(client):
    login(client, COORDINATOR)
    content = (b"authority_name,country,nuts,kind,topics\nGemeente\x00X,NL,NL310,municipality,"
               b"Refurbished laptops\n")
    from io import BytesIO
    response = post_form(client, "/sectors/circular-ict/import",
                         {"file": (BytesIO(content), "applicants.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["9" * 40, "²", "2147483648"])
def test_impossible_proposal_ids_are_4xx(app, client, value):
    login(client, COORDINATOR)
    assert client.get(f"/sectors/circular-ict/answers?proposal={value}").status_code == 404
    assert client.get(f"/audit/?proposal={value}").status_code == 422
    api = client.get(f"/api/v1/partners/sectors/circular-ict/answers?proposal={value}",
                     headers=bearer(app, COORDINATOR))
    assert api.status_code == 422


# --- on PostgreSQL: a failed statement aborts the transaction --------------------------------

@pytest.fixture
def pg_app(run_postgres_with_fixtures):
    app = create_app({"TESTING": True, "DATABASE_URL": run_postgres_with_fixtures,
                      "SECRET_KEY": "t"})

    @app.get("/test-only/database-error")
    def database_error():
        session = get_session()
        session.exec(select(User)).first()
        session.expire_all()  # as after any rollback or refresh: g.user reloads when read
        session.execute(text("SELECT 1 / 0"))  # a statement fails: the transaction aborts

    yield app
    app.extensions[ENGINE_KEY].dispose()


@pytest.mark.postgres
def test_after_a_database_error_the_error_page_is_whole(pg_app):
    client = pg_app.test_client()
    login(client, COORDINATOR)
    response = client.get("/test-only/database-error")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<html" in html and "Log out" in html and COORDINATOR in html  # not the fallback
    # and the next request on the same connection pool works
    assert client.get("/").status_code == 200
    assert json.loads(client.get("/healthz").data)["database"] == "ok"


@pytest.mark.postgres
def test_nul_and_huge_ids_never_reach_postgresql(pg_app):
    client = pg_app.test_client()
    login(client, COORDINATOR)
    assert client.get("/sectors/circular%00ict").status_code == 400
    assert client.get("/sectors/circular-ict/answers?proposal=" + "9" * 40).status_code == 404
    headers = bearer(pg_app, COORDINATOR)
    assert client.get("/api/v1/tenders?q=%00", headers=headers).status_code == 400
