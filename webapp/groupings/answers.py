"""Coordinators see the authorities' answers to a published proposal and decide on wishes."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from models import Role
from webapp.auth import login_required
from webapp.db import get_session
from webapp.groupings.coordinator import bp
from webapp.groupings.services import members
from webapp.rendering import render


@bp.get("/<slug>/answers")
@login_required(Role.COORDINATOR)
def answers(slug: str):
    """Answers per group of a published proposal (the latest unless ?proposal=id) and wishes."""
    proposal = request.args.get("proposal", "")
    if proposal and not proposal.isdigit():
        abort(404)
    review = members.sector_review(get_session(), g.user, slug,
                                    int(proposal) if proposal else None)
    return render("groupings/coordinator/answers.html", review=review)


@bp.post("/<slug>/wishes/<int:wish_id>/accept")
@login_required(Role.COORDINATOR)
def accept_wish(slug: str, wish_id: int):
    """Accept a wish: the next proposal run treats it as a together/apart constraint."""
    return _decide(slug, wish_id, accept=True)


@bp.post("/<slug>/wishes/<int:wish_id>/reject")
@login_required(Role.COORDINATOR)
def reject_wish(slug: str, wish_id: int):
    """Reject a wish: it is removed (the audit trail keeps it)."""
    return _decide(slug, wish_id, accept=False)


def _decide(slug: str, wish_id: int, accept: bool):
    members.decide_wish(get_session(), g.user, slug, wish_id, accept)
    flash(_("The wish is accepted; the next run will honour it.") if accept
          else _("The wish is rejected."))
    return redirect(url_for(".answers", slug=slug), code=303)
