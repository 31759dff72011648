"""Run the engine on a sector's pool: a preview (nothing saved) or stored proposals.

Before grouping, the cross-sector limit is applied: over all submitted applications of the
authorities of this pool, the engine's sector allocation keeps an authority limited to k
sectors (``Authority.max_sectors``) in at most k, by its preference ranks; the applications
it drops from this sector go to the waitlist with the reason. Accepted partner wishes of the
sector become together/apart constraints; members locked in the sector's newest draft
proposal keep their group.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

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
    User,
    WaitlistEntry,
)
from webapp.audit import services as audit
from webapp.db import writes
from webapp.groupings.services import adapter, proof
from webapp.groupings.services.parameters import POOL_KEY, RunParameters
from webapp.groupings.services.pictures import GroupPicture, colours_for, group_picture
from webapp.groupings.services.pool import Applicant, pool, sector_for, sector_terms
from webapp.groupings.services.views import WaitRow, quality, size_text
from webapp.i18n import localize, stored_text, with_texts
from webapp.i18n import number as decimal_text

SMALL_POOL = 50  # the engine's live-preview effort (0.25 s) applies up to this pool size
#: A stored run is not live: a small pool gets the search the preview cannot afford (8
#: restarts of 60 kicks, about 1 s at 28 applicants, capped at 3 s). On the benchmark's pools
#: of 14-35 it finds SCIP's proven optimum, where the preview's 2 of 30 missed it by up to
#: 0.7 % (bench.groupings measures both).
STORED_SMALL_POOL_EFFORT = {"n_restarts": 8, "n_kicks": 60, "time_limit": 3.0}


@dataclass(frozen=True)
class PreviewMember:
    name: str
    country: str


@dataclass(frozen=True)
class PreviewGroup:
    number: int
    score_text: str
    members: list[PreviewMember]
    picture: GroupPicture


@dataclass(frozen=True)
class PreviewView:
    groups: list[PreviewGroup]
    waitlist: list[WaitRow]
    objective_text: str
    worst_text: str
    n_placed: int
    quality: str
    notes: list[str]  # what the run says about itself: a cut budget, unavoidable rule breaks


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


def _run(prepared: Prepared, parameters: RunParameters,
         effort: dict | None = None) -> list[adapter.Result]:
    return adapter.run(prepared.applicants, parameters, together=prepared.together,
                       apart=prepared.apart, locked=prepared.locked, effort=effort)


def preview(db: Session, user: User, slug: str, parameters: RunParameters) -> PreviewView:
    """The best proposal for these settings, computed and shown but not stored."""
    sector = sector_for(db, user, slug)
    prepared = prepare(db, sector)
    best = _run(prepared, parameters.model_copy(update={"n_alternatives": 1}))[0]
    by_id = {a.application_id: a for a in pool(db, sector.id)}
    colours = colours_for(a.country for a in by_id.values())
    largest = max((a.size or 0 for a in by_id.values()), default=0)
    terms = sector_terms(db, sector)
    groups = [
        PreviewGroup(number=n, score_text=decimal_text(score, 2),
                     members=[PreviewMember(by_id[i].name, by_id[i].country)
                              for i in sorted(members, key=lambda i: by_id[i].name)],
                     picture=group_picture([by_id[i] for i in members], colours, largest,
                                           labels=terms))
        for n, (members, score) in enumerate(zip(best.groups, best.scores, strict=True), 1)
    ]
    waiting = [*best.waitlist, *prepared.excluded.items()]
    return PreviewView(
        groups=groups,
        waitlist=[WaitRow(i, rank, by_id[i].name, by_id[i].country, size_text(by_id[i].size),
                          str(localize(reason, terms=terms)))
                 for rank, (i, reason) in enumerate(waiting, 1)],
        objective_text=decimal_text(best.objective, 2),
        worst_text=decimal_text(min(best.scores), 2) if best.scores else "—",
        n_placed=sum(len(g) for g in best.groups),
        quality=quality(Proposal(sector_id=sector.id, run_key="", objective=best.objective,
                                 bound=best.bound)),
        notes=[str(localize(note)) for note in best.notes],
    )


@writes
def generate(db: Session, user: User, slug: str, parameters: RunParameters) -> Proposal:
    """Run the engine and store one Proposal per alternative (same run_key); return the best."""
    sector = sector_for(db, user, slug)
    prepared = prepare(db, sector)
    small = len(prepared.applicants) <= SMALL_POOL
    results = _run(prepared, parameters, effort=STORED_SMALL_POOL_EFFORT if small else None)
    run_key = uuid.uuid4().hex
    now = datetime.now(UTC)
    stored = []
    for alternative, result in enumerate(results):
        proposal = Proposal(
            sector_id=sector.id, run_key=run_key, alternative=alternative,
            status=ProposalStatus.DRAFT, version=1,
            parameters={**parameters.model_dump(),
                        POOL_KEY: [a.application_id for a in prepared.applicants]},
            random_state=parameters.random_state, objective=result.objective,
            bound=result.bound, created_by_id=user.id, created_at=now, updated_at=now)
        db.add(proposal)
        db.flush()
        for number, (members, score, explanation) in enumerate(
                zip(result.groups, result.scores, result.explanations, strict=True), 1):
            group = Group(proposal_id=proposal.id, number=number, score=score,
                          explanation=with_texts(explanation))
            db.add(group)
            db.flush()
            db.add_all(Membership(group_id=group.id, application_id=i,
                                  locked=i in prepared.locked) for i in members)
        waiting = [*result.waitlist, *prepared.excluded.items()]
        db.add_all(WaitlistEntry(proposal_id=proposal.id, application_id=i, rank=rank,
                                 reason=str(reason), reason_text=stored_text(reason))
                   for rank, (i, reason) in enumerate(waiting, 1))
        stored.append(proposal)
    db.flush()
    audit.record(
        db, user, "proposal.run", sector_id=sector.id, proposal_id=stored[0].id,
        run_key=run_key, proposals=[p.id for p in stored], applicants=len(prepared.applicants),
        waitlisted=len(results[0].waitlist) + len(prepared.excluded),
        locked=len(prepared.locked), wishes=len(prepared.together) + len(prepared.apart),
        random_state=parameters.random_state, base_proposal_id=prepared.base_proposal_id,
    )
    db.commit()
    proof.request(stored[0], n_placed=sum(len(g) for g in results[0].groups))
    return stored[0]

