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

__all__ = ["fit_signal_weights", "pair_signal_matrix"]


def pair_signal_matrix(matcher: TenderMatcher) -> tuple[np.ndarray, np.ndarray]:
    """Signals of every fitted enterprise against every fitted tender, as the engine sees them.

    Returns
    -------
    values : ndarray of shape (n_enterprises, n_tenders, len(SIGNALS))
        The signals of the tender's best open lot; NaN where a signal is absent.
    open_ : ndarray of shape (n_enterprises, n_tenders) of bool
        Whether the tender is offered to the enterprise at all (not gated).
    """
    values = np.full((matcher.n_enterprises_, matcher.n_tenders_, len(SIGNALS)), np.nan)
    open_ = np.zeros((matcher.n_enterprises_, matcher.n_tenders_), dtype=bool)
    starts = matcher.tender_first_unit_
    for row in range(matcher.n_enterprises_):
        side = matcher.enterprise_side_.rows([row])
        unit_scores = matcher._unit_scores(side)[0]
        unit_values, scores = matcher._pair_signals(side, matcher.unit_side_)
        ranked = np.where(unit_scores >= 0, scores, -np.inf)
        for tender in range(matcher.n_tenders_):
            stop = starts[tender + 1] if tender + 1 < matcher.n_tenders_ else matcher.n_units_
            best = starts[tender] + int(np.argmax(ranked[starts[tender] : stop]))
            if np.isfinite(ranked[best]):
                open_[row, tender] = True
                values[row, tender] = unit_values[best]
    return values, open_


def _filled(X: np.ndarray) -> np.ndarray:
    """Absent signals take the mean of the pair's present ones: the weighted mean leaves them
    out, which is the same as giving them the mean of the others."""
    X = np.array(X, dtype=np.float64)
    present = ~np.isnan(X)
    row_mean = np.where(present, X, 0.0).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    return np.where(present, X, row_mean[:, None])


def fit_signal_weights(
    X: np.ndarray, grades: np.ndarray, groups: np.ndarray, C: float = 1.0
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
    C : float, default=1.0
        Inverse regularisation strength of the logistic model.

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
