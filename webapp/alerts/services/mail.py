"""Writing mails: both parts from templates, in the reader's language, with working links.

Mails are written outside any request (the round runs from the command line), so links are
built from ``BASE_URL`` (``MATCHMAKER_BASE_URL``), the address the users reach the app at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from models import User
from webapp.alerts.services.outbox import Draft, address_domain, enqueue
from webapp.alerts.services.preferences import unsubscribe_token
from webapp.i18n import SUPPORTED_LOCALES, force_timezone

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_MAIL_FROM = "Matchmaker <noreply@matchmaker.invalid>"


def base_url() -> str:
    return str(current_app.config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def mail_from() -> str:
    return str(current_app.config.get("MAIL_FROM") or DEFAULT_MAIL_FROM)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for a mail or a feed, without a request to take the host from."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def locale_of(user: User) -> str:
    """The language of the user's mails: the one chosen in the account settings or on the
    e-mail preferences page, else the default (a mail has no browser to ask)."""
    if user.locale in SUPPORTED_LOCALES:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def as_reader(user: User, locale: str) -> Iterator[None]:
    """Texts in the reader's language and times in the reader's zone, for a mail to `user`."""
    with force_locale(locale), force_timezone(user.timezone):
        yield


def new_message_id() -> str:
    return make_msgid(domain=address_domain(mail_from()))


def compose(db, user: User, kind: str, template: str, subject, *, unsubscribe: str | None,
            dedupe_key: str | None = None, locale: str | None = None, **context) -> Draft:
    """A draft for `user` from ``alerts/mail/<template>.txt`` and ``.html``.

    `subject` is a callable run under the reader's locale (so gettext picks the language),
    or a string already translated.
    `unsubscribe` names the kind of mail the one-click link turns off (RFC 8058).
    """
    locale = locale or locale_of(user)
    headers = {"Auto-Submitted": "auto-generated", "Content-Language": locale}
    links = {"preferences": external_url("alerts.preferences")}
    if unsubscribe:
        token = unsubscribe_token(user.id, unsubscribe)
        links["unsubscribe"] = external_url("alerts.public.unsubscribe", token=token)
        headers["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with as_reader(user, locale):
        title = str(subject() if callable(subject) else subject)
        context = {**context, "user": user, "links": links, "subject": title, "locale": locale,
                   "external_url": external_url}
        text = render_template(f"alerts/mail/{template}.txt", **context)
        html = render_template(f"alerts/mail/{template}.html", **context)
    return Draft(to_address=user.email, subject=title, body_text=text, body_html=html,
                 kind=kind, message_id=new_message_id(), user_id=user.id, headers=headers,
                 dedupe_key=dedupe_key)


def send_to(db, user: User, kind: str, template: str, subject, **kwargs):
    """Compose and put in the outbox (committed by the caller, with what it tells of)."""
    return enqueue(db, compose(db, user, kind, template, subject, **kwargs))
