"""Tenders as a searchable catalogue (the JSON API's tender list), filters in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, cast, func, not_, or_
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
    """Tenders matching every given filter, newest deadline last, paginated in SQL.

    Two queries and one for the page's lots, whatever the catalogue's size: the filters
    (JSON code lists included) are SQL that SQLite and PostgreSQL both run, the total is a
    COUNT and the page a LIMIT/OFFSET (the list used to load every tender and lot).
    """
    conditions = _conditions(query)
    total = db.exec(select(func.count()).select_from(Tender).where(*conditions)).one()
    page = list(db.exec(
        select(Tender).where(*conditions).order_by(Tender.deadline, Tender.id)
        .offset(query.offset).limit(query.limit)
    ).all())
    lots = lots_by_tender(db, [t.id for t in page])
    return TenderPage(total, page, {t.id: lots.get(t.id, []) for t in page})


def _conditions(query: TenderQuery) -> list:
    conditions = []
    if query.status:
        conditions.append(Tender.status == query.status)
    if query.min_value is not None:
        conditions.append(Tender.value_eur >= query.min_value)
    if query.max_value is not None:
        conditions.append(Tender.value_eur <= query.max_value)
    if query.deadline_after is not None:
        moment = query.deadline_after
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        conditions.append(Tender.deadline >= moment)
    for word in query.q.lower().split():
        conditions.append(or_(*(func.lower(column).contains(word, autoescape=True)
                                for column in (Tender.title, Tender.description,
                                               Tender.buyer_name))))
    if query.cpv:
        prefix = query.cpv[: max(2, len(query.cpv.rstrip("0")))]  # the branch, from the division
        conditions.append(or_(
            Tender.cpv_main.startswith(prefix, autoescape=True),
            _json_list_has_prefix(Tender.cpv_additional, prefix),
            select(Lot.id).where(Lot.tender_id == Tender.id,
                                 _json_list_has_prefix(Lot.cpv_codes, prefix)).exists(),
        ))
    if query.nuts:
        conditions.append(_json_list_has_prefix(Tender.nuts_codes, query.nuts))
    if query.reserved is not None:
        reserved = or_(
            Tender.reservation != Reservation.NONE,
            select(Lot.id).where(Lot.tender_id == Tender.id,
                                 Lot.reservation != Reservation.NONE).exists(),
        )
        conditions.append(reserved if query.reserved else not_(reserved))
    return conditions


def _json_list_has_prefix(column, prefix: str):
    """A JSON list of codes with an element starting with `prefix`, as SQL on its text.

    The lists hold plain codes (letters and digits), written by json.dumps: in the text an
    element starts right after a double quote, and a closing quote is never followed by a
    letter or digit, so ``"PREFIX`` occurs exactly when an element starts with PREFIX.
    """
    return cast(column, String).contains(f'"{prefix}', autoescape=True)
