"""Authorities review the groups a published proposal placed them in (pages, test client).

`arrange_proposals` is shared with the permission matrix and the browser test: it builds
proposals the way the groupings service stores them (Proposal, Group, Membership rows with an
engine explanation), so these tests do not depend on the engine.
"""

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from models import (
    Application,
    AuditEvent,
    Authority,
    Enterprise,
    Group,
    Membership,
    PartnerResponse,
    PartnerWish,
    Proposal,
    ProposalStatus,
    Role,
    Sector,
    User,
)
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    COORDINATOR2,
    DEMO_PASSWORD,
    ENTERPRISE,
    login,
    post_form,
)
from webapp.security import hash_password

AUTHORITY2 = "authority2@demo.matchmaker.eu"
ENTERPRISE2 = "enterprise2@demo.matchmaker.eu"
SHARED_SECTOR = "zero-emission-construction-sites"  # coordinated by coordinator and coordinator2
OTHER_SECTOR = "socially-responsible-procurement"  # coordinated by coordinator only


@dataclass
class Arranged:
    """Ids of what `arrange_proposals` made, named from the demo authority's point of view."""

    authority_id: int
    authority2_id: int
    sector_slug: str
    sector_id: int
    other_sector_slug: str
    proposal_id: int  # published, shared sector: the demo authority is in my_group
    draft_proposal_id: int  # draft, shared sector: the demo authority is in draft_group
    other_proposal_id: int  # published, other sector
    my_group_id: int
    their_group_id: int  # the other authority's group in the published proposal
    draft_group_id: int
    other_sector_group_id: int  # the demo authority's group in the other sector
    my_application_id: int
    their_application_id: int
    partner_id: int  # an authority in my_group
    outsider_id: int  # an applicant of the sector in neither of the two
    wish_id: int  # a wish of the other authority
    other_sector_wish_id: int


def _proposal(db: Session, sector: Sector, status: ProposalStatus, groups: list[list[Application]],
              run_key: str, explain: bool = True) -> tuple[Proposal, list[Group]]:
    proposal = Proposal(sector_id=sector.id, run_key=run_key, status=status, objective=1.0)
    db.add(proposal)
    db.flush()
    made = []
    for number, members in enumerate(groups, start=1):
        explanation = {}
        if explain:
            explanation = {
                "criteria": {"topics": 0.5, "size": 0.3, "language": 0.2},
                "rule_breaks": [],
                "members": {
                    str(a.id): {
                        "why_here": [f"Engine: application {a.id} fits group {number} best."],
                        "partner_reasons": {
                            str(b.id): [f"Engine: {a.id} and {b.id} tackle the same topics."]
                            for b in members if b.id != a.id
                        },
                    }
                    for a in members
                },
            }
        group = Group(proposal_id=proposal.id, number=number, score=0.8, explanation=explanation)
        db.add(group)
        db.flush()
        db.add_all(Membership(group_id=group.id, application_id=a.id) for a in members)
        made.append(group)
    db.flush()
    return proposal, made


def arrange_proposals(db: Session) -> Arranged:
    """A published and a draft proposal in a shared sector, a published one in another sector,
    a second authority user, a second enterprise user and one wish of each authority."""
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    sector = db.exec(select(Sector).where(Sector.slug == SHARED_SECTOR)).one()
    other_sector = db.exec(select(Sector).where(Sector.slug == OTHER_SECTOR)).one()
    applications = list(db.exec(
        select(Application).where(Application.sector_id == sector.id).order_by(Application.id)
    ).all())
    mine = next(a for a in applications if a.authority_id == me.authority_id)
    others = [a for a in applications if a.authority_id != me.authority_id]
    assert len(others) >= 10, "the fixtures should give this sector enough applicants"
    group_a = [mine, *others[:4]]
    group_b = others[4:9]
    outsider = others[9]
    proposal, (my_group, their_group) = _proposal(
        db, sector, ProposalStatus.PUBLISHED, [group_a, group_b], "published")
    draft, (draft_group, _rest) = _proposal(
        db, sector, ProposalStatus.DRAFT, [[mine, *others[5:8]], others[:5]], "draft")
    other_apps = list(db.exec(
        select(Application).where(Application.sector_id == other_sector.id)
        .order_by(Application.id)
    ).all())
    my_other = next(a for a in other_apps if a.authority_id == me.authority_id)
    other_proposal, (other_group,) = _proposal(
        db, other_sector, ProposalStatus.PUBLISHED,
        [[my_other, *[a for a in other_apps if a.id != my_other.id][:4]]], "other",
        explain=False)
    them = group_b[0]
    demo_enterprise = db.exec(select(User.enterprise_id).where(User.email == ENTERPRISE)).one()
    other_enterprise = db.exec(select(Enterprise.id).where(Enterprise.id != demo_enterprise)
                               .order_by(Enterprise.id)).first()
    db.add_all([
        User(email=AUTHORITY2, role=Role.AUTHORITY, authority_id=them.authority_id,
             password_hash=hash_password(DEMO_PASSWORD)),
        User(email=ENTERPRISE2, role=Role.ENTERPRISE, enterprise_id=other_enterprise,
             password_hash=hash_password(DEMO_PASSWORD)),
    ])
    wish = PartnerWish(sector_id=sector.id, authority_id=them.authority_id,
                       other_authority_id=outsider.authority_id, kind="apart")
    other_wish = PartnerWish(sector_id=other_sector.id, authority_id=other_apps[1].authority_id,
                             other_authority_id=other_apps[2].authority_id, kind="together")
    db.add_all([wish, other_wish])
    db.commit()
    return Arranged(
        authority_id=me.authority_id, authority2_id=them.authority_id,
        sector_slug=sector.slug, sector_id=sector.id, other_sector_slug=other_sector.slug,
        proposal_id=proposal.id, draft_proposal_id=draft.id, other_proposal_id=other_proposal.id,
        my_group_id=my_group.id, their_group_id=their_group.id, draft_group_id=draft_group.id,
        other_sector_group_id=other_group.id, my_application_id=mine.id,
        their_application_id=them.id, partner_id=others[0].authority_id,
        outsider_id=outsider.authority_id, wish_id=wish.id, other_sector_wish_id=other_wish.id)




@pytest.fixture
def arranged(db) -> Arranged:
    return arrange_proposals(db)


def _name(db, authority_id: int) -> str:
    return db.get(Authority, authority_id).name


# --- the authority's pages ------------------------------------------------------------------

def test_index_lists_applications_and_links_only_published_groups(client, db, arranged):
    login(client, AUTHORITY)
    html = client.get("/partners/").get_data(as_text=True)
    assert "Zero-emission construction sites" in html or arranged.sector_slug
    assert f"/partners/groups/{arranged.my_group_id}" in html
    assert f"/partners/groups/{arranged.other_sector_group_id}" in html
    assert f"/partners/groups/{arranged.draft_group_id}" not in html
    assert "waiting for your answer" in html


def test_group_page_shows_partners_reasons_and_makeup(client, db, arranged):
    login(client, AUTHORITY)
    response = client.get(f"/partners/groups/{arranged.my_group_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _name(db, arranged.partner_id) in html
    assert "Engine:" in html  # the stored explanation is read
    assert "Shared interests" in html or "similar size" in html.lower()  # and completed
    assert '<svg role="img"' in html and "<desc" in html and "members:" in html
    # public profile only: no spending figures, no other applicant's motivation
    partner = db.get(Authority, arranged.partner_id)
    if partner.procurement_spend_eur:
        assert f"{partner.procurement_spend_eur:,}" not in html
        assert str(partner.procurement_spend_eur) not in html
    motivation = db.exec(select(Application.motivation).where(
        Application.authority_id == arranged.partner_id)).first()
    assert motivation[:40] not in html
    # members of the other group are not shown
    assert _name(db, arranged.authority2_id) not in html.split("Your wishes")[0]


def test_group_without_engine_explanation_falls_back_to_the_data(client, arranged):
    login(client, AUTHORITY)
    html = client.get(f"/partners/groups/{arranged.other_sector_group_id}").get_data(as_text=True)
    assert "Engine:" not in html
    assert "share at least one of your topics" in html
    assert "You can work together in" in html or "From " in html or "Also in" in html


@pytest.mark.parametrize("which", ["draft_group_id", "their_group_id"])
def test_draft_and_others_groups_are_not_found(client, arranged, which):
    login(client, AUTHORITY)
    assert client.get(f"/partners/groups/{getattr(arranged, which)}").status_code == 404
    assert client.get("/partners/groups/999999").status_code == 404
    answer = post_form(client, f"/partners/groups/{getattr(arranged, which)}/answer",
                       {"answer": "accepted"})
    assert answer.status_code == 404


def test_decline_needs_a_reason_then_is_recorded_and_audited(client, db, arranged):
    login(client, AUTHORITY)
    url = f"/partners/groups/{arranged.my_group_id}/answer"
    refused = post_form(client, url, {"answer": "declined", "reason": "  "})
    assert refused.status_code == 422
    assert "Say why you decline" in refused.get_data(as_text=True)
    done = post_form(client, url, {"answer": "declined", "reason": "Too far apart."})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "You declined this group" in page and "Too far apart." in page
    db.expire_all()
    response = db.exec(select(PartnerResponse)).one()
    assert (response.answer, response.reason) == ("declined", "Too far apart.")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "partner.declined")).one()
    assert event.proposal_id == arranged.proposal_id and event.sector_id == arranged.sector_id
    assert event.detail["reason"] == "Too far apart."
    # changing one's mind replaces the answer and is audited again
    post_form(client, url, {"answer": "accepted"})
    db.expire_all()
    assert db.exec(select(PartnerResponse)).one().answer == "accepted"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "partner.accepted")).one()


def test_wish_names_only_applicants_of_the_sector_and_is_audited(client, db, arranged):
    login(client, AUTHORITY)
    url = f"/partners/applications/{arranged.my_application_id}/wishes"
    page = client.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    assert f'<option value="{arranged.outsider_id}">' in page
    assert f'<option value="{arranged.authority_id}">' not in page  # never oneself
    stranger = db.exec(select(Authority.id).where(Authority.id.not_in(
        select(Application.authority_id).where(Application.sector_id == arranged.sector_id)
    ))).first()
    post_form(client, url, {"kind": "together", "other_authority_id": str(stranger)})
    db.expire_all()
    assert db.exec(select(PartnerWish).where(
        PartnerWish.authority_id == arranged.authority_id)).all() == []
    done = post_form(client, url, {"kind": "together",
                                   "other_authority_id": str(arranged.outsider_id)})
    assert done.status_code == 303
    db.expire_all()
    wish = db.exec(select(PartnerWish).where(
        PartnerWish.authority_id == arranged.authority_id)).one()
    assert (wish.other_authority_id, wish.kind, wish.accepted) == (
        arranged.outsider_id, "together", False)
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "wish.asked")).one()
    assert "waiting for the coordinator" in client.get("/partners/").get_data(as_text=True)
    # someone else's application id cannot carry a wish
    theirs = post_form(client, f"/partners/applications/{arranged.their_application_id}/wishes",
                       {"kind": "apart", "other_authority_id": str(arranged.outsider_id)})
    assert theirs.status_code == 404
    # and someone else's wish cannot be withdrawn
    assert post_form(client, f"/partners/wishes/{arranged.wish_id}/withdraw").status_code == 404
    wish_id = wish.id
    assert post_form(client, f"/partners/wishes/{wish_id}/withdraw").status_code == 303
    db.expire_all()
    assert db.get(PartnerWish, wish_id) is None


def test_other_roles_cannot_use_the_authority_pages(client, arranged):
    assert client.get("/partners/").status_code == 302
    login(client, COORDINATOR)
    assert client.get("/partners/").status_code == 403
    assert client.get(f"/partners/groups/{arranged.my_group_id}").status_code == 403


# --- the coordinator's review ---------------------------------------------------------------

def test_coordinator_sees_answers_and_accepts_a_wish(client, db, arranged):
    login(client, AUTHORITY)
    post_form(client, f"/partners/groups/{arranged.my_group_id}/answer",
              {"answer": "declined", "reason": "We prefer Dutch-speaking partners."})
    client.post("/logout", data={})
    client = client.application.test_client()
    login(client, COORDINATOR2)
    html = client.get(f"/sectors/{arranged.sector_slug}/answers").get_data(as_text=True)
    assert "We prefer Dutch-speaking partners." in html
    assert "1 declined" in html
    assert _name(db, arranged.authority2_id) in html  # the wish's author
    accept = post_form(client, f"/sectors/{arranged.sector_slug}/wishes/{arranged.wish_id}/accept")
    assert accept.status_code == 303
    db.expire_all()
    assert db.get(PartnerWish, arranged.wish_id).accepted is True
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "wish.accepted")).one()
    # the other sector is not coordinator2's: neither its page nor its wishes
    assert client.get(f"/sectors/{arranged.other_sector_slug}/answers").status_code == 404
    wrong = post_form(
        client, f"/sectors/{arranged.sector_slug}/wishes/{arranged.other_sector_wish_id}/accept")
    assert wrong.status_code == 404
    theirs = post_form(client, f"/sectors/{arranged.other_sector_slug}/wishes/"
                               f"{arranged.other_sector_wish_id}/accept")
    assert theirs.status_code == 404


def test_coordinator_rejects_a_wish(client, db, arranged):
    login(client, COORDINATOR)
    done = post_form(client, f"/sectors/{arranged.sector_slug}/wishes/{arranged.wish_id}/reject")
    assert done.status_code == 303
    db.expire_all()
    assert db.get(PartnerWish, arranged.wish_id) is None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "wish.rejected")).one()
    assert event.detail["kind"] == "apart"


def test_answers_for_proposal_lists_every_member(db, arranged):
    from webapp.groupings.services.members import answers_for_proposal

    rows = answers_for_proposal(db, arranged.proposal_id)
    assert len(rows) == 10
    assert {r.group_number for r in rows} == {1, 2}
    assert all(r.answer is None for r in rows)


def test_review_of_a_draft_proposal_by_id_and_an_unknown_one(client, arranged):
    login(client, COORDINATOR)
    base = f"/sectors/{arranged.sector_slug}/answers"
    assert client.get(f"{base}?proposal={arranged.draft_proposal_id}").status_code == 200
    assert client.get(f"{base}?proposal={arranged.other_proposal_id}").status_code == 404
    assert client.get(f"{base}?proposal=abc").status_code == 404
