"""Import published tenders (OCDS JSON, eForms XML) over the API: coordinators and
authorities."""

import tempfile
import zipfile
from typing import NoReturn

from flask import abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from models import Role
from webapp.api import bp
from webapp.api import openapi as doc
from webapp.api.auth import token_required
from webapp.api.validation import InvalidInput
from webapp.db import get_session
from webapp.tenders.importing import eforms
from webapp.tenders.services import eforms_imports, importing

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
    closed: int = Field(description="Of the created or updated tenders, those already closed.")
    skipped: list[SkippedOut]
    warnings: list[WarningOut]


@bp.post("/imports/ocds")
@token_required(Role.COORDINATOR, Role.AUTHORITY)
def import_ocds():
    """Import an OCDS release package, record package, list of releases or single release."""
    if not request.is_json:
        _invalid(_("Send the OCDS JSON with Content-Type: application/json."))
    raw = _body(current_app.config.get("OCDS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    user = g.user
    authority_id = user.authority_id if user.role == Role.AUTHORITY else None
    if user.role == Role.AUTHORITY and authority_id is None:
        # None means "import anything" (coordinators): never for an authority's account
        abort(403, _("Your account is not linked to a contracting authority."))
    try:
        summary = importing.import_ocds(get_session(), raw, authority_id=authority_id)
    except importing.MalformedFile as error:
        _invalid(str(error))
    return jsonify(summary.as_dict())


_XML_TYPES = ("application/xml", "text/xml")
_ZIP_TYPES = ("application/zip", "application/x-zip-compressed")


@bp.post("/imports/eforms")
@token_required(Role.COORDINATOR, Role.AUTHORITY)
def import_eforms():
    """Import one TED eForms notice (XML) or a zip package of notices."""
    limit = current_app.config.get("EFORMS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    user = g.user
    authority_id = user.authority_id if user.role == Role.AUTHORITY else None
    if request.mimetype in _XML_TYPES:
        raw = _body(limit)
        try:
            eforms.check_notice(raw)
        except eforms.NoticeProblem as problem:
            return _invalid(_("The notice cannot be read: %(problem)s.", problem=problem))
        summary = eforms_imports.import_notice_bytes(get_session(), raw,
                                                     authority_id=authority_id)
        return jsonify(summary.as_dict())
    if request.mimetype in _ZIP_TYPES:
        with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as package:
            _copy_body(package, limit)
            if not zipfile.is_zipfile(package):
                return _invalid(_("The body is not a zip package."))
            package.seek(0)
            summary = eforms_imports.import_notices(
                get_session(), eforms.zip_sources(package, "package"),
                authority_id=authority_id)
        return jsonify(summary.as_dict())
    return _invalid(_("Send one eForms notice with Content-Type: application/xml, or a zip "
                      "package of notices with Content-Type: application/zip."))


def _copy_body(target, limit: int) -> None:
    """Copy the request body into `target` in pieces; 413 when it is larger than `limit`."""
    if request.content_length is not None and request.content_length > limit:
        abort(413, _("The file is larger than %(mb)s MB; split it.", mb=limit // (1024 * 1024)))
    copied = 0
    while piece := request.stream.read(1024 * 1024):
        copied += len(piece)
        if copied > limit:
            abort(413, _("The file is larger than %(mb)s MB; split it.", mb=limit // (1024 * 1024)))
        target.write(piece)


def _body(limit: int) -> bytes:
    """The request body, or 413 when it is larger than `limit` (declared or actual)."""
    if request.content_length is not None and request.content_length > limit:
        abort(413, _("The file is larger than %(n)s MB; split it.", n=limit // (1024 * 1024)))
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        abort(413, _("The file is larger than %(n)s MB; split it.", n=limit // (1024 * 1024)))
    return raw


def _invalid(message: str) -> NoReturn:
    """422 with the message beside the body."""
    raise InvalidInput({"body": message})


_RESPONSES = {"200": doc.ok("ImportSummary", "What was imported"),
              **doc.errors("Unauthorized", "Forbidden", "TooLarge", "Invalid")}

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
                "(buyer name equal to its name) are linked to it; an authority may only create "
                "its own tenders and update those it owns (others are skipped with a reason)."
            ),
            "security": doc.BEARER,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {
                    "description": "OCDS 1.1 JSON: the shapes the reader accepts",
                    "anyOf": [
                        {"type": "array"},
                        {"type": "object", "required": ["records"],
                         "properties": {"records": {"type": "array"}}},
                        {"type": "object", "required": ["releases"],
                         "properties": {"releases": {"type": "array"}}},
                        {"type": "object", "required": ["ocid", "tender"]},
                        {"type": "object", "required": ["ocid", "tag"]},
                    ],
                }}},
            },
            "responses": _RESPONSES,
        }
    },
}
OPENAPI_PATHS["/imports/eforms"] = {
    "post": {
        "summary": "Import tenders from TED eForms notices",
        "description": (
            "Body: one eForms notice (UBL 2.3 XML as TED publishes it) with Content-Type "
            "`application/xml`, or a zip package of notices with `application/zip`. A tender "
            "is keyed by its procedure identifier (BT-04; a prior information notice without "
            "one by its notice identifier): contract notices and calls for competition open "
            "it, prior information notices plan it, change notices update it, award notices "
            "close it. A notice older than the one already imported for its procedure, or "
            "one imported before, changes nothing and is listed as skipped with the reason; "
            "so are notices that cannot be read (in a zip, the rest is imported). A single "
            "XML body that is not a readable eForms notice is 422. Coordinators and "
            "authorities; an authority's tenders (buyer name equal to its name) are linked "
            "to it."
        ),
        "security": doc.BEARER,
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string",
                                               "description": "One eForms notice"}},
                "application/zip": {"schema": {"type": "string", "format": "binary",
                                               "description": "A zip of notices (*.xml)"}},
            },
        },
        "responses": _RESPONSES,
    }
}
OPENAPI_SCHEMAS = {"ImportSummary": ImportSummaryOut}
