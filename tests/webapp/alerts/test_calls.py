"""Calls for interest: an authority sends one from a market research, enterprises answer,
the authority sees who answered what and whether a reserved lot looks realistic."""

import re

from markupsafe import escape
from sqlmodel import select

from models import (
    AlertPreference,
    AuditEvent,
    CallForInterest,
    CallRecipient,
    Enterprise,
    OutboxMessage,
    Role,
    Tender,
    TenderStatus,
    User,
)
from tests.helpers import AUTHORITY, DEMO_PASSWORD, ENTERPRISE, login, post_form
from tests.webapp.alerts.conftest import parts
from webapp.alerts.services import outbox
from webapp.security import hash_password
from webapp.tenders.services import buyer

RESEARCH = {"cpv_codes": "90911200", "nuts": "NL", "value_eur": "400000",
            "reservation": "none", "description": "Cleaning of offices and sports halls"}


def enterprise_users(app, db, n: int, candidates=None) -> list[tuple[str, Enterprise]]:
    """Users for the `n` best-fitting enterprises of the research (the demo one included)."""
    if candidates is None:
        with app.test_request_context():
            candidates = buyer.market_research(db, buyer.parse_research(RESEARCH),
                                               n=n).candidates
    found = []
    for i, candidate in enumerate(candidates):
        enterprise = db.get(Enterprise, candidate.enterprise.id)
        user = db.exec(select(User).where(User.enterprise_id == enterprise.id)).first()
        if user is None:
            user = User(email=f"calls{i}@example.org", role=Role.ENTERPRISE,
                        enterprise_id=enterprise.id, password_hash=hash_password(DEMO_PASSWORD))
            db.add(user)
            db.commit()
        found.append((user.email, enterprise))
    return found


def send_call(client, **extra):
    data = {**RESEARCH, "title": "Cleaning of sports halls in Rotterdam",
            "message": "We plan three lots from March. Would you bid?", "cap": "3", **extra}
    return post_form(client, "/alerts/calls/", data)


def test_an_authority_sends_a_call_and_sees_two_enterprises_answer(mail_app, db, smtp_server):
    (first_email, first), (second_email, second), (third_email, third) = \
        enterprise_users(mail_app, db, 3)
    assert ENTERPRISE in (first_email, second_email, third_email)
    # The third turned calls off: it must not receive this one.
    third_user = db.exec(select(User).where(User.email == third_email)).one()
    db.add(AlertPreference(user_id=third_user.id, calls=False))
    db.commit()

    authority = mail_app.test_client()
    login(authority, AUTHORITY)
    query = "&".join(f"{k}={v}" for k, v in RESEARCH.items())
    research = authority.get(f"/buyers/research?{query}").get_data(as_text=True)
    assert "Prepare a call for interest" in research
    form_url = re.search(r'href="(/alerts/calls/new\?[^"]+)"', research).group(1)
    form = authority.get(form_url.replace("&amp;", "&"))
    assert form.status_code == 200
    assert 'value="Cleaning of offices and sports halls"' in form.get_data(as_text=True)

    response = send_call(authority)
    assert response.status_code == 303
    call = db.exec(select(CallForInterest)).one()
    recipients = {r.enterprise_id for r in db.exec(select(CallRecipient))}
    assert recipients == {first.id, second.id}
    sent = outbox.send_pending(db, smtp_server.url, mail_from="Matchmaker <a@example.org>")
    assert sent.sent == 2
    assert {m["To"] for m in smtp_server.mailbox.messages} == {first_email, second_email}
    text, html = parts(smtp_server.mailbox.to(first_email)[0])
    assert "We plan three lots from March" in text and "We plan three lots" in html
    assert smtp_server.mailbox.to(first_email)[0]["List-Unsubscribe"]
    link = re.search(r"http://localhost/alerts/calls/received/\d+", text).group(0)

    answers = {first_email: ("interested", "Yes: we clean four sports halls in Rotterdam."),
               second_email: ("not_for_us", "")}
    for email, (answer, message) in answers.items():
        client = mail_app.test_client()
        login(client, email)
        page = client.get(link)
        assert page.status_code == 200 and "Would you bid?" in page.get_data(as_text=True)
        assert call.title in client.get("/alerts/calls/received").get_data(as_text=True)
        done = post_form(client, f"/alerts/calls/received/{call.id}/answer",
                         {"answer": answer, "message": message})
        assert done.status_code == 303

    shown = authority.get(f"/alerts/calls/{call.id}").get_data(as_text=True)
    assert "1 interested, 1 not for them, 0 not answered yet" in shown
    assert str(escape(first.name)) in shown and str(escape(second.name)) in shown
    assert "Yes: we clean four sports halls in Rotterdam." in shown
    assert "Not for us" in shown and "Reserving a lot" in shown
    listing = authority.get("/alerts/calls/").get_data(as_text=True)
    assert call.title in listing
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.action.like("call.%"))).all()
    assert sorted(actions) == ["call.interested", "call.not_for_us", "call.sent"]


def test_a_call_from_a_planned_tender(mail_app, db):
    authority_user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    tender = db.exec(select(Tender).where(Tender.authority_id == authority_user.authority_id,
                                          Tender.status != TenderStatus.CLOSED)).first()
    with mail_app.test_request_context():
        candidates = buyer.tender_candidates(db, authority_user, tender.id, n=2).candidates
    reached = enterprise_users(mail_app, db, 2, candidates)
    client = mail_app.test_client()
    login(client, AUTHORITY)
    page = client.get(f"/buyers/tenders/{tender.id}").get_data(as_text=True)
    assert f"/alerts/calls/new?tender_id={tender.id}" in page
    assert client.get(f"/alerts/calls/new?tender_id={tender.id}").status_code == 200
    response = post_form(client, "/alerts/calls/", {"tender_id": str(tender.id),
                                                   "title": tender.title[:200], "cap": "5"})
    assert response.status_code == 303
    call = db.exec(select(CallForInterest)).one()
    assert call.tender_id == tender.id
    mails = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "call")).all()
    assert {m.to_address for m in mails} == {email for email, _e in reached}


def test_bad_input_comes_back_beside_the_field_and_others_get_404(mail_app, db):
    client = mail_app.test_client()
    login(client, AUTHORITY)
    response = send_call(client, title="", cap="1000")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the call a title" in html and "Send to between 1 and 100" in html
    bad_cpv = send_call(client, cpv_codes="cleaning")
    assert bad_cpv.status_code == 422
    assert db.exec(select(CallForInterest)).all() == []
    assert client.get("/alerts/calls/999").status_code == 404
    assert client.get("/alerts/calls/new?tender_id=999999").status_code == 404

    enterprise_users(mail_app, db, 2)
    assert send_call(client).status_code == 303
    call = db.exec(select(CallForInterest)).one()
    enterprise = mail_app.test_client()
    login(enterprise, ENTERPRISE)
    wrong = post_form(enterprise, f"/alerts/calls/received/{call.id}/answer", {"answer": "maybe"})
    assert wrong.status_code == 422  # the demo enterprise is a recipient: the form, again
    assert "Choose “interested” or “not for us”." in wrong.get_data(as_text=True)
    outsider = mail_app.test_client()
    login(outsider, AUTHORITY)
    assert outsider.get(f"/alerts/calls/received/{call.id}").status_code == 403
