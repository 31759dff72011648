"""Contracting authorities: the social enterprises that could bid for their tenders."""

from flask import Blueprint, abort, g, request

from models import Role

from .auth import login_required
from .db import get_session
from .rendering import render
from .services import market
from .services.market import InvalidResearch, NotYours

bp = Blueprint("buyers", __name__, url_prefix="/buyers")


@bp.get("/tenders")
@login_required(Role.AUTHORITY)
def tenders():
    """The authority's own tenders."""
    return render("buyers/tenders.html", rows=market.my_tenders(get_session(), g.user))


@bp.get("/tenders/<int:tender_id>")
@login_required(Role.AUTHORITY)
def tender(tender_id: int):
    """One of the authority's tenders and the social enterprises that could bid, with why."""
    try:
        view = market.tender_candidates(get_session(), g.user, tender_id)
    except NotYours:
        abort(404)
    return render("buyers/tender.html", view=view)


@bp.get("/research")
@login_required(Role.AUTHORITY)
def research():
    """Market research for a planned tender: how many social enterprises could bid, where, who."""
    args = request.args
    context = {"args": args, "errors": {}, "result": None,
               "reservations": market.reservation_choices()}
    if "cpv_codes" not in args:
        return render("buyers/research.html", block="research", **context)
    try:
        planned = market.parse_research(args.to_dict())
    except InvalidResearch as invalid:
        return render("buyers/research.html", block="research", status=422,
                      **{**context, "errors": invalid.errors})
    result = market.market_research(get_session(), planned)
    return render("buyers/research.html", block="research", **{**context, "result": result})
