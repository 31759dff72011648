"""Errors reach people as a page or a JSON message, never as a stack trace."""

import logging

from flask import Flask, jsonify, make_response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.db import rollback_session
from webapp.rendering import render

logger = logging.getLogger("matchmaker.errors")


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
    response = _respond(error.code or 500, error.description or error.name)
    # Keep what the status needs: Allow on 405, Retry-After on 429 and 503.
    extra = [(k, v) for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")]
    if extra:
        response = make_response(response)
        for name, value in extra:
            response.headers[name] = value
    return response


def _unexpected_error(error: Exception):
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _respond(500, InternalServerError.description)


def _respond(status: int, message: str):
    # Nothing an error interrupted may be committed later, and the page needs a usable session.
    try:
        rollback_session()
    except Exception:  # the connection itself is gone: the page falls back below
        logger.exception("Rolling the session back failed")
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
        422: _("Invalid input"),
        429: _("Too many requests"),
    }
    return titles.get(status, _("Something went wrong"))
