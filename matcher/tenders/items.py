"""Plain inputs of the tender matcher: enterprise profiles, tenders and their lots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["EnterpriseProfile", "LotItem", "TenderItem", "Unit", "expand_units"]

ENTERPRISE_KINDS = ("wise", "sheltered_workshop", "social_cooperative", "other")
RESERVATIONS = ("none", "art20", "art77")
REACHES = ("regions", "country", "anywhere")


@dataclass(kw_only=True)
class EnterpriseProfile:
    """What the matcher needs to know about a social enterprise.

    ``nuts`` is where it sits; ``regions_served`` are NUTS codes at any level it works in.
    Contract values and turnover are in euros; ``None`` means not stated. ``reach`` says which
    tenders it wants to see: ``regions`` (those it serves and the regions beside them under
    the same parent, see ``rules.reach_areas``), ``country`` or ``anywhere``; tenders beyond
    it are gated with the reason. ``language`` is the ISO 639-1 code of the description
    (blank: unknown); a tender whose texts are in another known language is not compared
    with it word by word.
    """

    id: int | str
    kind: str = "other"
    disadvantaged_share: float = 0.0
    public_service_mission: bool = False
    country: str = ""
    nuts: str = ""
    regions_served: list[str] = field(default_factory=list)
    cpv_codes: list[str] = field(default_factory=list)
    description: str = ""
    turnover_eur: float | None = None
    min_contract_value_eur: float | None = None
    max_contract_value_eur: float | None = None
    reach: str = "regions"
    language: str = ""

    def __post_init__(self):
        if self.reach not in REACHES:
            raise ValueError(f"reach must be one of {REACHES}, not {self.reach!r}")
        if self.kind not in ENTERPRISE_KINDS:
            raise ValueError(f"kind must be one of {ENTERPRISE_KINDS}, not {self.kind!r}")
        if not 0.0 <= self.disadvantaged_share <= 1.0:
            raise ValueError("disadvantaged_share must lie between 0 and 1")


@dataclass(kw_only=True)
class _Scope:
    """What a tender and each of its lots describe: the work, its codes, place and value."""

    id: int | str
    title: str = ""
    description: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    nuts_codes: list[str] = field(default_factory=list)
    value_eur: float | None = None


@dataclass(kw_only=True)
class LotItem(_Scope):
    """One lot of a tender. Empty or ``None`` fields inherit the tender's."""

    reservation: str | None = None

    def __post_init__(self):
        if self.reservation is not None and self.reservation not in RESERVATIONS:
            raise ValueError(f"reservation must be one of {RESERVATIONS} or None")


@dataclass(kw_only=True)
class TenderItem(_Scope):
    """A published or planned tender. ``cpv_codes`` lists the main code first; ``language``
    is the ISO 639-1 code of its title and description (blank: unknown)."""

    language: str = ""
    deadline: datetime | None = None
    reservation: str = "none"
    reserved_execution: bool = False
    social_criteria: list[str] = field(default_factory=list)
    award_criteria: str = ""
    sme_suitable: bool = False
    social_enterprise_suitable: bool = False
    lots: list[LotItem] = field(default_factory=list)

    def __post_init__(self):
        if self.reservation not in RESERVATIONS:
            raise ValueError(f"reservation must be one of {RESERVATIONS}")


@dataclass(frozen=True)
class Unit:
    """What is scored: a lot, or the whole tender when it has no lots."""

    tender_index: int
    lot_id: int | str | None
    text: str
    cpv_codes: tuple[str, ...]
    nuts_codes: tuple[str, ...]
    value_eur: float | None
    reservation: str


def expand_units(tender: TenderItem, tender_index: int) -> list[Unit]:
    """Split a tender into its scoring units, one per lot, lots inheriting what they lack."""
    text = f"{tender.title}\n{tender.description}".strip()
    if not tender.lots:
        return [
            Unit(
                tender_index,
                None,
                text,
                tuple(tender.cpv_codes),
                tuple(tender.nuts_codes),
                tender.value_eur,
                tender.reservation,
            )
        ]
    return [
        Unit(
            tender_index,
            lot.id,
            "\n".join(part for part in (text, lot.title, lot.description) if part),
            tuple(lot.cpv_codes or tender.cpv_codes),
            tuple(lot.nuts_codes or tender.nuts_codes),
            lot.value_eur,
            lot.reservation if lot.reservation is not None else tender.reservation,
        )
        for lot in tender.lots
    ]
