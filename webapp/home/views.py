"""The landing page, each role's home page, and the health check."""

from flask import Blueprint, g, jsonify
from sqlalchemy import text

from models import Role
from webapp.db import get_session
from webapp.home import services as overview
from webapp.rendering import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Anonymous visitors see what Matchmaker is; each role sees its own starting point."""
    user = g.user
    db = get_session()
    if user is None:
        return render("home/landing.html")
    if user.role == Role.COORDINATOR:
        return render("home/coordinator.html", pools=overview.coordinated_sectors(db, user))
    if user.role == Role.AUTHORITY:
        return render("home/authority.html", view=overview.authority_overview(db, user))
    return render("home/enterprise.html", enterprise=overview.enterprise_of(db, user))


@bp.get("/healthz")
def healthz():
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        get_session().exec(text("SELECT 1")).one()
    except Exception as exc:  # any driver error means "not ready"
        return jsonify(status="error", database=type(exc).__name__), 503
    return jsonify(status="ok", database="ok")
