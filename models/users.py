"""Accounts: users of the three roles, their API tokens, and the login throttle's counters."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models._types import enum_field, utcnow
from models.enums import Role


class User(SQLModel, table=True):
    """A person who logs in; acts for one authority or one enterprise, or coordinates sectors."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)
    password_hash: str
    role: Role = enum_field(Role)
    authority_id: int | None = Field(default=None, foreign_key="authority.id")
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id")
    # None: the language the browser asks for, and the configured default time zone
    locale: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    # A deactivated user can neither log in nor use a token; their sessions end.
    is_active: bool = True
    # Copied into the signed session cookie at login and compared on every request: raising
    # it ends every session of the user (logout, password change, deactivation).
    session_version: int = 0
    pending: bool = False  # signed up on its own: no login until confirmed or approved
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    name: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_used_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Login attempts in the current window of one key (an account, a client address, or the
    pair), shared by every worker. Keys are digests: no e-mail or address is kept here."""

    key: str = Field(primary_key=True, max_length=80)
    attempts: int = 0
    window_start: float = Field(index=True)  # Unix seconds: plain arithmetic in SQL
