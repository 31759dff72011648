"""Coordinators: sector pools, proposals of working groups, live edits, approval, publication.

Views parse, call one service function and render; the service's domain errors become 4xx
pages (404 for sectors and proposals outside the coordinator's scope, 409 for stale or frozen
proposals, 422 for invalid input, shown beside the form).
"""

from io import BytesIO

from flask import Blueprint, flash, g, redirect, request, send_file, url_for
from flask_babel import gettext as _

from models import Role
from webapp.auth import login_required
from webapp.db import get_session
from webapp.errors import Conflict, Invalid, status_of
from webapp.groupings import services as groupings
from webapp.groupings.services import GroupingInfeasible, InvalidImportFile, InvalidParameters
from webapp.inputs import row_id
from webapp.rendering import render, wants_fragment

bp = Blueprint("coordinator", __name__, url_prefix="/sectors")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@login_required(Role.COORDINATOR)
def index():
    """The sectors the coordinator runs, with their pool sizes."""
    return render("groupings/coordinator/index.html",
                  sectors=groupings.coordinated_sectors(get_session(), g.user))


@bp.get("/<slug>")
@login_required(Role.COORDINATOR)
def show(slug: str):
    """The pool and the propose form (its preview fills in on demand)."""
    return _show(slug, groupings.RunParameters())


def _show(slug: str, parameters, preview=None, errors=None, form=None, status=200,
          block="content"):
    page = groupings.sector_page(get_session(), g.user, slug)
    return render("groupings/coordinator/show.html", block=block, page=page, preview=preview,
                  errors=errors or {}, form=form or groupings.as_form(parameters),
                  status=status)


@bp.get("/<slug>/preview")
@login_required(Role.COORDINATOR)
def preview(slug: str):
    """Run the engine on the form's settings without saving: the preview region (htmx) or the
    whole page with the preview (a plain GET)."""
    try:
        parameters = groupings.parse_form(request.args)
        result = groupings.preview(get_session(), g.user, slug, parameters)
    except InvalidParameters as invalid:
        return _show(slug, None, errors=invalid.errors, form=request.args, status=422,
                     block="preview")
    except GroupingInfeasible as infeasible:
        return _show(slug, None, errors={"form": infeasible.message}, form=request.args,
                     status=422, block="preview")
    return _show(slug, parameters, preview=result, form=request.args, block="preview")


@bp.post("/<slug>/proposals")
@login_required(Role.COORDINATOR)
def generate(slug: str):
    """Generate and store the proposals (alternatives) of a run; go to the best one."""
    db = get_session()
    try:
        parameters = groupings.parse_form(request.form)
        proposal = groupings.generate(db, g.user, slug, parameters)
    except InvalidParameters as invalid:
        return _show(slug, None, errors=invalid.errors, form=request.form, status=422)
    except GroupingInfeasible as infeasible:
        return _show(slug, None, errors={"form": infeasible.message}, form=request.form,
                     status=422)
    flash(_("%(n)s proposals generated.", n=proposal.parameters.get("n_alternatives", 1)))
    return redirect(url_for(".proposal", slug=slug, proposal_id=proposal.id), code=303)


@bp.get("/<slug>/proposals/<int:proposal_id>")
@login_required(Role.COORDINATOR)
def proposal(slug: str, proposal_id: int):
    """A proposal: group cards, why here, moves, locks, waitlist, approve and publish."""
    view = groupings.proposal_page(get_session(), g.user, slug, proposal_id)
    return render("groupings/coordinator/proposal.html", block="editor", view=view, error=None)


def _edit(slug: str, proposal_id: int, change, done_message: str, focus: str = "edit-done"):
    """Run an edit; answer the editor region (htmx) or redirect (plain form); errors beside.

    `focus` names the element keyboard and screen-reader users land on after the swap (the
    moved member, the lock button, or the status message): the fragment marks it autofocus,
    which htmx honours; a plain redirect jumps to it by its anchor.
    """
    db = get_session()
    try:
        loaded, changed = change(db)
    except (Invalid, Conflict) as error:  # shown in the editor; not-found answers 404
        view = groupings.proposal_page(db, g.user, slug, proposal_id)
        return render("groupings/coordinator/proposal.html", block="editor", view=view,
                      status=status_of(error), error=error.message,
                      error_for=request.form.get("application_id"))
    if wants_fragment():
        view = groupings.proposal_view(db, loaded, highlight=changed)
        return render("groupings/coordinator/proposal.html", block="editor", view=view, error=None,
                      done=done_message, focus=focus)
    flash(done_message)
    anchor = "" if focus == "edit-done" else "#" + focus
    return redirect(url_for(".proposal", slug=slug, proposal_id=proposal_id) + anchor, code=303)


def _final_step(slug: str, proposal_id: int, step: str):
    """Approve or publish the proposal. Neither can be undone: the step runs only when the form
    carries a ticked confirmation box; else the proposal comes again, nothing changed, with the
    box marked (422)."""
    change, unticked, done_message = {
        "approve": (
            groupings.approve,
            _("Tick the box to confirm that you approve this proposal: it cannot be undone."),
            _("The proposal is approved. Publish it to show the groups to their members."),
        ),
        "publish": (
            groupings.publish,
            _("Tick the box to confirm that you publish this proposal: it cannot be undone."),
            _("The proposal is published: its members can now see their groups."),
        ),
    }[step]
    if request.form.get("confirm") != "yes":
        view = groupings.proposal_page(get_session(), g.user, slug, proposal_id)
        return render("groupings/coordinator/proposal.html", block="editor", view=view,
                      status=422, error=unticked, error_for="confirm")
    return _edit(slug, proposal_id, lambda db: (change(
        db, g.user, slug, proposal_id, _version()), set()), done_message)


def _version() -> int | None:
    value = request.form.get("version", "")
    return row_id(value)


def _application_id() -> int:
    value = request.form.get("application_id", "")
    return row_id(value) or -1


@bp.post("/<slug>/proposals/<int:proposal_id>/move")
@login_required(Role.COORDINATOR)
def move(slug: str, proposal_id: int):
    """Move a member to another group or to the waitlist; both groups are re-scored."""
    return _edit(slug, proposal_id, lambda db: groupings.move(
        db, g.user, slug, proposal_id, _application_id(), request.form.get("target", ""),
        _version()), _("Moved. Both groups are re-scored."), focus=f"member-{_application_id()}")


@bp.post("/<slug>/proposals/<int:proposal_id>/lock")
@login_required(Role.COORDINATOR)
def lock(slug: str, proposal_id: int):
    """Lock (locked=1) or unlock (locked=0) a member in its group."""
    locked = request.form.get("locked") == "1"
    return _edit(slug, proposal_id, lambda db: groupings.set_locked(
        db, g.user, slug, proposal_id, _application_id(), locked, _version()),
        _("Locked: this member stays in its group when you run the sector again.") if locked
        else _("Unlocked."), focus=f"lock-{_application_id()}")


@bp.post("/<slug>/proposals/<int:proposal_id>/undo")
@login_required(Role.COORDINATOR)
def undo(slug: str, proposal_id: int):
    """Undo the last move."""
    return _edit(slug, proposal_id, lambda db: groupings.undo(
        db, g.user, slug, proposal_id, _version()), _("The last move is undone."))


@bp.post("/<slug>/proposals/<int:proposal_id>/approve")
@login_required(Role.COORDINATOR)
def approve(slug: str, proposal_id: int):
    """Approve the proposal: it can no longer be edited (after the box is ticked)."""
    return _final_step(slug, proposal_id, "approve")


@bp.post("/<slug>/proposals/<int:proposal_id>/publish")
@login_required(Role.COORDINATOR)
def publish(slug: str, proposal_id: int):
    """Publish an approved proposal to the authorities placed in it (after the box is ticked)."""
    return _final_step(slug, proposal_id, "publish")


@bp.get("/<slug>/proposals/<int:proposal_id>/compare")
@login_required(Role.COORDINATOR)
def compare(slug: str, proposal_id: int):
    """The alternatives of the proposal's run side by side."""
    return render("groupings/coordinator/compare.html",
                  comparison=groupings.comparison(get_session(), g.user, slug, proposal_id))


@bp.get("/<slug>/proposals/<int:proposal_id>/export.<any(csv, xlsx):fmt>")
@login_required(Role.COORDINATOR)
def export(slug: str, proposal_id: int, fmt: str):
    """Download the proposal as CSV or as an Excel workbook."""
    exporter = groupings.export_csv if fmt == "csv" else groupings.export_xlsx
    name, content = exporter(get_session(), g.user, slug, proposal_id)
    return send_file(BytesIO(content), as_attachment=True, download_name=name,
                     mimetype="text/csv; charset=utf-8" if fmt == "csv" else XLSX)


@bp.route("/<slug>/import", methods=["GET", "POST"])
@login_required(Role.COORDINATOR)
def import_applications(slug: str):
    """Upload a CSV of applications; each bad row is reported with its number."""
    db = get_session()
    sector = groupings.sector_for(db, g.user, slug)
    result, error, status = None, None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error, status = _("Choose a CSV file to upload."), 422
        else:
            try:
                result = groupings.import_applications(db, g.user, sector, upload.read())
            except InvalidImportFile as invalid:
                error, status = str(invalid), 422
            else:
                status = 422 if result.errors and not (result.n_created or result.n_updated) \
                    else 200
    return render("groupings/coordinator/import.html", sector=sector, result=result, error=error,
                  columns=groupings.IMPORT_COLUMNS, status=status)


@bp.get("/<slug>/import/template.csv")
@login_required(Role.COORDINATOR)
def import_template(slug: str):
    """A CSV to fill in for the import: the columns and one example row."""
    sector = groupings.sector_for(get_session(), g.user, slug)
    return send_file(BytesIO(groupings.template_csv(sector)), as_attachment=True,
                     download_name=f"{sector.slug}-applications-template.csv",
                     mimetype="text/csv; charset=utf-8")
