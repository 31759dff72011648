"""Authorities apply to working groups on the site, edit, withdraw and apply again (pages).

The rule once a group is published (see webapp/groupings/services/applications.py): the
application can be withdrawn, not edited; the coordinator sees the withdrawal.
"""

import re

import pytest
from sqlmodel import select

from models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Authority,
    PartnerResponse,
    PartnerWish,
    Role,
    Sector,
    User,
    WaitlistEntry,
)
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    DEMO_PASSWORD,
    bearer,
    login,
    post_form,
    upload_applications,
)
from tests.webapp.groupings.test_members import AUTHORITY2, arrange_proposals
from webapp.security import hash_password

ICT = "circular-ict"  # the demo authority has not applied to it; the demo coordinator runs it


def _me(db) -> Authority:
    user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    return db.get(Authority, user.authority_id)


def _sector(db, slug=ICT) -> Sector:
    return db.exec(select(Sector).where(Sector.slug == slug)).one()


def _application(db, authority_id: int, sector_id: int) -> Application | None:
    db.expire_all()
    return db.exec(select(Application).where(Application.authority_id == authority_id,
                                             Application.sector_id == sector_id)).first()


def _apply(client, sector: Sector, **changes):
    form = {"topics": sector.topics[:2], "motivation": "We buy 4,000 laptops a year.",
            "preference_rank": "3", **changes}
    return post_form(client, f"/partners/apply/{sector.slug}", form)


def _error_beside(html: str, field: str) -> str:
    """The message shown beside a field (its id is application-<field>-error)."""
    found = re.search(rf'<p class="error" id="application-{field}-error">([^<]*)</p>', html)
    assert found, f"no error beside {field}"
    return found.group(1)


def test_from_my_groups_to_the_form_by_links(client, db):
    login(client, AUTHORITY)
    index = client.get("/partners/").get_data(as_text=True)
    assert 'href="/partners/apply"' in index and "Apply to a working group" in index
    listing = client.get("/partners/apply").get_data(as_text=True)
    mine = {db.get(Sector, a.sector_id).slug for a in db.exec(
        select(Application).where(Application.authority_id == _me(db).id))}
    assert mine and f"/partners/apply/{ICT}" in listing
    for slug in mine:  # sectors already applied to are not offered again
        assert f"/partners/apply/{slug}" not in listing
    form = client.get(f"/partners/apply/{ICT}")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    for topic in _sector(db).topics:
        assert f'value="{topic}"' in html
    # the next rank after the authority's applications, by default
    ranks = [a.preference_rank for a in db.exec(
        select(Application).where(Application.authority_id == _me(db).id))]
    assert f'name="preference_rank" type="number" value="{max(ranks) + 1}"' in html


def test_a_refused_application_shows_each_error_beside_its_field_and_keeps_the_input(client, db):
    sector = _sector(db)
    login(client, AUTHORITY)
    long = "x" * 4001
    refused = post_form(client, f"/partners/apply/{ICT}",
                        {"motivation": long, "preference_rank": "0"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Tick at least one topic" in _error_beside(html, "topics")
    assert "under 4,000 characters" in _error_beside(html, "motivation")
    assert "from 1 (your first choice)" in _error_beside(html, "preference_rank")
    assert f">{long}</textarea>" in html and 'value="0"' in html  # nothing typed is lost
    assert 'href="#application-topics"' in html  # the summary links to the field
    unknown = _apply(client, sector, topics=[sector.topics[0], "Rockets"])
    assert unknown.status_code == 422
    assert "Rockets" in _error_beside(unknown.get_data(as_text=True), "topics")
    assert f'value="{sector.topics[0]}" id="application-topics" checked' in \
        unknown.get_data(as_text=True)
    assert _application(db, _me(db).id, sector.id) is None


def test_apply_edit_withdraw_and_apply_again(client, db):
    sector, me = _sector(db), _me(db)
    login(client, AUTHORITY)
    done = _apply(client, sector)
    assert done.status_code == 303 and done.headers["Location"].endswith("/partners/")
    index = client.get("/partners/").get_data(as_text=True)
    assert "Your application is submitted" in index
    application = _application(db, me.id, sector.id)
    assert (application.topics, application.preference_rank, application.status) == (
        sector.topics[:2], 3, ApplicationStatus.SUBMITTED)
    assert f"/partners/applications/{application.id}" in index
    assert f"/partners/apply/{ICT}" not in client.get("/partners/apply").get_data(as_text=True)
    # applying a second time goes back to the list, with a word why
    again = client.get(f"/partners/apply/{ICT}")
    assert again.status_code == 303
    assert "edit your application" in client.get("/partners/").get_data(as_text=True)

    edit_url = f"/partners/applications/{application.id}"
    form = client.get(edit_url).get_data(as_text=True)
    assert "We buy 4,000 laptops a year.</textarea>" in form
    assert post_form(client, edit_url, {"topics": [], "motivation": "",
                                        "preference_rank": "2"}).status_code == 422
    saved = post_form(client, edit_url, {"topics": [sector.topics[3]], "motivation": "More.",
                                         "preference_rank": "2"})
    assert saved.status_code == 303
    application = _application(db, me.id, sector.id)
    assert (application.topics, application.motivation, application.preference_rank) == (
        [sector.topics[3]], "More.", 2)

    confirm = client.get(f"{edit_url}/withdraw").get_data(as_text=True)
    assert "Yes, withdraw my application" in confirm and "No, keep my application" in confirm
    assert post_form(client, f"{edit_url}/withdraw").status_code == 303
    assert _application(db, me.id, sector.id).status == ApplicationStatus.WITHDRAWN
    index = client.get("/partners/").get_data(as_text=True)
    assert "is withdrawn" in index and "Apply again to" in index
    # a withdrawn application cannot be edited, only submitted again, with its answers
    assert post_form(client, edit_url, {"topics": [sector.topics[0]],
                                        "preference_rank": "1"}).status_code == 409
    assert f"/partners/apply/{ICT}" in client.get("/partners/apply").get_data(as_text=True)
    refill = client.get(f"/partners/apply/{ICT}").get_data(as_text=True)
    assert "More.</textarea>" in refill
    assert _apply(client, sector, topics=[sector.topics[1]]).status_code == 303
    again = _application(db, me.id, sector.id)
    assert (again.id, again.status, again.topics) == (
        application.id, ApplicationStatus.SUBMITTED, [sector.topics[1]])
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.sector_id == sector.id)
                      .where(AuditEvent.action.startswith("application."))
                      .order_by(AuditEvent.id)).all()
    assert actions == ["application.submitted", "application.updated",
                       "application.withdrawn", "application.submitted"]


def test_the_coordinators_pool_and_trail_follow_applications(client, db, app):
    sector, me = _sector(db), _me(db)
    authority = app.test_client()
    login(authority, AUTHORITY)
    coordinator = app.test_client()
    login(coordinator, COORDINATOR)

    def in_pool() -> bool:
        return me.name in coordinator.get(f"/sectors/{ICT}").get_data(as_text=True)

    assert not in_pool()
    _apply(authority, sector)
    assert in_pool()
    trail = coordinator.get("/audit/").get_data(as_text=True)
    assert f"{me.name} applied: 2 topics, preference 3." in trail
    application = _application(db, me.id, sector.id)
    post_form(authority, f"/partners/applications/{application.id}/withdraw")
    assert not in_pool()
    assert f"{me.name} withdrew its application." in coordinator.get("/audit/").get_data(
        as_text=True)


def test_the_form_reads_in_dutch_and_stores_english_topics(client, db):
    sector, me = _sector(db), _me(db)
    login(client, AUTHORITY)
    assert post_form(client, "/language", {"locale": "nl", "next": "/"}).status_code == 303
    listing = client.get("/partners/apply").get_data(as_text=True)
    assert "Aanmelden voor een werkgroep" in listing
    assert sector.translations["nl"]["name"] in listing
    html = client.get(f"/partners/apply/{ICT}").get_data(as_text=True)
    english = sector.topics[0]
    dutch = sector.translations["nl"]["topics"][english]
    assert f'value="{english}" id="application-topics"> <label for="application-topics">' \
           f'{dutch}</label>' in html
    refused = _apply(client, sector, topics=[])
    assert "Vink minstens" in refused.get_data(as_text=True)
    assert _apply(client, sector, topics=[english]).status_code == 303
    assert _application(db, me.id, sector.id).topics == [english]


def test_once_the_group_is_published_the_application_is_withdrawn_not_edited(app, client, db):
    arranged = arrange_proposals(db)
    login(client, AUTHORITY)
    url = f"/partners/applications/{arranged.my_application_id}"
    assert "Edit your application" not in client.get("/partners/").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "can no longer change" in page and "<textarea" not in page
    refused = post_form(client, url, {"topics": ["Anything"], "preference_rank": "1"})
    assert refused.status_code == 409
    assert "Withdraw" in client.get(f"{url}/withdraw").get_data(as_text=True)
    assert post_form(client, f"{url}/withdraw").status_code == 303
    coordinator = app.test_client()
    login(coordinator, COORDINATOR)
    answers = coordinator.get(f"/sectors/{arranged.sector_slug}/answers").get_data(as_text=True)
    assert "withdrew its application" in answers
    # the published group stays as its members were told
    assert client.get(f"/partners/groups/{arranged.my_group_id}").status_code == 200


@pytest.mark.parametrize("path", ["", "/withdraw"])
def test_another_authoritys_application_is_not_found(app, db, path):
    arranged = arrange_proposals(db)
    other = app.test_client()
    login(other, AUTHORITY2)
    url = f"/partners/applications/{arranged.my_application_id}{path}"
    assert other.get(url).status_code == 404
    assert post_form(other, url, {"topics": ["x"], "preference_rank": "1"}).status_code == 404
    assert post_form(other, "/partners/applications/999999" + path).status_code == 404
    db.expire_all()
    mine = db.get(Application, arranged.my_application_id)
    assert mine.status == ApplicationStatus.SUBMITTED


def test_an_unknown_sector_is_not_found_and_coordinators_may_not_apply(client):
    login(client, AUTHORITY)
    assert client.get("/partners/apply/no-such-sector").status_code == 404
    client.post("/logout")
    login(client, COORDINATOR)
    assert client.get("/partners/apply").status_code == 403
    assert client.get(f"/partners/apply/{ICT}").status_code == 403
    assert post_form(client, f"/partners/apply/{ICT}", {"topics": ["x"]}).status_code == 403


def test_a_csv_reimport_leaves_a_withdrawn_application_withdrawn(app, client, db):
    sector, me = _sector(db), _me(db)
    login(client, AUTHORITY)
    _apply(client, sector)
    application = _application(db, me.id, sector.id)
    post_form(client, f"/partners/applications/{application.id}/withdraw")
    coordinator = app.test_client()
    login(coordinator, COORDINATOR)
    response = upload_applications(
        coordinator, ICT, f"{me.name},{me.country},{me.nuts},{me.kind.value},,"
        f"{sector.topics[5]},Imported by the coordinator,1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 application was left withdrawn: its authority withdrew it" in html
    assert "0 updated" in html
    kept = _application(db, me.id, sector.id)
    assert (kept.status, kept.topics, kept.motivation) == (
        ApplicationStatus.WITHDRAWN, sector.topics[:2], "We buy 4,000 laptops a year.")
    assert me.name not in coordinator.get(f"/sectors/{ICT}").get_data(as_text=True)


def test_a_partner_that_withdrew_is_marked_on_the_group_page(app, client, db):
    arranged = arrange_proposals(db)
    partner = User(email="partner@example.org", role=Role.AUTHORITY,
                   authority_id=arranged.partner_id, password_hash=hash_password(DEMO_PASSWORD))
    db.add(partner)
    db.commit()
    login(client, AUTHORITY)
    post_form(client, f"/partners/applications/{arranged.my_application_id}/withdraw")
    other = app.test_client()
    login(other, partner.email)
    page = other.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    card = re.search(rf'<h3 id="partner-{arranged.authority_id}">(.*?)</h3>', page, re.S)
    assert card and "withdrew its application" in card.group(1)
    assert page.count("withdrew its application") == 1  # the others stay unmarked
    assert "You withdrew your application" not in page
    mine = client.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    assert "You withdrew your application to this working group" in mine
    assert f'href="/partners/apply/{arranged.sector_slug}"' in mine


def test_no_wish_on_a_withdrawn_application(app, client, db):
    arranged = arrange_proposals(db)
    login(client, AUTHORITY)
    url = f"/partners/applications/{arranged.my_application_id}"
    post_form(client, f"{url}/withdraw")
    group_page = client.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    assert "Your wishes for this sector" in group_page and "Send the wish" not in group_page
    refused = post_form(client, f"{url}/wishes", {"kind": "together", "next": "/partners/",
                                                  "other_authority_id": str(arranged.outsider_id)})
    assert refused.status_code == 303
    assert "Your wish was not saved" in client.get("/partners/").get_data(as_text=True)
    api = client.post("/api/v1/partners/wishes", headers=bearer(app, AUTHORITY), json={
        "application_id": arranged.my_application_id,
        "other_authority_id": arranged.outsider_id, "kind": "together"})
    assert api.status_code == 422 and "withdrawn" in api.json["fields"]["application_id"]
    db.expire_all()
    assert db.exec(select(PartnerWish).where(
        PartnerWish.authority_id == arranged.authority_id)).all() == []


def test_the_error_summary_lists_the_fields_in_the_forms_order(client):
    login(client, AUTHORITY)
    html = post_form(client, f"/partners/apply/{ICT}", {
        "motivation": "x" * 4001, "preference_rank": "first"}).get_data(as_text=True)
    links = re.findall(r'href="#application-(topics|motivation|preference_rank)"', html)
    assert links == ["topics", "motivation", "preference_rank"]
    assert "from 1 (your first choice) to 10." in _error_beside(html, "preference_rank")


def test_the_coordinators_draft_marks_a_waitlisted_applicant_that_withdrew(app, db):
    arranged = arrange_proposals(db)
    outsider = db.exec(select(Application).where(
        Application.authority_id == arranged.outsider_id,
        Application.sector_id == arranged.sector_id)).one()
    db.add(WaitlistEntry(proposal_id=arranged.draft_proposal_id, application_id=outsider.id,
                         rank=1, reason="No room left."))
    outsider.status = ApplicationStatus.WITHDRAWN  # as its authority would on its page
    db.commit()
    coordinator = app.test_client()
    login(coordinator, COORDINATOR)
    page = coordinator.get(f"/sectors/{arranged.sector_slug}/proposals/"
                           f"{arranged.draft_proposal_id}").get_data(as_text=True)
    waiting = re.search(rf'<li class="member" id="member-{outsider.id}".*?</li>', page, re.S)
    assert "withdrew its application" in waiting.group(0)
    assert page.count("withdrew its application") == 1


def test_an_authority_that_withdrew_can_no_longer_answer_for_its_group(app, client, db):
    arranged = arrange_proposals(db)
    login(client, AUTHORITY)
    group_url = f"/partners/groups/{arranged.my_group_id}"
    assert "Send my answer" in client.get(group_url).get_data(as_text=True)
    answers_before = len(db.exec(select(PartnerResponse)).all())
    post_form(client, f"/partners/applications/{arranged.my_application_id}/withdraw")
    page = client.get(group_url).get_data(as_text=True)
    assert "Send my answer" not in page
    assert "you no longer answer for this group" in page
    refused = post_form(client, f"{group_url}/answer", {"answer": "accepted"})
    assert refused.status_code == 422
    assert "you can no longer answer for this group" in refused.get_data(as_text=True)
    api = client.post(f"/api/v1/partners/groups/{arranged.my_group_id}/answer",
                      headers=bearer(app, AUTHORITY), json={"answer": "accepted"})
    assert api.status_code == 422 and "withdrew" in api.json["fields"]["answer"]
    db.expire_all()
    assert len(db.exec(select(PartnerResponse)).all()) == answers_before
