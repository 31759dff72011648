"""Who may see what, written once for pages and API alike.

- a coordinator sees the sectors it runs (:func:`coordinated_sector_ids`, :func:`coordinated`),
  and everything in them: applications, proposals, answers, the audit trail;
- an authority sees its own applications (:func:`owns_application`) and tenders
  (:func:`owns_tender`), and the groups published for it;
- an enterprise sees and changes its own profile (:func:`may_change_enterprise`);
- a tender's candidates are for its own authority and coordinators (:func:`may_read_candidates`).

Each function answers a question or returns a query fragment; it never raises: the feature's
service turns a "no" into its own domain error (``UnknownSector``, ``NotYours``), so an id of
someone else's answers exactly like a missing one.
"""

from sqlalchemy import Select
from sqlmodel import select

from models import Application, Enterprise, Role, Sector, SectorCoordinator, Tender, User

__all__ = [
    "coordinated", "coordinated_sector_ids", "may_change_enterprise", "may_read_candidates",
    "owns_application", "owns_tender",
]


def coordinated_sector_ids(user: User) -> Select:
    """A subquery of the ids of the sectors `user` coordinates (none for other roles)."""
    return select(SectorCoordinator.sector_id).where(SectorCoordinator.user_id == user.id)


def coordinated(query: Select, user: User) -> Select:
    """`query` (which selects from Sector) narrowed to the sectors `user` coordinates."""
    return query.where(Sector.id.in_(coordinated_sector_ids(user)))


def may_change_enterprise(user: User, enterprise: Enterprise | None) -> bool:
    """Only an enterprise's own user changes its profile."""
    return (enterprise is not None and user.role == Role.ENTERPRISE
            and user.enterprise_id == enterprise.id)


def owns_tender(user: User, tender: Tender) -> bool:
    """A tender belongs to the authority that published or imported it."""
    return (user.role == Role.AUTHORITY and user.authority_id is not None
            and tender.authority_id == user.authority_id)


def owns_application(user: User, application: Application | None) -> bool:
    """An application belongs to its authority's users (to see, edit, withdraw, wish on)."""
    return (application is not None and user.role == Role.AUTHORITY
            and user.authority_id is not None and application.authority_id == user.authority_id)


def may_read_candidates(user: User, tender: Tender | None) -> bool:
    """The enterprises that could bid: for the tender's own authority, and for coordinators."""
    return tender is not None and (user.role == Role.COORDINATOR or owns_tender(user, tender))
