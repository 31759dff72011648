"""What each role sees first on its home page."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    Authority,
    Enterprise,
    Sector,
    Tender,
    User,
)
from webapp.i18n import in_sector_order, sector_in_locale
from webapp.scope import coordinated


@dataclass(frozen=True)
class SectorPool:
    sector: Sector
    n_applications: int


def coordinated_sectors(db: Session, user: User) -> list[SectorPool]:
    """The sectors a coordinator runs, each with the size of its pool of applicants."""
    counts = (
        select(Application.sector_id, func.count(Application.id).label("n"))
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .group_by(Application.sector_id)
        .subquery()
    )
    rows = db.exec(
        coordinated(select(Sector, func.coalesce(counts.c.n, 0)), user)
        .outerjoin(counts, counts.c.sector_id == Sector.id)
        .order_by(Sector.name)
    ).all()
    return in_sector_order((SectorPool(sector, n) for sector, n in rows),
                           lambda pool: sector_in_locale(pool.sector).name)


@dataclass(frozen=True)
class AuthorityOverview:
    authority: Authority
    applications: list[tuple[Application, Sector]]
    n_tenders: int


def authority_overview(db: Session, user: User) -> AuthorityOverview:
    """The authority a user acts for, its applications and how many tenders it has."""
    authority = db.get(Authority, user.authority_id)
    applications = db.exec(
        select(Application, Sector)
        .join(Sector, Sector.id == Application.sector_id)
        .where(Application.authority_id == user.authority_id)
        .order_by(Application.preference_rank)
    ).all()
    n_tenders = db.exec(
        select(func.count(Tender.id)).where(Tender.authority_id == user.authority_id)
    ).one()
    return AuthorityOverview(authority, list(applications), n_tenders)


def enterprise_of(db: Session, user: User) -> Enterprise | None:
    """The enterprise a user acts for."""
    return db.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
