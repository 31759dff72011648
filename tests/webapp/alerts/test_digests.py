"""An enterprise saves a search and follows it: digests in a real mailbox (aiosmtpd), links
that work, the feed, a "changed" mail after a re-import, one-click unsubscribe."""

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
from sqlmodel import Session, select

from models import AlertPreference, AlertSent, Enterprise, OutboxMessage, User
from tests.helpers import ENTERPRISE, login, post_form
from tests.webapp.alerts.conftest import parts, user_id
from webapp.alerts.services import digests, outbox
from webapp.alerts.services.mail import mail_from
from webapp.alerts.services.preferences import preference_of
from webapp.db import ENGINE_KEY
from webapp.i18n import moment
from webapp.tenders.services import MatchFilters, ranked_for
from webapp.tenders.services.importing import import_ocds

TENDER_LINK = re.compile(r"http://localhost/opportunities/tenders/(\d+)")
FEED_LINK = re.compile(r"http://localhost/alerts/feeds/[\w-]+")


def run_round(app, smtp_url: str | None, now: datetime | None = None):
    """One round as `matchmaker alerts send` runs it: the digests, then the outbox."""
    with app.app_context(), Session(app.extensions[ENGINE_KEY], expire_on_commit=False) as db:
        report = digests.run_digest_round(db, now)
        sent = outbox.send_pending(db, smtp_url, mail_from=mail_from(), now=now)
    return report, sent


def demo_enterprise(db) -> Enterprise:
    user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
    return db.get(Enterprise, user.enterprise_id)


def save_search(client, name="Cleaning in NL", **filters):
    response = post_form(client, "/alerts/searches/", {"name": name, "frequency": "daily",
                                                        **filters})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def ocds_release(ocid: str, deadline: datetime, title="Schoonmaak van sporthallen Rotterdam",
                 value=250_000, lots=None) -> str:
    """An OCDS release of a cleaning tender in Rotterdam (the demo enterprise's trade)."""
    tender = {
        "id": ocid, "title": title, "status": "active",
        "description": "Schoonmaak en glasbewassing van gemeentelijke sporthallen.",
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "90911200"},
                   "deliveryAddresses": [{"region": "NL33C"}]}],
        "value": {"amount": value, "currency": "EUR"},
        "tenderPeriod": {"endDate": deadline.strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    if lots:
        tender["lots"] = lots
    return json.dumps({"releases": [{"ocid": ocid, "id": f"{ocid}-1",
                                     "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
                                     "tender": tender}]})


def test_a_saved_search_brings_its_ranked_tenders_to_the_mailbox(mail_app, db, smtp_server):
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    listed = client.get("/opportunities/?nuts=NL").get_data(as_text=True)
    assert "Save this search" in listed
    save_search(client, region="NL")
    page = client.get("/alerts/searches/").get_data(as_text=True)
    assert "Cleaning in NL" in page and "/alerts/feeds/" in page

    report, sent = run_round(mail_app, smtp_server.url)
    assert (report.digests, sent.sent) == (1, 1)
    [message] = smtp_server.mailbox.to(ENTERPRISE)
    assert message["From"] == "Matchmaker <alerts@example.org>"
    assert message["List-Unsubscribe"].startswith("<http://localhost/alerts/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = db.exec(select(OutboxMessage)).one()
    assert (message["Message-ID"], row.state) == (row.message_id, "sent")
    text, html = parts(message)

    with mail_app.app_context():
        expected = ranked_for(db, demo_enterprise(db), MatchFilters(region="NL")).matches
    ids = [int(x) for x in TENDER_LINK.findall(text)]
    assert ids == [m.tender_id for m in expected[:digests.MAX_NEW_PER_SEARCH]]
    best = expected[0]
    assert f"Fit {best.score_percent}%" in text and best.deadline_text in text
    assert best.best_lot in text and "Why: " in text
    assert best.title in html and f"Fit {best.score_percent}%" in html
    assert '<html lang="en">' in html
    # As on the page, the new tenders below 40 % fit come under "Weaker matches" (the demo
    # list around Rotterdam has two).
    shown = expected[:digests.MAX_NEW_PER_SEARCH]
    weaker = [m for m in shown if not m.strong]
    assert weaker and shown[0].strong
    _strong_text, _divider, weaker_text = text.partition("-- Weaker matches --")
    assert [int(x) for x in TENDER_LINK.findall(weaker_text)] == [m.tender_id for m in weaker]
    strong_html, _divider, weaker_html = html.partition(">Weaker matches</h3>")
    assert all(m.title in weaker_html and m.title not in strong_html for m in weaker)
    assert f'start="{len(shown) - len(weaker) + 1}"' in weaker_html

    tender_page = client.get(TENDER_LINK.search(text).group(0))
    assert tender_page.status_code == 200 and best.title in tender_page.get_data(as_text=True)

    feed_url = FEED_LINK.search(text).group(0)
    anonymous = mail_app.test_client()  # a feed reader has no session
    response = anonymous.get(feed_url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Matchmaker: Cleaning in NL"
    assert feed.feed.id.startswith("tag:localhost,") and feed.feed.updated
    assert [e.title for e in feed.entries] == [m.title for m in expected[:20]]
    first = feed.entries[0]
    assert first.id and first.updated and first.link.endswith(f"/tenders/{best.tender_id}")

    # Nothing new since: the next day's round sends nothing.
    again, sent_again = run_round(mail_app, smtp_server.url, datetime.now(UTC) + timedelta(days=1))
    assert (again.users, again.digests, sent_again.sent) == (1, 0, 0)
    assert len(smtp_server.mailbox.messages) == 1


def test_a_changed_deadline_of_a_saved_tender_is_mailed_once(mail_app, db, smtp_server):
    now = datetime.now(UTC)
    import_ocds(db, ocds_release("ocds-alerts-1", now + timedelta(days=30)))
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    save_search(client, name="Sports halls", q="sporthallen")
    tender_id = int(re.search(r"/opportunities/tenders/(\d+)", client.get(
        "/opportunities/?q=sporthallen").get_data(as_text=True)).group(1))
    post_form(client, f"/opportunities/tenders/{tender_id}/feedback", {"action": "saved"})

    run_round(mail_app, smtp_server.url, now)
    [first] = smtp_server.mailbox.to(ENTERPRISE)
    assert "Schoonmaak van sporthallen Rotterdam" in parts(first)[0]

    # The publisher moves the deadline; the re-import updates the same tender.
    summary = import_ocds(db, ocds_release("ocds-alerts-1", now + timedelta(days=44)))
    assert summary.n_updated == 1
    report, _sent = run_round(mail_app, smtp_server.url, now + timedelta(days=1))
    assert report.changed == 1
    second = smtp_server.mailbox.to(ENTERPRISE)[-1]
    text, html = parts(second)
    assert "Changed since we last told you" in text and "Changed since we last told you" in html
    assert "The deadline moved from" in text
    with mail_app.app_context():
        assert moment(now + timedelta(days=44)) in text  # as the pages write it
    assert f"/opportunities/tenders/{tender_id}" in text

    # Told once: the next round has nothing to say about it.
    later, _sent = run_round(mail_app, smtp_server.url, now + timedelta(days=2))
    assert later.digests == 0
    assert len(smtp_server.mailbox.to(ENTERPRISE)) == 2
    reasons = db.exec(select(AlertSent.reason).where(AlertSent.tender_id == tender_id)).all()
    assert sorted(r.split(":")[0] for r in reasons) == ["changed", "new"]


def test_one_click_unsubscribe_stops_the_digests(mail_app, db, smtp_server):
    now = datetime.now(UTC)
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    save_search(client, region="NL")
    run_round(mail_app, smtp_server.url, now)
    [message] = smtp_server.mailbox.to(ENTERPRISE)
    link = message["List-Unsubscribe"].strip("<>")
    stranger = mail_app.test_client()  # the mail client: no session, no CSRF token
    asked = stranger.get(link)
    assert asked.status_code == 200 and "Unsubscribe" in asked.get_data(as_text=True)
    assert preference_of(db, user_id(db, ENTERPRISE)).digests is True  # GET changes nothing
    done = stranger.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    db.expire_all()
    assert preference_of(db, user_id(db, ENTERPRISE)).digests is False
    assert stranger.post(link[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code \
        == 404

    import_ocds(db, ocds_release("ocds-alerts-2", now + timedelta(days=20)))
    report, _sent = run_round(mail_app, smtp_server.url, now + timedelta(days=1))
    assert report.digests == 0 and len(smtp_server.mailbox.to(ENTERPRISE)) == 1
    # The preferences page shows it and turns it back on.
    page = client.get("/alerts/preferences").get_data(as_text=True)
    assert 'name="digests" value="on" checked' not in page
    post_form(client, "/alerts/preferences", {"digests": "on", "calls": "on", "locale": "nl"})
    db.expire_all()
    preference = db.get(AlertPreference, user_id(db, ENTERPRISE))
    # The language is the user's own setting: the pages follow it too.
    assert (preference.digests, db.get(User, preference.user_id).locale) == (True, "nl")


def test_the_digest_comes_in_the_users_language(mail_app, db, smtp_server):
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    save_search(client, region="NL")
    post_form(client, "/alerts/preferences", {"digests": "on", "locale": "nl"})
    user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
    user.timezone = "Europe/Lisbon"  # chosen on the account page
    db.add(user)
    db.commit()
    run_round(mail_app, smtp_server.url)
    [message] = smtp_server.mailbox.to(ENTERPRISE)
    assert message["Content-Language"] == "nl"
    text, html = parts(message)
    assert '<html lang="nl">' in html
    # Deadlines in the reader's zone (Lisbon's WET or WEST), not the default Brussels time.
    assert "Sluitingsdatum: " in text and re.search(r"\d\d:\d\d WES?T", text)
    assert not re.search(r"\d\d:\d\d CES?T", text)


def test_a_round_sends_a_tender_closing_soon_once(mail_app, db, smtp_server):
    now = datetime.now(UTC)
    # 6.5 days: listed today (the list keeps tenders closing in more than 5 days), within
    # the 7 days of the closing reminder tomorrow.
    import_ocds(db, ocds_release("ocds-alerts-3", now + timedelta(days=6, hours=12),
                                 title="Schoonmaak sporthallen, spoed"))
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    save_search(client, name="Sports halls", q="sporthallen")
    report, _sent = run_round(mail_app, smtp_server.url, now)
    text = parts(smtp_server.mailbox.to(ENTERPRISE)[0])[0]
    # New today, with its deadline; the closing reminder waits for a later digest.
    assert report.new >= 1 and report.closing == 0 and "spoed" in text
    report, _sent = run_round(mail_app, smtp_server.url, now + timedelta(days=1))
    assert report.closing >= 1 and report.new == 0
    text = parts(smtp_server.mailbox.to(ENTERPRISE)[-1])[0]
    closing = text.split("Closing within 7 days")[1]
    assert "spoed" in closing and "days left" in closing
    report, _sent = run_round(mail_app, smtp_server.url, now + timedelta(days=2))
    assert report.digests == 0


def test_a_dry_run_writes_nothing(mail_app, db, smtp_server):
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    save_search(client, region="NL")
    with mail_app.app_context():
        report = digests.run_digest_round(db, dry_run=True)
    assert report.digests == 1 and report.new > 0
    db.expire_all()
    assert db.exec(select(OutboxMessage)).all() == []
    assert db.exec(select(AlertSent)).all() == []
    report, _sent = run_round(mail_app, smtp_server.url)
    assert report.digests == 1


def test_shards_split_the_enterprises_and_together_cover_them(mail_app, db, smtp_server):
    from tests.webapp.groupings.test_members import ENTERPRISE2, arrange_proposals

    arrange_proposals(db)  # a second enterprise user
    for email in (ENTERPRISE, ENTERPRISE2):
        client = mail_app.test_client()
        login(client, email)
        save_search(client, name=f"All for {email}")
    n_enterprises = len(db.exec(select(Enterprise.id)).all())
    with mail_app.app_context():  # one id per shard: the two users fall in different shards
        reports = [digests.run_digest_round(db, shard=i, n_shards=n_enterprises, summaries=False)
                   for i in range(n_enterprises)]
        again = digests.run_digest_round(db)
    assert sorted(r.users for r in reports if r.users) == [1, 1]
    assert sum(r.digests for r in reports) == 2
    assert again.users == 0  # each shard's digest counts for the whole round


def test_a_searchs_own_reach_decides_its_digest_as_it_decides_its_list(mail_app, db,
                                                                        smtp_server):
    """Two searches, one widened to anywhere: each mail lists what its own list shows."""
    client = mail_app.test_client()
    login(client, ENTERPRISE)
    save_search(client, name="Near")
    save_search(client, name="Anywhere", reach="anywhere")
    with mail_app.app_context():
        near = ranked_for(db, demo_enterprise(db), MatchFilters()).matches
        anywhere = ranked_for(db, demo_enterprise(db), MatchFilters(reach="anywhere")).matches
    far = {m.tender_id for m in anywhere[:digests.MAX_NEW_PER_SEARCH]} - {
        m.tender_id for m in near}
    assert far, "the demo enterprise's widest list has tenders outside its reach"

    report, _sent = run_round(mail_app, smtp_server.url)
    assert report.digests == 1
    text, _html = parts(smtp_server.mailbox.to(ENTERPRISE)[0])
    mailed = {int(x) for x in TENDER_LINK.findall(text)}
    assert far <= mailed  # the widened search brings the far tenders
    near_part = text[text.index("Near"):text.index("Anywhere")]
    assert not far & {int(x) for x in TENDER_LINK.findall(near_part)}
