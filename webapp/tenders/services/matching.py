"""Rows and the engine: conversions between them, the rows a request shows, labels.

The engine (``matcher.tenders``) is pure: it never sees a session. The fitted matcher lives in
the matching index (``webapp.tenders.services.index``), built outside requests; this module
turns rows into engine items and fetches the few rows a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from matcher.cpv import CPV_DIVISIONS, CpvTree, InvalidCpvCode, normalize_cpv
from matcher.nuts import NutsNames
from matcher.tenders import EnterpriseProfile, LotItem, TenderItem, TenderMatcher
from matcher.tenders.rules import DEFAULT_REACH
from models import CpvCode, Enterprise, Lot, NutsRegion, Reservation, Tender
from webapp.i18n import localize


@dataclass
class FittedMatcher:
    """The index's matcher and the rows one request shows (only those), keyed by id."""

    matcher: TenderMatcher
    cpv_tree: CpvTree
    nuts_names: NutsNames
    tenders: dict[int, Tender] = field(default_factory=dict)
    lots: dict[int, list[Lot]] = field(default_factory=dict)
    enterprises: dict[int, Enterprise] = field(default_factory=dict)


def rows_for(db: Session, index, tender_ids=(), enterprise_ids=()) -> FittedMatcher:
    """The index's matcher with the given tenders (and their lots) and enterprises loaded."""
    tender_ids, enterprise_ids = sorted(set(tender_ids)), sorted(set(enterprise_ids))
    tenders = {t.id: t for t in db.exec(
        select(Tender).where(col(Tender.id).in_(tender_ids)))} if tender_ids else {}
    enterprises = {e.id: e for e in db.exec(
        select(Enterprise).where(col(Enterprise.id).in_(enterprise_ids)))} if enterprise_ids else {}
    return FittedMatcher(
        matcher=index.matcher, cpv_tree=index.cpv_tree, nuts_names=index.nuts_names,
        tenders=tenders, lots=lots_by_tender(db, tender_ids), enterprises=enterprises,
    )


def lots_by_tender(db: Session, tender_ids: list[int]) -> dict[int, list[Lot]]:
    """Lots of the given tenders, in their order of reference."""
    found: dict[int, list[Lot]] = {}
    if not tender_ids:
        return found
    rows = db.exec(select(Lot).where(Lot.tender_id.in_(tender_ids)).order_by(Lot.id)).all()
    for lot in rows:
        found.setdefault(lot.tender_id, []).append(lot)
    return found


def reference_lists(db: Session) -> tuple[CpvTree, NutsNames]:
    """The official CPV and NUTS lists when loaded; else codes alone and built-in labels."""
    cpv = {code: label for code, label in db.exec(select(CpvCode.code, CpvCode.label)).all()}
    nuts = {code: name for code, name in db.exec(select(NutsRegion.code, NutsRegion.name)).all()}
    return CpvTree(cpv or None), NutsNames(nuts or None)


# --- rows -> engine items ---------------------------------------------------------------------

def tender_item(tender: Tender, lots: list[Lot]) -> TenderItem:
    """The engine's view of a tender and its lots."""
    return TenderItem(
        id=tender.id,
        title=tender.title,
        description=tender.description,
        cpv_codes=[c for c in (tender.cpv_main, *tender.cpv_additional) if c],
        nuts_codes=list(tender.nuts_codes),
        value_eur=tender.value_eur,
        deadline=tender.deadline,
        reservation=Reservation(tender.reservation).value,
        reserved_execution=tender.reserved_execution,
        social_criteria=list(tender.social_criteria),
        award_criteria=tender.award_criteria,
        sme_suitable=tender.sme_suitable,
        social_enterprise_suitable=tender.social_enterprise_suitable,
        lots=[
            LotItem(
                id=lot.id,
                title=lot.title,
                description=lot.description,
                cpv_codes=list(lot.cpv_codes),
                value_eur=lot.value_eur,
                # A lot marked "none" inherits the tender's reservation (reserved as a whole).
                reservation=None
                if Reservation(lot.reservation) == Reservation.NONE
                else Reservation(lot.reservation).value,
            )
            for lot in lots
        ],
    )


def enterprise_profile(enterprise: Enterprise) -> EnterpriseProfile:
    """The engine's view of an enterprise."""
    return EnterpriseProfile(
        id=enterprise.id,
        kind=str(enterprise.kind.value if hasattr(enterprise.kind, "value") else enterprise.kind),
        disadvantaged_share=float(enterprise.disadvantaged_share or 0.0),
        public_service_mission=bool(enterprise.public_service_mission),
        country=enterprise.country or "",
        nuts=enterprise.nuts or "",
        regions_served=list(enterprise.regions_served),
        cpv_codes=list(enterprise.cpv_codes),
        description=enterprise.description or "",
        turnover_eur=enterprise.turnover_eur,
        min_contract_value_eur=enterprise.min_contract_value_eur,
        max_contract_value_eur=enterprise.max_contract_value_eur,
        reach=enterprise.reach or DEFAULT_REACH,
    )


# --- labels -----------------------------------------------------------------------------------

def cpv_label(tree: CpvTree, code: str) -> str:
    """``code label`` for display; the code alone when it is not a CPV code."""
    try:
        return str(localize(tree.describe(code)))  # a built-in division label is translated
    except InvalidCpvCode:
        return code


def search_cpv(db: Session, query: str, limit: int = 12) -> list[tuple[str, str]]:
    """CPV codes whose code starts with, or whose label contains, ``query``.

    Searches the official list when it is loaded, else the 45 built-in division labels.
    """
    query = query.strip()
    if len(query) < 2:
        return []
    digits = query.replace("-", "")
    if db.exec(select(CpvCode.code).limit(1)).first() is not None:
        condition = (
            CpvCode.code.startswith(digits[:8])
            if digits.isdigit()
            else func.lower(CpvCode.label).contains(query.lower())
        )
        rows = db.exec(
            select(CpvCode.code, CpvCode.label)
            .where(condition)
            .order_by(func.length(func.rtrim(CpvCode.code, "0")), CpvCode.code)
            .limit(limit)
        ).all()
        return [(code, label) for code, label in rows]
    found = []
    for division, label in CPV_DIVISIONS.items():
        code = f"{division}000000"
        shown = str(localize(label))  # the reader searches in their language, or in English
        if (digits.isdigit() and code.startswith(digits[:8])) or any(
                query.lower() in text.lower() for text in (shown, label)):
            found.append((code, shown))
    return found[:limit]


def clean_cpv(code: str) -> str | None:
    """The eight-digit code, or None when ``code`` is not a CPV code."""
    try:
        return normalize_cpv(code)
    except InvalidCpvCode:
        return None


@dataclass(frozen=True)
class CpvChoice:
    code: str
    label: str
    checked: bool


def cpv_picker(db: Session, query: str, picked: list[str]) -> list[CpvChoice]:
    """Options of the CPV picker: the codes already ticked first, then those found."""
    tree, _names = reference_lists(db)
    ticked = [c for c in dict.fromkeys(clean_cpv(p) for p in picked) if c]
    choices = [CpvChoice(code, str(localize(tree.label(code))), True) for code in ticked]
    choices += [CpvChoice(code, label, False) for code, label in search_cpv(db, query)
                if code not in ticked]
    return choices
