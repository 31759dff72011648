"""Column helpers shared by the table models."""

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Column, Enum
from sqlmodel import Field


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware: sqlmodel's datetime columns refuse naive
    values (and give aware ones back, from SQLite too)."""
    return datetime.now(UTC)


def json_list(**kwargs):
    """A list stored as JSON: portable between SQLite and PostgreSQL."""
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False), **kwargs)


def json_dict(**kwargs):
    """A dict stored as JSON."""
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False), **kwargs)


def enum_field(enum_cls, default=None, **kwargs):
    """An enum stored as its string value in a VARCHAR: readable in SQL, no native enum type
    to migrate on PostgreSQL when a value is added."""
    column_type = Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
    if default is None:
        return Field(sa_type=column_type, **kwargs)
    return Field(default=default, sa_type=column_type, **kwargs)


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address a browser can follow safely.

    Browsers ignore tabs and newlines inside a URL and strip leading spaces, so
    ``java\\tscript:`` would still run: any whitespace or control character refuses the value.
    """
    if not value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced IPv6 bracket, for one
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _web_url_or_blank(value: str) -> str:
    value = value.strip()
    if value and not is_web_url(value):
        raise PydanticCustomError(
            "web_url", "Give a web address starting with http:// or https://."
        )
    return value


#: A website: blank, or an http(s) address (never javascript:, data: …), validated on input.
WebUrl = Annotated[str, AfterValidator(_web_url_or_blank)]
