"""Login throttling in the database, so every gunicorn worker counts the same attempts.

Three counters limit password checks, each for a fixed window:

- the pair (account, client address): LOGIN_MAX_FAILURES per LOGIN_LOCKOUT. One guesser is
  stopped after a handful of tries, but only for that account *from that address*: the real
  user, elsewhere, still logs in. This is the limit a user who mistypes meets.
- the client address over all accounts: LOGIN_CLIENT_MAX_FAILURES per LOGIN_LOCKOUT, against
  one machine trying many accounts (credential stuffing).
- the account over all addresses: LOGIN_ACCOUNT_MAX_FAILURES per LOGIN_ACCOUNT_WINDOW,
  against a guesser spread over many addresses (ASVS 2.2.1: at most 100 failures an hour).
  It does not apply to a browser that logged in to that account before (its signed
  known-device cookie), so such an attack cannot lock the owner out (OWASP's device cookies).

An attempt is *reserved* before its password is checked: one atomic upsert adds 1 and returns
the new count, so concurrent requests cannot all slip under the limit (the row lock on
PostgreSQL, the single writer on SQLite, serialise them). A successful login gives its
reservation back. Keys are SHA-256 digests of the e-mail and address: the table keeps neither,
and an unknown e-mail is counted exactly like a known one (its answers cannot tell them apart).
"""

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import LoginThrottle

_TABLE = LoginThrottle.__table__
_CLEANUP_CHANCE = 0.02  # one attempt in 50 deletes expired rows: no scheduler needed


@dataclass(frozen=True)
class Verdict:
    """Whether the password may be checked now; if not, when to try again (Unix seconds)."""

    allowed: bool
    retry_at: float = 0.0


@dataclass(frozen=True)
class _Limit:
    key: str
    limit: int
    window: float


def _seconds(value) -> float:
    """A window from the config: a timedelta, or seconds (as MATCHMAKER_… variables give)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _limits(email: str, client: str, known_device: bool) -> list[_Limit]:
    config = current_app.config
    short = _seconds(config["LOGIN_LOCKOUT"])
    limits = [
        _Limit("pair:" + _digest(email, client), config["LOGIN_MAX_FAILURES"], short),
        _Limit("client:" + _digest(client), config["LOGIN_CLIENT_MAX_FAILURES"], short),
    ]
    if not known_device:
        limits.append(_Limit("account:" + _digest(email), config["LOGIN_ACCOUNT_MAX_FAILURES"],
                             _seconds(config["LOGIN_ACCOUNT_WINDOW"])))
    return limits


def reserve(db: Session, email: str, client: str, known_device: bool) -> Verdict:
    """Count one login attempt on each counter in turn; refuse at the first one over its limit.

    Commits at once, so the row locks are not held while the password is checked.
    """
    now = time.time()
    verdict = Verdict(True)
    for limit in _limits(email, client, known_device):
        attempts, window_start = _count(db, limit, now)
        if attempts > limit.limit:
            verdict = Verdict(False, window_start + limit.window)
            break
    if random.random() < _CLEANUP_CHANCE:
        _delete_expired(db, now)
    db.commit()
    return verdict


def succeeded(db: Session, email: str, client: str, known_device: bool) -> None:
    """The password was right: clear the pair's counter and give back the other reservations."""
    pair, *others = _limits(email, client, known_device)
    connection = db.connection()
    connection.execute(delete(_TABLE).where(_TABLE.c.key == pair.key))
    for limit in others:
        connection.execute(update(_TABLE).where(_TABLE.c.key == limit.key, _TABLE.c.attempts > 0)
                           .values(attempts=_TABLE.c.attempts - 1))
    db.commit()


def _count(db: Session, limit: _Limit, now: float) -> tuple[int, float]:
    """Add one attempt to the key's window (a new window once the last one is over), atomically:
    a single INSERT … ON CONFLICT DO UPDATE … RETURNING on both databases."""
    connection = db.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    expired = _TABLE.c.window_start <= now - limit.window
    statement = (
        insert(_TABLE)
        .values(key=limit.key, attempts=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={"attempts": case((expired, 1), else_=_TABLE.c.attempts + 1),
                  "window_start": case((expired, now), else_=_TABLE.c.window_start)},
        )
        .returning(_TABLE.c.attempts, _TABLE.c.window_start)
    )
    attempts, window_start = connection.execute(statement).one()
    return attempts, window_start


def _delete_expired(db: Session, now: float) -> None:
    config = current_app.config
    longest = max(_seconds(config["LOGIN_LOCKOUT"]), _seconds(config["LOGIN_ACCOUNT_WINDOW"]))
    db.connection().execute(delete(_TABLE).where(_TABLE.c.window_start < now - longest))
