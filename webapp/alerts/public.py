"""Pages reached from mails and feed readers, without a session: the private Atom feed of a
saved search and one-click unsubscribe (RFC 8058). The tokens in their URLs are the proof."""

from flask import Blueprint, Response, abort, request, url_for

from webapp.alerts.services import feeds, searches
from webapp.alerts.services import preferences as prefs
from webapp.db import get_session
from webapp.rendering import render

bp = Blueprint("public", __name__)


@bp.get("/feeds/<token>")
def feed(token: str):
    """The saved search's ranked tenders as Atom; 404 for a token that was renewed."""
    db = get_session()
    search = searches.search_by_feed_token(db, token)
    if search is None:
        abort(404)
    body = feeds.atom_feed(db, search, self_url=request.base_url,
                           link=lambda endpoint, **values: url_for(endpoint, _external=True,
                                                                   **values))
    response = Response(body, mimetype="application/atom+xml")
    response.headers["X-Robots-Tag"] = "noindex"  # a private address: keep it out of indexes
    response.cache_control.private = True
    return response


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks to confirm (link scanners follow GETs); POST unsubscribes at once.

    A mail client's one-click POST carries `List-Unsubscribe=One-Click` and no cookie, no
    CSRF token: the signed token in the URL says who and what.
    """
    db = get_session()
    read = prefs.read_unsubscribe_token(token)
    if read is None:
        abort(404)
    label = prefs.KIND_LABELS[read[1]]
    if request.method == "GET":
        return render("alerts/public/unsubscribe.html", token=token, label=label, done=False)
    if prefs.unsubscribe(db, token) is None:
        abort(404)
    return render("alerts/public/unsubscribe.html", token=token, label=label, done=True)
