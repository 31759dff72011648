"""Authorities apply, edit and withdraw over the JSON API: the pages' service and rules."""

import pytest
from sqlmodel import select

from models import Application, ApplicationStatus, AuditEvent, Sector
from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE, bearer
from tests.webapp.groupings.test_members import AUTHORITY2, arrange_proposals

URL = "/api/v1/partners/applications"
ICT = "circular-ict"


@pytest.fixture
def ict(db) -> Sector:
    return db.exec(select(Sector).where(Sector.slug == ICT)).one()


def test_apply_edit_withdraw_and_apply_again(app, client, db, ict):
    headers = bearer(app, AUTHORITY)
    made = client.post(URL, headers=headers, json={
        "sector_slug": ICT, "topics": ict.topics[:2], "motivation": "Laptops."})
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["sector"]["slug"], body["topics"], body["status"], body["editable"]) == (
        ICT, ict.topics[:2], "submitted", True)
    assert body["preference_rank"] == 3  # after the demo authority's two applications
    assert body in client.get(URL, headers=headers).json
    again = client.post(URL, headers=headers, json={"sector_slug": ICT, "topics": ict.topics})
    assert again.status_code == 409

    item = f"{URL}/{body['id']}"
    changed = client.patch(item, headers=headers, json={"preference_rank": 1})
    assert changed.status_code == 200
    assert (changed.json["preference_rank"], changed.json["topics"],
            changed.json["motivation"]) == (1, ict.topics[:2], "Laptops.")  # the rest stays
    withdrawn = client.post(f"{item}/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    assert (withdrawn.json["status"], withdrawn.json["editable"]) == ("withdrawn", False)
    assert client.patch(item, headers=headers, json={"motivation": "x"}).status_code == 409
    back = client.post(URL, headers=headers, json={"sector_slug": ICT, "topics": ict.topics[2:3]})
    assert back.status_code == 201
    assert (back.json["id"], back.json["status"]) == (body["id"], "submitted")
    assert db.exec(select(AuditEvent.action).where(AuditEvent.sector_id == ict.id)
                   .where(AuditEvent.action.startswith("application."))
                   .order_by(AuditEvent.id)).all() == [
        "application.submitted", "application.updated", "application.withdrawn",
        "application.submitted"]


def test_errors_per_field_as_the_rest_of_the_api(app, client, db, ict):
    headers = bearer(app, AUTHORITY)
    shape = client.post(URL, headers=headers, json={"sector_slug": ICT, "topics": [],
                                                    "motivation": "x" * 4001,
                                                    "preference_rank": 0})
    assert shape.status_code == 422
    assert {"topics", "motivation", "preference_rank"} <= set(shape.json["fields"])
    unknown = client.post(URL, headers=headers, json={"sector_slug": ICT,
                                                      "topics": ["Rockets"]})
    assert unknown.status_code == 422 and "Rockets" in unknown.json["fields"]["topics"]
    high = client.post(URL, headers=headers, json={"sector_slug": ICT, "topics": ict.topics[:1],
                                                   "preference_rank": 99})
    assert high.status_code == 422 and "preference_rank" in high.json["fields"]
    nowhere = client.post(URL, headers=headers, json={"sector_slug": "nowhere", "topics": ["x"]})
    assert nowhere.status_code == 404
    misspelt = client.patch(f"{URL}/1", headers=headers, json={"topic": ["x"]})
    assert misspelt.status_code == 422 and "topic" in misspelt.json["fields"]
    # a topic may be named by its Dutch label: stored in English
    dutch = ict.translations["nl"]["topics"][ict.topics[0]]
    made = client.post(URL, headers=headers, json={"sector_slug": ICT, "topics": [dutch]})
    assert made.status_code == 201 and made.json["topics"] == [ict.topics[0]]


def test_scope_locked_after_publication_and_roles(app, client, db):
    arranged = arrange_proposals(db)
    mine = f"{URL}/{arranged.my_application_id}"
    other = bearer(app, AUTHORITY2)
    assert client.patch(mine, headers=other, json={"motivation": "x"}).status_code == 404
    assert client.post(f"{mine}/withdraw", headers=other).status_code == 404
    assert client.patch(f"{URL}/999999", headers=other, json={}).status_code == 404
    headers = bearer(app, AUTHORITY)
    locked = client.patch(mine, headers=headers, json={"motivation": "Changed."})
    assert locked.status_code == 409 and "published" in locked.json["message"]
    listed = {a["id"]: a for a in client.get(URL, headers=headers).json}
    assert listed[arranged.my_application_id]["editable"] is False
    done = client.post(f"{mine}/withdraw", headers=headers)
    assert done.status_code == 200 and done.json["group_id"] == arranged.my_group_id
    review = client.get(f"/api/v1/partners/sectors/{arranged.sector_slug}/answers",
                        headers=bearer(app, COORDINATOR)).json
    assert [a["withdrawn"] for a in review["answers"]
            if a["authority_id"] == arranged.authority_id] == [True]
    db.expire_all()
    assert db.get(Application, arranged.my_application_id).status == ApplicationStatus.WITHDRAWN
    for email in (COORDINATOR, ENTERPRISE):
        assert client.post(URL, headers=bearer(app, email),
                           json={"sector_slug": ICT, "topics": ["x"]}).status_code == 403
    assert client.post(URL, json={"sector_slug": ICT, "topics": ["x"]}).status_code == 401
