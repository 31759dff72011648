"""Errors reach people as a page or a JSON message, never as a stack trace."""

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.rendering import render

logger = logging.getLogger("matchmaker.errors")


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    from webapp.tenders.services.index import IndexNotReady

    app.register_error_handler(IndexNotReady, _index_not_ready)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _csrf_error(error: CSRFError):
    message = _(
        "This form has expired or was not sent from Matchmaker. Reload the page and try again."
    )
    return _respond(400, message)


def _http_error(error: HTTPException):
    return _respond(error.code or 500, error.description or error.name)


def _index_not_ready(error: Exception):
    """The first matching index is still being built: say so, and when to come back."""
    message = _(
        "The matching index is being built; matches appear in a minute or two. "
        "Please try again shortly."
    )
    response = _respond(503, message)
    body, status = response if isinstance(response, tuple) else (response, 503)
    from flask import make_response

    response = make_response(body, status)
    response.headers["Retry-After"] = "30"
    return response


def _unexpected_error(error: Exception):
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _respond(500, InternalServerError.description)


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
        422: _("Invalid input"),
        429: _("Too many requests"),
        503: _("Being prepared"),
    }
    return titles.get(status, _("Something went wrong"))
