"""The JSON API under /api/v1: bearer tokens, JSON errors, an OpenAPI document.

One blueprint, ``bp``: each feature keeps its own API module (``webapp.tenders.api``,
``webapp.groupings.api`` ...), whose routes add themselves to ``bp`` as it is imported. The
app factory imports them (``webapp.app``), so that this package, below the features, never
imports them back.
"""

from flask import Blueprint, jsonify
from pydantic import BaseModel

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def respond(model: BaseModel | list[BaseModel], status: int = 200):
    """An output model (or a list of them) as the JSON answer, with its status."""
    if isinstance(model, list):
        return jsonify([m.model_dump(mode="json") for m in model]), status
    return jsonify(model.model_dump(mode="json")), status

