"""The application factory."""

import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, g, request
from flask_babel import Babel
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from webapp import db, inputs
from webapp.i18n import SUPPORTED_LOCALES, select_locale, select_timezone
from webapp.inputs import MAX_ROW_ID
from webapp.rendering import safe_url, template_macro

__all__ = ["MAX_ROW_ID", "SUPPORTED_LOCALES", "create_app"]


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
    app.jinja_env.filters["safe_url"] = safe_url
    # Every page opens with the first, inside its `content` block (an htmx request renders
    # that block alone), and most lists are the second: globals spare each page the import.
    app.jinja_env.globals["page_header"] = template_macro("macros/page.html", "page_header")
    app.jinja_env.globals["data_table"] = template_macro("macros/tables.html", "data_table")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure(app, test_config)
    _configure_logging(app)
    _trust_proxies(app)

    inputs.init_app(app)
    db.init_app(app)
    HTMX(app)
    CSRFProtect(app)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)

    _register_blueprints(app)
    from webapp import cli, errors, headers, i18n, jobs, navigation, ratelimit
    from webapp.tenders.services import index

    jobs.init_app(app)
    index.init_app(app)
    if app.config.get("BACKGROUND_AT_START", not app.testing):
        jobs.start_periodic_thread(app)  # only without Redis: `matchmaker scheduler` otherwise
    errors.init_app(app)
    i18n.init_app(app)
    headers.init_app(app)
    ratelimit.init_app(app)
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
        # Login throttle (webapp/throttle.py): per account and client address, per client
        # address, per account from browsers it was never used in.
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCKOUT=timedelta(minutes=15),
        LOGIN_CLIENT_MAX_FAILURES=50,
        LOGIN_ACCOUNT_MAX_FAILURES=50,
        LOGIN_ACCOUNT_WINDOW=timedelta(hours=1),
        # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (0: trust
        # none, so a client cannot forge its address to dodge the login throttle).
        PROXY_FIX_X_FOR=0,
        PROXY_FIX_X_PROTO=0,
        PROXY_FIX_X_HOST=0,
        PROXY_FIX_X_PORT=0,
        PROXY_FIX_X_PREFIX=0,
        HTTPS=False,  # served over https (directly or by the proxy): cookies only over https
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="Europe/Brussels",  # MATCHMAKER_BABEL_DEFAULT_TIMEZONE to change
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
    if app.config["HTTPS"] or app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["PREFERRED_URL_SCHEME"] = "https"
        app.config["SESSION_COOKIE_SECURE"] = True


def _trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the proxy's X-Forwarded-* headers, for
    as many proxies as configured (werkzeug's ProxyFix); none by default."""
    hops = {name: int(app.config[f"PROXY_FIX_{name.upper()}"])
            for name in ("x_for", "x_proto", "x_host", "x_port", "x_prefix")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)


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
    # Alembic announces each of its plugins at INFO whenever it is imported: seven lines
    # before every command's own output, telling an operator nothing.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    from webapp import alerts, groupings, tenders
    from webapp.audit.views import bp as audit_bp
    from webapp.auth import bp as auth_bp
    from webapp.home.views import bp as home_bp
    from webapp.signup import bp as accounts_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(groupings.blueprint())
    app.register_blueprint(tenders.blueprint())
    app.register_blueprint(alerts.blueprint())
    app.register_blueprint(audit_bp)
    api_bp = _api_blueprint()
    app.register_blueprint(api_bp)
    app.extensions["csrf"].exempt(api_bp)  # bearer tokens, never cookies: no CSRF to forge


def _api_blueprint() -> Blueprint:
    """The JSON API's one blueprint, once each feature's API module has added its routes to
    it: they do so as they are imported, so they are imported here, above them all."""
    from webapp.alerts import api as alerts_api  # noqa: F401
    from webapp.api import bp, core  # noqa: F401
    from webapp.groupings import api as groupings_api  # noqa: F401
    from webapp.groupings import members_api  # noqa: F401
    from webapp.tenders import api as tenders_api  # noqa: F401
    from webapp.tenders import imports_api  # noqa: F401

    return bp


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
