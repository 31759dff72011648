"""Signal weights learned from what enterprises save and dismiss.

The engine's DEFAULT_WEIGHTS are fitted on a graded set (bench.relevance). Enterprises grade
their own lists as they use them: a saved tender is better for that enterprise than one it
dismissed. ``fit_from_feedback`` turns those pairs into weights with the same pairwise model
(``matcher.tenders.fit_signal_weights``), pulls them towards the defaults as if those had
been fitted on PRIOR_PAIRS pairs (a little feedback moves them a little), and stores them;
the next index build scores with the newest stored weights (``weights_in_use``). It runs from
the command line (``matchmaker index fit-weights``), never in a request: it fits the engine
on every open tender, as a build does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlmodel import Session, col, select

from matcher.tenders import (
    DEFAULT_WEIGHTS,
    TenderMatcher,
    fit_signal_weights,
    pair_signals,
    shrunk_weights,
)
from models import Enterprise, FeedbackAction, MatchFeedback, SignalWeights
from webapp.db import writes
from webapp.errors import Conflict
from webapp.tenders.services.matching import enterprise_profile, reference_lists

__all__ = ["FeedbackFit", "TooLittleFeedback", "fit_from_feedback", "weights_in_use"]

#: Enterprises with at least one save and one dismissal of open tenders needed for a fit: with
#: fewer, one enterprise's taste would set everyone's weights.
MIN_ENTERPRISES = 3
#: The defaults count as if fitted on this many (better, worse) pairs: about what ten
#: enterprises that saved three and dismissed seven tenders each give (10 x 3 x 7 = 210).
#: The prior is always the defaults, never the last stored fit: a refit on the same feedback
#: then gives the same weights, instead of pulling them a little further each time.
PRIOR_PAIRS = 200
_GRADES = {FeedbackAction.SAVED.value: 2, FeedbackAction.DISMISSED.value: 0}


class TooLittleFeedback(Conflict):
    """Not enough enterprises have both saved and dismissed open tenders yet."""


@dataclass(frozen=True)
class FeedbackFit:
    before: dict[str, float]  # the weights in use until now
    fitted: dict[str, float]  # from the feedback alone
    weights: dict[str, float]  # shrunk towards DEFAULT_WEIGHTS: what is stored
    n_enterprises: int
    n_pairs: int
    stored: bool


def weights_in_use(db: Session) -> dict[str, float]:
    """The newest stored weights, or the engine's defaults when none were fitted."""
    row = db.exec(select(SignalWeights).order_by(col(SignalWeights.id).desc())).first()
    return dict(row.weights) if row is not None else dict(DEFAULT_WEIGHTS)


@writes
def fit_from_feedback(db: Session, tenders, now: datetime | None = None,
                      store: bool = True) -> FeedbackFit:
    """Fit weights on the saves and dismissals of open ``tenders`` (TenderItems, as the index
    loads them) and, unless ``store`` is False, store them for the next build.

    Raises TooLittleFeedback when fewer than MIN_ENTERPRISES enterprises have both kinds.
    """
    by_enterprise: dict[int, dict[int, int]] = defaultdict(dict)
    for feedback in db.exec(select(MatchFeedback)):
        if feedback.action in _GRADES:
            by_enterprise[feedback.enterprise_id][feedback.tender_id] = _GRADES[feedback.action]
    graded = {e: grades for e, grades in by_enterprise.items() if len(set(grades.values())) > 1}
    if len(graded) < MIN_ENTERPRISES:
        raise TooLittleFeedback(
            f"Only {len(graded)} enterprises have both saved and dismissed tenders; "
            f"{MIN_ENTERPRISES} are needed before weights are fitted from feedback.")
    before = weights_in_use(db)
    # Every enterprise, as a build fits them: the text calibration and the evidence words
    # read the whole corpus, so the signals are those the lists show.
    enterprises = [enterprise_profile(e)
                   for e in db.exec(select(Enterprise).order_by(Enterprise.id))]
    cpv_tree, nuts_names = reference_lists(db)
    matcher = TenderMatcher(cpv_tree=cpv_tree, nuts_names=nuts_names, weights=before).fit(
        tenders, enterprises, now=now or datetime.now(UTC))
    position = {t.id: i for i, t in enumerate(matcher.tenders_)}
    X, grades, groups = [], [], []
    for row, enterprise in enumerate(matcher.enterprises_):
        rated = [(position[t], g) for t, g in graded.get(enterprise.id, {}).items()
                 if t in position]
        if not rated:
            continue
        values, open_ = pair_signals(matcher, row, np.array([p for p, _ in rated]))
        # Only tenders still offered to it: a gated one (moved out of reach, say) has no
        # signals to compare.
        X.extend(values[open_])
        grades.extend(g for (_, g), is_open in zip(rated, open_, strict=True) if is_open)
        groups.extend([row] * int(open_.sum()))
    grades_array, groups_array = np.array(grades), np.array(groups)
    pairs_of = {g: int((grades_array[groups_array == g] == 2).sum()
                       * (grades_array[groups_array == g] == 0).sum())
                for g in np.unique(groups_array)}
    n_enterprises = sum(1 for n in pairs_of.values() if n)
    if n_enterprises < MIN_ENTERPRISES:
        raise TooLittleFeedback(
            f"Only {n_enterprises} enterprises have both a saved and a dismissed tender that "
            f"are still open and in their lists; {MIN_ENTERPRISES} are needed before weights "
            "are fitted from feedback.")
    n_pairs = sum(pairs_of.values())
    fitted = fit_signal_weights(np.array(X), grades_array, groups_array)
    weights = shrunk_weights(fitted, DEFAULT_WEIGHTS, n_pairs, PRIOR_PAIRS)
    if store:
        db.add(SignalWeights(weights=weights, n_enterprises=n_enterprises, n_pairs=n_pairs))
        db.commit()
    return FeedbackFit(before, dict(fitted), weights, n_enterprises, n_pairs, store)
