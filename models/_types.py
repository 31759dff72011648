"""Column helpers shared by the table models."""

from datetime import UTC, datetime

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
