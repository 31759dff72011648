"""Import a sector's applications from a CSV file.

Columns (header row required, any order, extra columns ignored)::

    authority_name,country,nuts,kind,population,topics,motivation,preference_rank

Policy, also shown on the import page:

- rows are numbered as in a spreadsheet (the header is row 1);
- valid rows are kept and rows with errors are skipped, each error listed with its row;
- an authority is matched by its name and country (ignoring case and surrounding spaces);
  a matched authority's record is left as it is; an unknown one is created from the row;
- an authority that already applied to the sector has its application updated, unless it
  withdrew it: a withdrawn application is left as the authority left it (only the authority
  submits it again), and the summary counts it;
- topics are separated by ';' and must be topics of the sector, named in English or as one
  of the sector's translations labels them (the application keeps the English).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session, select

from matcher.nuts import InvalidNutsCode, normalize_nuts, nuts_to_iso_country
from models import (
    MAX_MOTIVATION_LENGTH,
    Application,
    ApplicationStatus,
    Authority,
    AuthorityKind,
    NutsRegion,
    Sector,
    User,
)
from webapp.audit import services as audit
from webapp.db import writes
from webapp.errors import Invalid
from webapp.i18n import number as number_text
from webapp.sector_text import sector_text

REQUIRED_COLUMNS = ("authority_name", "country", "nuts", "kind", "topics")
OPTIONAL_COLUMNS = ("population", "motivation", "preference_rank")
MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
KNOWN_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "NO", "IS", "CH",
    "LI", "UK", "GB",
})


class InvalidImportFile(Invalid):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    n_rows: int = 0
    n_created: int = 0  # new applications
    n_updated: int = 0  # applications that existed and were updated
    n_left_withdrawn: int = 0  # rows of applications their authority withdrew: left as they are
    n_new_authorities: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def n_skipped(self) -> int:
        return len({e.row for e in self.errors})


DELIMITERS = ",;\t"


def sniff_delimiter(text: str) -> str:
    """The separator of the file: a comma, or the semicolon Excel writes where the decimal
    sign is a comma (NL, DE, FR, IT...), or a tab. Judged on the header row, which holds
    the known column names, so commas inside quoted values cannot mislead it."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:  # a single column, or no separator Sniffer is sure of: count them
        return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) \
            else ","


def template_csv(sector: Sector) -> bytes:
    """A file to fill in: the header row and one example row with the sector's topics.

    Written with a BOM so that Excel opens it as UTF-8 (accents stay right).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    writer.writerow(("Gemeente Voorbeeld", "NL", "NL329", "municipality",
                     "; ".join(sector.topics[:2]), "120000",
                     "Why we apply, in a sentence or two.", "1"))
    return buffer.getvalue().encode("utf-8-sig")


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, values by column) for each data row; InvalidImportFile for a bad file."""
    if len(content) > MAX_BYTES:
        raise InvalidImportFile(_("The file is larger than %(n)s MB.", n=MAX_BYTES // 1_000_000))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidImportFile(_("The file is not UTF-8 text. Save it as CSV UTF-8.")) from None
    if "\x00" in text:  # PostgreSQL refuses NUL in text; no CSV export contains one
        raise InvalidImportFile(_("The file contains a NUL character: it is not CSV text."))
    try:
        return _rows(csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(text)))
    except csv.Error as error:  # a field over the csv module's size limit, for one
        raise InvalidImportFile(_("The file is not readable as CSV: %(error)s.",
                                  error=error)) from None


def _rows(reader: csv.DictReader) -> list[tuple[int, dict[str, str]]]:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidImportFile(ngettext("The header row lacks the column: %(columns)s.",
                                         "The header row lacks the columns: %(columns)s.",
                                         len(missing), columns=", ".join(missing)))
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise InvalidImportFile(_("The file has more than %(n)s rows.",
                                      n=number_text(MAX_ROWS)))
        values = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        if any(values.values()):
            rows.append((number, values))
    return rows


def _check_row(values: dict[str, str], topics_by_fold: dict[str, str],
               known_nuts: set[str]) -> tuple[dict, list[tuple[str, str]]]:
    """The row's clean values and its errors as (column, message)."""
    errors: list[tuple[str, str]] = []
    clean: dict = {}
    clean["name"] = values.get("authority_name", "")
    if not clean["name"]:
        errors.append(("authority_name", _("the authority's name is missing")))
    country = values.get("country", "").upper()
    clean["country"] = "GR" if country == "EL" else country
    if clean["country"] not in KNOWN_COUNTRIES:
        errors.append(("country", _("unknown country code %(code)s",
                                    code=country or _("(empty)"))))
    try:
        nuts = normalize_nuts(values.get("nuts", ""))
        if nuts[:2] not in {normalize_nuts(c)[:2] for c in KNOWN_COUNTRIES} or (
            known_nuts and nuts not in known_nuts
        ):
            errors.append(("nuts", _("unknown NUTS code %(code)s", code=nuts)))
        elif clean["country"] in KNOWN_COUNTRIES and nuts_to_iso_country(nuts) != clean["country"]:
            errors.append(("nuts", _("NUTS code %(code)s is not in %(country)s", code=nuts,
                                     country=clean["country"])))
        clean["nuts"] = nuts
    except InvalidNutsCode:
        errors.append(("nuts", _("unknown NUTS code %(code)s",
                                 code=values.get("nuts") or _("(empty)"))))
    kind = values.get("kind", "").lower().replace(" ", "_")
    if kind not in {k.value for k in AuthorityKind}:
        errors.append(("kind", _("unknown kind '%(kind)s' (use one of: %(kinds)s)",
                                 kind=values.get("kind", ""),
                                 kinds=", ".join(k.value for k in AuthorityKind))))
    clean["kind"] = kind
    clean["population"] = None
    if values.get("population"):
        text = values["population"].replace(",", "").replace("_", "").replace(" ", "")
        if not text.isdigit():
            errors.append(("population", _("population '%(value)s' is not a whole number",
                                           value=values["population"])))
        else:
            clean["population"] = int(text)
    topics = []
    for topic in (t.strip() for t in values.get("topics", "").split(";")):
        if not topic:
            continue
        if topic.casefold() not in topics_by_fold:
            errors.append(("topics", _("unknown topic '%(topic)s' for this sector", topic=topic)))
        elif topics_by_fold[topic.casefold()] not in topics:
            topics.append(topics_by_fold[topic.casefold()])
    if not topics and not any(c == "topics" for c, _m in errors):
        errors.append(("topics", _("no topic given")))
    clean["topics"] = topics
    clean["motivation"] = values.get("motivation", "")[:MAX_MOTIVATION_LENGTH]
    rank = values.get("preference_rank") or "1"
    if not rank.isdigit() or int(rank) < 1:
        errors.append(("preference_rank", _("preference rank '%(rank)s' is not 1 or more",
                                            rank=rank)))
    else:
        clean["preference_rank"] = int(rank)
    return clean, errors


def topics_by_name(sector: Sector) -> dict[str, str]:
    """Every name of the sector's topics, case folded -> the topic (its English key)."""
    names = {t.casefold(): t for t in sector.topics}
    for language in sector.translations or {}:
        for key, label in sector_text(sector, language).labels.items():
            if key in sector.topics:
                names.setdefault(label.casefold(), key)
    return names


@writes
def import_applications(db: Session, user: User, sector: Sector, content: bytes) -> ImportResult:
    """Create or update the sector's applications from CSV rows; the valid rows are kept."""
    rows = read_rows(content)
    topics_by_fold = topics_by_name(sector)
    known_nuts = set(db.exec(select(NutsRegion.code)).all())
    authorities = {(a.name.casefold(), a.country): a for a in db.exec(select(Authority)).all()}
    applications = {a.authority_id: a for a in db.exec(
        select(Application).where(Application.sector_id == sector.id)).all()}
    result = ImportResult(n_rows=len(rows))
    first_row: dict[tuple[str, str], int] = {}
    now = datetime.now(UTC)
    for number, values in rows:
        clean, errors = _check_row(values, topics_by_fold, known_nuts)
        key = (clean["name"].casefold(), clean["country"])
        if not errors and key in first_row:
            errors.append(("authority_name", _("%(name)s appears again (first in row %(row)s)",
                                               name=clean["name"], row=first_row[key])))
        if errors:
            result.errors += [RowError(number, column, message) for column, message in errors]
            continue
        first_row[key] = number
        authority = authorities.get(key)
        if authority is None:
            authority = Authority(name=clean["name"], kind=AuthorityKind(clean["kind"]),
                                  country=clean["country"], nuts=clean["nuts"],
                                  population=clean["population"])
            db.add(authority)
            db.flush()
            authorities[key] = authority
            result.n_new_authorities += 1
        application = applications.get(authority.id)
        if application is not None and application.status == ApplicationStatus.WITHDRAWN:
            result.n_left_withdrawn += 1
            continue
        if application is None:
            application = Application(authority_id=authority.id, sector_id=sector.id,
                                      created_at=now)
            db.add(application)
            applications[authority.id] = application
            result.n_created += 1
        else:
            result.n_updated += 1
        application.topics = clean["topics"]
        application.motivation = clean["motivation"]
        application.preference_rank = clean["preference_rank"]
    audit.record(db, user, "applications.imported", sector_id=sector.id, rows=result.n_rows,
                 created=result.n_created, updated=result.n_updated,
                 left_withdrawn=result.n_left_withdrawn,
                 new_authorities=result.n_new_authorities, skipped=result.n_skipped)
    db.commit()
    return result
