"""Database engine and the per-request session."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

ENGINE_KEY = "matchmaker.engine"
P = ParamSpec("P")
R = TypeVar("R")


def make_engine(url: str) -> Engine:
    """Create an engine for SQLite (the embedded default) or PostgreSQL (production)."""
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked; WAL lets readers work during a write."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Create the engine once per app and close the request's session on teardown."""
    app.extensions[ENGINE_KEY] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions[ENGINE_KEY]


def get_session() -> Session:
    """One session per request, cached on `g`."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session outside a request (CLI commands, scripts)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def writes(use_case: Callable[P, R]) -> Callable[P, R]:
    """Mark a use case that writes: it commits itself, and rolls back before any error leaves
    it, so the caller's session is clean to render the form again (services own their
    transactions; routes never roll back)."""

    @wraps(use_case)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        db = args[0]
        try:
            return use_case(*args, **kwargs)
        except Exception:
            db.rollback()
            raise

    return wrapped
