"""Contracting authorities: the social enterprises that could bid for their tenders."""

from flask import Blueprint, g, request

from models import Role
from webapp import ratelimit
from webapp.auth import login_required
from webapp.db import get_session
from webapp.rendering import render
from webapp.tenders.services import buyer
from webapp.tenders.services.buyer import InvalidResearch
from webapp.tenders.services.matching import region_choices

bp = Blueprint("buyer", __name__, url_prefix="/buyers")


@bp.get("/tenders")
@login_required(Role.AUTHORITY)
def tenders():
    """The authority's own tenders."""
    return render("tenders/buyer/tenders.html", rows=buyer.my_tenders(get_session(), g.user))


@bp.get("/tenders/<int:tender_id>")
@login_required(Role.AUTHORITY)
def tender(tender_id: int):
    """One of the authority's tenders and the social enterprises that could bid, with why."""
    view = buyer.tender_candidates(get_session(), g.user, tender_id)
    return render("tenders/buyer/tender.html", view=view)


@bp.get("/research")
@login_required(Role.AUTHORITY)
def research():
    """Market research for a planned tender: how many social enterprises could bid, where, who."""
    args = request.args
    context = {"args": args, "errors": {}, "result": None,
               "reservations": buyer.reservation_choices(),
               "regions": region_choices(get_session(), max_length=4)}
    if "cpv_codes" not in args:
        return render("tenders/buyer/research.html", block="research", **context)
    try:
        planned = buyer.parse_research(args.to_dict())
    except InvalidResearch as invalid:
        return render("tenders/buyer/research.html", block="research", status=422,
                      **{**context, "errors": invalid.errors})
    ratelimit.check("market-research", g.user.id, "MARKET_RESEARCH_LIMIT")
    try:
        result = buyer.market_research(get_session(), planned)
    except InvalidResearch as invalid:
        return render("tenders/buyer/research.html", block="research", status=422,
                      **{**context, "errors": invalid.errors})
    return render("tenders/buyer/research.html", block="research", **{**context, "result": result})
