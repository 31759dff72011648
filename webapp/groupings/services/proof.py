"""The exact proof of a run's proposals: a background job that gives them their badge.

The search answers in milliseconds but cannot know how far it is from the best grouping.
After a run is stored, small pools (up to :data:`MAX_APPLICANTS`, no waitlist) get a job
(``webapp.jobs``: RQ with ``MATCHMAKER_REDIS_URL``, in-process without it) that solves the
exact model with SCIP, starting from the best proposal, for at most
``GROUPING_PROOF_SECONDS`` (default 120; 0 switches the proof off, and so do test apps unless
they set it). The bound it proves is stored on every proposal of the run
(``Proposal.bound``): the page then shows "proven optimal" or "within x % of the best
possible" (:func:`views.quality`). While the job runs, the page shows that it is running.
"""

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from sqlmodel import Session, select

from models import Group, Membership, Proposal, Sector
from webapp import jobs
from webapp.db import get_engine
from webapp.groupings.services import adapter
from webapp.groupings.services.parameters import POOL_KEY, stored
from webapp.groupings.services.prepared import prepare

log = logging.getLogger("matchmaker.groupings.proof")

MAX_APPLICANTS = 40  # the exact model has n^3 constraints: beyond this SCIP rarely finishes
DEFAULT_SECONDS = 120.0
MARGIN = 60.0  # seconds a queued job may wait for a worker before the page stops waiting


def seconds() -> float:
    """The proof's time limit; 0 when proofs are off (test apps unless configured, and
    services called without an app, such as the fixtures' loader: no queue to use)."""
    if not has_app_context():
        return 0.0
    default = 0.0 if current_app.testing else DEFAULT_SECONDS
    return float(current_app.config.get("GROUPING_PROOF_SECONDS", default))


def eligible(proposal: Proposal, n_placed: int) -> bool:
    """Whether a run gets a proof: proofs on, a small pool, everyone the engine grouped
    placed (the exact model has no waitlist)."""
    pool_size = len(proposal.parameters.get(POOL_KEY) or ())
    return seconds() > 0 and 0 < pool_size <= MAX_APPLICANTS and n_placed == pool_size


def request(proposal: Proposal, n_placed: int) -> bool:
    """Enqueue the proof of the proposal's run when it is eligible; whether it was."""
    if not eligible(proposal, n_placed):
        return False
    jobs.enqueue(prove_run, proposal.run_key, job_key=f"proof-{proposal.run_key}")
    return True


def pending(proposal: Proposal, n_placed: int) -> bool:
    """The run's proof was asked for and may still come (no bound yet, not too old)."""
    if proposal.bound is not None or not eligible(proposal, n_placed):
        return False
    created = proposal.created_at
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    return datetime.now(UTC) - created < timedelta(seconds=seconds() + MARGIN)


def prove_run(run_key: str) -> float | None:
    """The job: prove a bound for the run's pool and store it on each of its proposals.

    The pool, wishes and locks are loaded again; if the pool changed since the run, the
    proof would be of another problem, so nothing is stored.
    """
    with Session(get_engine(), expire_on_commit=False) as db:
        proposals = list(db.exec(select(Proposal).where(Proposal.run_key == run_key)
                                 .order_by(Proposal.alternative)).all())
        if not proposals:
            return None
        best = proposals[0]
        prepared = prepare(db, db.get(Sector, best.sector_id))
        grouped = sorted(best.parameters.get(POOL_KEY) or [])
        if sorted(a.application_id for a in prepared.applicants) != grouped:
            log.info("proof of run %s skipped: its pool changed", run_key)
            return None
        proof = adapter.prove(prepared.applicants, stored(best.parameters), _groups(db, best),
                              together=prepared.together, apart=prepared.apart,
                              locked=prepared.locked, time_limit=seconds() or DEFAULT_SECONDS)
        if proof is None:
            return None
        bound = proof.bound
        if proof.proven and abs(proof.best_found - best.objective) <= 1e-6 * max(
                1.0, abs(best.objective)):
            bound = best.objective  # optimal within the solver's tolerance: say so exactly
        bound = max(bound, best.objective)  # a bound is never below what we hold
        for proposal in proposals:
            proposal.bound = bound
            db.add(proposal)
        db.commit()
        log.info("proof of run %s: bound %.6f (%s)", run_key, bound,
                 "proven" if proof.proven else "time limit")
        return bound


def _groups(db: Session, proposal: Proposal) -> list[list[int]]:
    rows = db.exec(select(Group.number, Membership.application_id)
                   .join(Membership, Membership.group_id == Group.id)
                   .where(Group.proposal_id == proposal.id)
                   .order_by(Group.number, Membership.application_id)).all()
    groups: dict[int, list[int]] = {}
    for number, application_id in rows:
        groups.setdefault(number, []).append(application_id)
    return [groups[n] for n in sorted(groups)]
