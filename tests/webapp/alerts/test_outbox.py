"""The outbox: retries on temporary refusals, no duplicate after a crash, STARTTLS and login,
messages that wait when no SMTP server is configured, and the coordinators' Outbox page."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from models import OutboxMessage, User, utcnow
from tests.helpers import COORDINATOR, ENTERPRISE, login, post_form
from tests.webapp.alerts.conftest import parts
from webapp.alerts.services import outbox
from webapp.alerts.services.outbox import Draft, parse_smtp_url, send_pending


def put(db, n=1, to="someone@example.org") -> list[OutboxMessage]:
    rows = [outbox.enqueue(db, Draft(
        to_address=to, subject=f"Message {i}", body_text=f"Text {i}",
        body_html=f"<p>HTML {i}</p>", kind="notice", message_id=f"<m{i}.{id(db)}@example.org>",
    )) for i in range(n)]
    db.commit()
    return rows


def send(db, url, **kwargs):
    return send_pending(db, url, mail_from="Matchmaker <alerts@example.org>", **kwargs)


def test_both_parts_and_our_message_id_arrive(db, smtp_server):
    [row] = put(db)
    report = send(db, smtp_server.url)
    assert report.sent == 1
    [message] = smtp_server.mailbox.messages
    assert message["Message-ID"] == row.message_id
    assert [part.strip() for part in parts(message)] == ["Text 0", "<p>HTML 0</p>"]
    db.refresh(row)
    assert (row.state, row.attempts) == ("sent", 1) and row.sent_at is not None


def test_a_temporary_refusal_is_retried_later_and_sent_once(db, smtp_server):
    [row] = put(db)
    smtp_server.mailbox.refuse_next.append("451 4.3.0 Mailbox busy, try again later")
    first = send(db, smtp_server.url)
    db.refresh(row)
    assert (first.sent, first.retrying, row.state) == (0, 1, "pending")
    assert "451" in row.last_error and row.next_attempt_at > utcnow()
    assert send(db, smtp_server.url).sent == 0  # not due yet
    later = send(db, smtp_server.url, now=utcnow() + timedelta(minutes=6))
    db.refresh(row)
    assert (later.sent, row.state, row.attempts) == (1, "sent", 2)
    assert len(smtp_server.mailbox.messages) == 1
    assert send(db, smtp_server.url, now=utcnow() + timedelta(days=1)).sent == 0


def test_a_permanent_refusal_fails_without_retrying(db, smtp_server):
    [row] = put(db)
    smtp_server.mailbox.refuse_next.append("550 5.1.1 No such user")
    report = send(db, smtp_server.url)
    db.refresh(row)
    assert (report.failed, row.state) == (1, "failed") and "550" in row.last_error
    assert send(db, smtp_server.url, now=utcnow() + timedelta(days=1)).sent == 0


def test_too_many_temporary_refusals_end_in_failed(db, smtp_server):
    [row] = put(db)
    smtp_server.mailbox.refuse_next.extend(["452 4.2.2 Mailbox full"] * outbox.MAX_ATTEMPTS)
    when = utcnow()
    for _attempt in range(outbox.MAX_ATTEMPTS):
        when += outbox.LAST_RETRY
        send(db, smtp_server.url, now=when)
    db.refresh(row)
    assert (row.state, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert smtp_server.mailbox.messages == []


def test_a_row_left_sending_by_a_crash_is_set_aside_not_resent(db, smtp_server):
    crashed, fresh = put(db, 2)
    # A sender claimed it, the server took it, the process died before marking it sent.
    crashed.state, crashed.claimed_at = "sending", utcnow() - timedelta(hours=1)
    db.add(crashed)
    db.commit()
    report = send(db, smtp_server.url)
    db.refresh(crashed)
    assert (report.sent, report.uncertain, crashed.state) == (1, 1, "uncertain")
    assert [m["Subject"] for m in smtp_server.mailbox.messages] == ["Message 1"]
    # A claim of a moment ago belongs to a live sender: left alone.
    fresh.state, fresh.claimed_at = "sending", utcnow()
    db.add(fresh)
    db.commit()
    assert send(db, smtp_server.url).uncertain == 0
    db.refresh(fresh)
    assert fresh.state == "sending"


def test_an_unreachable_server_keeps_the_messages_pending(db):
    [row] = put(db)
    report = send(db, "smtp://127.0.0.1:9")  # nothing listens on the discard port
    db.refresh(row)
    assert report.sent == 0 and "cannot reach" in report.stopped
    assert (row.state, row.attempts) == ("pending", 0)


def test_starttls_and_login_with_a_password_that_needs_quoting(db, tls_smtp_server):
    put(db)
    assert send(db, tls_smtp_server.url).sent == 1
    assert len(tls_smtp_server.mailbox.messages) == 1


def test_smtps_urls_and_bad_urls():
    settings = parse_smtp_url("smtps://user:p%40ss@mail.example.org")
    assert (settings.implicit_tls, settings.port, settings.password) == (True, 465, "p@ss")
    assert parse_smtp_url("smtp://mail.example.org").port == 587
    for bad in ("http://mail.example.org", "smtp://", "smtp://host:port"):
        with pytest.raises(outbox.SmtpConfigError):
            parse_smtp_url(bad)


def test_without_smtp_mails_wait_and_coordinators_read_them(app, client, db):
    put(db, 1, to=ENTERPRISE)
    report = send(db, None)
    assert report.sent == 0 and report.waiting == 1
    login(client, COORDINATOR)
    page = client.get("/alerts/outbox/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No SMTP server is configured" in html and "Message 0" in html
    row = db.exec(select(OutboxMessage)).one()
    shown = client.get(f"/alerts/outbox/{row.id}").get_data(as_text=True)
    assert "Text 0" in shown and row.message_id.strip("<>") in shown
    assert client.get("/alerts/outbox/?state=nonsense").status_code == 400


def test_coordinators_can_send_an_uncertain_message_again(client, db, smtp_server):
    [row] = put(db)
    row.state = "uncertain"
    db.add(row)
    db.commit()
    login(client, COORDINATOR)
    response = post_form(client, f"/alerts/outbox/{row.id}/resend")
    assert response.status_code == 303
    assert send(db, smtp_server.url).sent == 1
    assert smtp_server.mailbox.messages[0]["Message-ID"] == row.message_id


def test_the_cli_round_sends_and_a_second_round_sends_nothing_new(app, db, smtp_server):
    from tests.webapp.alerts.test_digests import save_search

    app.config.update(SMTP_URL=smtp_server.url, BASE_URL="http://localhost")
    client = app.test_client()
    login(client, ENTERPRISE)
    save_search(client, region="NL")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["alerts", "send", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "would send 1 digests" in dry.output
    assert smtp_server.mailbox.messages == []
    first = runner.invoke(args=["alerts", "send"])
    assert first.exit_code == 0, first.output
    assert "sent 1 digests" in first.output and "Outbox: 1 sent" in first.output
    second = runner.invoke(args=["alerts", "send"])
    assert second.exit_code == 0, second.output
    assert "sent 0 digests" in second.output and "Outbox: 0 sent" in second.output
    assert len(smtp_server.mailbox.messages) == 1
    bad = runner.invoke(args=["alerts", "send", "--shard", "2", "--shards", "2"])
    assert bad.exit_code != 0 and "--shard" in bad.output


def test_the_scheduled_jobs_write_the_digests_and_send_them(app, db, smtp_server):
    """What the scheduler runs without anyone at a terminal: the digest job writes the mail
    into the outbox and hands it to the outbox job, which sends it through the server."""
    from tests.webapp.alerts.test_digests import save_search
    from webapp import jobs
    from webapp.alerts.services import rounds

    jobs._import_job_modules()
    assert {"alerts-digests", "alerts-outbox"} <= set(jobs.PERIODIC)
    app.config.update(SMTP_URL=smtp_server.url, BASE_URL="http://localhost")
    client = app.test_client()
    login(client, ENTERPRISE)
    save_search(client, region="NL")
    with app.app_context():
        jobs.enqueue(rounds.digest_job).wait(120)
        jobs.wait_idle(app)
    [message] = smtp_server.mailbox.to(ENTERPRISE)
    assert "tenders for you in Matchmaker" in message["Subject"]
    assert db.exec(select(OutboxMessage.state)).all() == ["sent"]
    with app.app_context():  # due again only tomorrow: nothing new
        assert "sent 0 digests" in jobs.enqueue(rounds.digest_job).wait(120)
        jobs.wait_idle(app)
    assert len(smtp_server.mailbox.messages) == 1


def _dutch(db, email_address: str, zone: str = "Europe/Amsterdam") -> None:
    """The user reads Dutch, in the given time zone (set on the account page)."""
    user = db.exec(select(User).where(User.email == email_address)).one()
    user.locale, user.timezone = "nl", zone
    db.add(user)
    db.commit()


def test_a_dutch_coordinator_reads_dates_and_errors_in_dutch(client, db, smtp_server):
    refused, unreached = put(db, 2)
    smtp_server.mailbox.refuse_next.append("550 5.1.1 No such user")
    send(db, smtp_server.url, limit=1)
    send(db, "smtp://127.0.0.1:9")  # nothing listens on the discard port
    for row in (refused, unreached):
        db.refresh(row)
        row.created_at = datetime(2026, 3, 5, 14, 30, 7, tzinfo=UTC)
        db.add(row)
    db.commit()
    assert refused.last_error.startswith("the mail server answered: 550")
    assert unreached.last_error.startswith("cannot reach the mail server: ")
    _dutch(db, COORDINATOR)
    login(client, COORDINATOR)
    listing = client.get("/alerts/outbox/").get_data(as_text=True)
    assert "5 mrt 2026 15:30 CET" in listing and "2026-03-05" not in listing
    assert "de mailserver antwoordde: 550 5.1.1 No such user" in listing
    assert "de mailserver is niet bereikbaar: " in listing
    assert "cannot reach" not in listing and "answered" not in listing
    shown = client.get(f"/alerts/outbox/{refused.id}").get_data(as_text=True)
    assert "Aangemaakt" in shown and "5 mrt 2026 15:30:07 CET" in shown
    assert "de mailserver antwoordde: 550 5.1.1 No such user" in shown


def test_stored_errors_read_in_the_reader_language_and_others_as_stored(app):
    stuck = outbox.STUCK
    no_tls = outbox.UNREACHABLE % {"detail": outbox.NO_STARTTLS}
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert outbox.error_text(stuck).startswith("De verzender stopte")
        assert outbox.error_text(no_tls) == ("de mailserver is niet bereikbaar: de server biedt "
                                             "geen STARTTLS; het wachtwoord wordt nooit "
                                             "onversleuteld verstuurd")
        assert outbox.error_text("something a server said") == "something a server said"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert outbox.error_text(no_tls) == no_tls
