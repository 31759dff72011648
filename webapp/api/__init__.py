"""The JSON API under /api/v1: bearer tokens, JSON errors, an OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import core, groupings, imports, partners, tenders  # noqa: E402,F401  (routes register on bp)
