"""The partners and audit queries on PostgreSQL (production's database), not only SQLite."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    Authority,
    AuthorityKind,
    Enterprise,
    EnterpriseKind,
    Role,
    Sector,
    SectorCoordinator,
    User,
)
from tests.helpers import AUTHORITY, COORDINATOR, COORDINATOR2, ENTERPRISE
from tests.webapp.groupings.test_members import OTHER_SECTOR, SHARED_SECTOR, arrange_proposals
from webapp.audit import services as audit
from webapp.db import make_engine
from webapp.groupings.services import applications, members
from webapp.groupings.services.errors import InvalidApplication
from webapp.groupings.services.members import InvalidAnswer
from webapp.migrate import downgrade, upgrade

pytestmark = pytest.mark.postgres


def _small_world(db: Session) -> None:
    """Just enough rows for `arrange_proposals`. (The full fixtures cannot load on PostgreSQL
    yet: `Authority.procurement_spend_eur` is an INTEGER and billions overflow it.)"""
    now = datetime.now(UTC)
    shared = Sector(slug=SHARED_SECTOR, name="Zero-emission construction sites")
    other = Sector(slug=OTHER_SECTOR, name="Socially responsible procurement")
    authorities = [
        Authority(name=f"Authority {i:02d}", kind=AuthorityKind.MUNICIPALITY,
                  country="NL" if i % 2 else "BE", nuts="NL310" if i % 2 else "BE100",
                  population=50_000 * (i + 1), languages=["nl", "en"])
        for i in range(14)
    ]
    enterprises = [Enterprise(name=f"Enterprise {i}", kind=EnterpriseKind.WISE, country="NL",
                              nuts="NL310") for i in range(2)]
    db.add_all([shared, other, *authorities, *enterprises])
    db.flush()
    db.add_all(Application(authority_id=a.id, sector_id=s.id, topics=["A", f"T{i % 3}"],
                           created_at=now)
               for i, a in enumerate(authorities) for s in (shared, other))
    users = [
        User(email=COORDINATOR, role=Role.COORDINATOR),
        User(email=COORDINATOR2, role=Role.COORDINATOR),
        User(email=AUTHORITY, role=Role.AUTHORITY, authority_id=authorities[0].id),
        User(email=ENTERPRISE, role=Role.ENTERPRISE, enterprise_id=enterprises[0].id),
    ]
    for user in users:
        user.password_hash, user.created_at = "-", now
    db.add_all(users)
    db.flush()
    db.add_all([SectorCoordinator(sector_id=shared.id, user_id=users[0].id),
                SectorCoordinator(sector_id=other.id, user_id=users[0].id),
                SectorCoordinator(sector_id=shared.id, user_id=users[1].id)])
    db.commit()


def test_reads_and_writes_work_on_postgresql(postgres_url):
    engine = make_engine(postgres_url)
    downgrade(engine, "base")  # the run's database is shared by the PostgreSQL tests
    upgrade(engine)
    try:
        with Session(engine, expire_on_commit=False) as db:
            _small_world(db)
            arranged = arrange_proposals(db)
            me = db.exec(select(User).where(User.email == AUTHORITY)).one()
            coordinator = db.exec(select(User).where(User.email == COORDINATOR2)).one()
            page = members.authority_page(db, me)
            assert any(item.group for item in page.applications)
            view = members.group_view(db, me, arranged.my_group_id)
            assert len(view.partners) == 4
            members.answer_group(db, me, arranged.my_group_id, "declined", "Too far.")
            members.add_wish(db, me, arranged.my_application_id, arranged.outsider_id,
                              "together")
            review = members.sector_review(db, coordinator, arranged.sector_slug, None)
            assert review.counts.n_declined == 1 and len(review.wishes) == 2
            members.decide_wish(db, coordinator, arranged.sector_slug, arranged.wish_id, True)
            choices = audit.filter_choices(db, coordinator)
            assert "partner.declined" in choices.actions
            result = audit.events_for(db, coordinator,
                                      audit.AuditFilter(action="wish.accepted"))
            assert result.n_events == 1
    finally:
        downgrade(engine, "base")
        engine.dispose()


def test_apply_edit_and_withdraw_on_postgresql(postgres_url):
    engine = make_engine(postgres_url)
    downgrade(engine, "base")
    upgrade(engine)
    try:
        with Session(engine, expire_on_commit=False) as db:
            _small_world(db)
            arranged = arrange_proposals(db)
            ict = Sector(slug="circular-ict", name="Circular ICT",
                         topics=["Refurbished laptops", "Take-back"],
                         translations={"nl": {"topics": {"Take-back": "Terugname"}}})
            db.add(ict)
            db.commit()
            me = db.exec(select(User).where(User.email == AUTHORITY)).one()
            made = applications.apply(db, me, {"sector_slug": ict.slug,
                                               "topics": ["Terugname"], "motivation": " Why. "})
            assert (made.topics, made.motivation, made.preference_rank) == (
                ["Take-back"], "Why.", 2)  # after its two others, as many as there are left
            with pytest.raises(InvalidApplication) as refused:
                applications.update(db, me, made.id, {"preference_rank": 4})
            assert set(refused.value.errors) == {"preference_rank"}
            applications.update(db, me, made.id, {"topics": ["Refurbished laptops"]})
            applications.withdraw(db, me, made.id)
            with pytest.raises(InvalidAnswer):
                members.add_wish(db, me, made.id, arranged.outsider_id, "together")
            db.expire_all()
            stored = db.get(Application, made.id)
            assert (stored.status, stored.topics) == (
                ApplicationStatus.WITHDRAWN, ["Refurbished laptops"])
            assert [a.id for a in db.exec(select(Application).where(
                Application.sector_id == ict.id,
                Application.status == ApplicationStatus.SUBMITTED))] == []
    finally:
        downgrade(engine, "base")
        engine.dispose()
