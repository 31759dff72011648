"""One error vocabulary, and the one place where errors become answers.

Services raise five kinds of domain error, each named for what happened, never for an HTTP
status:

- :class:`NotFound`: no such thing, or not the user's (both answer alike, so ids and slugs
  cannot be probed);
- :class:`Forbidden`: the user may see it but not do this;
- :class:`Invalid`: the input cannot be used; ``errors`` holds a message per field;
- :class:`Conflict`: the thing changed meanwhile (a stale version) or is in the wrong state;
- :class:`NotReady`: what the request needs is still being prepared (the first matching
  index, say): come back in ``retry_after`` seconds.

Features subclass them with domain nouns (``UnknownSector(NotFound)``,
``InvalidProfile(Invalid)``). :func:`field_messages` is the one way from a pydantic error to
per-field messages. :func:`init_app` maps every error to a page or, under ``/api/``, to JSON
``{"error", "message", "fields"?}``: no stack trace ever reaches a user.
"""

import logging
from collections.abc import Mapping

from flask import Flask, jsonify, make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from webapp.db import rollback_session
from webapp.i18n import validation_message
from webapp.rendering import render

logger = logging.getLogger("matchmaker.errors")

# Werkzeug's default descriptions are English only: ours, per status, in the reader's language.
DEFAULT_MESSAGES = {
    400: _l("The request could not be understood. Check what you sent and try again."),
    401: _l("Log in first."),
    403: _l("You may not see or do this."),
    404: _l("This page or object does not exist, or it is not yours to see."),
    405: _l("This address does not take this kind of request."),
    409: _l("This clashes with a change made in the meantime. Reload and try again."),
    413: _l("What you sent is too large."),
    415: _l("This kind of content is not accepted here."),
    422: _l("Some of what you sent is not valid."),
    429: _l("Too many requests. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Try again later."),
}

__all__ = [
    "Conflict", "DomainError", "Forbidden", "Invalid", "NotFound", "NotReady", "NotYours",
    "field_messages", "init_app", "status_of",
]


class DomainError(Exception):
    """Base class: ``message`` is written for the person who acted; ``errors`` per field."""

    def __init__(self, message: str = "", errors: Mapping[str, str] | None = None):
        self.errors = dict(errors or {})
        self.message = message or " ".join(self.errors.values())
        super().__init__(self.message)


class NotFound(DomainError):
    """No such thing, or not visible to this user."""


class NotYours(NotFound):
    """The thing exists but belongs to someone else: answered as if it did not exist."""


class Forbidden(DomainError):
    """Visible, but this user may not do this."""


class Invalid(DomainError):
    """The input cannot be used. Built from per-field messages, a sentence, or both."""

    def __init__(self, errors: Mapping[str, str] | str = "", message: str = ""):
        if isinstance(errors, str):
            super().__init__(errors or message)
        else:
            super().__init__(message, errors)


class Conflict(DomainError):
    """Changed meanwhile (a stale version) or in a state that does not allow this."""


class NotReady(DomainError):
    """Not possible yet: what it needs is being prepared. Answered with ``Retry-After``."""

    retry_after = 30  # seconds


_STATUS: dict[type[DomainError], int] = {NotFound: 404, Forbidden: 403, Invalid: 422,
                                          Conflict: 409, NotReady: 503}


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error (the only place that knows)."""
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def field_messages(error: ValidationError, *, default_field: str = "form",
                   fields: Mapping[str, str] | None = None,
                   top_level: bool = False) -> dict[str, str]:
    """Pydantic's errors as ``{field: message}``, the first message per field.

    ``fields`` renames error paths (``"weights.interests"``) to the names the form or API uses;
    ``top_level`` keys nested errors (``cpv_codes.2``) by their form field (``cpv_codes``);
    errors of the whole model (no path) go to ``default_field``.
    """
    messages: dict[str, str] = {}
    for item in error.errors():
        location = item["loc"][:1] if top_level else item["loc"]
        path = ".".join(str(part) for part in location)
        field = (fields or {}).get(path, path) if path else default_field
        messages.setdefault(field, validation_message(item))
    return messages


# --- answers ----------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def wants_json() -> bool:
    """API paths (and the health check) answer JSON; everything else a page."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def _domain_error(error: DomainError):
    rollback_session()
    status = status_of(error)
    message = str(error.message or DEFAULT_MESSAGES.get(status, _title(status)))
    if wants_json():
        body = {"error": _title(status), "message": message}
        if error.errors:
            body["fields"] = error.errors
        response = make_response(jsonify(body), status)
    else:
        response = make_response(_respond(status, message))
    if isinstance(error, NotReady):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _csrf_error(error: CSRFError):
    message = _(
        "This form has expired or was not sent from Matchmaker. Reload the page and try again."
    )
    return _respond(400, message)


def _http_error(error: HTTPException):
    status = error.code or 500
    message = error.description
    if not message or message == type(error).description:  # werkzeug's English default
        message = DEFAULT_MESSAGES.get(status, error.name)
    response = _respond(status, str(message))
    # Keep what the status needs: Allow on 405, Retry-After on 429 and 503.
    extra = [(k, v) for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")]
    if extra:
        response = make_response(response)
        for name, value in extra:
            response.headers[name] = value
    return response


def _unexpected_error(error: Exception):
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    _roll_back_quietly()  # first: even the message's language is read from the database
    return _respond(500, str(DEFAULT_MESSAGES[500]))


def _roll_back_quietly() -> None:
    """Nothing an error interrupted may be committed later, and the page needs a usable
    session."""
    try:
        rollback_session()
    except Exception:  # the connection itself is gone: the page falls back below
        logger.exception("Rolling the session back failed")


def _respond(status: int, message: str):
    _roll_back_quietly()
    if wants_json():
        return jsonify(error=_title(status), message=message), status
    try:
        return render("error.html", status=status, title=_title(status), message=message)
    except Exception:  # the error page itself failed: still no stack trace for the user
        logger.exception("The error page failed to render")
        return escape(f"{_title(status)}: {message}"), status


def _title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Not logged in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Too large"),
        415: _("Unsupported content"),
        422: _("Invalid input"),
        429: _("Too many requests"),
        503: _("Being prepared"),
    }
    return titles.get(status, _("Something went wrong"))
