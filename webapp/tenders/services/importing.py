"""Import OCDS tender data into the database: parse with `webapp.tenders.importing.ocds`, upsert.

A tender is keyed by (source, source_id), for OCDS ("ocds", ocid) (eForms notices come through
`webapp.services.eforms_imports`, keyed by procedure id), and its lots by `lot_ref`, so importing
the same data again updates rather than duplicates, a newer release of the same process
updates its fields, and lots that disappeared upstream are removed.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, func, select

from models import Authority, Lot, NutsRegion, Tender, TenderStatus, utcnow
from webapp.tenders.importing import ocds
from webapp.tenders.importing.ocds import MalformedFile, OcdsRecord
from webapp.tenders.importing.parsed import ParsedLot, ParsedTender, Problem
from webapp.tenders.services.index import note_changes

__all__ = ["ImportSummary", "MalformedFile", "import_ocds", "import_outcomes", "import_records",
           "read_ocds"]

SOURCE = "ocds"
CHUNK_SIZE = 200  # records upserted with one query for tenders and one for lots


@dataclass
class ImportSummary:
    """What one import did: counts, the records left out and why, and warnings."""

    n_created: int = 0
    n_updated: int = 0
    #: Of the created or updated tenders, those already closed (status or passed deadline):
    #: stored, searchable on request, but never in an enterprise's list.
    n_closed: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    tender_ids: list[int] = field(default_factory=list)  # created or updated

    def as_dict(self) -> dict:
        """The summary as the API returns it."""
        return {
            "created": self.n_created,
            "updated": self.n_updated,
            "closed": self.n_closed,
            "skipped": [{"record": p.record, "reason": p.reason} for p in self.skipped],
            "warnings": [{"record": p.record, "message": p.reason} for p in self.warnings],
        }


def read_ocds(raw: bytes | str) -> list[OcdsRecord]:
    """The contracting processes of an OCDS file; :class:`MalformedFile` if it is unusable."""
    return ocds.read_records(ocds.load_json(raw))


def import_ocds(
    db: Session, raw: bytes | str, *, now: datetime | None = None, authority_id: int | None = None
) -> ImportSummary:
    """Read and import one OCDS file's content; commits."""
    return import_records(db, read_ocds(raw), now=now, authority_id=authority_id)


def import_records(
    db: Session,
    records: Iterable[OcdsRecord],
    *,
    now: datetime | None = None,
    authority_id: int | None = None,
    on_record: Callable[[], None] | None = None,
) -> ImportSummary:
    """Upsert the tenders of `records`, reporting the ones that cannot be read; commits.

    `authority_id`: the importing authority, or None for a coordinator or the command line
    (who may import anything). An authority may only create tenders whose buyer is itself
    (they are linked to it) and update the tenders it owns; any other record is skipped with
    the reason, so one authority cannot overwrite or forge another's tenders. `on_record` is
    called after each record (a progress bar).
    """
    now = now or datetime.now(UTC)
    outcomes = ocds.iter_parsed(records, region_lookup=region_lookup(db), now=now)
    return import_outcomes(
        db, ((record.label, outcome) for record, outcome in outcomes), source=SOURCE,
        authority_id=authority_id, on_record=on_record,
    )


#: Screens a chunk of parsed (label, tender) pairs before they are stored: returns the ones
#: to store and the ones left out with their reason.
Screen = Callable[
    [Session, list[tuple[str, ParsedTender]]],
    tuple[list[tuple[str, ParsedTender]], list[Problem]],
]


def import_outcomes(
    db: Session,
    outcomes: Iterable[tuple[str, ParsedTender | Exception]],
    *,
    source: str,
    authority_id: int | None = None,
    on_record: Callable[[], None] | None = None,
    screen: Screen | None = None,
) -> ImportSummary:
    """Upsert parsed tenders of one `source` (a label with a tender, or with the problem that
    stopped it), reporting the problems; commits. `screen` may leave tenders out."""
    summary = ImportSummary()
    own_name = _authority_name(db, authority_id)
    for chunk in _chunks(outcomes, CHUNK_SIZE):
        good = []
        for label, outcome in chunk:
            if isinstance(outcome, Exception):
                summary.skipped.append(Problem(label, str(outcome)))
            else:
                good.append((label, outcome))
        if screen is not None:
            good, left_out = screen(db, good)
            summary.skipped.extend(left_out)
        if authority_id is not None:
            good = _owned_only(db, good, authority_id, own_name, summary, source)
        for label, outcome in good:
            summary.warnings.extend(Problem(label, w) for w in outcome.warnings)
        n_created = _upsert(db, [outcome for _, outcome in good], authority_id,
                            summary.tender_ids, source=source)
        summary.n_created += n_created
        summary.n_updated += len(good) - n_created
        summary.n_closed += sum(1 for _, outcome in good if outcome.status is TenderStatus.CLOSED)
        for _ in chunk:
            if on_record is not None:
                on_record()
    note_changes(db, "tender", summary.tender_ids)
    db.commit()
    return summary


def region_lookup(db: Session) -> dict[str, str] | None:
    """Region name -> NUTS code from the loaded NUTS list; None (built-in names) when empty."""
    if not db.exec(select(func.count()).select_from(NutsRegion)).one():
        return None
    regions = {region.code: region.name for region in db.exec(select(NutsRegion))}
    return ocds.region_names_lookup(regions)


def _authority_name(db: Session, authority_id: int | None) -> str:
    authority = db.get(Authority, authority_id) if authority_id is not None else None
    return authority.name.strip().casefold() if authority else ""


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _owned_only(
    db: Session, good: list[tuple[str, ParsedTender]], authority_id: int, own_name: str,
    summary: ImportSummary, source: str,
) -> list[tuple[str, ParsedTender]]:
    """The records an authority may write: new ones whose buyer is itself, and updates of
    tenders it owns. The others go to `summary.skipped` with the reason."""
    owners = dict(db.exec(select(Tender.source_id, Tender.authority_id).where(
        Tender.source == source, Tender.source_id.in_([p.source_id for _, p in good])
    )).all())
    kept = []
    for record, parsed in good:
        if parsed.source_id in owners:
            owner = owners[parsed.source_id]
            if owner == authority_id:
                kept.append((record, parsed))
                continue
            reason = (
                "this tender belongs to another authority" if owner is not None
                else "this tender was imported from another source and is not yours; "
                     "a coordinator can link it to you"
            )
        elif own_name and parsed.buyer_name.strip().casefold() == own_name:
            owners[parsed.source_id] = authority_id  # the same ocid twice in one file
            kept.append((record, parsed))
            continue
        else:
            reason = (f"the buyer '{parsed.buyer_name[:100]}' is not your authority; only "
                      "a coordinator may import other buyers' tenders")
        summary.skipped.append(Problem(record, reason))
    return kept


def _upsert(
    db: Session, parsed: list[ParsedTender], authority_id: int | None, written: list[int],
    *, source: str,
) -> int:
    """Create or update a chunk of tenders and their lots (a few queries per chunk, not per
    tender); returns how many were created."""
    if not parsed:
        return 0
    now = utcnow()  # one stamp for the whole chunk
    tenders = {
        tender.source_id: tender
        for tender in db.exec(select(Tender).where(
            Tender.source == source, Tender.source_id.in_([p.source_id for p in parsed])
        ))
    }
    n_created = 0
    pairs = []
    for item in parsed:
        values = {name: getattr(item, name) for name in _TENDER_FIELDS}
        tender = tenders.get(item.source_id)
        if tender is None:  # every field given: sqlmodel's default factories are slow
            tender = Tender(source=source, source_id=item.source_id, imported_at=now, **values)
            tenders[item.source_id] = tender
            db.add(tender)
            n_created += 1
        else:
            for name, value in values.items():
                setattr(tender, name, value)
            tender.imported_at = now
        if authority_id is not None:  # _owned_only let through only the importer's own
            tender.authority_id = authority_id
        pairs.append((tender, item))
    db.flush()
    lots: dict[int, dict[str, Lot]] = defaultdict(dict)
    for lot in db.exec(select(Lot).where(Lot.tender_id.in_([t.id for t, _ in pairs]))):
        lots[lot.tender_id][lot.lot_ref] = lot
    for tender, item in pairs:
        _sync_lots(db, tender.id, item.lots, lots[tender.id])
    db.flush()
    written.extend(tender.id for tender, _item in pairs)
    return n_created


_TENDER_FIELDS = (
    "title", "description", "buyer_name", "cpv_main", "cpv_additional", "nuts_codes",
    "value_amount", "currency", "value_eur", "deadline", "published_at", "procedure",
    "reservation", "reserved_execution", "award_criteria", "sme_suitable",
    "social_enterprise_suitable", "social_criteria", "language", "url", "status",
    "titles", "descriptions", "languages", "notice_id", "notice_kind", "buyer_country",
    "buyer_nuts",
)
_LOT_FIELDS = ("title", "description", "cpv_codes", "value_eur", "reservation",
               "reserved_execution", "nuts_codes", "titles", "descriptions")


def _sync_lots(
    db: Session, tender_id: int, parsed_lots: list[ParsedLot], existing: dict[str, Lot]
) -> None:
    """Make the tender's lots those of the release: update by lot_ref, add, remove.

    `existing` (lot_ref -> Lot) is kept up to date, for a process listed twice in one file.
    """
    wanted = {lot.lot_ref for lot in parsed_lots}
    for ref in [ref for ref in existing if ref not in wanted]:
        lot = existing.pop(ref)
        if lot in db.new:  # added earlier in this chunk, never written
            db.expunge(lot)
        else:
            db.delete(lot)
    for parsed in parsed_lots:
        values = {name: getattr(parsed, name) for name in _LOT_FIELDS}
        lot = existing.get(parsed.lot_ref)
        if lot is None:
            lot = Lot(tender_id=tender_id, lot_ref=parsed.lot_ref, **values)
            existing[parsed.lot_ref] = lot
            db.add(lot)
        else:
            for name, value in values.items():
                setattr(lot, name, value)
