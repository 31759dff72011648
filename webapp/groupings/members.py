"""Authorities: their applications, the groups published for them, answers and wishes."""

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from models import Role
from webapp.auth import login_required
from webapp.db import get_session
from webapp.groupings.services import members
from webapp.groupings.services.members import InvalidAnswer
from webapp.inputs import row_id
from webapp.rendering import render
from webapp.security import safe_next

bp = Blueprint("members", __name__, url_prefix="/partners")


@bp.get("/")
@login_required(Role.AUTHORITY)
def index():
    """The authority's applications, each with its published group and its wishes."""
    page = members.authority_page(get_session(), g.user)
    return render("groupings/members/index.html", page=page)


@bp.get("/groups/<int:group_id>")
@login_required(Role.AUTHORITY)
def show(group_id: int):
    """A published group the authority belongs to: partners, why, make-up, answer, wishes."""
    return _show(group_id)


def _show(group_id: int, errors: dict | None = None, form: dict | None = None, status=200):
    view = members.group_view(get_session(), g.user, group_id)
    return render("groupings/members/show.html", view=view, errors=errors or {}, form=form or {},
                  status=status)


@bp.route("/groups/<int:group_id>/answer", methods=["GET", "POST"])
@login_required(Role.AUTHORITY)
def answer(group_id: int):
    """Accept the group, or decline it with a reason.

    A failed answer is shown at this address; GET answers it with the group's page (the
    address bar, a reload or a bookmark must not end in "Method not allowed").
    """
    if request.method == "GET":
        return redirect(url_for(".show", group_id=group_id) + "#answer", code=303)
    db = get_session()
    try:
        response = members.answer_group(
            db, g.user, group_id, request.form.get("answer", ""), request.form.get("reason", "")
        )
    except InvalidAnswer as invalid:
        return _show(group_id, errors=invalid.errors, form=request.form, status=422)
    flash(_("Thank you: you accepted this group.") if response.answer == "accepted"
          else _("Your answer is recorded: you declined this group."))
    return redirect(url_for(".show", group_id=group_id))


@bp.post("/applications/<int:application_id>/wishes")
@login_required(Role.AUTHORITY)
def create_wish(application_id: int):
    """Ask to be placed with, or apart from, another applicant of the same sector."""
    db = get_session()
    other = request.form.get("other_authority_id", "")
    try:
        members.add_wish(db, g.user, application_id, row_id(other),
                          request.form.get("kind", ""))
    except InvalidAnswer as invalid:
        flash(_("Your wish was not saved: %(why)s", why=" ".join(invalid.errors.values())))
        return redirect(_back(), code=303)
    flash(_("Your wish is saved; the coordinator will consider it for the next proposal."))
    return redirect(_back(), code=303)


@bp.post("/wishes/<int:wish_id>/withdraw")
@login_required(Role.AUTHORITY)
def withdraw_wish(wish_id: int):
    """Take back a wish."""
    members.withdraw_wish(get_session(), g.user, wish_id)
    flash(_("Your wish is withdrawn."))
    return redirect(_back(), code=303)


def _back() -> str:
    """Return to the page the form was on (a local path only), else the index."""
    return safe_next(request.form.get("next"), url_for(".index"), prefix="/partners/")
