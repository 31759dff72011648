"""A proposal as CSV or XLSX: one row per member, then the waitlist."""

import csv
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from models import User
from webapp.groupings.services.pool import applicants_by_id
from webapp.groupings.services.store import Loaded, load
from webapp.groupings.services.views import kind_labels
from webapp.i18n import waitlist_reason

#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
#: (OWASP "CSV injection"): names and topics come from applicants, so never trust them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The header row in the reader's language; in English these are the stable column names.
COLUMNS = (_l("group"), _l("group_score"), _l("authority"), _l("kind"), _l("country"),
           _l("nuts"), _l("population"), _l("locked"), _l("topics"), _l("waitlist_rank"),
           _l("waitlist_reason"))


def _rows(db: Session, loaded: Loaded) -> list[tuple]:
    ids = [m.application_id for ms in loaded.members.values() for m in ms]
    ids += [w.application_id for w in loaded.waitlist]
    applicants = applicants_by_id(db, ids)
    rows = []
    kinds = kind_labels()
    for group in loaded.groups:
        members = sorted(loaded.members[group.id],
                         key=lambda m: applicants[m.application_id].name)
        for m in members:
            a = applicants[m.application_id]
            rows.append((group.number, round(group.score, 4), a.name, kinds.get(a.kind, a.kind),
                         a.country, a.nuts, a.size, _("yes") if m.locked else "",
                         "; ".join(a.topics), None, ""))
    for w in loaded.waitlist:
        a = applicants[w.application_id]
        rows.append((_("waitlist"), None, a.name, kinds.get(a.kind, a.kind), a.country, a.nuts,
                     a.size, "", "; ".join(a.topics), w.rank, waitlist_reason(w)))
    return rows


def _csv_cell(value):
    """A CSV cell that no spreadsheet evaluates: a leading quote turns a formula into text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _append(sheet, values) -> None:
    """Append a row; text that looks like a formula is stored as text (type 's', shown with a
    quote prefix), never as a formula, while the cell keeps the exact value."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


def filename(loaded: Loaded, extension: str) -> str:
    p = loaded.proposal
    return f"{loaded.sector.slug}-proposal-{p.id}-v{p.version}.{extension}"


def export_csv(db: Session, user: User, slug: str, proposal_id: int) -> tuple[str, bytes]:
    """(file name, UTF-8 CSV with a header row) of a proposal of a coordinated sector."""
    loaded = load(db, user, slug, proposal_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c) for c in COLUMNS])
    for row in _rows(db, loaded):
        writer.writerow([_csv_cell(v) for v in row])
    return filename(loaded, "csv"), buffer.getvalue().encode("utf-8-sig")


def export_xlsx(db: Session, user: User, slug: str, proposal_id: int) -> tuple[str, bytes]:
    """(file name, XLSX workbook) with a 'Groups' sheet and a 'Settings' sheet."""
    loaded = load(db, user, slug, proposal_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Groups")
    sheet.append([str(c) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(db, loaded):
        _append(sheet, row)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJK", (9, 11, 40, 16, 8, 8, 12, 7, 60, 13, 50),
                             strict=True):
        sheet.column_dimensions[column].width = width
    settings = book.create_sheet(_("Settings"))
    p = loaded.proposal
    for key, value in ((_("sector"), loaded.sector.name), (_("proposal"), p.id),
                       (_("alternative"), p.alternative), (_("status"), str(p.status.value)),
                       (_("version"), p.version), (_("objective"), p.objective),
                       (_("random_state"), p.random_state)):
        _append(settings, (key, value))
    for key, value in (p.parameters or {}).items():
        _append(settings, (key, str(value)))
    out = io.BytesIO()
    book.save(out)
    return filename(loaded, "xlsx"), out.getvalue()
