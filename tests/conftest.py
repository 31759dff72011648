"""Shared test fixtures: an app on a copy of a seeded SQLite database, PostgreSQL, a browser.

PostgreSQL and Chromium are real services here, never mocks. When one is missing its tests
fail with a message saying how to provide it (they never skip silently).

`make test` runs the suite in several worker processes (pytest-xdist). Nothing here is shared
between them: each worker has its own temporary folder (the seeded SQLite file, the copies),
its own PostgreSQL databases (created on the server, named after the worker), its own Redis
database number, and it serves its apps and mail servers on ports the system picks.
"""

import os
import shutil
import threading
import urllib.parse
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session
from werkzeug.serving import WSGIRequestHandler, make_server

from fixtures import load_fixtures
from webapp import create_app
from webapp.db import ENGINE_KEY, make_engine
from webapp.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get(
    "MATCHMAKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def worker_number() -> int:
    """This pytest-xdist worker's number (gw0 is 0); 0 too when the suite runs in one process."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def redis_url_of_worker(base: str, worker: int) -> str:
    """``base`` with its database number moved up by ``worker``: db 12, 13, ... for the
    workers, since each test empties its Redis database (FLUSHDB)."""
    parts = urllib.parse.urlsplit(base)
    number = int(parts.path.strip("/") or 0) + worker
    return urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))


BASE_REDIS_URL = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
REDIS_URL = redis_url_of_worker(BASE_REDIS_URL, worker_number())
CHROMIUM = os.environ.get("MATCHMAKER_CHROMIUM", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The official reference data beside the project (present on developer machines and CI)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"Reference data not found at {SHARED_DATA} (expected ../shared/data).")
    return SHARED_DATA


@pytest.fixture(scope="session")
def today() -> date:
    return date.today()


@pytest.fixture(scope="session")
def seeded_db_file(tmp_path_factory, today) -> Path:
    """A SQLite file migrated to head and loaded with the fixtures, built once per run."""
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite"
    migrate_and_load(f"sqlite:///{path}", today)
    return path


def migrate_and_load(url: str, today) -> None:
    """Migrate the database at ``url`` to head and load the fixtures for ``today``."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_fixtures(session, today=today)
    engine.dispose()


@pytest.fixture
def app(seeded_db_file, tmp_path):
    """The app on its own copy of the seeded database, so tests cannot disturb each other."""
    db_file = tmp_path / "app.sqlite"
    shutil.copy(seeded_db_file, db_file)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{db_file}", "SECRET_KEY": "test-secret"}
    )
    yield app
    app.extensions[ENGINE_KEY].dispose()


@pytest.fixture
def redis_app(app):
    """The app with its jobs on RQ, on the real Redis server (an emptied database of its own),
    retried without pauses."""
    from redis import Redis

    from webapp import jobs

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except Exception as error:
        pytest.fail(f"Redis is needed at {REDIS_URL} (set MATCHMAKER_TEST_REDIS_URL; worker "
                    f"N of a parallel run uses the database number N above it): {error}")
    connection.flushdb()
    app.config.update(REDIS_URL=REDIS_URL, JOB_RETRY_PAUSES=[0, 0, 0])
    jobs.init_app(app)
    yield app
    connection.flushdb()
    connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """A session on the app's database, for arranging and checking data."""
    with Session(app.extensions[ENGINE_KEY], expire_on_commit=False) as session:
        yield session


@contextmanager
def new_postgres(prefix: str):
    """An empty PostgreSQL database of its own; yields its URL and drops it after.

    Its name tells the worker that made it (``matchmaker_test_gw1_…``) and is unique anyway."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{prefix}_{worker}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(
            f"PostgreSQL is needed at {POSTGRES_URL} (set MATCHMAKER_TEST_POSTGRES_URL): {error}"
        )
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        # The index files of an app on this database (index_dir's default for PostgreSQL),
        # which would otherwise pile up in the checkout's instance folder.
        shutil.rmtree(ROOT / "instance" / "index" / f"{admin.url.host or 'local'}-{name}",
                      ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this run, dropped afterwards."""
    with new_postgres("matchmaker_test") as url:
        yield url


# --- real browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; the flags keep it off the network it cannot reach here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    """No fixed base URL: each browser test serves its own app (`live_server`).

    Overrides pytest-base-url's fixture, which pytest 9 deprecates (an instance method)."""
    return None


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free local port, in a thread."""
    with serve(app) as url:
        yield url


class _ClosingOnce:
    """A response iterable whose ``close`` runs once, however often it is called."""

    def __init__(self, iterable):
        self.iterable, self.closed = iterable, False

    def __iter__(self):
        return iter(self.iterable)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if hasattr(self.iterable, "close"):
                self.iterable.close()


class _RequestHandler(WSGIRequestHandler):
    """werkzeug's handler, closing the response when the client has gone. Its ``run_wsgi``
    closes the response after reading what is left of the request, and when that read fails
    on a reset connection (Chromium cancels a page's favicon request as it navigates away) it
    never does: the static file stays open until it is collected, whose ResourceWarning
    (an error here) failed a browser test at random."""

    def connection_dropped(self, error, environ=None) -> None:
        response = (environ or {}).get(_RESPONSE_KEY)
        if response is not None:
            response.close()


_RESPONSE_KEY = "tests.response"


def _remembering_responses(wsgi_app):
    def app(environ, start_response):
        response = environ[_RESPONSE_KEY] = _ClosingOnce(wsgi_app(environ, start_response))
        return response

    return app


@contextmanager
def serve(wsgi_app):
    """A WSGI app served by threads on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, _remembering_responses(wsgi_app), threaded=True,
                         request_handler=_RequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def seeded_postgres(today, prefix: str):
    """A PostgreSQL database of its own, migrated and loaded with the fixtures; dropped after."""
    with new_postgres(prefix) as url:
        migrate_and_load(url, today)
        yield url


@pytest.fixture
def axe_source() -> Path:
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: `make test` installs it with npm.")
    return AXE_JS
