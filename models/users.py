"""Accounts: users of the three roles and their API tokens."""

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
    failed_logins: int = 0
    locked_until: datetime | None = None
    pending: bool = False  # signed up on its own: no login until confirmed or approved
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    name: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
