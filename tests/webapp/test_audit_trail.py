"""The audit trail page: coordinators read who did what, when, for their own sectors only."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from models import AuditEvent, Sector, User
from tests.helpers import AUTHORITY, COORDINATOR, COORDINATOR2, ENTERPRISE, login
from tests.webapp.groupings.test_members import OTHER_SECTOR, SHARED_SECTOR, arrange_proposals
from webapp.audit import services as audit


def _events(db, n_shared: int, n_other: int):
    """`n_shared` events in a sector both coordinators run, `n_other` in one only the first runs."""
    shared = db.exec(select(Sector).where(Sector.slug == SHARED_SECTOR)).one()
    other = db.exec(select(Sector).where(Sector.slug == OTHER_SECTOR)).one()
    author = db.exec(select(User).where(User.email == AUTHORITY)).one()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n_shared):
        db.add(AuditEvent(at=start + timedelta(minutes=i), user_id=author.id,
                          sector_id=shared.id, action="partner.accepted",
                          detail={"reason": f"shared-{i:03d}"}))
    for i in range(n_other):
        db.add(AuditEvent(at=start + timedelta(minutes=i), user_id=author.id,
                          sector_id=other.id, action="wish.asked",
                          detail={"other_authority": f"other-{i:03d}"}))
    db.commit()
    return shared, other


def test_only_coordinators_read_the_trail(client):
    assert client.get("/audit/").status_code == 302
    login(client, ENTERPRISE)
    assert client.get("/audit/").status_code == 403


def test_coordinator_sees_only_the_sectors_they_run(client, db):
    _events(db, 3, 2)
    login(client, COORDINATOR2)
    html = client.get("/audit/").get_data(as_text=True)
    assert "shared-000" in html and "shared-002" in html
    assert "other-000" not in html
    assert "3 events" in html


def test_events_of_a_proposal_without_sector_follow_the_proposal(db):
    arranged = arrange_proposals(db)
    db.add(AuditEvent(at=datetime.now(UTC), proposal_id=arranged.other_proposal_id,
                      action="proposal.published"))
    db.commit()
    first = db.exec(select(User).where(User.email == COORDINATOR)).one()
    second = db.exec(select(User).where(User.email == COORDINATOR2)).one()
    assert audit.events_for(db, first, audit.AuditFilter()).n_events == 1
    assert audit.events_for(db, second, audit.AuditFilter()).n_events == 0


def test_filters_and_pages(client, db):
    shared, other = _events(db, 30, 5)
    login(client, COORDINATOR)
    page1 = client.get("/audit/").get_data(as_text=True)
    assert "35 events" in page1 and "page 1 of 2" in page1
    assert "shared-029" in page1  # newest first
    page2 = client.get("/audit/?page=2").get_data(as_text=True)
    assert "page 2 of 2" in page2 and "shared-000" in page2
    by_sector = client.get(f"/audit/?sector={other.id}").get_data(as_text=True)
    assert "5 events" in by_sector and "shared-" not in by_sector
    by_action = client.get("/audit/?action=partner.accepted").get_data(as_text=True)
    assert "30 events" in by_action and "other-" not in by_action
    author = db.exec(select(User).where(User.email == AUTHORITY)).one()
    assert "35 events" in client.get(f"/audit/?user={author.id}").get_data(as_text=True)


def test_htmx_gets_only_the_results(client, db):
    _events(db, 2, 0)
    login(client, COORDINATOR)
    response = client.get("/audit/?action=partner.accepted", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<table" in html and "<form" not in html and "<html" not in html


def test_a_sector_not_coordinated_is_refused_as_a_filter(client, db):
    _shared, other = _events(db, 1, 1)
    login(client, COORDINATOR2)
    response = client.get(f"/audit/?sector={other.id}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "other-000" not in html and "Choose a value from the list." in html
    assert client.get("/audit/?page=x").status_code == 422


def test_audit_page_links_to_the_answers_per_sector(client, db):
    login(client, COORDINATOR2)
    html = client.get("/audit/").get_data(as_text=True)
    assert f"/sectors/{SHARED_SECTOR}/answers" in html
    assert f"/sectors/{OTHER_SECTOR}/answers" not in html
