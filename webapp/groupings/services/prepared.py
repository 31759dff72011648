"""What a run groups: a sector's pool as the engine takes it, loaded from the database.

Before grouping, the cross-sector limit is applied: over all submitted applications of the
authorities of this pool, the engine's sector allocation keeps an authority limited to k
sectors (``Authority.max_sectors``) in at most k, by its preference ranks; the applications
it drops from this sector go to the waitlist with the reason. Accepted partner wishes of the
sector become together/apart constraints; members locked in the sector's newest draft
proposal keep their group. Runs (``runs``) and the proof of a stored run (``proof``) both
load it here.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    Authority,
    Group,
    Membership,
    PartnerWish,
    Proposal,
    ProposalStatus,
    Sector,
)
from webapp.groupings.services import adapter
from webapp.groupings.services.pool import Applicant, pool


@dataclass(frozen=True)
class Prepared:
    """Everything a run needs, loaded from the database."""

    sector: Sector
    applicants: list[Applicant]  # the pool minus the applications the allocation dropped
    excluded: dict[int, str]  # application id -> why it is not grouped in this sector
    together: list[tuple[int, int]]
    apart: list[tuple[int, int]]
    locked: dict[int, int]  # application id -> 0-based group index
    base_proposal_id: int | None


def _wishes(db: Session, sector: Sector, by_authority: dict[int, int]):
    """Accepted wishes of the sector as application-id pairs (both sides must be in the pool)."""
    together, apart = [], []
    for wish in db.exec(select(PartnerWish).where(PartnerWish.sector_id == sector.id,
                                                  PartnerWish.accepted.is_(True))).all():
        a, b = by_authority.get(wish.authority_id), by_authority.get(wish.other_authority_id)
        if a is None or b is None or a == b:
            continue
        (together if wish.kind == "together" else apart).append((a, b))
    return together, apart


def _locks(db: Session, sector: Sector, in_pool: set[int]) -> tuple[dict[int, int], int | None]:
    """Locked members of the newest draft proposal with locks, by 0-based group index."""
    rows = db.exec(
        select(Proposal.id, Group.number, Membership.application_id)
        .join(Group, Group.proposal_id == Proposal.id)
        .join(Membership, Membership.group_id == Group.id)
        .where(Proposal.sector_id == sector.id, Proposal.status == ProposalStatus.DRAFT,
               Membership.locked.is_(True))
        .order_by(Proposal.id.desc())
    ).all()
    if not rows:
        return {}, None
    newest = rows[0][0]
    numbers = sorted({n for pid, n, _a in rows if pid == newest})
    index = {n: i for i, n in enumerate(numbers)}  # locked groups become the first groups
    return ({a: index[n] for pid, n, a in rows if pid == newest and a in in_pool}, newest)


def _allocation(db: Session, applicants: list[Applicant], sector: Sector) -> dict[int, str]:
    """Applications of this pool the cross-sector limit keeps out, with the engine's reason."""
    limited = {a.authority_id for a in applicants if a.max_sectors}
    if not limited:
        return {}
    rows = db.exec(
        select(Application, Authority.name, Authority.max_sectors, Sector.name)
        .join(Authority, Authority.id == Application.authority_id)
        .join(Sector, Sector.id == Application.sector_id)
        .where(Application.authority_id.in_(list(limited)),
               Application.status == ApplicationStatus.SUBMITTED)
    ).all()
    choices = [(a.id, a.authority_id, a.sector_id, a.preference_rank) for a, *_rest in rows]
    _kept, reasons = adapter.allocate(
        choices, limits={a.authority_id: m for a, _n, m, _s in rows},
        authority_names={a.authority_id: n for a, n, _m, _s in rows},
        sector_names={a.sector_id: s for a, _n, _m, s in rows})
    in_pool = {a.application_id for a in applicants}
    return {i: reason for i, reason in reasons.items() if i in in_pool}


def prepare(db: Session, sector: Sector) -> Prepared:
    """Load the pool, apply the cross-sector limit, collect wishes and locks."""
    applicants = pool(db, sector.id)
    excluded = _allocation(db, applicants, sector)
    locked, base = _locks(db, sector, {a.application_id for a in applicants})
    excluded = {i: r for i, r in excluded.items() if i not in locked}  # a lock wins
    kept = [a for a in applicants if a.application_id not in excluded]
    by_authority = {a.authority_id: a.application_id for a in kept}
    together, apart = _wishes(db, sector, by_authority)
    return Prepared(sector, kept, excluded, together, apart, locked, base)
