"""Plain, JSON-serialisable results of the tender matcher (use ``dataclasses.asdict``)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EnterpriseMatch",
    "EnterpriseRanking",
    "Gate",
    "RegionCount",
    "Signal",
    "TenderMatch",
    "TenderRanking",
]


@dataclass
class Signal:
    """One part of a score. ``value`` is ``None`` when the signal is absent and not counted."""

    name: str
    value: float | None
    weight: float
    reason: str


@dataclass
class Gate:
    """Why a tender, or one of its lots, is left out for an enterprise."""

    tender_id: int | str
    lot_id: int | str | None
    code: str  # closed, closing_soon, art20, art77_mission, art77_cpv
    reason: str


@dataclass
class TenderMatch:
    """A tender proposed to an enterprise, with its best lot and the signals behind it."""

    tender_id: int | str
    score: float
    best_lot_id: int | str | None
    signals: list[Signal]
    gated_lots: list[Gate] = field(default_factory=list)


@dataclass
class TenderRanking:
    """Tenders for one enterprise, best first, and (when asked) the gates of the others."""

    enterprise_id: int | str
    matches: list[TenderMatch]
    gates: list[Gate] = field(default_factory=list)


@dataclass
class EnterpriseMatch:
    """An enterprise proposed for a tender, with the lot it fits best."""

    enterprise_id: int | str
    score: float
    best_lot_id: int | str | None
    signals: list[Signal]


@dataclass
class RegionCount:
    """How many enterprises fitting a tender sit in one region."""

    code: str
    name: str
    n_enterprises: int


@dataclass
class EnterpriseRanking:
    """Enterprises for one (planned) tender, best first, with counts per region."""

    tender_id: int | str
    matches: list[EnterpriseMatch]
    region_counts: list[RegionCount]
    #: Enterprises that show the tender's activity but are left out of ``matches`` on every
    #: lot, by the gate of the first lot they show it for (``art20``, ``art77_mission``,
    #: ``outside_reach``): who else does this work, and why they cannot bid.
    left_out: dict[str, int] = field(default_factory=dict)
