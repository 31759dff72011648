"""Saved searches over the JSON API: enterprise users manage their own; everyone else 403.

Another user's search answers 404 (its existence does not leak).
"""

from datetime import datetime

from flask import g, url_for
from pydantic import BaseModel

from models import Role, SavedSearch
from webapp.alerts.services import searches
from webapp.alerts.services.searches import SavedFiltersOut, SavedSearchIn
from webapp.alerts.services.searches import SavedSearchPatch as SavedSearchPatchIn
from webapp.api import bp, respond
from webapp.api import openapi as doc
from webapp.api.auth import token_required
from webapp.api.validation import json_body
from webapp.db import get_session


class SavedSearchOut(BaseModel):
    id: int
    name: str
    frequency: str
    filters: SavedFiltersOut
    feed_url: str
    created_at: datetime
    updated_at: datetime
    last_digest_at: datetime | None


class SavedSearchListOut(BaseModel):
    items: list[SavedSearchOut]


def _out(search: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        id=search.id, name=search.name, frequency=search.frequency,
        filters=SavedFiltersOut.model_validate(search.filters),
        feed_url=url_for("alerts.public.feed", token=search.feed_token, _external=True),
        created_at=search.created_at, updated_at=search.updated_at,
        last_digest_at=search.last_digest_at,
    )


@bp.get("/saved-searches")
@token_required(Role.ENTERPRISE)
def saved_search_list():
    """Your saved searches."""
    rows = searches.searches_of(get_session(), g.user)
    return respond(SavedSearchListOut(items=[_out(s) for s in rows]))


@bp.post("/saved-searches")
@token_required(Role.ENTERPRISE)
def saved_search_create():
    """Save filters of the ranked tender list under a name, with a frequency."""
    data = searches.parse_json(json_body())
    return respond(_out(searches.create_search(get_session(), g.user, data)), 201)


@bp.patch("/saved-searches/<int:search_id>")
@token_required(Role.ENTERPRISE)
def saved_search_update(search_id: int):
    """Change the name, the frequency or the filters (the filters are replaced whole)."""
    db = get_session()
    search = searches.own_search(db, g.user, search_id)
    data = searches.parse_patch(json_body())
    searches.update_search(db, search, name=data.name, frequency=data.frequency,
                           filters=data.filters)
    return respond(_out(search))


@bp.delete("/saved-searches/<int:search_id>")
@token_required(Role.ENTERPRISE)
def saved_search_delete(search_id: int):
    """Delete a saved search; its feed address stops working."""
    db = get_session()
    searches.delete_search(db, searches.own_search(db, g.user, search_id))
    return "", 204


# --- OpenAPI ----------------------------------------------------------------------------------

_SEARCH_ID = doc.path_param("search_id")

OPENAPI_PATHS = {
    "/saved-searches": {
        "get": doc.operation(
            "Your saved searches (enterprise users)",
            doc.ok("SavedSearchList", "Your saved searches"), "Unauthorized", "Forbidden"),
        "post": doc.operation(
            "Save filters of the ranked tender list with a name and a frequency",
            doc.ok("SavedSearch", "The saved search, with its feed URL"),
            "Unauthorized", "Forbidden", "Invalid", "Conflict", status="201",
            request="SavedSearchIn"),
    },
    "/saved-searches/{search_id}": {
        "patch": doc.operation(
            "Change a saved search of yours (404 for any other id)",
            doc.ok("SavedSearch", "The saved search"),
            "Unauthorized", "Forbidden", "NotFound", "Invalid", parameters=[_SEARCH_ID],
            request="SavedSearchPatch"),
        "delete": doc.operation(
            "Delete a saved search of yours (404 for any other id)", doc.ok(None, "Deleted"),
            "Unauthorized", "Forbidden", "NotFound", status="204", parameters=[_SEARCH_ID]),
    },
}

OPENAPI_SCHEMAS = {
    "SavedSearchIn": SavedSearchIn,
    "SavedSearchPatch": SavedSearchPatchIn,
    "SavedSearch": SavedSearchOut,
    "SavedSearchList": SavedSearchListOut,
}
