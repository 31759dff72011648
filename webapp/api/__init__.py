"""The JSON API under /api/v1: bearer tokens, JSON errors, an OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The routes register on `bp` as their modules are imported; each feature keeps its own API.
import webapp.alerts.api  # noqa: E402,F401
import webapp.groupings.api  # noqa: E402,F401
import webapp.groupings.members_api  # noqa: E402,F401
import webapp.tenders.api  # noqa: E402,F401
import webapp.tenders.imports_api  # noqa: E402,F401
from webapp.api import core  # noqa: E402,F401
