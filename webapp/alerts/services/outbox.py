"""The outbox: every e-mail is a row first, and `send_pending` sends the rows over SMTP.

States: ``pending`` (waiting, maybe for a retry) -> ``sending`` (claimed by one sender) ->
``sent``; ``failed`` after a permanent refusal (5xx) or too many temporary ones (4xx, lost
connections); ``uncertain`` for a row found still ``sending`` long after its claim.

Why ``uncertain`` and not a retry: a sender claims a row (``sending``, committed, with the
Message-ID fixed when the row was written) before it talks to the server, and marks it
``sent`` after the server's 250 reply. A row left in ``sending`` means the process died in
between: the server may well have accepted the message. Resending it blindly would deliver it
twice; leaving it would lose it. Everything a mail says is also on a page (the tender list,
the calls for interest, the groups), so a lost mail costs less than a duplicate: such rows are
set aside as ``uncertain`` and shown on the coordinators' Outbox page, where a coordinator can
check the mail server's log for the Message-ID and send the row again by hand.

A reply that never came (the connection dropped during the message) is not that case: by
SMTP's rules the server has not taken the message until it says 250, so that is retried.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, getaddresses
from urllib.parse import parse_qs, unquote, urlsplit

from flask_babel import gettext
from sqlalchemy import update
from sqlmodel import Session, func, select

from matcher.text import N_
from models import OutboxMessage, utcnow

PENDING, SENDING, SENT, FAILED, UNCERTAIN = "pending", "sending", "sent", "failed", "uncertain"
STATES = (PENDING, SENDING, SENT, FAILED, UNCERTAIN)
MAX_ATTEMPTS = 8
#: A live sender finishes one message in seconds; a claim older than this was abandoned.
STUCK_AFTER = timedelta(minutes=15)
FIRST_RETRY = timedelta(minutes=5)
LAST_RETRY = timedelta(hours=6)
LOOPBACK = ("localhost", "127.0.0.1", "::1")


#: What a sender writes into ``last_error``: one of these English templates, filled in. The
#: English is the key (as a gettext msgid is), so the Outbox page shows the same error in the
#: coordinator's language (:func:`error_text`); the server's own reply stays in its words.
UNREACHABLE = N_("cannot reach the mail server: %(detail)s")
CONNECTION_LOST = N_("connection lost: %(detail)s")
REPLY = N_("the mail server answered: %(reply)s")
NO_STARTTLS = N_("the server offers no STARTTLS; the password is never sent in clear")
STUCK = N_("The sender stopped between sending and recording it; check the mail server's log "
           "for the Message-ID before sending again.")
ERRORS = (UNREACHABLE, CONNECTION_LOST, REPLY, NO_STARTTLS, STUCK)


def error_text(stored: str) -> str:
    """A stored ``last_error`` in the reader's language (any other text as it was stored)."""
    for template in ERRORS:
        head, marker, rest = template.partition("%(")
        if not marker:
            if stored == template:
                return gettext(template)
            continue
        name, _close, tail = rest.partition(")s")
        if stored.startswith(head) and stored.endswith(tail) and len(stored) >= len(head + tail):
            value = stored[len(head):len(stored) - len(tail)]
            return gettext(template, **{name: error_text(value)})
    return stored


class _NoStartTls(smtplib.SMTPNotSupportedError):
    """The server would have us send the password in clear."""


class SmtpConfigError(ValueError):
    """MATCHMAKER_SMTP_URL cannot be used; the message says why."""


@dataclass(frozen=True)
class SmtpSettings:
    implicit_tls: bool
    host: str
    port: int
    username: str | None
    password: str | None
    cafile: str | None = None
    timeout: float = 30.0

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pass@host:587`` (STARTTLS) or ``smtps://user:pass@host:465`` (TLS).

    ``?cafile=PATH`` trusts another certificate authority (a private mail relay).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpConfigError(
            f"MATCHMAKER_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme!r}.")
    if not parts.hostname:
        raise SmtpConfigError("MATCHMAKER_SMTP_URL names no host.")
    try:
        port = parts.port
    except ValueError:
        raise SmtpConfigError("MATCHMAKER_SMTP_URL has a port that is not a number.") from None
    query = parse_qs(parts.query)
    return SmtpSettings(
        implicit_tls=parts.scheme == "smtps",
        host=parts.hostname,
        port=port or (465 if parts.scheme == "smtps" else 587),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        cafile=query.get("cafile", [None])[0],
    )


# --- writing ----------------------------------------------------------------------------------

@dataclass
class Draft:
    """A message to put in the outbox (see webapp/alerts/services/mail.py, which builds them)."""

    to_address: str
    subject: str
    body_text: str
    body_html: str
    kind: str
    message_id: str
    user_id: int | None = None
    headers: dict = field(default_factory=dict)
    dedupe_key: str | None = None


def enqueue(db: Session, draft: Draft) -> OutboxMessage | None:
    """Add the message to the session (committed with the change it tells of).

    A message whose ``dedupe_key`` is already in the outbox is not added again (None).
    """
    if draft.dedupe_key and db.exec(select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key == draft.dedupe_key)).first() is not None:
        return None
    row = OutboxMessage(
        user_id=draft.user_id, kind=draft.kind, to_address=draft.to_address,
        subject=draft.subject[:300], body_text=draft.body_text, body_html=draft.body_html,
        headers=dict(draft.headers), message_id=draft.message_id, dedupe_key=draft.dedupe_key,
    )
    db.add(row)
    return row


def email_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The message as it goes on the wire: both parts, our Message-ID, the extra headers."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    for name, value in row.headers.items():  # after the content: set_content clears Content-*
        message[name] = value
    return message


# --- sending ----------------------------------------------------------------------------------

@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0  # set aside this round (found stuck in 'sending')
    waiting: int = 0  # pending after the round
    would_send: int = 0  # dry run: how many are due
    stopped: str = ""  # why the round stopped early (the server cannot be reached...)

    def as_text(self) -> str:
        text = (f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.uncertain} set aside as uncertain, {self.waiting} waiting")
        return text + (f" (stopped: {self.stopped})" if self.stopped else "")


def counts_by_state(db: Session) -> dict[str, int]:
    rows = db.exec(select(OutboxMessage.state, func.count(OutboxMessage.id))
                   .group_by(OutboxMessage.state)).all()
    return {state: n for state, n in rows}


def set_aside_stuck(db: Session, now: datetime) -> int:
    """Rows left in 'sending' by a sender that died become 'uncertain' (see the module doc)."""
    result = db.exec(
        update(OutboxMessage)
        .where(OutboxMessage.state == SENDING, OutboxMessage.claimed_at < now - STUCK_AFTER)
        .values(state=UNCERTAIN,
                last_error=STUCK)
    )
    db.commit()
    return result.rowcount or 0


def send_pending(
    db: Session, smtp_url: str | None, *, mail_from: str, now: datetime | None = None,
    limit: int = 10_000, dry_run: bool = False,
) -> SendReport:
    """Send the due messages of the outbox, one claim at a time; safe to run in several workers.

    Without ``smtp_url`` nothing is sent: the messages stay in the outbox, where the
    coordinators' Outbox page shows them. ``now`` may be later than the clock (a test lets
    retries fall due), never earlier.
    """
    now = max(now, utcnow()) if now else utcnow()
    report = SendReport()
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.id).limit(limit))
    if dry_run:
        report.would_send = len(db.exec(due).all())
        report.waiting = counts_by_state(db).get(PENDING, 0)
        return report
    if not smtp_url:
        report.waiting = counts_by_state(db).get(PENDING, 0)
        report.stopped = "no SMTP server configured (MATCHMAKER_SMTP_URL)"
        return report
    settings = parse_smtp_url(smtp_url)
    report.uncertain = set_aside_stuck(db, now)
    connection: _Connection | None = None
    try:
        for message_id in db.exec(due).all():
            row = _claim(db, message_id, now)
            if row is None:
                continue  # another sender took it
            if connection is None:
                try:
                    connection = _Connection.open(settings)
                except (OSError, smtplib.SMTPException) as error:
                    report.stopped = UNREACHABLE % {"detail": _detail(error)}
                    _release(db, row, report.stopped)
                    break
            outcome, error = connection.send(email_message(row, mail_from))
            outcome = _record(db, row, outcome, error, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome == "retrying" and connection.broken:
                connection.close()
                connection = None
    finally:
        if connection is not None:
            connection.close()
    report.waiting = counts_by_state(db).get(PENDING, 0)
    return report


def resend(db: Session, message: OutboxMessage) -> None:
    """A coordinator sends a failed or uncertain message again (it keeps its Message-ID)."""
    message.state = PENDING
    message.next_attempt_at = utcnow()
    message.attempts = 0
    db.add(message)


def _claim(db: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Take the row for this sender: only one UPDATE can move it from 'pending'."""
    result = db.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == PENDING)
        .values(state=SENDING, claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1)
    )
    db.commit()
    if result.rowcount != 1:
        return None
    row = db.get(OutboxMessage, message_id)
    db.refresh(row)
    return row


def _release(db: Session, row: OutboxMessage, error: str) -> None:
    """Give back a claim that never reached the server (not an attempt)."""
    row.state, row.attempts, row.last_error = PENDING, max(0, row.attempts - 1), error[:500]
    db.add(row)
    db.commit()


def _record(db: Session, row: OutboxMessage, outcome: str, error: str, now: datetime) -> str:
    """Mark the row after the server answered; returns the outcome as counted."""
    if outcome == "sent":
        row.state, row.sent_at, row.last_error = SENT, utcnow(), ""
    elif outcome == "retrying" and row.attempts < MAX_ATTEMPTS:
        row.state, row.last_error = PENDING, error[:500]
        row.next_attempt_at = now + min(FIRST_RETRY * 2 ** (row.attempts - 1), LAST_RETRY)
    else:
        outcome = "failed"
        row.state, row.last_error = FAILED, error[:500]
    db.add(row)
    db.commit()
    return outcome


class _Connection:
    """One SMTP session, reused for every message of a round."""

    def __init__(self, smtp: smtplib.SMTP):
        self.smtp = smtp
        self.broken = False

    @classmethod
    def open(cls, settings: SmtpSettings) -> _Connection:
        if settings.implicit_tls:
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                    context=settings.tls_context())
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=settings.tls_context())
                smtp.ehlo()
            elif settings.username and settings.host not in LOOPBACK:
                smtp.close()
                raise _NoStartTls(NO_STARTTLS)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        return cls(smtp)

    def send(self, message: EmailMessage) -> tuple[str, str]:
        """("sent" | "retrying" | "failed", error)."""
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            temporary = all(400 <= code < 500 for code in codes)
            reply = REPLY % {"reply": _describe(error.recipients)}
            return ("retrying" if temporary else "failed"), reply
        except smtplib.SMTPResponseException as error:
            text = REPLY % {"reply": f"{error.smtp_code} {_decoded(error.smtp_error)}"}
            if 400 <= error.smtp_code < 500:
                self.broken = error.smtp_code == 421  # 421: the server closes the session
                return "retrying", text
            return "failed", text
        except (OSError, smtplib.SMTPException) as error:
            # No 250 reply: by SMTP's rules the server has not taken the message.
            self.broken = True
            return "retrying", CONNECTION_LOST % {"detail": _detail(error)}
        if refused:
            return "failed", REPLY % {"reply": _describe(refused)}
        return "sent", ""

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


def _decoded(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _detail(error: Exception) -> str:
    """What the library said (a bare timeout says nothing: name it)."""
    return str(error) or type(error).__name__


def _describe(recipients: dict) -> str:
    return "; ".join(f"{address}: {code} {_decoded(text)}"
                     for address, (code, text) in recipients.items())


def address_domain(mail_from: str) -> str:
    """The domain of the sender address, for our Message-IDs."""
    addresses = getaddresses([mail_from])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or "matchmaker.invalid"


__all__ = [
    "FAILED", "PENDING", "SENDING", "SENT", "STATES", "UNCERTAIN", "Draft",
    "SendReport", "SmtpConfigError", "SmtpSettings", "address_domain", "counts_by_state",
    "email_message", "enqueue", "error_text", "parse_smtp_url", "resend", "send_pending",
    "set_aside_stuck",
]
