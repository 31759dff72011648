"""Saved searches over the JSON API: enterprise users manage their own; everyone else 403.

Another user's search answers 404 (its existence does not leak).
"""

from datetime import datetime

from flask import abort, g, jsonify, request, url_for
from pydantic import BaseModel

from models import Role, SavedSearch
from webapp.alerts.services import searches
from webapp.alerts.services.searches import InvalidSearch, SavedFiltersIn, SavedSearchIn
from webapp.alerts.services.searches import SavedSearchPatch as SavedSearchPatchIn
from webapp.api import bp
from webapp.api.auth import token_required
from webapp.api.validation import InvalidInput
from webapp.db import get_session


class SavedSearchOut(BaseModel):
    id: int
    name: str
    frequency: str
    filters: SavedFiltersIn
    feed_url: str
    created_at: datetime
    updated_at: datetime
    last_digest_at: datetime | None


class SavedSearchListOut(BaseModel):
    items: list[SavedSearchOut]


def _out(search: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        id=search.id, name=search.name, frequency=search.frequency,
        filters=SavedFiltersIn.model_validate(search.filters),
        feed_url=url_for("alerts.public.feed", token=search.feed_token, _external=True),
        created_at=search.created_at, updated_at=search.updated_at,
        last_digest_at=search.last_digest_at,
    )


def _json(model: BaseModel, status: int = 200):
    return jsonify(model.model_dump(mode="json")), status


def _body() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidInput({"body": "Send a JSON object with Content-Type: application/json."})
    return payload


def _invalid(invalid: InvalidSearch):
    if set(invalid.errors) == {"body"}:
        abort(409, invalid.errors["body"])
    raise InvalidInput(invalid.errors) from None


def _own(search_id: int) -> SavedSearch:
    try:
        return searches.own_search(get_session(), g.user, search_id)
    except searches.UnknownSearch:
        abort(404, "No such saved search, or not yours.")


@bp.get("/saved-searches")
@token_required(Role.ENTERPRISE)
def saved_search_list():
    """Your saved searches."""
    rows = searches.searches_of(get_session(), g.user)
    return _json(SavedSearchListOut(items=[_out(s) for s in rows]))


@bp.post("/saved-searches")
@token_required(Role.ENTERPRISE)
def saved_search_create():
    """Save filters of the ranked tender list under a name, with a frequency."""
    db = get_session()
    try:
        data = searches.parse_json(_body())
        search = searches.create_search(db, g.user, data)
    except InvalidSearch as invalid:
        db.rollback()
        _invalid(invalid)
    return _json(_out(search), 201)


@bp.patch("/saved-searches/<int:search_id>")
@token_required(Role.ENTERPRISE)
def saved_search_update(search_id: int):
    """Change the name, the frequency or the filters (the filters are replaced whole)."""
    db = get_session()
    search = _own(search_id)
    try:
        data = searches.parse_patch(_body())
        searches.update_search(db, search, name=data.name, frequency=data.frequency,
                               filters=data.filters)
    except InvalidSearch as invalid:
        db.rollback()
        _invalid(invalid)
    return _json(_out(search))


@bp.delete("/saved-searches/<int:search_id>")
@token_required(Role.ENTERPRISE)
def saved_search_delete(search_id: int):
    """Delete a saved search; its feed address stops working."""
    searches.delete_search(get_session(), _own(search_id))
    return "", 204


# --- OpenAPI ----------------------------------------------------------------------------------

_BEARER = [{"bearer": []}]


def _ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _err(*names: str) -> dict:
    codes = {"Unauthorized": "401", "Forbidden": "403", "NotFound": "404", "Invalid": "422",
             "Conflict": "409"}
    return {codes[n]: {"$ref": f"#/components/responses/{n}"} for n in names}


def _body_of(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_ID = {"name": "search_id", "in": "path", "required": True, "schema": {"type": "integer"}}

OPENAPI_PATHS = {
    "/saved-searches": {
        "get": {
            "summary": "Your saved searches (enterprise users)", "security": _BEARER,
            "responses": {"200": _ok("SavedSearchList", "Your saved searches"),
                          **_err("Unauthorized", "Forbidden")},
        },
        "post": {
            "summary": "Save filters of the ranked tender list with a name and a frequency",
            "security": _BEARER, "requestBody": _body_of("SavedSearchIn"),
            "responses": {"201": _ok("SavedSearch", "The saved search, with its feed URL"),
                          **_err("Unauthorized", "Forbidden", "Invalid", "Conflict")},
        },
    },
    "/saved-searches/{search_id}": {
        "patch": {
            "summary": "Change a saved search of yours (404 for any other id)",
            "security": _BEARER, "parameters": [_ID],
            "requestBody": _body_of("SavedSearchPatch"),
            "responses": {"200": _ok("SavedSearch", "The saved search"),
                          **_err("Unauthorized", "Forbidden", "NotFound", "Invalid")},
        },
        "delete": {
            "summary": "Delete a saved search of yours (404 for any other id)",
            "security": _BEARER, "parameters": [_ID],
            "responses": {"204": {"description": "Deleted"},
                          **_err("Unauthorized", "Forbidden", "NotFound")},
        },
    },
}

OPENAPI_SCHEMAS = {
    "SavedSearchIn": SavedSearchIn,
    "SavedSearchPatch": SavedSearchPatchIn,
    "SavedSearch": SavedSearchOut,
    "SavedSearchList": SavedSearchListOut,
}
