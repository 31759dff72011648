"""Run the engine on a sector's pool: a preview (nothing saved) or stored proposals.

What a run groups (the pool after the cross-sector limit, partner wishes, locked members) is
loaded by ``prepared.prepare``.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from models import (
    Group,
    Membership,
    Proposal,
    ProposalStatus,
    User,
    WaitlistEntry,
)
from webapp.audit import services as audit
from webapp.db import writes
from webapp.groupings.services import adapter, proof
from webapp.groupings.services.parameters import POOL_KEY, RunParameters
from webapp.groupings.services.pictures import GroupPicture, colours_for, group_picture
from webapp.groupings.services.pool import pool, sector_for, sector_terms
from webapp.groupings.services.prepared import Prepared, prepare
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

