"""A real SMTP server (aiosmtpd, on a free local port) and helpers to read what arrived."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import select

from models import User


class _FreePortController(Controller):
    """aiosmtpd's controller, listening on port 0: the port the system chose is read back."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Mailbox:
    """What the server received, and how it should answer the next messages."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_next: list[str] = field(default_factory=list)  # e.g. "451 4.3.0 Try again later"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            if self.refuse_next:
                return self.refuse_next.pop(0)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(email.message_from_bytes(envelope.original_content,
                                                          policy=email.policy.default))
        return "250 2.0.0 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class SmtpServer:
    url: str
    mailbox: Mailbox


@pytest.fixture
def smtp_server():
    """A plain SMTP server on 127.0.0.1 (no TLS, no login), stopped after the test."""
    mailbox = Mailbox()
    controller = _FreePortController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    yield SmtpServer(url=f"smtp://127.0.0.1:{controller.port}", mailbox=mailbox)
    controller.stop()


@pytest.fixture
def tls_smtp_server(tmp_path):
    """An SMTP server that requires STARTTLS and a login, with a certificate from a test CA."""
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    mailbox = Mailbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login, auth_data.password) == (b"mailer", b"s3cret word")
        return AuthResult(success=ok)

    controller = _FreePortController(
        mailbox, hostname="127.0.0.1", port=0, tls_context=server_context,
        require_starttls=True, authenticator=authenticator, auth_require_tls=True,
    )
    controller.start()
    yield SmtpServer(
        url=f"smtp://mailer:s3cret%20word@127.0.0.1:{controller.port}?cafile={ca_file}",
        mailbox=mailbox)
    controller.stop()


@pytest.fixture
def mail_app(app):
    """The test app with links that the test client can follow."""
    app.config.update(BASE_URL="http://localhost", MAIL_FROM="Matchmaker <alerts@example.org>")
    return app


def user_id(db, email_address: str) -> int:
    return db.exec(select(User.id).where(User.email == email_address)).one()


def parts(message) -> tuple[str, str]:
    """The plain text and the HTML part of a message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
