"""Authorities: their applications, the groups published for them, answers and wishes."""

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from models import Role
from webapp.auth import login_required
from webapp.db import get_session
from webapp.groupings.services import applications, members
from webapp.groupings.services.errors import AlreadyApplied, InvalidApplication
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


@bp.get("/apply")
@login_required(Role.AUTHORITY)
def open_sectors():
    """The working groups the authority can apply to (or apply to again)."""
    return render("groupings/members/apply.html",
                  sectors=applications.open_sectors(get_session(), g.user))


@bp.route("/apply/<slug>", methods=["GET", "POST"])
@login_required(Role.AUTHORITY)
def create_application(slug: str):
    """Apply to a sector's working groups: topics, motivation, preference rank."""
    db, sent = get_session(), _sent()
    try:
        form = applications.new_form(db, g.user, slug)
        if request.method == "POST":
            applications.apply(db, g.user, {"sector_slug": slug, **sent})
            flash(_("Your application is submitted: the coordinator considers it for the next "
                    "proposal of groups."))
            return redirect(url_for(".index"), code=303)
    except AlreadyApplied as applied:
        flash(applied.message)
        return redirect(url_for(".index"), code=303)
    except InvalidApplication as invalid:
        return _application_form(form, invalid.errors, sent)
    return _application_form(form)


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@login_required(Role.AUTHORITY)
def update_application(application_id: int):
    """Change a submitted application (not once its group is published: see the service)."""
    db, sent = get_session(), _sent()
    form = applications.edit_form(db, g.user, application_id)
    if request.method == "POST":
        try:
            applications.update(db, g.user, application_id, sent)
        except InvalidApplication as invalid:
            return _application_form(form, invalid.errors, sent)
        flash(_("Your application is saved."))
        return redirect(url_for(".index"), code=303)
    return _application_form(form)


def _sent() -> dict:
    """The application form's fields as sent, for the service's schema (an unticked form
    sends no topics at all)."""
    return {"topics": request.form.getlist("topics"),
            "motivation": request.form.get("motivation", ""),
            "preference_rank": request.form.get("preference_rank", "")}


def _application_form(form, errors: dict | None = None, sent: dict | None = None):
    """The form with the stored values, or with what was sent and the errors beside their
    fields when it was refused (nothing typed is lost)."""
    values = sent or {"topics": form.topics, "motivation": form.motivation,
                      "preference_rank": form.preference_rank}
    return render("groupings/members/application.html", form=form, values=values,
                  errors=errors or {}, max_length=applications.MAX_MOTIVATION_LENGTH,
                  status=422 if errors else 200)


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required(Role.AUTHORITY)
def withdraw_application(application_id: int):
    """Ask to confirm (GET), then withdraw the application (POST)."""
    db = get_session()
    form = applications.edit_form(db, g.user, application_id)
    if request.method == "GET":
        return render("groupings/members/withdraw.html", form=form)
    applications.withdraw(db, g.user, application_id)
    flash(_("Your application to %(sector)s is withdrawn. You can apply again at any time.",
            sector=form.text.name))
    return redirect(url_for(".index"), code=303)


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
