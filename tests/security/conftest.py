"""Live servers for the security tests: a real HTTP client against the threaded development
server on SQLite, or gunicorn with several worker processes on PostgreSQL."""

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bench.common import free_port, stop
from fixtures import load_fixtures
from tests.conftest import seeded_postgres, serve
from tests.webapp.test_production_serving import wait_for
from webapp import create_app
from webapp.db import ENGINE_KEY, make_engine
from webapp.migrate import downgrade, upgrade

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One HTTP client with its own cookies, as one browser; `forwarded_for` plays the address
    a trusted reverse proxy reports for it."""

    def __init__(self, base: str, forwarded_for: str | None = None):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=self.headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf(self) -> str:
        _status, _headers, html = self.request("/login")
        return _CSRF_META.search(html).group(1)

    def login(self, email: str, password: str, token: str | None = None):
        return self.request("/login", {"email": email, "password": password,
                                       "csrf_token": token or self.csrf()})


@pytest.fixture
def sqlite_server(app):
    """The test app (SQLite) behind one trusted proxy hop, served by threads."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # as MATCHMAKER_PROXY_FIX_X_FOR=1 does
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def postgres_with_fixtures(today):
    """A database of its own on the PostgreSQL server, migrated and loaded with the fixtures."""
    with seeded_postgres(today, "matchmaker_security") as url:
        yield url


@pytest.fixture
def run_postgres_with_fixtures(postgres_url, today):
    """The run's PostgreSQL database, migrated afresh and loaded with the fixtures; emptied
    after, since the PostgreSQL tests share it."""
    engine = make_engine(postgres_url)
    downgrade(engine, "base")
    upgrade(engine)
    with Session(engine) as session:
        load_fixtures(session, today=today)
    engine.dispose()
    yield postgres_url
    engine = make_engine(postgres_url)
    downgrade(engine, "base")
    engine.dispose()


@pytest.fixture
def gunicorn_server(postgres_with_fixtures, tmp_path):
    """Production serving: gunicorn, three worker processes with threads, on PostgreSQL,
    trusting one proxy hop for the client address."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "DATABASE_URL": postgres_with_fixtures, "SECRET_KEY": "sec-test-secret",
           "MATCHMAKER_PROXY_FIX_X_FOR": "1", "LOG_LEVEL": "WARNING"}
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "3", "--threads", "4", "--graceful-timeout", "5",
         "--bind", f"127.0.0.1:{port}",
         "webapp:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )
    try:
        # Each worker imports the app (numpy, scipy, scikit-learn): slow on a busy machine.
        wait_for(f"http://127.0.0.1:{port}/healthz", seconds=120)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process, 30, kill_seconds=10)
        log.close()


def reset_throttle(app_or_url) -> None:
    """Forget every counted login attempt (between cases sharing one database)."""
    if isinstance(app_or_url, str):
        engine = make_engine(app_or_url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM loginthrottle"))
        engine.dispose()
    else:
        with app_or_url.extensions[ENGINE_KEY].begin() as connection:
            connection.execute(text("DELETE FROM loginthrottle"))


@pytest.fixture
def app_with(seeded_db_file, tmp_path):
    """Make an app on its own copy of the seeded SQLite database, with extra settings."""
    import shutil

    made = []

    def make(**config):
        db_file = tmp_path / f"own-{len(made)}.sqlite"
        shutil.copy(seeded_db_file, db_file)
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{db_file}",
                          "SECRET_KEY": "test-secret", **config})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions[ENGINE_KEY].dispose()
