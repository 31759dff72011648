"""Calls for interest: authorities send them from a market research or a planned tender and
read the answers; enterprises read and answer the calls they received."""

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from models import Role, Tender, TenderStatus
from webapp.alerts.services import calls
from webapp.alerts.services.calls import InvalidCall, UnknownCall
from webapp.auth import login_required
from webapp.db import get_session
from webapp.rendering import render
from webapp.tenders.services import buyer

bp = Blueprint("calls", __name__, url_prefix="/calls")

RESEARCH_FIELDS = ("cpv_codes", "nuts", "value_eur", "reservation", "description")


# --- authorities ------------------------------------------------------------------------------

@bp.get("/")
@login_required(Role.AUTHORITY)
def index():
    """The calls the authority sent, with how many answered."""
    return render("alerts/calls/index.html", rows=calls.calls_of(get_session(), g.user))


@bp.get("/new")
@login_required(Role.AUTHORITY)
def new():
    """The call's form, for a market research (its fields in the query) or a planned tender."""
    db = get_session()
    values = {k: request.args.get(k, "") for k in (*RESEARCH_FIELDS, "tender_id")}
    tender = _own_planned(db, values["tender_id"]) if values["tender_id"] else None
    if tender is None and not values["cpv_codes"]:
        return redirect(url_for("tenders.buyer.research"))
    values["title"] = tender.title if tender else values["description"][:200]
    values["cap"] = str(calls.DEFAULT_CAP)
    return render("alerts/calls/new.html", values=values, tender=tender, errors={},
                  max_cap=calls.MAX_CAP)


@bp.post("/")
@login_required(Role.AUTHORITY)
def create():
    """Send the call to the engine's candidates, then show who it went to."""
    db = get_session()
    form = request.form
    tender = _own_planned(db, form.get("tender_id")) if form.get("tender_id") else None
    try:
        data = calls.parse_call(form)
        result = calls.send_call(db, g.user, data)
    except InvalidCall as invalid:
        values = {k: form.get(k, "") for k in (*RESEARCH_FIELDS, "tender_id", "title",
                                                "message", "cap")}
        return render("alerts/calls/new.html", values=values, tender=tender,
                      errors=invalid.errors, max_cap=calls.MAX_CAP, status=422)
    except UnknownCall:
        abort(404)
    if result.n_sent:
        flash(ngettext("Your call went to %(num)s social enterprise (of %(fitting)s that fit).",
                       "Your call went to %(num)s social enterprises (of %(fitting)s that fit).",
                       result.n_sent, fitting=result.n_fitting))
    else:
        flash(_("%(fitting)s social enterprises fit, but none of them accepts calls for "
                "interest in Matchmaker yet.", fitting=result.n_fitting))
    return redirect(url_for(".show", call_id=result.call.id), code=303)


@bp.get("/<int:call_id>")
@login_required(Role.AUTHORITY)
def show(call_id: int):
    """Who received the call, who answered what, and whether a reserved lot looks realistic."""
    try:
        view = calls.call_view(get_session(), g.user, call_id)
    except UnknownCall:
        abort(404)
    return render("alerts/calls/show.html", view=view)


def _own_planned(db, tender_id):
    """The authority's own planned or open tender, or 404."""
    try:
        tender = db.get(Tender, int(tender_id))
    except (TypeError, ValueError):
        abort(404)
    if tender is None or tender.authority_id != g.user.authority_id \
            or TenderStatus(tender.status) == TenderStatus.CLOSED:
        abort(404)
    return tender


# --- enterprises ------------------------------------------------------------------------------

@bp.get("/received")
@login_required(Role.ENTERPRISE)
def received():
    """The calls for interest the enterprise received, newest first."""
    return render("alerts/calls/received.html", rows=calls.received(get_session(), g.user))


@bp.get("/received/<int:call_id>")
@login_required(Role.ENTERPRISE)
def received_show(call_id: int):
    return _received(call_id)


def _received(call_id: int, errors: dict | None = None, form=None, status: int = 200):
    db = get_session()
    try:
        view = calls.received_one(db, g.user, call_id)
    except UnknownCall:
        abort(404)
    research = view.call.research or {}
    planned = db.get(Tender, view.call.tender_id) if view.call.tender_id else None
    return render("alerts/calls/answer.html", view=view, errors=errors or {},
                  form=form or {}, research=research, planned=planned,
                  reservations=dict(buyer.reservation_choices()), status=status)


@bp.post("/received/<int:call_id>/answer")
@login_required(Role.ENTERPRISE)
def answer(call_id: int):
    """Answer "interested" (with a short message) or "not for us"; again replaces it."""
    db = get_session()
    try:
        calls.answer_call(db, g.user, call_id, request.form.get("answer", ""),
                          request.form.get("message", ""))
    except UnknownCall:
        abort(404)
    except InvalidCall as invalid:
        return _received(call_id, invalid.errors, request.form, 422)
    flash(_("Your answer is sent to the authority."))
    return redirect(url_for(".received_show", call_id=call_id), code=303)
