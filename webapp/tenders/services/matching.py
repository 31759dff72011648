"""Rows and the engine: conversions between them, the rows a request shows, labels.

The engine (``matcher.tenders``) is pure: it never sees a session. The fitted matcher lives in
the matching index (``webapp.tenders.services.index``), built outside requests; this module
turns rows into engine items and fetches the few rows a page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from matcher.cpv import CPV_DIVISIONS, CpvTree, InvalidCpvCode, is_valid_cpv, normalize_cpv
from matcher.languages import detect_language
from matcher.nuts import COUNTRY_NAMES, InvalidNutsCode, NutsNames
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


#: What a ranked list shows of a tender and of its lots (``listing``'s match and gate views).
_SHOWN_TENDER = (Tender.id, Tender.title, Tender.titles, Tender.buyer_name, Tender.nuts_codes,
                 Tender.deadline, Tender.value_eur, Tender.reservation, Tender.status)
_SHOWN_LOT = (Lot.id, Lot.tender_id, Lot.lot_ref, Lot.title, Lot.reservation)


def shown_rows(db: Session, index, tender_ids) -> FittedMatcher:
    """:func:`rows_for` of the tenders a ranked list shows, as read-only rows of the columns
    its views read (same names as the models' fields): building ORM objects, descriptions
    and all, was the dearest part of making the rows of a page of twenty."""
    tender_ids = sorted(set(tender_ids))
    tenders, lots = {}, {}
    if tender_ids:
        tenders = {t.id: t for t in db.exec(
            select(*_SHOWN_TENDER).where(col(Tender.id).in_(tender_ids)))}
        for lot in db.exec(select(*_SHOWN_LOT).where(col(Lot.tender_id).in_(tender_ids))
                           .order_by(Lot.id)):
            lots.setdefault(lot.tender_id, []).append(lot)
    return FittedMatcher(matcher=index.matcher, cpv_tree=index.cpv_tree,
                         nuts_names=index.nuts_names, tenders=tenders, lots=lots)


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
        cpv_codes=tender.cpv_codes,
        nuts_codes=list(tender.nuts_codes),
        value_eur=tender.value_eur,
        language=tender.language or "",
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
        language=detect_language(enterprise.description or ""),
    )


# --- labels -----------------------------------------------------------------------------------

def cpv_label(tree: CpvTree, code: str, text=localize) -> str:
    """``code label`` for display; the code alone when it is not a CPV code (``text``: a
    list's :class:`~webapp.i18n.Localizer`)."""
    try:
        return str(text(tree.describe(code)))  # a built-in division label is translated
    except InvalidCpvCode:
        return code


@dataclass(frozen=True)
class CpvSearch:
    found: list[tuple[str, str]]  # (code, label), best first
    n_more: int  # matches beyond `found`: the person should refine the words


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _word_score(words: list[str], label: str) -> float:
    """How well a label matches the query words: a whole word counts most, then a word that
    starts with it, then a bare substring ("laundry" is a word of "Laundry-collection")."""
    folded = label.casefold()
    label_words = _WORD.findall(folded)
    score = 0.0
    for word in words:
        if word in label_words:
            score += 3
        elif any(w.startswith(word) for w in label_words):
            score += 2
        elif word in folded:
            score += 1
    return score


def _cpv_parent(code: str) -> str | None:
    """The code one level up (98311000 -> 98310000); None for a division."""
    stem = code.rstrip("0")
    if len(stem) <= 2:
        return None
    return stem[:-1].ljust(8, "0")


def _is_service(code: str) -> bool:
    """Divisions 50 to 98 are services: what most social enterprises sell."""
    return code[:2] >= "50"


def search_cpv_page(db: Session, query: str, limit: int = 12) -> CpvSearch:
    """CPV codes whose code starts with ``query``'s digits, or whose label has its words.

    Words are ranked by how well they match (whole words first), services before goods at
    equal match, and the broader service a matched service belongs to is offered too
    ("laundry" finds 98311000 Laundry-collection and so 98310000 Washing and dry-cleaning).
    Searches the official list when it is loaded, else the 45 built-in division labels (in
    the reader's language and in English).
    """
    query = query.strip()
    if len(query) < 2:
        return CpvSearch([], 0)
    digits = query.replace("-", "").replace(" ", "")
    loaded = db.exec(select(CpvCode.code).limit(1)).first() is not None
    if digits.isdigit():
        if loaded:
            condition = CpvCode.code.startswith(digits[:8])
            total = db.exec(select(func.count()).select_from(CpvCode).where(condition)).one()
            rows = db.exec(
                select(CpvCode.code, CpvCode.label).where(condition)
                .order_by(func.length(func.rtrim(CpvCode.code, "0")), CpvCode.code)
                .limit(limit)
            ).all()
            return CpvSearch([(c, label) for c, label in rows], max(0, total - len(rows)))
        found = [(f"{d}000000", str(localize(label))) for d, label in CPV_DIVISIONS.items()
                 if f"{d}000000".startswith(digits[:8])]
        return CpvSearch(found[:limit], max(0, len(found) - limit))
    words = [w for w in _WORD.findall(query.casefold()) if len(w) >= 2] or [query.casefold()]
    if loaded:
        condition = [func.lower(CpvCode.label).contains(w) for w in words]
        labels = dict(db.exec(select(CpvCode.code, CpvCode.label).where(*condition)).all())
    else:
        # the reader searches the built-in labels in their language, or in English
        shown = {d: str(localize(label)) for d, label in CPV_DIVISIONS.items()}
        labels = {f"{d}000000": shown[d] for d, label in CPV_DIVISIONS.items()
                  if all(w in label.casefold() or w in shown[d].casefold() for w in words)}
    scored = {code: _word_score(words, label) + (1 if _is_service(code) else 0)
              for code, label in labels.items()}
    if loaded:
        parents = {_cpv_parent(c): score - 0.5 for c, score in scored.items()
                   if _is_service(c) and _cpv_parent(c) and _cpv_parent(c) not in scored}
        for code, label in db.exec(select(CpvCode.code, CpvCode.label).where(
                CpvCode.code.in_(list(parents)))).all() if parents else []:
            labels[code] = label
            scored[code] = parents[code]
    ranked = sorted(scored, key=lambda c: (-scored[c], len(c.rstrip("0")), c))
    return CpvSearch([(c, labels[c]) for c in ranked[:limit]], max(0, len(ranked) - limit))


def search_cpv(db: Session, query: str, limit: int = 12) -> list[tuple[str, str]]:
    """The best ``limit`` CPV codes for ``query`` (see :func:`search_cpv_page`)."""
    return search_cpv_page(db, query, limit).found


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


def region_choices(db: Session, max_length: int = 5) -> list[tuple[str, str]]:
    """(code, name) of the NUTS regions for a picker, codes up to ``max_length`` characters
    (2 countries, 3 NUTS 1, 4 NUTS 2, 5 NUTS 3); the built-in country names when the
    official list is not loaded."""
    rows = db.exec(select(NutsRegion.code, NutsRegion.name)
                   .where(func.length(NutsRegion.code) <= max_length)
                   .order_by(NutsRegion.code)).all()
    if rows:
        return [(code, name) for code, name in rows]
    return sorted(COUNTRY_NAMES.items())


def region_labels(db: Session, enterprise: Enterprise | None) -> list[str]:
    """The enterprise's saved regions with their names ("NL33C Groot-Rijnmond")."""
    if enterprise is None:
        return []
    _tree, names = reference_lists(db)
    return [region_label(names, code) for code in enterprise.regions_served]


def region_label(names, code: str, text=localize) -> str:
    """``NL33C Groot-Rijnmond`` or the code with its country (``text``: a list's
    :class:`~webapp.i18n.Localizer`)."""
    if not code:
        return "—"
    try:
        return str(text(names.label(code)))
    except InvalidNutsCode:
        return code


def cpv_label_list(tree: CpvTree, codes, text=localize) -> list[str]:
    """The codes as :meth:`CpvTree.describe_all` shows them (unlabelled ones grouped under
    their ancestor); codes that are no CPV codes are shown as they are, after the others."""
    valid = [code for code in codes if is_valid_cpv(code)]
    return [*(str(text(label)) for label in tree.describe_all(valid)),
            *(str(code) for code in codes if not is_valid_cpv(code))]


def cpv_labels(db: Session, enterprise: Enterprise | None) -> list[str]:
    """The enterprise's saved CPV codes with their labels ("90910000 Cleaning services")."""
    if enterprise is None or not enterprise.cpv_codes:
        return []
    tree, _names = reference_lists(db)
    return [cpv_label(tree, code) for code in enterprise.cpv_codes]


@dataclass(frozen=True)
class CpvPicker:
    """The picker's options: the codes already ticked first, then those found."""

    choices: list[CpvChoice]
    query: str
    n_more: int  # found but not shown: refine the words
    no_match: bool  # a query was given and nothing matches it

    def __iter__(self):
        return iter(self.choices)

    def __bool__(self) -> bool:
        return bool(self.choices)


def cpv_picker(db: Session, query: str, picked: list[str]) -> CpvPicker:
    """Options of the CPV picker: the codes already ticked first, then those found."""
    tree, _names = reference_lists(db)
    ticked = [c for c in dict.fromkeys(clean_cpv(p) for p in picked) if c]
    choices = [CpvChoice(code, str(localize(tree.label(code))), True) for code in ticked]
    search = search_cpv_page(db, query)
    choices += [CpvChoice(code, label, False) for code, label in search.found
                if code not in ticked]
    query = query.strip()
    return CpvPicker(choices, query, search.n_more,
                     no_match=len(query) >= 2 and not search.found)
