"""Import published tenders (OCDS JSON) over the API: coordinators and authorities."""

from flask import abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel

from models import Role
from webapp.api import bp
from webapp.api.auth import token_required
from webapp.api.validation import InvalidInput
from webapp.db import get_session
from webapp.tenders.services import importing

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # override with OCDS_IMPORT_MAX_BYTES in the config


class SkippedOut(BaseModel):
    record: str
    reason: str


class WarningOut(BaseModel):
    record: str
    message: str


class ImportSummaryOut(BaseModel):
    created: int
    updated: int
    skipped: list[SkippedOut]
    warnings: list[WarningOut]


@bp.post("/imports/ocds")
@token_required(Role.COORDINATOR, Role.AUTHORITY)
def import_ocds():
    """Import an OCDS release package, record package, list of releases or single release."""
    if not request.is_json:
        return _invalid(_("Send the OCDS JSON with Content-Type: application/json."))
    raw = _body(current_app.config.get("OCDS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    user = g.user
    authority_id = user.authority_id if user.role == Role.AUTHORITY else None
    try:
        summary = importing.import_ocds(get_session(), raw, authority_id=authority_id)
    except importing.MalformedFile as error:
        return _invalid(str(error))
    return jsonify(summary.as_dict())


def _body(limit: int) -> bytes:
    """The request body, or 413 when it is larger than `limit` (declared or actual)."""
    if request.content_length is not None and request.content_length > limit:
        abort(413, _("The file is larger than %(n)s MB; split it.", n=limit // (1024 * 1024)))
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        abort(413, _("The file is larger than %(n)s MB; split it.", n=limit // (1024 * 1024)))
    return raw


def _invalid(message: str):
    """422 with the message (returned: the generic error handler would drop `fields`)."""
    return InvalidInput({"body": message}).get_response()


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

OPENAPI_PATHS = {
    "/imports/ocds": {
        "post": {
            "summary": "Import tenders from OCDS JSON",
            "description": (
                "Body: an OCDS release package (`releases`), record package (`records`), a "
                "list of releases or one release. Tenders are keyed by ocid: importing again "
                "updates them, lots removed upstream are removed. Records that cannot be read "
                "are skipped with their reason; the rest is imported. Values are converted to "
                "EUR with fixed rates. Coordinators and authorities; an authority's tenders "
                "(buyer name equal to its name) are linked to it."
            ),
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {
                    "type": ["object", "array"],
                    "description": "OCDS 1.1 JSON",
                }}},
            },
            "responses": {
                "200": {"description": "What was imported", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ImportSummary"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "403": {"$ref": "#/components/responses/Forbidden"},
                "413": {"description": "The body is too large", "content": _ERROR},
                "422": {"$ref": "#/components/responses/Invalid"},
            },
        }
    },
}
OPENAPI_SCHEMAS = {"ImportSummary": ImportSummaryOut}
