"""With the real groupings service: a published proposal reaches its authorities, and an
accepted wish becomes a constraint of the next run."""

from sqlmodel import select

from models import Application, PartnerWish, Proposal, Sector, User
from tests.helpers import AUTHORITY, COORDINATOR, login, post_form
from tests.webapp.groupings.test_members import SHARED_SECTOR
from webapp.groupings.services import editing
from webapp.groupings.services import runs as groupings
from webapp.groupings.services.parameters import RunParameters
from webapp.groupings.services.store import load_rows


def publish_a_proposal(db, slug: str = SHARED_SECTOR, **parameters):
    """Generate proposals as a coordinator would, approve and publish the best one."""
    coordinator = db.exec(select(User).where(User.email == COORDINATOR)).one()
    proposal = groupings.generate(db, coordinator, slug,
                                  RunParameters(n_alternatives=1, **parameters))
    editing.approve(db, coordinator, slug, proposal.id, proposal.version)
    editing.publish(db, coordinator, slug, proposal.id, proposal.version)
    return proposal


def test_published_proposal_shows_the_engines_reasons(app, client, db):
    publish_a_proposal(db)
    login(client, AUTHORITY)
    index = client.get("/partners/").get_data(as_text=True)
    assert "See your group" in index
    group_url = index.split('href="/partners/groups/')[1].split('"')[0]
    html = client.get(f"/partners/groups/{group_url}").get_data(as_text=True)
    assert "Why you are in this group" in html
    assert "Shares " in html or "Complementary size" in html  # the engine's own words


def test_an_accepted_wish_is_honoured_by_the_next_run(app, client, db):
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    mine = db.exec(select(Application).where(Application.authority_id == me.authority_id,
                                             Application.sector_id == 1)).one()
    first = publish_a_proposal(db)
    # the wish: together with someone the engine put in another group
    loaded = load_rows(db, db.get(Sector, first.sector_id), db.get(Proposal, first.id))
    my_group = loaded.group_of(mine.id)
    stranger_app = next(m.application_id for g in loaded.groups if g.id != my_group.id
                        for m in loaded.members[g.id])
    stranger = db.get(Application, stranger_app).authority_id
    login(client, AUTHORITY)
    post_form(client, f"/partners/applications/{mine.id}/wishes",
              {"kind": "together", "other_authority_id": str(stranger)})
    wish = db.exec(select(PartnerWish).where(PartnerWish.authority_id == me.authority_id)).one()
    client2 = app.test_client()
    login(client2, COORDINATOR)
    post_form(client2, f"/sectors/{SHARED_SECTOR}/wishes/{wish.id}/accept")
    db.expire_all()
    second = groupings.generate(db, db.exec(select(User).where(User.email == COORDINATOR)).one(),
                                SHARED_SECTOR, RunParameters(n_alternatives=1))
    loaded = load_rows(db, db.get(Sector, second.sector_id), db.get(Proposal, second.id))
    assert loaded.group_of(mine.id).id == loaded.group_of(stranger_app).id
