"""The JSON API under /api/v1: bearer tokens, JSON errors, an OpenAPI document."""

from flask import Blueprint, jsonify
from pydantic import BaseModel

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def respond(model: BaseModel | list[BaseModel], status: int = 200):
    """An output model (or a list of them) as the JSON answer, with its status."""
    if isinstance(model, list):
        return jsonify([m.model_dump(mode="json") for m in model]), status
    return jsonify(model.model_dump(mode="json")), status


# The routes register on `bp` as their modules are imported; each feature keeps its own API.
import webapp.alerts.api  # noqa: E402,F401
import webapp.groupings.api  # noqa: E402,F401
import webapp.groupings.members_api  # noqa: E402,F401
import webapp.tenders.api  # noqa: E402,F401
import webapp.tenders.imports_api  # noqa: E402,F401
from webapp.api import core  # noqa: E402,F401
