"""A proposal as CSV or XLSX: one row per member, then the waitlist.

Both are written for people, not for the program: column headers and values in words (the
reader's language), why each member is in its group, whom to contact; the XLSX adds a
"Settings" sheet that says how the proposal was made.
"""

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, select

from models import Application, Authority, User
from webapp.groupings.services.explanations import member_reasons
from webapp.groupings.services.parameters import stored
from webapp.groupings.services.pool import applicants_by_id, sector_terms
from webapp.groupings.services.store import Loaded, load
from webapp.groupings.services.views import kind_labels, status_label
from webapp.i18n import sector_in_locale, waitlist_reason

#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
#: (OWASP "CSV injection"): names and topics come from applicants, so never trust them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

WIDTHS = (9, 11, 40, 16, 8, 8, 12, 7, 60, 70, 30, 30, 32, 13, 50)


def columns() -> tuple[str, ...]:
    return (_("Group"), _("Group score"), _("Authority"), _("Kind"), _("Country"), _("NUTS"),
            _("Population"), _("Locked"), _("Topics"), _("Why in this group"), _("Website"),
            _("Contact person"), _("Contact e-mail"), _("Waitlist rank"),
            _("Why on the waitlist"))


def _contacts(db: Session, application_ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """Application id -> (website, contact person, e-mail); e-mail falls back to the
    authority's account, the one address the coordinator is sure reaches it."""
    rows = db.exec(
        select(Application.id, Authority.website, Authority.contact_name,
               Authority.contact_email, Authority.id)
        .join(Authority, Authority.id == Application.authority_id)
        .where(Application.id.in_(application_ids))
    ).all() if application_ids else []
    accounts = {}
    for authority_id, email in db.exec(select(User.authority_id, User.email).where(
            User.authority_id.in_([r[4] for r in rows])).order_by(User.id)).all() if rows else []:
        accounts.setdefault(authority_id, email)
    return {i: (site or "", name or "", email or accounts.get(authority_id, ""))
            for i, site, name, email, authority_id in rows}


def _rows(db: Session, loaded: Loaded) -> list[tuple]:
    ids = [m.application_id for ms in loaded.members.values() for m in ms]
    ids += [w.application_id for w in loaded.waitlist]
    applicants = applicants_by_id(db, ids)
    contacts = _contacts(db, ids)
    kinds = kind_labels()
    yes = _("yes")
    rows = []
    words = sector_in_locale(loaded.sector)
    terms = sector_terms(db, loaded.sector)
    for group in loaded.groups:
        members = sorted(loaded.members[group.id],
                         key=lambda m: applicants[m.application_id].name)
        for m in members:
            a = applicants[m.application_id]
            reasons, best = member_reasons(group.explanation, a.application_id, terms)
            why = " ".join([*reasons, best]).strip()
            rows.append((group.number, round(group.score, 2), a.name, kinds.get(a.kind, a.kind),
                         a.country, a.nuts, a.size, yes if m.locked else "",
                         "; ".join(words.topics_of(a.topics)), why,
                         *contacts.get(a.application_id, ("",) * 3), None, ""))
    for w in loaded.waitlist:
        a = applicants[w.application_id]
        rows.append((_("waitlist"), None, a.name, kinds.get(a.kind, a.kind), a.country, a.nuts,
                     a.size, "", "; ".join(words.topics_of(a.topics)), "",
                     *contacts.get(a.application_id, ("",) * 3), w.rank, waitlist_reason(w, terms)))
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
def settings_rows(loaded: Loaded) -> list[tuple[str, object]]:
    """How the proposal was made, one setting a row, in words."""
    p = loaded.proposal
    s = stored(p.parameters)
    yes, no = _("yes"), _("no")
    large = {"off": _("no"), "soft": _("preferred"), "hard": _("required")}
    mode = {"near": _("near: neighbours together"), "spread": _("spread: countries mixed")}
    return [
        (_("Sector"), sector_in_locale(loaded.sector).name),
        (_("Proposal"), p.id),
        (_("Alternative"), _("%(n)s (1 is the best of its run)", n=p.alternative + 1)),
        (_("Status"), status_label(p.status)),
        (_("Version"), p.version),
        (_("Objective"), round(p.objective, 2)),
        ("", objective_help()),
        (_("Members per group"), _("%(min)s to %(max)s", min=s.min_group_size,
                                   max=s.max_group_size)),
        (_("Number of groups"), s.n_groups or _("as many as the pool needs")),
        (_("At most this many groups"), s.max_groups or _("no limit")),
        (_("Weight of shared interests"), s.weights.interests),
        (_("Weight of a mix of large and small buyers"), s.weights.size_mix),
        (_("Weight of region"), s.weights.region),
        (_("Region means"), mode.get(s.region_mode, s.region_mode)),
        (_("Large buyers in separate groups"), large.get(s.large_buyers, s.large_buyers)),
        (_("Nobody alone from their country"), yes if s.no_lone_country else no),
        (_("Random seed"), s.random_state),
        (_("Alternative proposals asked for"), s.n_alternatives),
    ]


def objective_help() -> str:
    return _("The sum of the group scores, plus a bonus for the weakest group so that no "
             "group is left poor: higher is better. Compare it only between proposals of the "
             "same sector and settings.")


def filename(loaded: Loaded, extension: str) -> str:
    p = loaded.proposal
    return f"{loaded.sector.slug}-proposal-{p.id}-v{p.version}.{extension}"


def export_csv(db: Session, user: User, slug: str, proposal_id: int) -> tuple[str, bytes]:
    """(file name, UTF-8 CSV with a header row) of a proposal of a coordinated sector."""
    loaded = load(db, user, slug, proposal_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns())
    for row in _rows(db, loaded):
        writer.writerow([_csv_cell(v) for v in row])
    return filename(loaded, "csv"), buffer.getvalue().encode("utf-8-sig")


def export_xlsx(db: Session, user: User, slug: str, proposal_id: int) -> tuple[str, bytes]:
    """(file name, XLSX workbook) with a 'Groups' sheet and a 'Settings' sheet."""
    loaded = load(db, user, slug, proposal_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Groups")
    sheet.append(columns())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(db, loaded):
        _append(sheet, row)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    for row in sheet.iter_rows(min_row=2, min_col=10, max_col=10):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    settings = book.create_sheet(_("Settings"))
    for key, value in settings_rows(loaded):
        _append(settings, (key, value))
    settings.column_dimensions["A"].width = 42
    settings.column_dimensions["B"].width = 70
    for cell in settings["A"]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return filename(loaded, "xlsx"), out.getvalue()
