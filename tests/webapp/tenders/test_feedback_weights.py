"""Weights learned from what enterprises save and dismiss (`matchmaker index fit-weights`):
stored, read by the next index build, and refused with a reason while feedback is too thin."""

from sqlmodel import select

from matcher.tenders import DEFAULT_WEIGHTS
from models import Enterprise, FeedbackAction, MatchFeedback, SignalWeights
from webapp.db import ENGINE_KEY
from webapp.tenders.services import MatchFilters, current_index, ranked_for
from webapp.tenders.services.index import build_index
from webapp.tenders.services.weights import weights_in_use


def give_feedback_against_region(app, db, n_enterprises: int) -> int:
    """Each enterprise saves the tender of its list that is farthest away and dismisses the
    two nearest: feedback that says "nearness is not what we want"."""
    given = 0
    with app.test_request_context():
        for enterprise in db.exec(select(Enterprise).order_by(Enterprise.id)):
            matches = ranked_for(db, enterprise, MatchFilters(limit=50)).matches
            by_region = sorted(
                (next(s.value or 0.0 for s in m.signals if s.name == "region"), m.tender_id)
                for m in matches)
            if len(by_region) < 3 or by_region[0][0] >= by_region[-2][0]:
                continue
            db.add(MatchFeedback(enterprise_id=enterprise.id, tender_id=by_region[0][1],
                                 action=FeedbackAction.SAVED.value))
            for _, tender_id in by_region[-2:]:
                db.add(MatchFeedback(enterprise_id=enterprise.id, tender_id=tender_id,
                                     action=FeedbackAction.DISMISSED.value))
            given += 1
            if given == n_enterprises:
                break
    db.commit()
    return given


def test_feedback_against_nearness_lowers_the_region_weight_and_the_next_build_uses_it(app, db):
    assert give_feedback_against_region(app, db, 6) == 6
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["index", "fit-weights", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "From 6 enterprises' saves and dismissals (12 pairs" in dry.output
    assert "Nothing stored" in dry.output
    assert db.exec(select(SignalWeights)).first() is None

    result = runner.invoke(args=["index", "fit-weights"])
    assert result.exit_code == 0, result.output
    stored = db.exec(select(SignalWeights)).one()
    assert stored.n_enterprises == 6 and stored.n_pairs == 12
    assert abs(sum(stored.weights.values()) - 1) < 0.01
    # The feedback alone gives region nothing (the dry run's "feedback" column); pulled
    # towards the defaults (12 pairs against 200), the stored weight is lower than before.
    region_row = next(line.split() for line in dry.output.splitlines()
                      if line.startswith("region"))
    assert region_row == ["region", f"{DEFAULT_WEIGHTS['region']:.3f}", "0.000",
                          f"{stored.weights['region']:.3f}"]
    assert stored.weights["region"] < DEFAULT_WEIGHTS["region"]
    assert weights_in_use(db) == stored.weights

    # A refit on the same feedback gives the same weights: the prior is the defaults, not the
    # last fit (else each refit would pull them further).
    again = runner.invoke(args=["index", "fit-weights"])
    assert again.exit_code == 0, again.output
    rows = db.exec(select(SignalWeights).order_by(SignalWeights.id)).all()
    assert len(rows) == 2 and rows[1].weights == stored.weights

    build_index(app, app.extensions[ENGINE_KEY])
    with app.test_request_context():
        weights = current_index(db).matcher.weights
    assert dict(weights) == stored.weights


def test_too_little_feedback_is_refused_with_the_reason_and_stores_nothing(app, db):
    give_feedback_against_region(app, db, 2)
    result = app.test_cli_runner().invoke(args=["index", "fit-weights"])
    assert result.exit_code == 1
    assert "Only 2 enterprises have both saved and dismissed tenders; 3 are needed" in (
        result.output)
    assert db.exec(select(SignalWeights)).first() is None
    assert weights_in_use(db) == dict(DEFAULT_WEIGHTS)
