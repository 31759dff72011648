"""The exact proof of a run: a background job whose bound gives the proposal its badge."""

import re

import pytest
from sqlmodel import select

from models import Proposal
from tests.helpers import COORDINATOR, login, post_form
from webapp import jobs

SMALL = "circular-furniture"  # 12 applicants: SCIP proves it in seconds


@pytest.fixture
def coordinator(client):
    login(client, COORDINATOR)
    return client


def generate(client, slug=SMALL) -> int:
    response = post_form(client, f"/sectors/{slug}/proposals",
                         {"weight_interests": "1", "random_state": "0"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def badge(page: str) -> str:
    found = re.search(r'id="proof-badge"[^>]*>([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_proof_runs_after_generating_and_the_badge_shows_it(app, coordinator, db):
    app.config["GROUPING_PROOF_SECONDS"] = 60
    proposal_id = generate(coordinator)
    jobs.wait_idle(app, timeout=120)
    db.expire_all()
    best = db.get(Proposal, proposal_id)
    run = db.exec(select(Proposal).where(Proposal.run_key == best.run_key)).all()
    assert best.bound == pytest.approx(best.objective)  # the search found the optimum
    assert all(p.bound == best.bound and p.objective <= p.bound + 1e-9 for p in run)
    page = coordinator.get(f"/sectors/{SMALL}/proposals/{proposal_id}").get_data(as_text=True)
    assert badge(page) == "proven optimal"
    other = next(p for p in run if p.id != proposal_id)
    if other.objective < best.bound - 1e-9:
        page = coordinator.get(f"/sectors/{SMALL}/proposals/{other.id}").get_data(as_text=True)
        assert badge(page).startswith("within ") and "of the best possible" in badge(page)


def test_while_the_proof_runs_the_badge_says_so_and_polls(app, coordinator):
    proposal_id = generate(coordinator)  # test apps run no proof unless configured
    page = coordinator.get(f"/sectors/{SMALL}/proposals/{proposal_id}").get_data(as_text=True)
    assert badge(page) == ""
    app.config["GROUPING_PROOF_SECONDS"] = 60  # as if one were queued
    page = coordinator.get(f"/sectors/{SMALL}/proposals/{proposal_id}").get_data(as_text=True)
    assert badge(page) == "proving optimality…"
    assert 'hx-trigger="every 5s"' in page and 'hx-select="#proof-badge"' in page
    dutch = coordinator.get(f"/sectors/{SMALL}/proposals/{proposal_id}",
                            headers={"Accept-Language": "nl-NL,nl;q=0.9"}).get_data(as_text=True)
    assert badge(dutch) == "optimaliteit wordt bewezen…"


def test_pools_beyond_the_exact_model_or_with_a_waitlist_get_no_proof(app):
    app.config["GROUPING_PROOF_SECONDS"] = 60
    from webapp.groupings.services import proof

    def run(n):
        return Proposal(sector_id=1, run_key="x", parameters={"engine_pool": list(range(n))})

    with app.app_context():
        assert proof.eligible(run(40), n_placed=40)
        assert not proof.eligible(run(41), n_placed=41)
        assert not proof.eligible(run(30), n_placed=28)  # two on the waitlist


def test_the_proof_runs_on_the_real_queue(redis_app, coordinator, db):  # the real Redis
    redis_app.config["GROUPING_PROOF_SECONDS"] = 60
    proposal_id = generate(coordinator)
    db.expire_all()
    assert db.get(Proposal, proposal_id).bound is None  # queued, not run by the web process
    jobs.run_worker(redis_app, burst=True, simple=True)
    db.expire_all()
    best = db.get(Proposal, proposal_id)
    assert best.bound == pytest.approx(best.objective)
