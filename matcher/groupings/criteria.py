"""Pairwise criteria: how much two applicants gain from sharing a working group.

Every criterion maps a pair to an affinity in [0, 1]; the engine weighs and sums them.

* ``interests``: ``0.6 x`` Jaccard of the ticked sub-topics ``+ 0.4 x`` cosine of the
  motivations' TF-IDF vectors (only Jaccard when nobody wrote a motivation). Similar is better.
* ``size_mix``: complementary sizes, ``min(|log10 a - log10 b| / 1.5, 1)``: a pair whose sizes
  differ by 1.5 orders of magnitude or more scores 1, equal sizes 0, an unknown size 0. Small
  buyers gain market power next to large ones.
* ``region`` with ``region_mode="near"``: same NUTS 3 = 1, same NUTS 2 = 0.8, same NUTS 1 =
  0.6, same country = 0.4, a shared working language = 0.2, else 0 (travel, language and shared
  national rules). With ``"spread"``: 1 for two different countries, else 0 (cross-border
  learning).

A *large buyer* is an applicant at least ``large_buyer_quantile`` (default 0.8) of whose
pool's known sizes are strictly smaller: the top fifth by size; ties and unknown sizes are not
promoted (a pool of equal sizes has no large buyer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.groupings.applicants import Applicant

__all__ = ["CRITERIA", "PoolFeatures", "criterion_affinity", "motivation_similarity",
           "near_level", "pool_features", "weighted_affinity"]

CRITERIA = ("interests", "size_mix", "region")
TOPIC_SHARE = 0.6  # the rest of the interests criterion is motivation-text similarity
SIZE_SPAN_DECADES = 1.5
NEAR_LEVELS = (("nuts3", 1.0), ("nuts2", 0.8), ("nuts1", 0.6), ("country", 0.4),
               ("language", 0.2))
NUTS_COUNTRY_ALIASES = {"GR": "EL", "GB": "UK"}  # ISO 3166 -> NUTS


@dataclass
class PoolFeatures:
    """The numbers every criterion and explanation reads, computed once per pool."""

    topics: sp.csr_matrix  # (n, n_topics) 0/1
    topic_names: list[str]
    text: sp.csr_matrix | None  # (n, n_terms), rows L2-normalised; None without motivations
    log_size: np.ndarray  # log10 of the size, NaN when unknown
    large: np.ndarray  # bool: a large buyer
    large_threshold: float | None  # the size from which a buyer counts as large
    countries: list[str]  # NUTS-style country codes ("" when unknown)
    country_codes: np.ndarray  # int per applicant, -1 when unknown
    region_codes: dict[str, np.ndarray]  # level -> int code (unique negatives when unknown)
    languages: sp.csr_matrix  # (n, n_languages) 0/1
    language_sets: list[frozenset[str]]

    @property
    def n(self) -> int:
        """Number of applicants."""
        return self.topics.shape[0]


def pool_features(applicants: Sequence[Applicant], large_buyer_quantile: float) -> PoolFeatures:
    """Encode a pool of applicants into the arrays the criteria use."""
    topics, topic_names = _one_hot([a.interests for a in applicants])
    languages, _ = _one_hot([[lang.casefold() for lang in a.languages] for a in applicants])
    log_size = np.array([np.log10(a.size) if a.size and a.size > 0 else np.nan
                         for a in applicants])
    large = _large_buyers(log_size, large_buyer_quantile)
    countries = [_country(a) for a in applicants]
    return PoolFeatures(
        topics=topics, topic_names=topic_names, text=_motivation_vectors(applicants),
        log_size=log_size, large=large,
        large_threshold=float(10 ** log_size[large].min()) if large.any() else None,
        countries=countries, country_codes=_codes(countries),
        region_codes=_region_codes(applicants, countries), languages=languages,
        language_sets=[frozenset(lang.casefold() for lang in a.languages) for a in applicants],
    )


def _large_buyers(log_size: np.ndarray, quantile: float) -> np.ndarray:
    """Large when at least ``quantile`` of the known sizes are strictly smaller (so that a
    pool of equal sizes has no large buyer)."""
    known = np.sort(log_size[~np.isnan(log_size)])
    if known.size == 0:
        return np.zeros(log_size.shape, dtype=bool)
    smaller = np.searchsorted(known, np.nan_to_num(log_size, nan=-np.inf), side="left")
    return ~np.isnan(log_size) & (smaller >= quantile * known.size)


def criterion_affinity(features: PoolFeatures, criterion: str, region_mode: str,
                       rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """One criterion's affinities between ``rows`` and ``cols`` (indices), in [0, 1]."""
    if criterion == "interests":
        return _interests(features, rows, cols)
    if criterion == "size_mix":
        return _size_mix(features, rows, cols)
    if criterion == "region":
        return _near(features, rows, cols) if region_mode == "near" else _spread(
            features, rows, cols)
    raise ValueError(f"unknown criterion {criterion!r}; expected one of {CRITERIA}")


def weighted_affinity(features: PoolFeatures, weights: Mapping[str, float], region_mode: str,
                      rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The weighted sum of the switched-on criteria between ``rows`` and ``cols``."""
    total = np.zeros((len(rows), len(cols)))
    for criterion, weight in weights.items():
        if weight:
            total += weight * criterion_affinity(features, criterion, region_mode, rows, cols)
    return total


def _interests(f: PoolFeatures, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    shared = (f.topics[rows] @ f.topics[cols].T).toarray()
    counts = np.asarray(f.topics.sum(axis=1)).ravel()
    union = counts[rows][:, None] + counts[cols][None, :] - shared
    jaccard = np.divide(shared, union, out=np.zeros_like(shared, dtype=float), where=union > 0)
    if f.text is None:
        return jaccard
    return TOPIC_SHARE * jaccard + (1 - TOPIC_SHARE) * motivation_similarity(f, rows, cols)


def _size_mix(f: PoolFeatures, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    gap = np.abs(f.log_size[rows][:, None] - f.log_size[cols][None, :])
    return np.nan_to_num(np.minimum(gap / SIZE_SPAN_DECADES, 1.0), nan=0.0)


def _near(f: PoolFeatures, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    shared_language = (f.languages[rows] @ f.languages[cols].T).toarray() > 0
    score = np.where(shared_language, dict(NEAR_LEVELS)["language"], 0.0)
    for level, value in reversed(NEAR_LEVELS[:-1]):  # coarse to fine: finer levels overwrite
        codes = f.region_codes[level]
        score = np.where(codes[rows][:, None] == codes[cols][None, :], value, score)
    return score


def _spread(f: PoolFeatures, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    a, b = f.country_codes[rows][:, None], f.country_codes[cols][None, :]
    return ((a != b) & (a >= 0) & (b >= 0)).astype(float)


def near_level(f: PoolFeatures, i: int, j: int) -> str | None:
    """The finest region level two applicants share ("nuts3" ... "language"), if any."""
    for level, _ in NEAR_LEVELS[:-1]:
        codes = f.region_codes[level]
        if codes[i] == codes[j]:
            return level
    if f.language_sets[i] & f.language_sets[j]:
        return "language"
    return None


def motivation_similarity(f: PoolFeatures, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of the motivations' TF-IDF vectors (0 without motivations)."""
    if f.text is None:
        return np.zeros((len(rows), len(cols)))
    return np.clip((f.text[rows] @ f.text[cols].T).toarray(), 0.0, 1.0)


def _one_hot(labels: list[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    names = sorted({label for row in labels for label in row})
    column = {name: k for k, name in enumerate(names)}
    indptr, indices = [0], []
    for row in labels:
        indices.extend(sorted({column[label] for label in row}))
        indptr.append(len(indices))
    data = np.ones(len(indices))
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(labels), max(len(names), 1)))
    return matrix, names


def _motivation_vectors(applicants: Sequence[Applicant]) -> sp.csr_matrix | None:
    texts = [a.motivation for a in applicants]
    if not any(text.strip() for text in texts):
        return None
    try:
        return TfidfVectorizer(sublinear_tf=True).fit_transform(texts).tocsr()
    except ValueError:  # only stop words or punctuation
        return None


def _country(applicant: Applicant) -> str:
    code = (applicant.country or applicant.nuts[:2]).upper()
    return NUTS_COUNTRY_ALIASES.get(code, code)


def _codes(values: list[str]) -> np.ndarray:
    """Integer codes per distinct value; "" becomes -1."""
    known = {v: k for k, v in enumerate(sorted(set(values) - {""}))}
    return np.array([known.get(v, -1) for v in values], dtype=np.int64)


def _region_codes(applicants: Sequence[Applicant], countries: list[str]) -> dict[str, np.ndarray]:
    """Codes per NUTS level; an unknown region gets its own negative code, matching nobody."""
    prefixes = {"nuts3": 5, "nuts2": 4, "nuts1": 3}
    codes = {"country": _unique_when_missing(countries)}
    for level, length in prefixes.items():
        values = [a.nuts.upper()[:length] if len(a.nuts) >= length else "" for a in applicants]
        codes[level] = _unique_when_missing(values)
    return codes


def _unique_when_missing(values: list[str]) -> np.ndarray:
    codes = _codes(values)
    missing = np.flatnonzero(codes < 0)
    codes[missing] = -1 - np.arange(missing.size)
    return codes
