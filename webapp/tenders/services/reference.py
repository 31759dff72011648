"""Load the official reference lists (CPV 2008, NUTS 2021) into CpvCode and NutsRegion.

Both loads are upserts: running one again with a newer file updates labels and adds codes.
Nothing else in the product requires these tables to be filled; they add labels and let the
OCDS importer map region names to NUTS codes.
"""

import csv
import io
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from sqlmodel import Session, SQLModel, select

from matcher.cpv import InvalidCpvCode, read_cpv_csv
from matcher.nuts import InvalidNutsCode, is_valid_nuts, normalize_nuts
from models import CpvCode, NutsRegion
from webapp.errors import Invalid
from webapp.tenders.services.index import note_changes

__all__ = ["InvalidReferenceFile", "LoadSummary", "load_cpv", "load_nuts"]

CPV_HEADER = ("CODE", "EN")
NUTS_HEADER = ("NUTS_ID", "NAME_LATN")


class InvalidReferenceFile(Invalid):
    """The file is not the official list it was given as."""


@dataclass
class LoadSummary:
    n_created: int = 0
    n_updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (file line, why)

    @property
    def n_total(self) -> int:
        return self.n_created + self.n_updated


def load_cpv(db: Session, source: str | PathLike) -> LoadSummary:
    """Upsert the CPV list (`CODE,EN`, UTF-8 with or without BOM, codes like `03000000-1`)."""
    text = _read_text(source)
    _check_header(text, ",", CPV_HEADER, "CPV")
    try:
        entries = read_cpv_csv(io.StringIO(text))
    except (InvalidCpvCode, IndexError) as error:
        raise InvalidReferenceFile(f"not a readable CPV list: {error}") from None
    rows = {
        code: {"check_digit": entry.check_digit, "label": entry.label}
        for code, entry in entries.items()
    }
    return _upsert(db, CpvCode, rows)


def load_nuts(db: Session, source: str | PathLike) -> LoadSummary:
    """Upsert the NUTS list (`NUTS_ID;NAME_LATN`, semicolon separated).

    Rows that cannot be loaded are reported, not dropped in silence: an id not shaped like a
    NUTS code (Kosovo's ``1A``), and an id the file gives twice (Eurostat's list repeats some
    candidate countries with their English name: the first, Latin-script national name is
    kept, as in NAME_LATN's definition).
    """
    text = _read_text(source)
    _check_header(text, ";", NUTS_HEADER, "NUTS")
    rows: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    skipped: list[tuple[int, str]] = []
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    for line, row in enumerate(reader, start=2):
        raw = (row.get("NUTS_ID") or "").strip()
        name = (row.get("NAME_LATN") or "").strip()
        if not is_valid_nuts(raw):
            skipped.append((line, f"{raw or '(empty)'} ({name}) is not shaped like a NUTS code"))
            continue
        try:
            code = normalize_nuts(raw)
        except InvalidNutsCode:
            skipped.append((line, f"{raw} ({name}) is not a NUTS code"))
            continue
        if code in rows:
            skipped.append((line, f"{code} ({name}) repeats line {first_line[code]}; "
                                  f"kept {rows[code]['name']!r}"))
            continue
        rows[code] = {"name": name}
        first_line[code] = line
    if not rows:
        raise InvalidReferenceFile("not a readable NUTS list: no row has a NUTS code")
    summary = _upsert(db, NutsRegion, rows)
    summary.skipped = skipped
    return summary


def _read_text(source: str | PathLike) -> str:
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidReferenceFile("the file is not UTF-8 text") from None


def _check_header(text: str, delimiter: str, expected: tuple[str, ...], what: str) -> None:
    """Refuse a file whose first line is not the official header."""
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    found = tuple(cell.strip().upper() for cell in first)
    if found[: len(expected)] != expected:
        raise InvalidReferenceFile(
            f"expected the official {what} list with the header "
            f"{delimiter.join(expected)!r}; the file starts with {text.splitlines()[0][:80]!r}"
            if text.strip() else f"expected the official {what} list; the file is empty"
        )


def _upsert(db: Session, table: type[SQLModel], rows: dict[str, dict]) -> LoadSummary:
    """Insert new codes and update existing ones; commits."""
    summary = LoadSummary()
    existing = {row.code: row for row in db.exec(select(table))}
    for code, values in rows.items():
        row = existing.get(code)
        if row is None:
            db.add(table(code=code, **values))
            summary.n_created += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            summary.n_updated += 1
    note_changes(db, "rebuild", [0])  # labels changed: the index is rebuilt
    db.commit()
    return summary
