"""The tenders API: enterprises (own vs public fields), tenders, matches, candidates, research."""


import pytest
from sqlmodel import select

from models import Enterprise, Role, Tender, User
from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE, bearer
from webapp.security import hash_password

PRIVATE = ("turnover_eur", "employees", "disadvantaged_share", "feedback",
           "min_contract_value_eur", "max_contract_value_eur")


@pytest.fixture
def enterprise_auth(app):
    return bearer(app, ENTERPRISE)


def user(db, email) -> User:
    return db.exec(select(User).where(User.email == email)).one()


def test_own_enterprise_in_full_others_public_only(client, db, enterprise_auth):
    own_id = user(db, ENTERPRISE).enterprise_id
    own = client.get(f"/api/v1/enterprises/{own_id}", headers=enterprise_auth).get_json()
    assert own["turnover_eur"] == 2400000 and "feedback" in own
    other = db.exec(select(Enterprise).where(Enterprise.id != own_id)).first()
    public = client.get(f"/api/v1/enterprises/{other.id}", headers=enterprise_auth)
    assert public.status_code == 200
    body = public.get_json()
    assert body["name"] == other.name
    assert not set(PRIVATE) & set(body)
    assert str(other.turnover_eur) not in public.get_data(as_text=True)


def test_changing_another_enterprise_is_404(client, db, enterprise_auth):
    own_id = user(db, ENTERPRISE).enterprise_id
    other = db.exec(select(Enterprise).where(Enterprise.id != own_id)).first()
    response = client.patch(f"/api/v1/enterprises/{other.id}", json={"name": "Mine now"},
                            headers=enterprise_auth)
    assert response.status_code == 404 and "message" in response.get_json()
    missing = client.patch("/api/v1/enterprises/99999", json={"name": "x"},
                           headers=enterprise_auth)
    assert missing.status_code == 404
    assert client.get(f"/api/v1/enterprises/{other.id}/matches",
                      headers=enterprise_auth).status_code == 404


def test_patch_validates_per_field_and_saves(client, db, enterprise_auth):
    own_id = user(db, ENTERPRISE).enterprise_id
    bad = client.patch(f"/api/v1/enterprises/{own_id}",
                       json={"nuts": "Rotterdam", "cpv_codes": ["cleaning"]},
                       headers=enterprise_auth)
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"nuts", "cpv_codes"}
    good = client.patch(f"/api/v1/enterprises/{own_id}",
                        json={"cpv_codes": ["90910000-9", "90919200"], "turnover_eur": 3000000},
                        headers=enterprise_auth)
    assert good.status_code == 200
    assert good.get_json()["cpv_codes"] == ["90910000", "90919200"]
    assert good.get_json()["turnover_eur"] == 3000000


def test_enterprise_user_creates_its_profile_once(app, client, db):
    db.add(User(email="new@wise.example", role=Role.ENTERPRISE,
                password_hash=hash_password("a-long-password-1")))
    db.commit()
    auth = bearer(app, "new@wise.example")
    body = {"name": "Clean Start Glasgow", "kind": "wise", "disadvantaged_share": 0.5,
            "nuts": "UKM82", "cpv_codes": ["90911200"], "turnover_eur": 800000}
    response = client.post("/api/v1/enterprises", json=body, headers=auth)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["country"] == "GB"
    again = client.post("/api/v1/enterprises", json=body, headers=auth)
    assert again.status_code == 409
    authority = client.post("/api/v1/enterprises", json=body, headers=bearer(app, AUTHORITY))
    assert authority.status_code == 403


def test_tender_list_filters_and_paginates(client, enterprise_auth):
    page = client.get("/api/v1/tenders?limit=5", headers=enterprise_auth).get_json()
    assert len(page["items"]) == 5 and page["total"] > 5
    cleaning = client.get("/api/v1/tenders?cpv=9091&nuts=NL&status=open&limit=100",
                          headers=enterprise_auth).get_json()
    assert cleaning["total"] > 0
    for item in cleaning["items"]:
        assert item["status"] == "open"
        assert any(code.startswith("NL") for code in item["nuts_codes"])
    reserved = client.get("/api/v1/tenders?reserved=true&limit=100",
                          headers=enterprise_auth).get_json()
    assert reserved["total"] > 0
    bad = client.get("/api/v1/tenders?min_value=cheap&limit=0", headers=enterprise_auth)
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"min_value", "limit"}


def test_tender_detail_has_lots(client, db, enterprise_auth):
    from models import Lot

    lot = db.exec(select(Lot)).first()
    body = client.get(f"/api/v1/tenders/{lot.tender_id}", headers=enterprise_auth).get_json()
    assert any(x["id"] == lot.id for x in body["lots"])
    assert client.get("/api/v1/tenders/999999", headers=enterprise_auth).status_code == 404


def test_matches_rank_tenders_with_signals_and_gates(client, db, enterprise_auth):
    own_id = user(db, ENTERPRISE).enterprise_id
    # Widened: by default only the few tenders around Rotterdam are in the demo WISE's reach.
    response = client.get(
        f"/api/v1/enterprises/{own_id}/matches?limit=10&include_gates=true&reach=anywhere",
        headers=enterprise_auth)
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["matches"]) == 10
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)
    first = body["matches"][0]
    assert {s["name"] for s in first["signals"]} == {"cpv", "text", "region", "value", "social"}
    assert all(s["reason"] for s in first["signals"])
    assert db.get(Tender, first["tender_id"]).cpv_main.startswith("909")
    assert body["gates"] and {"tender_id", "code", "reason"} <= set(body["gates"][0])


def test_matches_take_the_pages_filters_by_the_catalogues_names(client, db, enterprise_auth):
    own_id = user(db, ENTERPRISE).enterprise_id
    url = f"/api/v1/enterprises/{own_id}/matches?limit=200&reach=anywhere"
    everything = client.get(url, headers=enterprise_auth).get_json()["matches"]
    narrowed = client.get(url + "&nuts=NL33&min_value=10000", headers=enterprise_auth)
    assert narrowed.status_code == 200, narrowed.get_json()
    kept = narrowed.get_json()["matches"]
    assert 0 < len(kept) < len(everything)
    for match in kept:
        tender = db.get(Tender, match["tender_id"])
        assert any(code.startswith("NL33") for code in tender.nuts_codes)
        assert tender.value_eur is not None and tender.value_eur >= 10000
    bad = client.get(url + "&nuts=Atlantis&deadline_after=soon", headers=enterprise_auth)
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"nuts", "deadline_after"}


def test_matches_and_candidates_say_which_are_strong_as_the_pages_do(app, client, db,
                                                                    enterprise_auth):
    """``strong`` (a v1 addition) is the line the list draws before "Weaker matches" and the
    one from which research counts an enterprise as able to bid: the page and the API agree."""
    from tests.helpers import login

    own_id = user(db, ENTERPRISE).enterprise_id
    matches = client.get(f"/api/v1/enterprises/{own_id}/matches?limit=50",
                         headers=enterprise_auth).get_json()["matches"]
    assert {m["strong"] for m in matches} == {True, False}  # the demo list has both
    assert all(m["strong"] == (m["score"] >= 0.4) for m in matches)
    login(client, ENTERPRISE)
    page = client.get("/opportunities/?limit=50").get_data(as_text=True)
    strong_part = page.partition('id="weaker-title"')[0]
    for match in matches:
        assert (f'id="match-{match["tender_id"]}"' in strong_part) == match["strong"]
    research = client.post("/api/v1/market-research", headers=bearer(app, AUTHORITY), json={
        "cpv_codes": ["77310000"], "nuts": "NL31", "value_eur": 150000}).get_json()
    # Candidates come best first: the strong ones are the first min(n_able, shown).
    shown = research["candidates"]
    assert [c["strong"] for c in shown] == sorted((c["strong"] for c in shown), reverse=True)
    assert sum(c["strong"] for c in shown) == min(research["n_able"], len(shown))


def test_candidates_for_own_tenders_only_and_public_fields(app, client, db):
    auth = bearer(app, AUTHORITY)
    authority_id = user(db, AUTHORITY).authority_id
    mine = db.exec(select(Tender).where(Tender.authority_id == authority_id)).first()
    other = db.exec(select(Tender).where(Tender.authority_id != authority_id)).first()
    response = client.get(f"/api/v1/tenders/{mine.id}/candidates?limit=5", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["candidates"] and body["region_counts"]
    for candidate in body["candidates"]:
        assert not set(PRIVATE) & set(candidate["enterprise"])
    assert client.get(f"/api/v1/tenders/{other.id}/candidates", headers=auth).status_code == 404
    coordinator = bearer(app, COORDINATOR)
    assert client.get(f"/api/v1/tenders/{other.id}/candidates",
                      headers=coordinator).status_code == 200
    enterprise = bearer(app, ENTERPRISE)
    assert client.get(f"/api/v1/tenders/{mine.id}/candidates",
                      headers=enterprise).status_code == 403


def test_market_research_answers_counts_per_region(app, client):
    auth = bearer(app, AUTHORITY)
    response = client.post("/api/v1/market-research", headers=auth, json={
        "cpv_codes": ["77310000"], "nuts": "NL31", "value_eur": 150000, "reservation": "art20"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["n_able"] >= 1 and body["n_art20"] == body["n_able"]
    assert sum(r["n_enterprises"] for r in body["region_counts"]) == body["n_able"]
    assert any(c["enterprise"]["name"] == "Groenwerk Utrecht" for c in body["candidates"])
    bad = client.post("/api/v1/market-research", headers=auth,
                      json={"cpv_codes": [], "reservation": "maybe"})
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"cpv_codes", "reservation"}


def test_openapi_lists_the_paths(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/enterprises", "/enterprises/{enterprise_id}",
                 "/enterprises/{enterprise_id}/matches", "/tenders", "/tenders/{tender_id}",
                 "/tenders/{tender_id}/candidates", "/market-research"):
        assert path in document["paths"], path
    assert "EnterpriseIn" in document["components"]["schemas"]


def test_market_research_refuses_art77_for_work_art77_does_not_cover(app, client):
    response = client.post("/api/v1/market-research", headers=bearer(app, AUTHORITY), json={
        "cpv_codes": ["90911200"], "nuts": "NL31", "reservation": "art77"})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["fields"]) == {"reservation"}
    assert "cannot be reserved under Art. 77" in body["fields"]["reservation"]
