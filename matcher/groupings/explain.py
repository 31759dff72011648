"""Words for the numbers: why two applicants fit, in the terms of the criteria that scored them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from matcher.groupings.applicants import Applicant
from matcher.groupings.criteria import PoolFeatures, near_level
from matcher.text import N_, Text

__all__ = ["pair_reasons"]

SIMILAR_MOTIVATION = 0.2  # cosine of the TF-IDF vectors from which motivations read as similar
LEVEL_WORDS = {"nuts3": N_("in the same NUTS 3 area"), "nuts2": N_("in the same NUTS 2 region"),
               "nuts1": N_("in the same NUTS 1 region"), "country": N_("in the same country"),
               "language": N_("in a shared working language")}


def pair_reasons(features: PoolFeatures, applicants: Sequence[Applicant], i: int, j: int,
                 weights: Mapping[str, float], region_mode: str,
                 motivation_similarity: float) -> list[Text]:
    """Short reasons why applicants i and j gain from each other, for the switched-on criteria.

    ``motivation_similarity`` is the cosine of their motivations, computed by the caller for a
    whole group at once.
    """
    reasons = []
    if weights.get("interests"):
        reasons += _interest_reasons(applicants, i, j, motivation_similarity)
    if weights.get("size_mix"):
        reasons += _size_reasons(features, i, j)
    if weights.get("region"):
        reasons += _region_reasons(features, i, j, region_mode)
    return reasons


def _interest_reasons(applicants, i: int, j: int, motivation_similarity: float) -> list[str]:
    reasons = []
    shared = [t for t in applicants[i].interests if t in set(applicants[j].interests)]
    if shared:
        reasons.append(Text(N_("shares %(topics)s"), topics=", ".join(shared)))
    if motivation_similarity >= SIMILAR_MOTIVATION:
        reasons.append(Text(N_("similar motivation")))
    return reasons


def _size_reasons(f: PoolFeatures, i: int, j: int) -> list[str]:
    a, b = f.log_size[i], f.log_size[j]
    if np.isnan(a) or np.isnan(b) or abs(a - b) < 0.5:
        return []
    ratio = 10 ** abs(a - b)
    # say who is which: the reason is read from member i's side, about partner j
    if b > a:
        return [Text(N_("complementary size (the partner is about %(ratio)s× larger)"),
                     ratio=round(ratio))]
    return [Text(N_("complementary size (the partner is about %(ratio)s× smaller)"),
                 ratio=round(ratio))]


def _region_reasons(f: PoolFeatures, i: int, j: int, region_mode: str) -> list[str]:
    if region_mode == "spread":
        if f.countries[i] and f.countries[j] and f.countries[i] != f.countries[j]:
            return [Text(N_("a view from %(country)s"), country=f.countries[j])]
        return []
    level = near_level(f, i, j)
    return [Text(LEVEL_WORDS[level])] if level else []
