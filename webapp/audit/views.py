"""Coordinators read the audit trail of the sectors they run: who did what, when."""

from io import BytesIO

from flask import Blueprint, g, request, send_file
from flask_babel import gettext as _
from pydantic import BaseModel, Field, ValidationError, field_validator

from models import Role
from webapp.audit import services as audit
from webapp.auth import login_required
from webapp.db import get_session
from webapp.inputs import MAX_ROW_ID
from webapp.rendering import render

bp = Blueprint("audit", __name__, url_prefix="/audit")


class AuditQuery(BaseModel):
    """The filter form's query string; empty fields mean 'any'."""

    # Row ids within the INTEGER range (a 40-digit id made the database fail), a bounded page.
    sector: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    proposal: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    user: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    action: str | None = Field(default=None, max_length=100)
    page: int = Field(default=1, ge=1, le=100_000)

    @field_validator("sector", "proposal", "user", "action", mode="before")
    @classmethod
    def empty_is_any(cls, value):
        """An empty select sends ''."""
        return None if value == "" else value

    @field_validator("page", mode="before")
    @classmethod
    def empty_page_is_first(cls, value):
        """A missing or empty page is the first."""
        return 1 if value in ("", None) else value


def _query_and_errors(db, choices):
    errors: dict[str, str] = {}
    try:
        query = AuditQuery.model_validate(request.args.to_dict())
    except ValidationError as error:
        errors = {str(e["loc"][0]): _("Choose a value from the list.") for e in error.errors()}
        query = AuditQuery()
    allowed = {
        "sector": {s[0] for s in choices.sectors},
        "proposal": {p[0] for p in choices.proposals},
        "user": {u[0] for u in choices.users},
        "action": set(choices.actions),
    }
    for name, values in allowed.items():
        value = getattr(query, name)
        if value is not None and value not in values:
            errors[name] = _("Choose a value from the list.")
    return query, errors


@bp.get("/export.csv")
@login_required(Role.COORDINATOR)
def export():
    """The trail, with the page's filters, as a CSV file for a spreadsheet."""
    db = get_session()
    query, errors = _query_and_errors(db, audit.filter_choices(db, g.user))
    if errors:
        return render("error.html", status=422, title=_("Not a valid filter"),
                      message=" ".join(sorted(set(errors.values()))))
    wanted = audit.AuditFilter(sector_id=query.sector, proposal_id=query.proposal,
                               user_id=query.user, action=query.action)
    return send_file(BytesIO(audit.export_csv(db, g.user, wanted)), as_attachment=True,
                     download_name="audit-trail.csv", mimetype="text/csv; charset=utf-8")


@bp.get("/")
@login_required(Role.COORDINATOR)
def index():
    """The trail of the coordinator's sectors, filtered and paginated; htmx swaps the results."""
    db = get_session()
    choices = audit.filter_choices(db, g.user)
    query, errors = _query_and_errors(db, choices)
    if errors:
        result = audit.AuditPage(rows=[], page=1, n_pages=1, n_events=0)
    else:
        wanted = audit.AuditFilter(sector_id=query.sector, proposal_id=query.proposal,
                                   user_id=query.user, action=query.action)
        result = audit.events_for(db, g.user, wanted, page=query.page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("audit/index.html", block="results", choices=choices, query=query,
                  action_label=audit.action_label,
                  result=result, errors=errors, args=args, status=422 if errors else 200)
