"""Sign-up confirmations and password resets arrive as e-mails over a real SMTP server, in
the language the person used, and their links work (issue 14's sign-up, issue 12's outbox)."""

import re

from tests.helpers import ENTERPRISE, login, post_form
from tests.webapp.alerts.conftest import parts
from tests.webapp.test_accounts import SIGNUP
from webapp.alerts.services.outbox import send_pending

LINK = re.compile(r"http://localhost(/[^\s<\"]+)")


def _deliver(db, smtp_server) -> None:
    report = send_pending(db, smtp_server.url, mail_from="Matchmaker <accounts@example.org>")
    assert report.sent >= 1


def test_a_signup_is_confirmed_through_the_link_in_its_mail(app, client, db, smtp_server):
    app.config.update(SMTP_URL=smtp_server.url, BASE_URL="http://localhost")
    page = post_form(client, "/signup", SIGNUP, headers={"Accept-Language": "nl"},
                     follow_redirects=True).get_data(as_text=True)
    assert "new@example.org" in page and not LINK.search(page)  # the link is in the mail only
    _deliver(db, smtp_server)
    [mail] = smtp_server.mailbox.to("new@example.org")
    assert mail["Subject"] == "Bevestig uw e-mailadres" and mail["Content-Language"] == "nl"
    assert "List-Unsubscribe" not in mail  # an account mail, not an alert
    text, html = parts(mail)
    link = LINK.search(text).group(1)
    assert link in html
    assert "not active yet" in login(client, "new@example.org", "a-long-password").get_data(
        as_text=True)
    confirmed = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "Your e-mail address is confirmed" in confirmed
    assert login(client, "new@example.org", "a-long-password").status_code == 302


def test_a_reset_link_arrives_by_mail_and_sets_the_password(app, client, db, smtp_server):
    app.config.update(SMTP_URL=smtp_server.url, BASE_URL="http://localhost")
    page = post_form(client, "/password/forgot", {"email": ENTERPRISE},
                     follow_redirects=True).get_data(as_text=True)
    assert not LINK.search(page)
    post_form(client, "/password/forgot", {"email": "nobody@example.org"})
    _deliver(db, smtp_server)
    assert [m["To"] for m in smtp_server.mailbox.messages] == [ENTERPRISE]  # nobody: no mail
    [mail] = smtp_server.mailbox.to(ENTERPRISE)
    assert mail["Subject"] == "Choose a new password"
    link = LINK.search(parts(mail)[0]).group(1)
    done = post_form(client, link, {"password": "brand-new-password",
                                    "confirm": "brand-new-password"})
    assert done.status_code == 303
    assert login(client, ENTERPRISE, "brand-new-password").status_code == 302
