"""Pages: e-mail preferences (everyone), saved searches (enterprises), the outbox
(coordinators)."""

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import func, select

from models import OutboxMessage, Role
from webapp.alerts.services import outbox, searches
from webapp.alerts.services import preferences as prefs
from webapp.auth import login_required
from webapp.db import get_session
from webapp.i18n import LANGUAGE_NAMES, SUPPORTED_LOCALES
from webapp.rendering import render
from webapp.tenders.services import REACH_LABELS

enterprise_bp = Blueprint("enterprise", __name__, url_prefix="/searches")
coordinator_bp = Blueprint("coordinator", __name__, url_prefix="/outbox")

OUTBOX_PAGE = 50


#: The outbox's states as a coordinator reads them (see webapp/alerts/services/outbox.py).
STATE_LABELS = {
    outbox.PENDING: _l("waiting"), outbox.SENDING: _l("being sent"), outbox.SENT: _l("sent"),
    outbox.FAILED: _l("failed"), outbox.UNCERTAIN: _l("uncertain"),
}


def register(bp: Blueprint) -> None:
    """Routes on the feature's own blueprint (shared by every role)."""
    bp.add_url_rule("/preferences", "preferences", preferences, methods=["GET", "POST"])


@login_required()
def preferences():
    """What mail the user wants, and in which language."""
    db = get_session()
    preference = prefs.preference_of(db, g.user.id)
    errors = {}
    if request.method == "POST":
        try:
            data = prefs.parse_preferences(g.user, request.form, SUPPORTED_LOCALES)
        except prefs.InvalidPreferences as invalid:
            errors = invalid.errors
        else:
            prefs.save_preferences(db, g.user, data)
            flash(_("Your e-mail preferences are saved."))
            return redirect(url_for(".preferences"), code=303)
    return render("alerts/preferences.html", preference=preference, errors=errors,
                  kinds=[(k, prefs.KIND_LABELS[k]) for k in prefs.KINDS_BY_ROLE[g.user.role]],
                  locales=[(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES],
                  mail_locale=g.user.locale or str(get_locale()),
                  status=422 if errors else 200)


# --- saved searches ---------------------------------------------------------------------------

def _feed_url(search) -> str:
    return url_for("alerts.public.feed", token=search.feed_token, _external=True)


@enterprise_bp.get("/", endpoint="searches")
@login_required(Role.ENTERPRISE)
def searches_index():
    """The user's saved searches: open, edit, delete, the private feed address."""
    db = get_session()
    return render("alerts/enterprise/searches.html", rows=searches.search_rows(db, g.user),
                  feed_url=_feed_url, frequencies=_frequencies(),
                  wants_digests=prefs.preference_of(db, g.user.id).digests)


@enterprise_bp.post("/")
@login_required(Role.ENTERPRISE)
def create_search():
    """Save the ranked list's current filters under a name, with a frequency."""
    db = get_session()
    try:
        data = searches.parse_form(request.form)
        search = searches.create_search(db, g.user, data)
    except (searches.InvalidSearch, searches.SearchRefused) as invalid:
        args = searches.saved_args(request.form)
        return render("alerts/enterprise/save_error.html",
                      errors=invalid.errors or {"body": invalid.message},
                      form={**request.form.to_dict(), **args}, args=args,
                      frequencies=_frequencies(), reaches=REACH_LABELS, status=422)
    flash(_("Search “%(name)s” saved. New tenders for it will come by e-mail (%(how)s) "
            "and in its feed.", name=search.name,
            how=searches.FREQUENCY_LABELS[search.frequency]))
    return redirect(url_for(".searches"), code=303)


@enterprise_bp.route("/<int:search_id>", methods=["GET", "POST"])
@login_required(Role.ENTERPRISE)
def edit_search(search_id: int):
    """Rename a search, change its frequency or its filters."""
    db = get_session()
    search = _own_search(db, search_id)
    errors, form = {}, None
    if request.method == "POST":
        form = request.form
        try:
            data = searches.parse_form(form)
            searches.update_search(db, search, name=data.name, frequency=data.frequency,
                                   filters=data.filters)
        except searches.InvalidSearch as invalid:
            errors = invalid.errors
        else:
            flash(_("Search “%(name)s” saved.", name=search.name))
            return redirect(url_for(".searches"), code=303)
    values = form or {"name": search.name, "frequency": search.frequency,
                      **searches.list_args(search)}
    return render("alerts/enterprise/edit.html", search=search, values=values, errors=errors,
                  frequencies=_frequencies(), reaches=REACH_LABELS, feed_url=_feed_url(search),
                  status=422 if errors else 200)


@enterprise_bp.post("/<int:search_id>/delete")
@login_required(Role.ENTERPRISE)
def delete_search(search_id: int):
    db = get_session()
    search = _own_search(db, search_id)
    name = search.name
    searches.delete_search(db, search)
    flash(_("Search “%(name)s” deleted; its feed address no longer works.", name=name))
    return redirect(url_for(".searches"), code=303)


@enterprise_bp.post("/<int:search_id>/feed")
@login_required(Role.ENTERPRISE)
def renew_feed(search_id: int):
    """A new private feed address: the old one stops working (revokes a leaked link)."""
    db = get_session()
    search = _own_search(db, search_id)
    searches.renew_feed_token(db, search)
    flash(_("The feed of “%(name)s” has a new address; the old one no longer works.",
            name=search.name))
    return redirect(url_for(".searches"), code=303)


def _own_search(db, search_id: int):
    """The enterprise's own saved search, or 404."""
    try:
        return searches.own_search(db, g.user, search_id)
    except searches.UnknownSearch:
        abort(404)


def _frequencies():
    return [(value, str(label)) for value, label in searches.FREQUENCY_LABELS.items()]


# --- the outbox (coordinators) ----------------------------------------------------------------

@coordinator_bp.get("/", endpoint="outbox")
@login_required(Role.COORDINATOR)
def outbox_index():
    """Every mail, newest first: what waits (no SMTP server configured), what was sent,
    what failed and what is uncertain."""
    db = get_session()
    state = request.args.get("state", "")
    if state and state not in outbox.STATES:
        abort(400, _("Choose one of the states listed."))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        abort(400, _("The page is a number."))
    query = select(OutboxMessage)
    count = select(func.count(OutboxMessage.id))
    if state:
        query = query.where(OutboxMessage.state == state)
        count = count.where(OutboxMessage.state == state)
    total = db.exec(count).one()
    rows = db.exec(query.order_by(OutboxMessage.id.desc())
                   .offset((page - 1) * OUTBOX_PAGE).limit(OUTBOX_PAGE)).all()
    return render("alerts/coordinator/outbox.html", rows=rows, counts=outbox.counts_by_state(db),
                  state=state, states=outbox.STATES, state_labels=STATE_LABELS, page=page,
                  total=total, error_text=outbox.error_text,
                  n_pages=max(1, -(-total // OUTBOX_PAGE)),
                  smtp=bool(current_app.config.get("SMTP_URL")))


@coordinator_bp.get("/<int:message_id>")
@login_required(Role.COORDINATOR)
def message(message_id: int):
    """One message as it would be sent: headers, the text part, the HTML part."""
    row = get_session().get(OutboxMessage, message_id) or abort(404)
    return render("alerts/coordinator/message.html", row=row, state_labels=STATE_LABELS,
                  error_text=outbox.error_text)


@coordinator_bp.post("/<int:message_id>/resend")
@login_required(Role.COORDINATOR)
def resend(message_id: int):
    """Send a failed or uncertain message again (after checking the mail server's log)."""
    db = get_session()
    row = db.get(OutboxMessage, message_id) or abort(404)
    if row.state not in (outbox.FAILED, outbox.UNCERTAIN):
        flash(_("Only failed or uncertain messages can be sent again."))
        return redirect(url_for(".message", message_id=row.id), code=303)
    outbox.resend(db, row)
    db.commit()
    flash(_("The message waits in the outbox again; the next round sends it."))
    return redirect(url_for(".message", message_id=row.id), code=303)

