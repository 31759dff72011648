"""Tenders as a searchable catalogue (the JSON API's tender list), filters in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from models import Lot, Reservation, Tender
from webapp.tenders.services.matching import lots_by_tender


@dataclass(frozen=True)
class TenderQuery:
    cpv: str | None = None
    nuts: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    reserved: bool | None = None
    deadline_after: datetime | None = None
    q: str = ""
    status: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class TenderPage:
    total: int
    tenders: list[Tender]
    lots: dict[int, list[Lot]]


def search_tenders(db: Session, query: TenderQuery) -> TenderPage:
    """Tenders matching every given filter, newest deadline last, paginated."""
    statement = select(Tender)
    if query.status:
        statement = statement.where(Tender.status == query.status)
    if query.min_value is not None:
        statement = statement.where(Tender.value_eur >= query.min_value)
    if query.max_value is not None:
        statement = statement.where(Tender.value_eur <= query.max_value)
    if query.deadline_after is not None:
        moment = query.deadline_after
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        statement = statement.where(Tender.deadline >= moment)
    for word in query.q.lower().split():
        pattern = f"%{word}%"
        statement = statement.where(or_(func.lower(Tender.title).like(pattern),
                                        func.lower(Tender.description).like(pattern),
                                        func.lower(Tender.buyer_name).like(pattern)))
    rows = db.exec(statement.order_by(Tender.deadline, Tender.id)).all()
    lots = lots_by_tender(db, [t.id for t in rows])
    kept = [t for t in rows if _passes(t, lots.get(t.id, []), query)]
    page = kept[query.offset : query.offset + query.limit]
    return TenderPage(len(kept), page, {t.id: lots.get(t.id, []) for t in page})


def _passes(tender: Tender, lots: list[Lot], query: TenderQuery) -> bool:
    """The filters on JSON lists (CPV, NUTS) and reservations, portable between databases."""
    if query.cpv:
        codes = [tender.cpv_main, *tender.cpv_additional,
                 *(code for lot in lots for code in lot.cpv_codes)]
        prefix = query.cpv[: max(2, len(query.cpv.rstrip("0")))]  # the branch, from the division
        if not any(code and code.startswith(prefix) for code in codes):
            return False
    if query.nuts and not any(code.startswith(query.nuts) for code in tender.nuts_codes):
        return False
    if query.reserved is not None:
        reserved = Reservation(tender.reservation) != Reservation.NONE or any(
            Reservation(lot.reservation) != Reservation.NONE for lot in lots)
        if reserved != query.reserved:
            return False
    return True
