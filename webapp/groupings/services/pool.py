"""Which sectors a coordinator runs, and each sector's pool of applicants."""

from dataclasses import dataclass

from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    Authority,
    Proposal,
    ProposalStatus,
    Sector,
    User,
)
from webapp.groupings.services.errors import UnknownSector
from webapp.i18n import in_sector_order, sector_in_locale, sector_names_in_locale
from webapp.scope import coordinated


@dataclass(frozen=True)
class SectorSummary:
    sector: Sector
    n_applications: int
    n_proposals: int
    latest_status: str | None  # of the newest proposal, None when there is none
    published_id: int | None = None  # the proposal the authorities see, if any
    latest_id: int | None = None


class ApplicantCard(BaseModel):
    """Who applied, as the pages and the JSON API show it (the API's group members add only
    their place in the group).

    `size` is the authority's population (people served); authorities without a population
    (agencies, companies, universities) have no size, never their spending in its place.
    """

    application_id: int
    authority_id: int
    name: str
    kind: str
    country: str
    nuts: str
    size: int | None


class Applicant(ApplicantCard, frozen=True):
    """One application of the pool, with what the page and the engine need of its authority."""

    languages: tuple[str, ...]
    topics: tuple[str, ...]
    motivation: str
    preference_rank: int
    max_sectors: int | None
    withdrawn: bool = False  # a proposal may still hold it: the next run leaves it out


def coordinated_sectors(db: Session, user: User) -> list[SectorSummary]:
    """The sectors the coordinator runs with their pool sizes and proposal counts."""
    apps = (
        select(Application.sector_id, func.count(Application.id).label("n"))
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .group_by(Application.sector_id).subquery()
    )
    props = (
        select(Proposal.sector_id, func.count(Proposal.id).label("n"),
               func.max(Proposal.id).label("latest"))
        .group_by(Proposal.sector_id).subquery()
    )
    rows = db.exec(
        coordinated(select(Sector, func.coalesce(apps.c.n, 0), func.coalesce(props.c.n, 0),
                           props.c.latest), user)
        .outerjoin(apps, apps.c.sector_id == Sector.id)
        .outerjoin(props, props.c.sector_id == Sector.id)
        .order_by(Sector.name)
    ).all()
    rows = in_sector_order(rows, lambda row: sector_in_locale(row[0]).name)
    latest_ids = [latest for *_rest, latest in rows if latest]
    statuses = dict(db.exec(
        select(Proposal.id, Proposal.status).where(Proposal.id.in_(latest_ids))
    ).all()) if latest_ids else {}
    # what the authorities see matters more than the newest draft: name it apart
    published = dict(db.exec(
        select(Proposal.sector_id, func.max(Proposal.id))
        .where(Proposal.status == ProposalStatus.PUBLISHED).group_by(Proposal.sector_id)
    ).all())
    return [
        SectorSummary(sector, n_apps, n_props,
                      str(statuses[latest].value) if latest in statuses else None,
                      published_id=published.get(sector.id), latest_id=latest)
        for sector, n_apps, n_props, latest in rows
    ]


def sector_for(db: Session, user: User, slug: str) -> Sector:
    """The sector with `slug` if the coordinator runs it, else UnknownSector."""
    sector = db.exec(coordinated(select(Sector).where(Sector.slug == slug), user)).first()
    if sector is None:
        raise UnknownSector(_("No sector '%(slug)s' among the sectors you coordinate.", slug=slug))
    return sector


def sector_terms(db: Session, sector: Sector) -> dict[str, str]:
    """The words a sector's texts cite as data, English -> as the reader reads them: its topics
    (partner reasons, pictures) and every sector's name (the cross-sector limit's reasons)."""
    names = sector_names_in_locale(db.exec(select(Sector)).all())
    return {**names, **sector_in_locale(sector).labels}


def applicant(application: Application, authority: Authority) -> Applicant:
    """The plain view of one application."""
    return Applicant(
        application_id=application.id, authority_id=authority.id, name=authority.name,
        kind=str(authority.kind.value), country=authority.country, nuts=authority.nuts,
        size=authority.population, languages=tuple(authority.languages or ()),
        topics=tuple(application.topics or ()), motivation=application.motivation,
        preference_rank=application.preference_rank, max_sectors=authority.max_sectors,
        withdrawn=application.status == ApplicationStatus.WITHDRAWN,
    )


def pool(db: Session, sector_id: int) -> list[Applicant]:
    """The submitted applications of a sector, by authority name."""
    rows = db.exec(
        select(Application, Authority)
        .join(Authority, Authority.id == Application.authority_id)
        .where(Application.sector_id == sector_id)
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .order_by(Authority.name)
    ).all()
    return [applicant(a, au) for a, au in rows]


def applicants_by_id(db: Session, application_ids) -> dict[int, Applicant]:
    """Applicants for the given application ids (any status: proposals outlive withdrawals)."""
    ids = list(application_ids)
    if not ids:
        return {}
    rows = db.exec(
        select(Application, Authority)
        .join(Authority, Authority.id == Application.authority_id)
        .where(Application.id.in_(ids))
    ).all()
    return {a.id: applicant(a, au) for a, au in rows}
