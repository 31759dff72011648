"""The authority-side JSON API follows the same rules as the pages."""


import pytest
from sqlmodel import select

from models import AuditEvent, PartnerWish
from tests.helpers import AUTHORITY, COORDINATOR, COORDINATOR2, ENTERPRISE, bearer
from tests.webapp.groupings.test_members import arrange_proposals


@pytest.fixture
def arranged(db):
    return arrange_proposals(db)


def test_applications_show_only_published_groups(app, client, arranged):
    response = client.get("/api/v1/partners/applications", headers=bearer(app, AUTHORITY))
    assert response.status_code == 200
    groups = {a["sector"]["slug"]: a["group_id"] for a in response.json}
    assert groups[arranged.sector_slug] == arranged.my_group_id
    assert arranged.draft_group_id not in groups.values()


def test_group_with_partners_and_reasons(app, client, arranged):
    headers = bearer(app, AUTHORITY)
    group = client.get(f"/api/v1/partners/groups/{arranged.my_group_id}", headers=headers).json
    assert group["proposal_id"] == arranged.proposal_id
    assert len(group["partners"]) == 4
    partner = group["partners"][0]
    assert partner["reasons"] and "procurement_spend_eur" not in partner["profile"]
    for other in (arranged.draft_group_id, arranged.their_group_id, 10**6):
        assert client.get(f"/api/v1/partners/groups/{other}", headers=headers).status_code == 404


def test_answer_validation_and_audit(app, client, db, arranged):
    headers = bearer(app, AUTHORITY)
    url = f"/api/v1/partners/groups/{arranged.my_group_id}/answer"
    assert client.post(url, json={"answer": "maybe"}, headers=headers).status_code == 422
    missing = client.post(url, json={"answer": "declined"}, headers=headers)
    assert missing.status_code == 422 and "reason" in missing.json["fields"]
    done = client.post(url, json={"answer": "declined", "reason": "Other focus."},
                       headers=headers)
    assert done.status_code == 200 and done.json["answer"] == "declined"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "partner.declined")).one()
    draft = f"/api/v1/partners/groups/{arranged.draft_group_id}/answer"
    assert client.post(draft, json={"answer": "accepted"}, headers=headers).status_code == 404


def test_wishes_round_trip_and_coordinator_decision(app, client, db, arranged):
    headers = bearer(app, AUTHORITY)
    made = client.post("/api/v1/partners/wishes", headers=headers, json={
        "application_id": arranged.my_application_id,
        "other_authority_id": arranged.outsider_id, "kind": "together"})
    assert made.status_code == 201 and made.json["accepted"] is False
    assert [w["id"] for w in client.get("/api/v1/partners/wishes", headers=headers).json] == [
        made.json["id"]]
    theirs = client.post("/api/v1/partners/wishes", headers=headers, json={
        "application_id": arranged.their_application_id,
        "other_authority_id": arranged.outsider_id, "kind": "together"})
    assert theirs.status_code == 404
    coordinator = bearer(app, COORDINATOR2)
    base = f"/api/v1/partners/sectors/{arranged.sector_slug}"
    review = client.get(f"{base}/answers", headers=coordinator).json
    assert review["proposal_id"] == arranged.proposal_id and len(review["answers"]) == 10
    accepted = client.post(f"{base}/wishes/{made.json['id']}/accept", headers=coordinator)
    assert accepted.status_code == 200 and accepted.json["accepted"] is True
    db.expire_all()
    assert db.get(PartnerWish, made.json["id"]).accepted is True
    other = f"/api/v1/partners/sectors/{arranged.other_sector_slug}/answers"
    assert client.get(other, headers=coordinator).status_code == 404
    assert client.get(other, headers=bearer(app, COORDINATOR)).status_code == 200
    wish_url = f"/api/v1/partners/wishes/{made.json['id']}"
    assert client.delete(f"/api/v1/partners/wishes/{arranged.wish_id}",
                         headers=headers).status_code == 404
    assert client.delete(wish_url, headers=headers).status_code == 204


def test_roles_and_tokens(app, client, arranged):
    assert client.get("/api/v1/partners/applications").status_code == 401
    enterprise = bearer(app, ENTERPRISE)
    assert client.get("/api/v1/partners/applications", headers=enterprise).status_code == 403
    authority = bearer(app, AUTHORITY)
    review = f"/api/v1/partners/sectors/{arranged.sector_slug}/answers"
    assert client.get(review, headers=authority).status_code == 403


def test_openapi_describes_the_partner_endpoints(client):
    document = client.get("/api/v1/openapi.json").json
    assert "/partners/groups/{group_id}/answer" in document["paths"]
    assert "PartnerGroup" in document["components"]["schemas"]
    assert "PartnerWishIn" in document["components"]["schemas"]
