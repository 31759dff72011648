"""Authorities apply to sectors' working groups on the site, edit and withdraw applications.

The coordinator's CSV import (`importing.py`) is the other way in; both store the same row:
the sector's topics by their English names, a motivation of at most `MAX_MOTIVATION_LENGTH`
characters, a preference rank (1 is the authority's first choice).

The rule once a group is published: an application placed in a group of its sector's
published proposal can be withdrawn but no longer edited. The group was formed on its topics,
and partners read them on their cards ("shared interests"), next to the engine's stored
reasons; editing them would make the published group say things it was not formed on.
Withdrawing is always possible: nobody can be held in a working group. The published group
keeps its member (it is what the partners were told); the coordinator sees "withdrawn" on the
sector's answers page, hears of it in the daily summary, and the next run leaves it out (the
pool is the submitted applications only). A withdrawn application can be submitted again,
with the same row, so wishes and the audit trail keep pointing at it.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    Authority,
    Group,
    Membership,
    Proposal,
    ProposalStatus,
    Sector,
    User,
)
from webapp.audit import services as audit
from webapp.db import writes
from webapp.errors import NotYours
from webapp.groupings.services.errors import (
    AlreadyApplied,
    ApplicationLocked,
    InvalidApplication,
)
from webapp.groupings.services.importing import MAX_MOTIVATION_LENGTH, topics_by_name
from webapp.groupings.services.members import authority_of
from webapp.i18n import in_sector_order, number, sector_in_locale
from webapp.sector_text import SectorText


@dataclass(frozen=True)
class ApplicationInput:
    """What an authority sends: topics (English keys or the reader's labels), motivation, rank.

    None means "keep what is stored" (the API's PATCH); a new application starts from none.
    """

    topics: list[str] | None = None
    motivation: str | None = None
    preference_rank: int | str | None = None


@dataclass(frozen=True)
class OpenSector:
    """A sector the authority may apply to, with its withdrawn application if it had one."""

    sector: Sector
    text: SectorText
    withdrawn: Application | None


@dataclass(frozen=True)
class ApplicationForm:
    """One application form, ready to draw: the sector's topics and the values to show."""

    sector: Sector
    text: SectorText
    application: Application | None  # None for a sector never applied to
    topics: list[str]
    motivation: str
    preference_rank: int
    max_rank: int
    is_new: bool  # submits a new application (or a withdrawn one again), else edits one
    locked: bool  # an edit of an application in a published group: shown, not editable

    @property
    def withdrawn(self) -> bool:
        return (self.application is not None
                and self.application.status == ApplicationStatus.WITHDRAWN)


def _own(db: Session, authority: Authority, application_id: int) -> Application:
    application = db.get(Application, application_id)
    if application is None or application.authority_id != authority.id:
        raise NotYours(f"No application {application_id} of yours.")
    return application


def _sector(db: Session, slug: str) -> Sector:
    sector = db.exec(select(Sector).where(Sector.slug == slug)).first()
    if sector is None:
        raise NotYours(f"No sector {slug}.")
    return sector


def _max_rank(db: Session) -> int:
    """Ranks order the authority's sectors: there are never more ranks than sectors."""
    return db.exec(select(func.count(Sector.id))).one() or 1


def next_rank(db: Session, authority_id: int) -> int:
    """The rank a new application gets unless the authority says otherwise: after its others."""
    highest = db.exec(
        select(func.max(Application.preference_rank))
        .where(Application.authority_id == authority_id,
               Application.status == ApplicationStatus.SUBMITTED)
    ).one()
    return min((highest or 0) + 1, _max_rank(db))


def in_published_group(db: Session, application_id: int) -> bool:
    """Whether a published proposal placed the application in a group (see the module doc)."""
    return db.exec(
        select(Membership.id)
        .join(Group, Group.id == Membership.group_id)
        .join(Proposal, Proposal.id == Group.proposal_id)
        .where(Membership.application_id == application_id,
               Proposal.status == ProposalStatus.PUBLISHED)
    ).first() is not None


def open_sectors(db: Session, user: User) -> list[OpenSector]:
    """The sectors without a submitted application of the authority, in the reader's order."""
    authority = authority_of(db, user)
    mine = {a.sector_id: a for a in db.exec(
        select(Application).where(Application.authority_id == authority.id)).all()}
    sectors = [s for s in db.exec(select(Sector).order_by(Sector.name)).all()
               if s.id not in mine or mine[s.id].status == ApplicationStatus.WITHDRAWN]
    return in_sector_order(
        (OpenSector(s, sector_in_locale(s), mine.get(s.id)) for s in sectors),
        lambda item: item.text.name)


def new_form(db: Session, user: User, slug: str) -> ApplicationForm:
    """The form for applying to a sector; a withdrawn application's answers fill it in."""
    authority = authority_of(db, user)
    sector = _sector(db, slug)
    application = db.exec(select(Application).where(
        Application.authority_id == authority.id, Application.sector_id == sector.id)).first()
    if application is not None and application.status == ApplicationStatus.SUBMITTED:
        raise AlreadyApplied(_("You have applied to this working group already: edit your "
                               "application instead."))
    return _form(db, sector, application, is_new=True,
                 rank=next_rank(db, authority.id) if application is None else None)


def edit_form(db: Session, user: User, application_id: int) -> ApplicationForm:
    """The form for one of the authority's applications, as it is stored."""
    application = _own(db, authority_of(db, user), application_id)
    return _form(db, db.get(Sector, application.sector_id), application, is_new=False)


def _form(db: Session, sector: Sector, application: Application | None, is_new: bool,
          rank: int | None = None) -> ApplicationForm:
    return ApplicationForm(
        sector=sector, text=sector_in_locale(sector), application=application,
        topics=list(application.topics) if application else [],
        motivation=application.motivation if application else "",
        preference_rank=rank or (application.preference_rank if application else 1),
        max_rank=_max_rank(db), is_new=is_new,
        locked=not is_new and in_published_group(db, application.id),
    )


def _clean(db: Session, sector: Sector, data: ApplicationInput,
           current: Application | None) -> tuple[list[str], str, int]:
    """The input checked against the sector, every field at once; InvalidApplication."""
    errors = {}
    topics = list(current.topics) if current else []
    if data.topics is not None:
        by_name = topics_by_name(sector)  # a label in any language names its topic, as in CSV
        unknown = [t for t in data.topics if str(t).strip().casefold() not in by_name]
        topics = list(dict.fromkeys(by_name[str(t).strip().casefold()]
                                    for t in data.topics if t not in unknown))
        if unknown:
            errors["topics"] = _("These are no topics of this working group: %(topics)s.",
                                 topics=", ".join(str(t) for t in unknown))
    if not topics and "topics" not in errors:
        errors["topics"] = _("Tick at least one topic you want to work on.")
    motivation = current.motivation if current else ""
    if data.motivation is not None:
        motivation = data.motivation.strip()
        if len(motivation) > MAX_MOTIVATION_LENGTH:
            errors["motivation"] = _("Keep your motivation under %(n)s characters (it has "
                                     "%(length)s).", n=number(MAX_MOTIVATION_LENGTH),
                                     length=number(len(motivation)))
    rank = current.preference_rank if current else 1
    if data.preference_rank is not None:
        text = str(data.preference_rank).strip()
        highest = _max_rank(db)
        if text.isascii() and text.isdigit() and 1 <= int(text) <= highest:
            rank = int(text)
        else:
            errors["preference_rank"] = _("Give a whole number from 1 (your first choice) to "
                                          "%(n)s.", n=number(highest))
    if errors:
        raise InvalidApplication(errors)
    return topics, motivation, rank


def _record(db: Session, user: User, action: str, authority: Authority,
            application: Application) -> None:
    audit.record(db, user, action, sector_id=application.sector_id,
                 application_id=application.id, authority_id=authority.id,
                 authority=authority.name, topics=list(application.topics),
                 preference_rank=application.preference_rank)


@writes
def apply(db: Session, user: User, slug: str, data: ApplicationInput) -> Application:
    """Apply to a sector's working groups, or submit a withdrawn application again."""
    form = new_form(db, user, slug)  # AlreadyApplied when a submitted one exists
    authority = authority_of(db, user)
    application = form.application
    rank = next_rank(db, authority.id) if data.preference_rank is None else data.preference_rank
    topics, motivation, rank = _clean(
        db, form.sector, ApplicationInput(topics=data.topics or [], motivation=data.motivation,
                                          preference_rank=rank), None)
    if application is None:
        application = Application(authority_id=authority.id, sector_id=form.sector.id)
        db.add(application)
    application.topics, application.motivation = topics, motivation
    application.preference_rank = rank
    application.status = ApplicationStatus.SUBMITTED
    db.flush()
    _record(db, user, "application.submitted", authority, application)
    db.commit()
    return application


@writes
def update(db: Session, user: User, application_id: int, data: ApplicationInput) -> Application:
    """Change a submitted application's topics, motivation or rank (fields left None stay)."""
    authority = authority_of(db, user)
    application = _own(db, authority, application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationLocked(_("This application is withdrawn: apply again to change it."))
    if in_published_group(db, application.id):
        raise ApplicationLocked(_("Your group in this working group is published: the "
                                  "application it was formed on can no longer change. You can "
                                  "still withdraw it, or decline the group."))
    sector = db.get(Sector, application.sector_id)
    topics, motivation, rank = _clean(db, sector, data, application)
    application.topics, application.motivation = topics, motivation
    application.preference_rank = rank
    _record(db, user, "application.updated", authority, application)
    db.commit()
    return application


@writes
def withdraw(db: Session, user: User, application_id: int) -> Application:
    """Withdraw a submitted application: the sector's next run leaves it out."""
    authority = authority_of(db, user)
    application = _own(db, authority, application_id)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application  # withdrawing twice (a second click, a retry) changes nothing
    application.status = ApplicationStatus.WITHDRAWN
    _record(db, user, "application.withdrawn", authority, application)
    db.commit()
    return application
