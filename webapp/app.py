"""The application factory."""

import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from webapp import db

SUPPORTED_LOCALES = ("en", "nl")
MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns on PostgreSQL


class RowIdConverter(IntegerConverter):
    """`<int:…>` in our URLs is a row id: a number no row can have is a 404, not a database
    error (SQLite and PostgreSQL both refuse to look up ids beyond their integer range)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ROW_ID:
            # Not werkzeug's `max`: a refused value would make the route answer 405.
            raise NotFound()
        return number


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Matchmaker app: defaults, then environment, then `test_config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.url_map.converters["int"] = RowIdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure(app, test_config)
    _configure_logging(app)

    db.init_app(app)
    HTMX(app)
    CSRFProtect(app)
    Babel(app, locale_selector=_select_locale)

    _register_blueprints(app)
    from webapp import cli, errors, navigation

    errors.init_app(app)
    navigation.init_app(app)
    cli.init_app(app)
    _log_requests(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'matchmaker.sqlite'}",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCKOUT=timedelta(minutes=15),
        BABEL_DEFAULT_LOCALE="en",
        LOG_LEVEL="INFO",
    )
    for name in ("DATABASE_URL", "SECRET_KEY", "LOG_LEVEL"):
        if name in os.environ:
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("MATCHMAKER")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)


def _instance_secret(app: Flask) -> str:
    """The embedded default keeps a random key in the instance folder (never in code).

    Production sets SECRET_KEY in the environment; several workers then share it.
    """
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _configure_logging(app: Flask) -> None:
    logging.basicConfig(
        level=app.config["LOG_LEVEL"],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _select_locale() -> str | None:
    if not has_request_context():  # a command or a job: the default, unless force_locale
        return None
    return request.accept_languages.best_match(SUPPORTED_LOCALES)


def _register_blueprints(app: Flask) -> None:
    from webapp import alerts, groupings, tenders
    from webapp.api import bp as api_bp
    from webapp.audit.views import bp as audit_bp
    from webapp.auth import bp as auth_bp
    from webapp.home.views import bp as home_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(groupings.blueprint())
    app.register_blueprint(tenders.blueprint())
    app.register_blueprint(alerts.blueprint())
    app.register_blueprint(audit_bp)
    app.register_blueprint(api_bp)
    app.extensions["csrf"].exempt(api_bp)  # bearer tokens, never cookies: no CSRF to forge


def _log_requests(app: Flask) -> None:
    """One line per request that an operator can read: method, path, status, time, user."""
    logger = logging.getLogger("matchmaker.requests")

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        user = g.get("user")
        logger.info(
            "%s %s %s %.1fms user=%s",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            elapsed_ms,
            user.id if user else "-",
        )
        return response
