"""An authority's OCDS import could overwrite any tender: the upsert is keyed by ocid alone.

Now an authority may only create tenders whose buyer is itself and update those it owns; a
record whose ocid belongs to another authority, or to an unowned tender imported from
elsewhere, is skipped with a reason and the stored tender is left as it was. Coordinators
(and the command line) still import anything.
"""

import json

from sqlmodel import select

from models import Authority, Tender, User
from tests.helpers import AUTHORITY, COORDINATOR, bearer

URL = "/api/v1/imports/ocds"


def _import(client, headers, releases):
    return client.post(URL, data=json.dumps({"releases": releases}), headers=headers,
                       content_type="application/json")


def _own_authority(db) -> Authority:
    user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    return db.get(Authority, user.authority_id)


def _someone_elses_tender(db, mine: Authority) -> Tender:
    tender = db.exec(select(Tender).where(Tender.authority_id != mine.id,
                                          Tender.authority_id.is_not(None))).first()
    # the attack needs an OCDS key: make one of another authority's tenders an OCDS one
    tender.source, tender.source_id = "ocds", "ocds-victim-1"
    db.add(tender)
    db.commit()
    return tender


def test_an_authority_cannot_overwrite_another_authoritys_tender(app, client, db):
    mine = _own_authority(db)
    victim = _someone_elses_tender(db, mine)
    owner, title = victim.authority_id, victim.title
    response = _import(client, bearer(app, AUTHORITY), [{
        "ocid": "ocds-victim-1", "buyer": {"name": mine.name},
        "tender": {"title": "Hijacked", "value": {"amount": 1, "currency": "EUR"}}}])
    assert response.status_code == 200
    assert response.json["created"] == 0 and response.json["updated"] == 0
    assert response.json["skipped"] == [{"record": "release 1 (ocds-victim-1)",
                                         "reason": "this tender belongs to another authority"}]
    db.expire_all()
    stored = db.get(Tender, victim.id)
    assert (stored.title, stored.authority_id) == (title, owner)


def test_an_authority_cannot_take_over_an_unowned_imported_tender(app, client, db):
    mine = _own_authority(db)
    coordinator = bearer(app, COORDINATOR)
    assert _import(client, coordinator, [{"ocid": "ocds-feed-1", "buyer": {"name": "A feed"},
                                          "tender": {"title": "From the feed"}}]).json[
        "created"] == 1
    response = _import(client, bearer(app, AUTHORITY), [{
        "ocid": "ocds-feed-1", "buyer": {"name": mine.name}, "tender": {"title": "Mine now"}}])
    assert response.json["updated"] == 0
    assert "not yours" in response.json["skipped"][0]["reason"]
    db.expire_all()
    stored = db.exec(select(Tender).where(Tender.source_id == "ocds-feed-1")).one()
    assert (stored.title, stored.authority_id) == ("From the feed", None)


def test_an_authority_cannot_publish_under_another_buyers_name(app, client, db):
    response = _import(client, bearer(app, AUTHORITY), [{
        "ocid": "ocds-forged-1", "buyer": {"name": "Gemeente Elders"},
        "tender": {"title": "Forged"}}])
    assert response.json["created"] == 0
    assert "not your authority" in response.json["skipped"][0]["reason"]
    assert db.exec(select(Tender).where(Tender.source_id == "ocds-forged-1")).first() is None


def test_an_authority_updates_its_own_imported_tender(app, client, db):
    mine = _own_authority(db)
    headers = bearer(app, AUTHORITY)
    first = _import(client, headers, [{"ocid": "ocds-mine-1", "buyer": {"name": mine.name},
                                       "tender": {"title": "Version 1"}}])
    assert first.json["created"] == 1
    again = _import(client, headers, [{"ocid": "ocds-mine-1", "buyer": {"name": mine.name},
                                       "tender": {"title": "Version 2"}}])
    assert (again.json["updated"], again.json["skipped"]) == (1, [])
    db.expire_all()
    stored = db.exec(select(Tender).where(Tender.source_id == "ocds-mine-1")).one()
    assert (stored.title, stored.authority_id) == ("Version 2", mine.id)


def test_a_coordinator_still_imports_anything(app, client, db):
    mine = _own_authority(db)
    victim = _someone_elses_tender(db, mine)
    response = _import(client, bearer(app, COORDINATOR), [{
        "ocid": "ocds-victim-1", "buyer": {"name": "Corrected buyer"},
        "tender": {"title": "Corrected title"}}])
    assert (response.json["updated"], response.json["skipped"]) == (1, [])
    db.expire_all()
    stored = db.get(Tender, victim.id)
    assert stored.title == "Corrected title"
    assert stored.authority_id == victim.authority_id  # a coordinator's import keeps the owner
