"""Enterprises sign up on their own; anyone resets a forgotten password (issue 14)."""

import re

from sqlmodel import select

from models import AuditEvent, Enterprise, User
from tests.helpers import COORDINATOR, ENTERPRISE, login, post_form
from webapp.security import verify_password

SIGNUP = {"email": "New@Example.org", "password": "a-long-password", "confirm": "a-long-password",
          "name": "Nieuw Werk Coöperatie", "kind": "social_cooperative", "nuts": "NL33C"}
LINK = re.compile(r"http://localhost(/[^\s<\"]+)")


def _link(html: str) -> str:
    return LINK.search(html).group(1)


def test_an_enterprise_signs_up_confirms_and_logs_in(client, db):
    response = post_form(client, "/signup", SIGNUP, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "No e-mail is configured on this instance" in html
    db.expire_all()
    user = db.exec(select(User).where(User.email == "new@example.org")).one()
    assert user.pending and user.role == "enterprise"
    enterprise = db.get(Enterprise, user.enterprise_id)
    assert enterprise.name == "Nieuw Werk Coöperatie" and enterprise.country == "NL"
    refused = login(client, "new@example.org", "a-long-password")
    assert "not active yet" in refused.get_data(as_text=True)
    confirmed = client.get(_link(html), follow_redirects=True)
    assert "Your e-mail address is confirmed" in confirmed.get_data(as_text=True)
    assert login(client, "new@example.org", "a-long-password").status_code == 302
    assert client.get("/opportunities/profile").status_code == 200


def test_signup_refuses_a_taken_address_and_bad_fields_beside_them(client):
    taken = post_form(client, "/signup", {**SIGNUP, "email": ENTERPRISE})
    assert taken.status_code == 422 and "An account with this e-mail exists" in taken.get_data(
        as_text=True)
    bad = post_form(client, "/signup", {**SIGNUP, "nuts": "Rotterdam", "confirm": "other"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="nuts-error"' in html and "not a NUTS code" in html
    assert "The passwords differ." in html


def test_a_coordinator_approves_a_pending_account(client, db):
    post_form(client, "/signup", SIGNUP)
    user = db.exec(select(User).where(User.email == "new@example.org")).one()
    login(client, COORDINATOR)
    page = client.get("/accounts/pending").get_data(as_text=True)
    assert "new@example.org" in page
    assert post_form(client, f"/accounts/{user.id}/approve").status_code == 303
    db.expire_all()
    assert not db.get(User, user.id).pending
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "account.approved")).one()


def test_a_password_reset_link_works_once(client, db):
    asked = post_form(client, "/password/forgot", {"email": ENTERPRISE}, follow_redirects=True)
    html = asked.get_data(as_text=True)
    assert "If enterprise@demo.matchmaker.eu has an account" in html
    link = _link(html)
    assert client.get(link).status_code == 200
    done = post_form(client, link, {"password": "brand-new-password",
                                    "confirm": "brand-new-password"})
    assert done.status_code == 303
    db.expire_all()
    user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
    assert verify_password(user.password_hash, "brand-new-password")
    assert client.get(link).status_code == 410  # single use
    unknown = post_form(client, "/password/forgot", {"email": "nobody@example.org"},
                        follow_redirects=True).get_data(as_text=True)
    assert "If nobody@example.org has an account" in unknown and not LINK.search(unknown)


def test_no_link_is_shown_when_mail_is_configured(app, client):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:25"  # the mail waits in the outbox
    html = post_form(client, "/signup", SIGNUP, follow_redirects=True).get_data(as_text=True)
    assert "We sent a link to new@example.org" in html and not LINK.search(html)
