"""Import TED eForms notices: parse with `webapp.tenders.importing.eforms`, store with the same
upsert as OCDS (`webapp.tenders.services.importing`), as source "eforms".

A tender is keyed by its procedure identifier, so the notices of one procedure (the contract
notice, its changes, the award notice) update one tender. A notice only updates its tender
when it is newer than the notice that last did (by dispatch time, BT-05; at the same time a
change notice wins over the notice it changes), so notices may arrive in any order. A notice
imported again changes nothing: it is reported as skipped, "nothing changed".
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlmodel import Session, select

from models import Lot, Tender
from webapp.tenders.importing import eforms
from webapp.tenders.importing.parsed import ParsedTender, Problem
from webapp.tenders.services.importing import (
    _LOT_FIELDS,
    _TENDER_FIELDS,
    ImportSummary,
    import_outcomes,
)

__all__ = ["SOURCE", "import_notice_bytes", "import_notices"]

SOURCE = "eforms"


def import_notices(
    db: Session,
    sources: Iterable[eforms.NoticeSource],
    *,
    now: datetime | None = None,
    authority_id: int | None = None,
    on_record: Callable[[], None] | None = None,
) -> ImportSummary:
    """Import notices (see `eforms.iter_sources`); commits. Bad notices are skipped with
    their reason, the rest is imported; each notice is imported whole or not at all."""
    outcomes = eforms.iter_parsed(sources, now=now or datetime.now(UTC))
    return import_outcomes(db, outcomes, source=SOURCE, authority_id=authority_id,
                           on_record=on_record, screen=_screen)


def import_notice_bytes(db: Session, data: bytes, label: str = "notice", **kwargs
                        ) -> ImportSummary:
    """Import one notice's XML."""
    return import_notices(db, [eforms.NoticeSource(label, data)], **kwargs)


def _screen(
    db: Session, chunk: list[tuple[str, ParsedTender]]
) -> tuple[list[tuple[str, ParsedTender]], list[Problem]]:
    """Leave out notices older than the one already behind their tender, and notices that
    would change nothing; in order, so two notices of one procedure in a chunk are fine."""
    stored = {
        tender.source_id: tender
        for tender in db.exec(select(Tender).where(
            Tender.source == SOURCE, Tender.source_id.in_({t.source_id for _, t in chunk})))
    }
    latest: dict[str, ParsedTender | Tender] = dict(stored)
    kept, left_out = [], []
    for label, item in chunk:
        current = latest.get(item.source_id)
        if current is not None:
            reason = _older(item, current)
            if reason is None and item.notice_id == current.notice_id \
                    and _same(db, item, current):
                reason = f"already imported (notice {item.notice_id}): nothing changed"
            if reason is not None:
                left_out.append(Problem(label, reason))
                continue
        latest[item.source_id] = item
        kept.append((label, item))
    return kept, left_out


def _older(item: ParsedTender, current: ParsedTender | Tender) -> str | None:
    """Why `item` must not overwrite what `current` (stored, or earlier in the chunk) says."""
    if item.notice_id == current.notice_id:
        if current.url and not item.url:  # TED's published copy adds the link, nothing else
            return (f"the published copy of notice {item.notice_id} is already imported: "
                    "nothing to add")
        return None
    if item.changed_notice_id and item.changed_notice_id == current.notice_id:
        return None  # a change of the notice behind the tender
    (notice, version), (current_notice, current_version) = map(
        _identity, (item.notice_id, current.notice_id))
    new, old = item.published_at, current.published_at
    if notice == current_notice:  # another version of the same notice (BT-757)
        is_older = version < current_version
    else:
        is_older = (new is not None and old is not None and new < old) or (
            new == old and current.notice_kind.startswith("change-")
            and not item.notice_kind.startswith("change-"))
    if not is_older:
        return None
    when = f", dispatched {old:%Y-%m-%d %H:%M} UTC" if old else ""
    return (f"older than notice {current.notice_id} already imported for procedure "
            f"{item.source_id}{when}: not applied")


def _identity(notice_id: str) -> tuple[str, tuple[int, str]]:
    """(notice identifier, version) of "<uuid>-<version>" (BT-701 and BT-757)."""
    notice, _, version = notice_id.rpartition("-")
    if not notice or not version.isdigit() or len(version) > 4:
        return notice_id, (0, "")
    return notice, (int(version), version)


def _same(db: Session, item: ParsedTender, current: ParsedTender | Tender) -> bool:
    """Whether storing `item` would change nothing in `current`."""
    if any(getattr(item, name) != getattr(current, name) for name in _TENDER_FIELDS):
        return False
    if isinstance(current, Tender):
        lots = list(db.exec(select(Lot).where(Lot.tender_id == current.id)))
    else:
        lots = current.lots
    return _lot_values(item.lots) == _lot_values(lots)


def _lot_values(lots) -> dict[str, tuple]:
    return {lot.lot_ref: tuple(getattr(lot, name) for name in _LOT_FIELDS) for lot in lots}
