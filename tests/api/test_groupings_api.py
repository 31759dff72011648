"""The groupings JSON API: the stateless contract, 422 per field, and the stateful flow."""

import uuid

import pytest
from sqlmodel import Session, select

from models import (
    Application,
    Authority,
    AuthorityKind,
    Group,
    Membership,
    Role,
    Sector,
    SectorCoordinator,
    User,
)
from tests.helpers import AUTHORITY, COORDINATOR, COORDINATOR2, bearer
from webapp import create_app
from webapp.db import ENGINE_KEY, make_engine
from webapp.migrate import upgrade
from webapp.security import hash_password

SECTOR = "circular-ict"
UNSHARED = "circular-construction-materials"

EXAMPLE = {
    "applicants": [
        {"id": "a1", "interests": ["e-buses", "charging"], "size": 250000, "country": "NL",
         "nuts": "NL329"},
        {"id": "a2", "interests": ["e-buses"], "size": 90000, "country": "NL", "nuts": "NL332"},
        {"id": "a3", "interests": ["e-buses", "hydrogen"], "size": 1200000, "country": "DE",
         "nuts": "DE300"},
        {"id": "a4", "interests": ["charging"], "size": 40000, "country": "BE", "nuts": "BE211"},
        {"id": "a5", "interests": ["charging", "depots"], "size": 650000, "country": "FR",
         "nuts": "FR101"},
        {"id": "a6", "interests": ["depots"], "size": 30000, "country": "FR", "nuts": "FRK26"},
        {"id": "a7", "interests": ["hydrogen"], "size": 500000, "country": "DE",
         "nuts": "DE212"},
        {"id": "a8", "interests": ["e-buses", "depots"], "size": 120000, "country": "NL",
         "nuts": "NL414"},
    ],
    "max_group_size": 7, "min_group_size": 3,
    "weights": {"interests": 1.0, "size_mix": 0.0, "region": 0.0}, "region_mode": "near",
    "together": [["a1", "a2"]], "apart": [], "max_groups": None, "random_state": 0,
}


def test_the_stateless_example(app, client):
    response = client.post("/api/v1/groupings", json=EXAMPLE, headers=bearer(app, AUTHORITY))
    assert response.status_code == 200, response.json
    body = response.json
    members = [m for g in body["groups"] for m in g["members"]]
    waiting = [w["id"] for w in body["waitlist"]]
    assert sorted(members + waiting) == [f"a{i}" for i in range(1, 9)]
    assert all(3 <= len(g["members"]) <= 7 for g in body["groups"])
    assert any({"a1", "a2"} <= set(g["members"]) for g in body["groups"])
    assert isinstance(body["objective"], float)
    assert all("members" in g["explanation"] and isinstance(g["score"], float)
               for g in body["groups"])
    again = client.post("/api/v1/groupings", json=EXAMPLE, headers=bearer(app, AUTHORITY))
    assert again.json["groups"] == body["groups"]  # same random_state, same groups


@pytest.mark.parametrize("change, field", [
    ({"together": [["a1", "zz"]]}, "together"),
    ({"applicants": EXAMPLE["applicants"] + [EXAMPLE["applicants"][0]]}, "applicants"),
    ({"max_group_size": 8}, "max_group_size"),
    ({"min_group_size": 5, "max_group_size": 4}, "min_group_size"),
    ({"weights": {"interests": -1, "size_mix": 0, "region": 0}}, "weights.interests"),
    ({"region_mode": "far"}, "region_mode"),
    ({"weights": {"colour": 1}}, "weights.colour"),
])
def test_invalid_input_is_422_per_field(app, client, change, field):
    response = client.post("/api/v1/groupings", json={**EXAMPLE, **change},
                           headers=bearer(app, COORDINATOR))
    assert response.status_code == 422
    assert field in response.json["fields"], response.json


def test_infeasible_settings_are_422_with_the_engines_reason(app, client):
    response = client.post("/api/v1/groupings", json={**EXAMPLE, "n_groups": 3,
                                                      "min_group_size": 3},
                           headers=bearer(app, COORDINATOR))
    assert response.status_code == 422
    assert "cannot fill 3 groups" in response.json["message"]


def test_without_a_token_401(client):
    assert client.post("/api/v1/groupings", json=EXAMPLE).status_code == 401
    assert client.get("/api/v1/groupings/sectors").status_code == 401


def run_stateful_flow(app, client, slug=SECTOR, coordinator=COORDINATOR, other=COORDINATOR2):
    """Run, move (409 when stale), lock, undo, approve, publish, export; return the proposal."""
    auth = bearer(app, coordinator)
    sectors = client.get("/api/v1/groupings/sectors", headers=auth).json
    assert slug in {s["slug"] for s in sectors}
    assert next(s for s in sectors if s["slug"] == slug)["n_applications"] > 7
    run = client.post(f"/api/v1/groupings/sectors/{slug}/proposals", headers=auth,
                      json={"n_alternatives": 2, "random_state": 1})
    assert run.status_code == 201, run.json
    proposal = run.json
    base = f"/api/v1/groupings/sectors/{slug}/proposals/{proposal['id']}"
    assert proposal["version"] == 1 and proposal["status"] == "draft"
    first, second = proposal["groups"][0], proposal["groups"][1]
    member = first["members"][0]["application_id"]
    moved = client.post(f"{base}/move", headers=auth, json={
        "application_id": member, "target": second["number"], "version": 1})
    assert moved.status_code == 200, moved.json
    after = {g["number"]: g for g in moved.json["groups"]}
    assert member in [m["application_id"] for m in after[second["number"]]["members"]]
    assert after[first["number"]]["score"] != first["score"]
    assert after[second["number"]]["score"] != second["score"]
    stale = client.post(f"{base}/move", headers=bearer(app, other), json={
        "application_id": member, "target": "waitlist", "version": 1})
    assert stale.status_code == 409
    assert f"was changed by {coordinator} at" in stale.json["message"]
    undone = client.post(f"{base}/undo", headers=auth, json={"version": 2})
    assert undone.status_code == 200 and undone.json["version"] == 3
    assert member in [m["application_id"] for m in undone.json["groups"][0]["members"]]
    locked = client.post(f"{base}/lock", headers=auth, json={
        "application_id": member, "locked": True, "version": 3})
    assert {m["application_id"]: m["locked"] for g in locked.json["groups"]
            for m in g["members"]}[member] is True
    approved = client.post(f"{base}/approve", headers=auth, json={"version": 4})
    assert approved.json["status"] == "approved"
    frozen = client.post(f"{base}/move", headers=auth, json={
        "application_id": member, "target": "waitlist", "version": 5})
    assert frozen.status_code == 409
    published = client.post(f"{base}/publish", headers=auth, json={"version": 5})
    assert published.json["status"] == "published"
    exported = client.get(f"{base}/export.csv", headers=auth)
    assert exported.status_code == 200 and exported.data.count(b"\n") > 8
    return proposal


def test_stateful_flow_on_sqlite(app, client):
    run_stateful_flow(app, client)


def test_scope_and_roles(app, client):
    run = client.post(f"/api/v1/groupings/sectors/{UNSHARED}/proposals",
                      headers=bearer(app, COORDINATOR), json={"n_alternatives": 1})
    assert run.status_code == 201
    path = f"/api/v1/groupings/sectors/{UNSHARED}/proposals/{run.json['id']}"
    assert client.get(path, headers=bearer(app, COORDINATOR2)).status_code == 404
    assert client.get(path, headers=bearer(app, AUTHORITY)).status_code == 403
    bad = client.post(f"/api/v1/groupings/sectors/{SECTOR}/proposals",
                      headers=bearer(app, COORDINATOR), json={"max_group_size": 9})
    assert bad.status_code == 422 and "max_group_size" in bad.json["fields"]


def test_openapi_lists_the_paths(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/groupings", "/groupings/sectors", "/groupings/sectors/{slug}/proposals",
                 "/groupings/sectors/{slug}/proposals/{proposal_id}/move"):
        assert path in document["paths"], path
    assert "GroupingRequest" in document["components"]["schemas"]


def arrange_postgres_sector(db: Session) -> tuple[str, str, str]:
    """A sector of twelve applicants and two coordinators of it, named uniquely: the
    PostgreSQL database is shared with other tests."""
    tag = uuid.uuid4().hex[:8]
    sector = Sector(slug=f"api-flow-{tag}", name=f"API flow {tag}",
                    topics=["e-buses", "charging", "depots"])
    db.add(sector)
    emails = [f"coord-{tag}@example.org", f"coord2-{tag}@example.org"]
    users = [User(email=e, role=Role.COORDINATOR, password_hash=hash_password("x" * 12))
             for e in emails]
    db.add_all(users)
    db.flush()
    db.add_all(SectorCoordinator(sector_id=sector.id, user_id=u.id) for u in users)
    countries = [("NL", "NL329"), ("DE", "DE300"), ("FR", "FR101"), ("BE", "BE211")]
    for i in range(12):
        country, nuts = countries[i % 4]
        authority = Authority(name=f"Authority {tag} {i}", kind=AuthorityKind.MUNICIPALITY,
                              country=country, nuts=nuts, population=10_000 * (i + 1))
        db.add(authority)
        db.flush()
        db.add(Application(authority_id=authority.id, sector_id=sector.id,
                           topics=sector.topics[: 1 + i % 3]))
    db.commit()
    return sector.slug, emails[0], emails[1]


def test_stateful_flow_on_postgresql(postgres_url):
    engine = make_engine(postgres_url)
    upgrade(engine)
    with Session(engine) as db:
        slug, coordinator, other = arrange_postgres_sector(db)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "SECRET_KEY": "x"})
    try:
        proposal = run_stateful_flow(app, app.test_client(), slug, coordinator, other)
        with Session(app.extensions[ENGINE_KEY]) as db:
            n = db.exec(select(Membership).join(Group).where(
                Group.proposal_id == proposal["id"])).all()
            assert len(n) == sum(len(g["members"]) for g in proposal["groups"])
    finally:
        app.extensions[ENGINE_KEY].dispose()
