"""Who am I, and the OpenAPI document."""

from flask import g, jsonify

from webapp.api import bp
from webapp.api.auth import token_required
from webapp.api.openapi import build_document


@bp.get("/me")
@token_required()
def me():
    """The user a token belongs to."""
    user = g.user
    return jsonify(
        id=user.id,
        email=user.email,
        role=user.role.value,
        authority_id=user.authority_id,
        enterprise_id=user.enterprise_id,
    )


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_document())
