"""Notices to the other roles: authorities hear of published groups and partners' answers;
coordinators get a daily summary of answers and wishes."""

import re
from datetime import timedelta

from sqlmodel import select

from models import (
    AlertPreference,
    Application,
    Authority,
    Group,
    Membership,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from tests.helpers import AUTHORITY, COORDINATOR, DEMO_PASSWORD, login, post_form
from tests.webapp.alerts.conftest import parts
from tests.webapp.groupings.test_coordinator import SECTOR, generate
from tests.webapp.groupings.test_members import arrange_proposals
from webapp.alerts.services import digests, outbox
from webapp.security import hash_password


def authority_user(db, authority_id: int, email: str) -> User:
    user = db.exec(select(User).where(User.authority_id == authority_id)).first()
    if user is None:
        user = User(email=email, role=Role.AUTHORITY, authority_id=authority_id,
                    password_hash=hash_password(DEMO_PASSWORD))
        db.add(user)
        db.commit()
    return user


def notices_to(db) -> dict[str, list[OutboxMessage]]:
    db.expire_all()
    found: dict[str, list[OutboxMessage]] = {}
    for row in db.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")):
        found.setdefault(row.to_address, []).append(row)
    return found


def test_publishing_mails_every_member_authority_once(mail_app, db, smtp_server):
    coordinator = mail_app.test_client()
    login(coordinator, COORDINATOR)
    proposal_id = generate(coordinator, n_alternatives="1")
    members = db.exec(select(Application.authority_id, Group.id)
                      .join(Membership, Membership.application_id == Application.id)
                      .join(Group, Group.id == Membership.group_id)
                      .where(Group.proposal_id == proposal_id)).all()
    group_of = dict(members)
    some = sorted(group_of)[:2]
    users = [authority_user(db, a, f"member{a}@example.org") for a in some]
    # One of them turned notices off.
    db.add(AlertPreference(user_id=users[1].id, notices=False))
    db.commit()
    assert post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/approve",
                     {"version": "1", "confirm": "yes"}).status_code == 303
    assert post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/publish",
                     {"version": "2", "confirm": "yes"}).status_code == 303
    received = notices_to(db)
    assert users[0].email in received and users[1].email not in received
    assert all(len(rows) == 1 for rows in received.values())
    assert outbox.send_pending(db, smtp_server.url, mail_from="M <m@example.org>").sent \
        == len(received)
    message = smtp_server.mailbox.to(users[0].email)[0]
    text, html = parts(message)
    assert "is published" in message["Subject"] and "Your partners:" in text
    link = re.search(r"http://localhost/partners/groups/(\d+)", text)
    assert int(link.group(1)) == group_of[users[0].authority_id]
    member = mail_app.test_client()
    login(member, users[0].email)
    assert member.get(link.group(0)).status_code == 200
    assert "accept or decline" in html


def test_a_partners_answer_is_mailed_to_the_other_members(mail_app, db):
    arranged = arrange_proposals(db)
    partner = authority_user(db, arranged.partner_id, "partner@example.org")
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    client = mail_app.test_client()
    login(client, AUTHORITY)
    post_form(client, f"/partners/groups/{arranged.my_group_id}/answer", {"answer": "accepted"})
    received = notices_to(db)
    assert partner.email in received and AUTHORITY not in received
    [row] = received[partner.email]
    assert "accepted your working group" in row.subject and "accepted group" in row.body_text
    # Changing one's mind is news again.
    post_form(client, f"/partners/groups/{arranged.my_group_id}/answer",
              {"answer": "declined", "reason": "Too far apart."})
    rows = notices_to(db)[partner.email]
    assert len(rows) == 2 and "declined" in rows[1].subject
    assert "Too far apart" not in rows[1].body_text  # the reason is for the coordinator
    assert me.id not in {r.user_id for r in rows}


def test_coordinators_get_a_daily_summary_only_when_something_happened(mail_app, db):
    arranged = arrange_proposals(db)
    now = utcnow()
    with mail_app.app_context():
        digests.run_digest_round(db, now)  # nothing answered yet: no summary
    assert db.exec(select(OutboxMessage).where(OutboxMessage.kind == "summary")).all() == []

    client = mail_app.test_client()
    login(client, AUTHORITY)
    post_form(client, f"/partners/groups/{arranged.my_group_id}/answer",
              {"answer": "declined", "reason": "Too far apart."})
    later = utcnow() + timedelta(days=1)
    with mail_app.app_context():
        report = digests.run_digest_round(db, later)
        again = digests.run_digest_round(db, later + timedelta(hours=1))
    assert report.summaries >= 1 and again.summaries == 0
    coordinator = db.exec(select(User).where(User.email == COORDINATOR)).one()
    [summary] = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "summary",
                                                   OutboxMessage.user_id == coordinator.id))
    assert "declined its group: Too far apart." in summary.body_text
    assert summary.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_summary_tells_of_applications_and_withdrawals(mail_app, db):
    arranged = arrange_proposals(db)
    with mail_app.app_context():
        digests.run_digest_round(db, utcnow())  # the last summary: now
    client = mail_app.test_client()
    login(client, AUTHORITY)
    post_form(client, "/partners/apply/circular-ict",
              {"topics": ["Smartphones and tablets"], "preference_rank": "3"})
    post_form(client, f"/partners/applications/{arranged.my_application_id}/withdraw")
    with mail_app.app_context():
        digests.run_digest_round(db, utcnow() + timedelta(days=1))
    coordinator = db.exec(select(User).where(User.email == COORDINATOR)).one()
    [summary] = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "summary",
                                                   OutboxMessage.user_id == coordinator.id))
    assert "Gemeente Utrecht applied to the working group" in summary.body_text
    assert "Gemeente Utrecht withdrew its application" in summary.body_text
    assert "2 answers, wishes and applications in your sectors" in summary.subject


def test_a_member_that_withdrew_is_marked_in_the_draft_and_not_mailed_on_publish(
        mail_app, db, smtp_server):
    coordinator = mail_app.test_client()
    login(coordinator, COORDINATOR)
    proposal_id = generate(coordinator, n_alternatives="1")
    rows = db.exec(select(Application.id, Application.authority_id, Group.id)
                   .join(Membership, Membership.application_id == Application.id)
                   .join(Group, Group.id == Membership.group_id)
                   .where(Group.proposal_id == proposal_id)
                   .order_by(Group.id, Application.id)).all()
    (gone_app, gone, group_id), (_stays_app, stays, _same) = rows[0], rows[1]
    assert rows[1][2] == group_id, "the first group should have two members at least"
    leaver = authority_user(db, gone, f"member{gone}@example.org")
    partner = authority_user(db, stays, f"member{stays}@example.org")
    authority = mail_app.test_client()
    login(authority, leaver.email)
    assert post_form(authority, f"/partners/applications/{gone_app}/withdraw").status_code == 303
    page = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}").get_data(as_text=True)
    member = re.search(rf'<li class="member[^"]*" id="member-{gone_app}".*?</li>', page, re.S)
    assert "withdrew its application" in member.group(0)
    assert page.count("withdrew its application") == 1  # only the one that did
    assert post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/approve",
                     {"version": "1", "confirm": "yes"}).status_code == 303
    assert post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/publish",
                     {"version": "2", "confirm": "yes"}).status_code == 303
    assert leaver.email not in notices_to(db) and partner.email in notices_to(db)
    outbox.send_pending(db, smtp_server.url, mail_from="M <m@example.org>")
    assert smtp_server.mailbox.to(leaver.email) == []
    text, _html = parts(smtp_server.mailbox.to(partner.email)[0])
    leaver_name = db.get(Authority, gone).name
    assert "Your partners:" in text and leaver_name not in text
