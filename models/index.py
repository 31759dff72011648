"""The matching index: its built versions and the log of rows changed since.

The fitted index itself is a file (see webapp/tenders/services/index.py); these two tables let
every web worker see cheaply, per request, whether a newer version or newer changes exist.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models._types import json_dict, utcnow


class MatchIndex(SQLModel, table=True):
    """One built version of the matching index (the id is the version)."""

    __tablename__ = "match_index"

    id: int | None = Field(default=None, primary_key=True)
    built_at: datetime = Field(default_factory=utcnow)
    file_name: str = Field(max_length=200)
    #: The last IndexChange folded into this version: later ones are applied on top.
    change_id: int = 0
    n_tenders: int = 0
    n_enterprises: int = 0
    build_seconds: float = 0.0


class IndexChange(SQLModel, table=True):
    """A tender or an enterprise written since some index version: re-encoded incrementally."""

    __tablename__ = "index_change"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # "tender" / "enterprise" / "rebuild" (labels, bulk loads)
    row_id: int = 0
    at: datetime = Field(default_factory=utcnow)


class SignalWeights(SQLModel, table=True):
    """Signal weights fitted from enterprises' saves and dismissals; the newest row is what the
    next index build scores with (none: the engine's DEFAULT_WEIGHTS)."""

    __tablename__ = "signal_weights"

    id: int | None = Field(default=None, primary_key=True)
    fitted_at: datetime = Field(default_factory=utcnow)
    weights: dict = json_dict()  # signal name -> weight, summing to 1
    n_enterprises: int = 0  # with at least one save and one dismissal
    n_pairs: int = 0  # (better, worse) tender pairs the fit compared
