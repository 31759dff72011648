"""Learn the signal weights of the tender matcher from graded pairs.

The score is the weighted mean of the signals a pair has, so only the ratios of the weights
matter for the order. A pairwise logistic model (the RankNet / RankSVM idea with a linear
scorer) fits them directly for the order: for each enterprise, every pair of tenders with
different grades gives one example, the difference of their signal vectors, labelled by which
one is better and weighted by how much better (difference of the nDCG gains 2^grade - 1).
The weights are the coefficients, clipped at 0 (a signal may not count against a tender)
and scaled to sum to 1.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.linear_model import LogisticRegression

from matcher.tenders.engine import SIGNALS, TenderMatcher

__all__ = ["fit_signal_weights", "pair_signal_matrix", "pair_signals", "shrunk_weights"]


def pair_signal_matrix(matcher: TenderMatcher) -> tuple[np.ndarray, np.ndarray]:
    """Signals of every fitted enterprise against every fitted tender, as the engine sees them.

    Returns
    -------
    values : ndarray of shape (n_enterprises, n_tenders, len(SIGNALS))
        The signals of the tender's best open lot; NaN where a signal is absent.
    open_ : ndarray of shape (n_enterprises, n_tenders) of bool
        Whether the tender is offered to the enterprise at all (not gated).
    """
    every_tender = np.arange(matcher.n_tenders_)
    pairs = [pair_signals(matcher, row, every_tender) for row in range(matcher.n_enterprises_)]
    return np.stack([v for v, _ in pairs]), np.stack([o for _, o in pairs])


def pair_signals(matcher: TenderMatcher, row: int,
                 tenders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signals of the fitted enterprise at ``row`` against the fitted tenders at positions
    ``tenders``: each tender's best open lot's, NaN where absent or gated (``open_`` False).
    One enterprise against every lot costs what one ranked list costs."""
    values = np.full((len(tenders), len(SIGNALS)), np.nan)
    open_ = np.zeros(len(tenders), dtype=bool)
    starts = matcher.tender_first_unit_
    side = matcher.enterprise_side_.rows([row])
    unit_scores = matcher._unit_scores(side)[0]
    unit_values, scores = matcher._pair_signals(side, matcher.unit_side_)
    ranked = np.where(unit_scores >= 0, scores, -np.inf)
    for i, tender in enumerate(tenders):
        stop = starts[tender + 1] if tender + 1 < matcher.n_tenders_ else matcher.n_units_
        best = starts[tender] + int(np.argmax(ranked[starts[tender] : stop]))
        if np.isfinite(ranked[best]):
            open_[i] = True
            values[i] = unit_values[best]
    return values, open_


def _filled(X: np.ndarray) -> np.ndarray:
    """Absent signals take the mean of the pair's present ones: the weighted mean leaves them
    out, which is the same as giving them the mean of the others."""
    X = np.array(X, dtype=np.float64)
    present = ~np.isnan(X)
    row_mean = np.where(present, X, 0.0).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    return np.where(present, X, row_mean[:, None])


def fit_signal_weights(
    X: np.ndarray, grades: np.ndarray, groups: np.ndarray, C: float = 0.1
) -> Mapping[str, float]:
    """Weights of ``SIGNALS`` fitted by pairwise logistic regression on graded pairs.

    Parameters
    ----------
    X : ndarray of shape (n_pairs, len(SIGNALS))
        Signal values of (enterprise, tender) pairs, NaN where absent.
    grades : ndarray of shape (n_pairs,)
        0, 1 or 2 (not relevant, partial, good).
    groups : ndarray of shape (n_pairs,)
        The enterprise of each pair: tenders are only compared for the same enterprise.
    C : float, default=0.1
        Inverse regularisation strength of the logistic model. 0.1 rather than 1: the
        graded pairs are those of the default reach, where every tender is near, so a weak
        penalty lets the region weight grow (0.17 at C=1, 0.25 at C=100) and the wider reaches
        suffer (bench.relevance, reach=country: 0.886 at C=0.1, 0.871 at 1, 0.868 at 100).

    Returns
    -------
    dict
        Signal name -> weight, non-negative, summing to 1, rounded to 3 decimals.
    """
    X = _filled(X)
    grades = np.asarray(grades)
    differences, weights = [], []
    for group in np.unique(groups):
        rows = np.flatnonzero(groups == group)
        gains = 2.0 ** grades[rows] - 1
        better = gains[:, None] > gains[None, :]
        first, second = np.nonzero(better)
        differences.append(X[rows[first]] - X[rows[second]])
        weights.append(gains[first] - gains[second])
    if not differences or not sum(len(d) for d in differences):
        raise ValueError("no pair of tenders with different grades for the same enterprise")
    D = np.vstack(differences)
    w = np.concatenate(weights)
    # Both orientations, so the model needs no intercept and the classes are balanced.
    model = LogisticRegression(C=C, fit_intercept=False, max_iter=1000)
    model.fit(np.vstack([D, -D]), np.r_[np.ones(len(D)), np.zeros(len(D))],
              sample_weight=np.r_[w, w])
    coef = np.clip(model.coef_[0], 0.0, None)
    if coef.sum() <= 0:
        raise ValueError("no signal orders the graded pairs")
    coef = coef / coef.sum()
    return {name: round(float(c), 3) for name, c in zip(SIGNALS, coef, strict=True)}


def shrunk_weights(fitted: Mapping[str, float], prior: Mapping[str, float], n_pairs: int,
                   prior_pairs: int) -> dict[str, float]:
    """``fitted`` pulled towards ``prior`` as if the prior had been fitted on ``prior_pairs``
    pairs: a little feedback moves the weights a little, much feedback moves them far.
    Non-negative, summing to 1, rounded to 3 decimals."""
    if n_pairs < 0 or prior_pairs < 0 or n_pairs + prior_pairs == 0:
        raise ValueError("need a positive number of pairs")
    share = n_pairs / (n_pairs + prior_pairs)
    mixed = {name: share * fitted.get(name, 0.0) + (1 - share) * prior.get(name, 0.0)
             for name in SIGNALS}
    total = sum(mixed.values())
    return {name: round(value / total, 3) for name, value in mixed.items()}
