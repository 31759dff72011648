"""Errors reach people as a page or a JSON message, never as a stack trace."""

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

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


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


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
    return _respond(status, str(message))


def _unexpected_error(error: Exception):
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _respond(500, str(DEFAULT_MESSAGES[500]))


def _respond(status: int, message: str):
    if _wants_json():
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
    }
    return titles.get(status, _("Something went wrong"))
