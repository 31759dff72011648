"""Reaching users where they are, in every layer under one name (`alerts`).

Saved searches of the ranked tender list and their digests and Atom feeds (enterprises),
notices about working groups (authorities) and a daily summary (coordinators), calls for
interest from authorities to the social enterprises that fit (`calls`), one-click
unsubscribe and preferences, and the outbox every mail goes through. Tables in
`models.alerts`, use cases in `.services`, pages here, the JSON API in `.api`, templates in
`templates/alerts/`, the command `matchmaker alerts send` in `.cli`.
"""

from flask import Blueprint


def blueprint() -> Blueprint:
    """The feature's pages: preferences, saved searches, calls, the outbox, feeds."""
    from webapp.alerts import calls, pages, public

    bp = Blueprint("alerts", __name__, url_prefix="/alerts")
    pages.register(bp)
    bp.register_blueprint(pages.enterprise_bp)
    bp.register_blueprint(pages.coordinator_bp)
    bp.register_blueprint(calls.bp)
    bp.register_blueprint(public.bp)

    @bp.record_once
    def _exempt_one_click(state) -> None:
        # RFC 8058: a mail client POSTs the unsubscribe URL with no session and no CSRF
        # token; the signed token in the URL is the proof.
        state.app.extensions["csrf"].exempt(public.unsubscribe)

    return bp
