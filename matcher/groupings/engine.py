"""The working-group engine: split a sector's applicants into groups of at most seven.

Objective
---------
Every pair of applicants has an *affinity*, the weighted sum of the criteria in
:mod:`matcher.groupings.criteria` (``weights``, 0 switches a criterion off). A group's score is

    score(g) = sum of the affinities of its pairs - penalty x (rule breaks in g)

where a rule break is a group without a large buyer (``large_buyer="soft"`` or ``"hard"``) or
a member alone from their country (``no_lone_country=True``). The objective protects the worst
group::

    objective = sum of group scores + fairness x min group score      (fairness = 1.0)

so with ``fairness=1`` the worst group counts twice: the search will give up a little of the
total to lift a group nobody would want to be in. ``penalty`` (default 1.0) is in units of
affinity: one rule break costs as much as one pair sharing everything on a criterion of
weight 1. Hard constraints (sizes, ``locked``, ``together``, ``apart``, ``large_buyer="hard"``)
are never traded against the objective: the search only visits assignments that keep them.

``no_lone_country`` is read as: in every group, each country present appears at least twice
(so nobody is the only one from their country); it is a soft rule, since one applicant from a
country could never satisfy it as a hard one. With ``region_mode="spread"`` it means "spread
across countries, in pairs".

Algorithm
---------
Together-chains are contracted into blocks; a greedy construction seeds each group (with a
large buyer when asked) and places blocks where they gain most; a local search then applies
the best move or swap of each block while one improves (deltas read from the affinity matrix,
see :mod:`matcher.groupings.search`); random kicks and restarts find other local optima, and the
best ``n_proposals`` distinct ones are returned. The work is counted in restarts and kicks, so
the same input and ``random_state`` give the same groups; ``time_limit`` (seconds) only stops
early on a slow machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matcher.groupings.applicants import Applicant, InfeasibleGrouping
from matcher.groupings.constraints import Blocks, build_blocks, plan_groups
from matcher.groupings.criteria import (
    CRITERIA,
    criterion_affinity,
    motivation_similarity,
    pool_features,
)
from matcher.groupings.explain import pair_reasons
from matcher.groupings.results import Partition, Scorecard
from matcher.groupings.search import CountTerm, SearchProblem, Solution, search

__all__ = ["DEFAULT_WEIGHTS", "WorkingGroupBuilder"]

DEFAULT_WEIGHTS: Mapping[str, float] = {"interests": 1.0, "size_mix": 0.0, "region": 0.0}
REGION_MODES = ("near", "spread")
LARGE_BUYER_MODES = ("off", "soft", "hard")
TOP_PARTNERS = 3
ALTERNATIVES_TRIED = 3  # groups, by pair gain, whose exact move cost an explanation computes


class WorkingGroupBuilder(BaseEstimator):
    """Split a pool of applicants into working groups, and explain the split.

    Parameters
    ----------
    max_group_size, min_group_size : int, default 7 and 3
        Hard bounds on every group's size (7 is the most allowed).
    n_groups : int, optional
        Number of groups; by default ``ceil(n / max_group_size)``.
    max_groups : int, optional
        Cap on the number of groups; applicants beyond their room go to the waitlist.
    weights : dict, optional
        Criterion weights, merged over ``{"interests": 1.0, "size_mix": 0.0, "region": 0.0}``.
    region_mode : {"near", "spread"}, default "near"
    large_buyer : {"off", "soft", "hard"}, default "off"
        At least one large buyer (top ``large_buyer_quantile`` of sizes) per group: "soft"
        costs ``penalty`` per group without one, "hard" is a constraint.
    large_buyer_quantile : float, default 0.8
    no_lone_country : bool, default False
        Soft rule: each country present in a group appears at least twice.
    penalty : float, default 1.0
        Cost of one soft rule break, in affinity units.
    fairness : float, default 1.0
        Weight of the worst group's score added to the sum of group scores.
    locked : dict, optional
        ``{applicant_id: group_index}`` (0-based) members that stay in their group.
    together, apart : sequence of (id, id) pairs
    n_proposals : int, default 3
        Distinct proposals to keep, best first.
    n_restarts, n_kicks : int, optional
        Search effort; by default scaled down as the pool grows.
    time_limit : float, optional
        Seconds after which the search stops early (default: generous, by pool size).
    random_state : int, optional

    Attributes
    ----------
    partitions_ : list of Partition
        Best first; each has ``groups``, ``waitlist``, ``objective``, ``scores``,
        ``explanations``.
    affinity_ : ndarray of shape (n, n)
        Weighted pair affinities, the numbers every score and explanation comes from.
    n_groups_ : int
    index_ : dict
        Applicant id to row of ``affinity_``.

    Examples
    --------
    >>> from matcher.groupings import Applicant, WorkingGroupBuilder
    >>> pool = [Applicant("a1", ["e-buses"]), Applicant("a2", ["e-buses"]),
    ...         Applicant("a3", ["e-buses"]), Applicant("b1", ["charging"]),
    ...         Applicant("b2", ["charging"]), Applicant("b3", ["charging"])]
    >>> builder = WorkingGroupBuilder(max_group_size=3, random_state=0).fit(pool)
    >>> sorted(sorted(group) for group in builder.partitions_[0].groups)
    [['a1', 'a2', 'a3'], ['b1', 'b2', 'b3']]
    >>> builder.partitions_[0].explanations[0]["members"]["a1"]["why_here"][0]
    'shares e-buses with a2'
    """

    def __init__(self, *, max_group_size: int = 7, min_group_size: int = 3,
                 n_groups: int | None = None, max_groups: int | None = None,
                 weights: Mapping[str, float] | None = None, region_mode: str = "near",
                 large_buyer: str = "off", large_buyer_quantile: float = 0.8,
                 no_lone_country: bool = False, penalty: float = 1.0, fairness: float = 1.0,
                 locked: Mapping[str, int] | None = None,
                 together: Sequence[tuple[str, str]] = (), apart: Sequence[tuple[str, str]] = (),
                 n_proposals: int = 3, n_restarts: int | None = None, n_kicks: int | None = None,
                 time_limit: float | None = None, random_state: int | None = None):
        self.max_group_size = max_group_size
        self.min_group_size = min_group_size
        self.n_groups = n_groups
        self.max_groups = max_groups
        self.weights = weights
        self.region_mode = region_mode
        self.large_buyer = large_buyer
        self.large_buyer_quantile = large_buyer_quantile
        self.no_lone_country = no_lone_country
        self.penalty = penalty
        self.fairness = fairness
        self.locked = locked
        self.together = together
        self.apart = apart
        self.n_proposals = n_proposals
        self.n_restarts = n_restarts
        self.n_kicks = n_kicks
        self.time_limit = time_limit
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, applicants: Iterable[Applicant], y=None) -> WorkingGroupBuilder:
        """Group the applicants; the proposals land in ``partitions_``.

        Raises
        ------
        InfeasibleGrouping
            When the settings and constraints admit no grouping (the message says why).
        """
        self.applicants_ = list(applicants)
        self.weights_ = self._checked_weights()
        self._check_modes()
        ids = [a.id for a in self.applicants_]
        self.index_ = _unique_index(ids)
        self.plan_ = plan_groups(len(ids), self.min_group_size, self.max_group_size,
                                 self.n_groups, self.max_groups)
        self.n_groups_ = self.plan_.n_groups
        self.blocks_ = build_blocks(ids, self.together, self.apart, self.locked or {},
                                    self.plan_, self.max_group_size)
        self.features_ = pool_features(self.applicants_, self.large_buyer_quantile)
        self._check_large_buyers()
        self.criterion_affinity_ = self._criterion_matrices()
        self.affinity_ = sum((w * self.criterion_affinity_[c] for c, w in self.weights_.items()
                              if w), start=np.zeros((len(ids), len(ids))))
        solutions = search(self._search_problem(), np.random.default_rng(self.random_state),
                           *self._effort(), keep=max(self.n_proposals, 1) * 3)
        self.partitions_ = self._proposals(solutions)
        return self

    def _criterion_matrices(self) -> dict[str, np.ndarray]:
        """The switched-on criteria's affinities, zero diagonal (float32: 16 MB at n=2,000)."""
        everyone = np.arange(len(self.applicants_))
        matrices = {}
        for criterion, weight in self.weights_.items():
            if weight:
                matrix = criterion_affinity(self.features_, criterion, self.region_mode,
                                            everyone, everyone).astype(np.float32)
                np.fill_diagonal(matrix, 0.0)
                matrices[criterion] = matrix
        return matrices

    def _checked_weights(self) -> dict[str, float]:
        weights = dict(DEFAULT_WEIGHTS)
        for criterion, weight in (self.weights or {}).items():
            if criterion not in CRITERIA:
                raise ValueError(f"unknown criterion {criterion!r}; expected one of {CRITERIA}")
            if weight < 0:
                raise ValueError(f"weight of {criterion!r} must be >= 0, got {weight}")
            weights[criterion] = float(weight)
        return weights

    def _check_modes(self) -> None:
        if self.region_mode not in REGION_MODES:
            raise ValueError(f"region_mode must be one of {REGION_MODES}")
        if self.large_buyer not in LARGE_BUYER_MODES:
            raise ValueError(f"large_buyer must be one of {LARGE_BUYER_MODES}")

    def _check_large_buyers(self) -> None:
        if self.large_buyer != "hard":
            return
        blocks_with_large = sum(bool(self.features_.large[m].any()) for m in self.blocks_.members)
        if blocks_with_large < self.n_groups_:
            threshold = self.features_.large_threshold
            size = f" (size {threshold:,.0f} or more)" if threshold else ""
            raise InfeasibleGrouping(
                f"every group needs a large buyer{size} but only {blocks_with_large} can be "
                f"spread over {self.n_groups_} groups")

    def _effort(self) -> tuple[int, int, float]:
        """Restarts, kicks per restart and a time limit; defaults sized for the speed targets
        (under 1 s at 100 applicants, 5 s at 500, 30 s at 2,000 on two cores)."""
        n = len(self.applicants_)
        restarts, kicks = (8, 60) if n <= 50 else (4, 30) if n <= 200 else (
            (2, 40) if n <= 800 else (1, 60))
        # small pools get room to finish their (cheap) budget even on a busy machine
        time_limit = 3.0 if n <= 50 else min(0.5 + max(n - 100, 0) / 150, 12.0)
        return (self.n_restarts or restarts,
                kicks if self.n_kicks is None else self.n_kicks,
                time_limit if self.time_limit is None else self.time_limit)

    def _search_problem(self) -> SearchProblem:
        blocks, f, size = self.blocks_, self.features_, self.max_group_size
        to_block = _membership_matrix(blocks)
        unit = self.max_group_size * (sum(self.weights_.values()) + 2 * self.penalty) + 1.0
        placement_bonus = 10 * unit * (1 + self.fairness)
        affinity = self.affinity_.copy()
        for i, j in blocks.apart:
            affinity[i, j] = affinity[j, i] = -100 * placement_bonus
        block_affinity = np.asarray((to_block.T @ (to_block.T @ affinity).T).T)
        internal = np.diag(block_affinity) / 2
        np.fill_diagonal(block_affinity, 0.0)
        terms, preferred = [], None
        if self.large_buyer != "off":
            large = np.asarray(to_block.T @ f.large.astype(float)).reshape(-1, 1)
            phi = np.zeros((1, size + 2))
            phi[0, 0] = self.penalty if self.large_buyer == "soft" else 10 * placement_bonus
            terms.append(CountTerm(counts=large.astype(int), phi=phi))
            preferred = large[:, 0] > 0
        if self.no_lone_country and (f.country_codes >= 0).any():
            known = f.country_codes >= 0
            one_hot = sp.csr_matrix((np.ones(known.sum()), (np.flatnonzero(known),
                                    f.country_codes[known])))
            one_hot.resize((f.n, f.country_codes.max() + 1))
            counts = np.asarray((to_block.T @ one_hot).todense()).astype(int)
            phi = np.zeros((counts.shape[1], size + 2))
            phi[:, 1] = self.penalty
            terms.append(CountTerm(counts=counts, phi=phi))
        return SearchProblem(
            affinity=block_affinity, internal=internal,
            weight=np.array([len(m) for m in blocks.members]), locked=blocks.locked,
            n_groups=self.n_groups_, n_waitlisted=self.plan_.n_waitlisted,
            min_size=self.min_group_size, max_size=size, terms=terms, preferred_seeds=preferred,
            fairness=self.fairness, placement_bonus=placement_bonus,
        )

    def _proposals(self, solutions: list[Solution]) -> list[Partition]:
        scored, first_problem = [], None
        for solution in solutions:
            groups, waitlisted = self._groups_of(solution.group)
            card = self.score(groups, waitlisted)
            if card.violations:
                first_problem = first_problem or card.violations[0]
                continue
            scored.append((groups, waitlisted, card))
        if not scored:
            raise InfeasibleGrouping(
                f"no grouping found that keeps every constraint: {first_problem}")
        scored.sort(key=lambda item: -item[2].objective)
        # Explanations cost a good share of a fit: only for the proposals returned.
        return [
            Partition(groups=groups, waitlist=self._waitlist_reasons(groups, waitlisted),
                      objective=card.objective, scores=card.scores,
                      explanations=self.explain(groups, card.scores))
            for groups, waitlisted, card in scored[: self.n_proposals]
        ]

    def _groups_of(self, block_group: np.ndarray) -> tuple[list[list[str]], list[str]]:
        member_group = block_group[self.blocks_.membership]
        ids = [a.id for a in self.applicants_]
        groups = [[ids[i] for i in np.flatnonzero(member_group == h)]
                  for h in range(self.n_groups_)]
        return groups, [ids[i] for i in np.flatnonzero(member_group >= self.n_groups_)]

    def _waitlist_reasons(self, groups: list[list[str]],
                          waitlisted: list[str]) -> list[tuple[str, str]]:
        """Waitlisted applicants, best fit first, each with the reason in words."""
        if not waitlisted:
            return []
        fit = self.affinity_[self._indices(waitlisted)] @ self._group_matrix(groups)
        cap = f"at most {self.max_groups} groups" if self.max_groups else f"{len(groups)} groups"
        entries = []
        for row, applicant_id in enumerate(waitlisted):
            best = int(np.argmax(fit[row]))
            reason = (f"No room: {cap} of at most {self.max_group_size} are full. "
                      f"Best fit: group {best + 1} (affinity {fit[row, best]:.2f}).")
            entries.append((float(fit[row, best]), applicant_id, reason))
        entries.sort(key=lambda e: (-e[0], self.index_[e[1]]))
        return [(applicant_id, reason) for _, applicant_id, reason in entries]

    # -- scoring an assignment ----------------------------------------------------------------

    def score(self, groups: Sequence[Sequence[str]],
              waitlist: Iterable[str | tuple[str, str]] = ()) -> Scorecard:
        """Objective and group scores of any assignment, with the hard rules it breaks.

        Violations (sizes, locks, together, apart, hard large buyer, applicants missing or
        placed twice) are reported in ``violations``, not raised, so that a coordinator's
        manual edit can be shown with its problems.
        """
        check_is_fitted(self, "affinity_")
        known = [[m for m in group if m in self.index_] for group in groups]
        scores = [self._group_score(self._indices(group)) for group in known]
        waitlisted = [w if isinstance(w, str) else w[0] for w in waitlist]
        return Scorecard(objective=self._objective(scores), scores=scores,
                         violations=self._violations(groups, waitlisted))

    def score_move(self, groups: Sequence[Sequence[str]], member: str, to_group: int | None,
                   group_scores: Sequence[float] | None = None) -> float:
        """Change of the objective if ``member`` moves to ``to_group`` (None: the waitlist).

        Reads the member's affinity row against the two groups concerned (O(group size));
        pass the current ``group_scores`` (from :meth:`score`) to skip recomputing them.
        """
        check_is_fitted(self, "affinity_")
        from_group = next((h for h, group in enumerate(groups) if member in group), None)
        if from_group == to_group:
            return 0.0
        scores = list(group_scores) if group_scores is not None else self.score(groups).scores
        new_scores = self._scores_after_move(groups, member, from_group, to_group, scores)
        return self._objective(new_scores) - self._objective(scores)

    def _scores_after_move(self, groups, member, from_group, to_group, scores) -> list[float]:
        i = self.index_[member]
        new_scores = list(scores)
        if from_group is not None:
            rest = self._indices([m for m in groups[from_group] if m != member])
            before = self._rule_break_count(np.append(rest, i))
            new_scores[from_group] += (-self.affinity_[i, rest].sum()
                                       + self.penalty * (before - self._rule_break_count(rest)))
        if to_group is not None:
            target = self._indices(groups[to_group])
            before = self._rule_break_count(target)
            new_scores[to_group] += (self.affinity_[i, target].sum() + self.penalty * (
                before - self._rule_break_count(np.append(target, i))))
        return new_scores

    def _objective(self, scores: Sequence[float]) -> float:
        if not scores:
            return 0.0
        return float(sum(scores) + self.fairness * min(scores))

    def _group_score(self, members: np.ndarray) -> float:
        pairs = self.affinity_[np.ix_(members, members)].sum() / 2
        return float(pairs - self.penalty * self._rule_break_count(members))

    def _rule_break_count(self, members: np.ndarray) -> int:
        return len(self._rule_breaks(members))

    def _rule_breaks(self, members: np.ndarray) -> list[str]:
        """The soft rules a group breaks, in words."""
        breaks = []
        f = self.features_
        if self.large_buyer != "off" and len(members) and not f.large[members].any():
            breaks.append("no large buyer")
        if self.no_lone_country:
            countries = [f.countries[i] for i in members]
            breaks += [f"{self.applicants_[i].label} is alone from {country}"
                       for i, country in zip(members, countries, strict=True)
                       if country and countries.count(country) == 1]
        return breaks

    def _violations(self, groups: Sequence[Sequence[str]], waitlisted: list[str]) -> list[str]:
        where = {}
        problems = []
        for h, group in enumerate(groups):
            for member in group:
                if member not in self.index_:
                    problems.append(f"{member} did not apply")
                elif member in where:
                    problems.append(f"{member} is placed twice")
                where[member] = h
        for member in waitlisted:
            if member in where:
                problems.append(f"{member} is both placed and waitlisted")
            where.setdefault(member, None)
        problems += [f"{a.id} is neither placed nor waitlisted" for a in self.applicants_
                     if a.id not in where]
        problems += self._size_violations(groups)
        problems += self._pair_violations(where)
        for member, group in (self.locked or {}).items():
            if where.get(member) != group:
                problems.append(f"{member} is locked in group {group + 1} but was moved")
        if self.large_buyer == "hard":
            problems += [f"group {h + 1} has no large buyer" for h, group in enumerate(groups)
                         if group and not self.features_.large[self._indices(group)].any()]
        return problems

    def _size_violations(self, groups: Sequence[Sequence[str]]) -> list[str]:
        problems = []
        if self.max_groups is not None and len(groups) > self.max_groups:
            problems.append(f"{len(groups)} groups but at most {self.max_groups} are allowed")
        for h, group in enumerate(groups):
            if not self.min_group_size <= len(group) <= self.max_group_size:
                problems.append(f"group {h + 1} has {len(group)} members; groups hold "
                                f"{self.min_group_size} to {self.max_group_size}")
        return problems

    def _pair_violations(self, where: Mapping[str, int | None]) -> list[str]:
        problems = [f"{a} and {b} must be together" for a, b in self.together
                    if where.get(a) is None or where.get(a) != where.get(b)]
        problems += [f"{a} and {b} must be apart" for a, b in self.apart
                     if where.get(a) is not None and where.get(a) == where.get(b)]
        return problems

    # -- explaining ----------------------------------------------------------------------------

    def explain(self, groups: Sequence[Sequence[str]],
                scores: Sequence[float] | None = None) -> list[dict]:
        """Per group: criterion shares, rule breaks, and per member why it is here.

        Each member gets ``why_here`` (its top partners and what they share),
        ``partner_reasons`` (keyed by partner id), ``contribution`` (the sum of its
        affinities in the group) and ``best_alternative``: the group whose move would cost the
        least, with the objective's change (``delta``, negative = a loss) and whether the
        sizes would allow it.
        """
        check_is_fitted(self, "affinity_")
        scores = list(scores) if scores is not None else self.score(groups).scores
        gains = self.affinity_ @ self._group_matrix(groups)
        return [self._explain_group(groups, h, scores, gains) for h in range(len(groups))]

    def _explain_group(self, groups, h: int, scores, gains: np.ndarray) -> dict:
        members = self._indices(groups[h])
        block = np.ix_(members, members)
        points = {c: float(self.weights_[c] * matrix[block].sum(dtype=float) / 2)
                  for c, matrix in self.criterion_affinity_.items()}
        positive = sum(points.values())
        breaks = self._rule_breaks(members)
        similarity = motivation_similarity(self.features_, members, members)
        return {
            "group": h,
            "score": scores[h],
            "criteria": {c: (p / positive if positive > 0 else 0.0) for c, p in points.items()},
            "points": points,
            "penalty": self.penalty * len(breaks),
            "rule_breaks": breaks,
            "members": {self.applicants_[i].id: self._explain_member(
                groups, h, row, members, similarity[row], scores, gains)
                for row, i in enumerate(members)},
        }

    def _explain_member(self, groups, h: int, row: int, members: np.ndarray,
                        similarity: np.ndarray, scores, gains: np.ndarray) -> dict:
        i = members[row]
        partners = sorted((j for j in range(len(members)) if j != row),
                          key=lambda j: (-self.affinity_[i, members[j]], members[j]))
        reasons = {self.applicants_[members[j]].id: pair_reasons(
            self.features_, self.applicants_, i, members[j], self.weights_, self.region_mode,
            similarity[j]) for j in partners}
        partners = [members[j] for j in partners]
        why_here = [f"{'; '.join(reasons[self.applicants_[j].id])} with "
                    f"{self.applicants_[j].label}"
                    for j in partners[:TOP_PARTNERS]
                    if self.affinity_[i, j] > 0 and reasons[self.applicants_[j].id]]
        return {
            "why_here": why_here,
            "partner_reasons": reasons,
            "contribution": float(self.affinity_[i, partners].sum()),
            "best_alternative": self._best_alternative(groups, h, i, scores, gains[i]),
        }

    def _best_alternative(self, groups, h: int, i: int, scores, gain_row) -> dict | None:
        others = [g for g in np.argsort(-gain_row, kind="stable") if g != h]
        if not others:
            return None
        member = self.applicants_[i].id
        deltas = {int(g): self._objective(self._scores_after_move(groups, member, h, int(g),
                                                                  scores))
                  - self._objective(scores) for g in others[:ALTERNATIVES_TRIED]}
        best = max(deltas, key=lambda g: (deltas[g], -g))
        fits = (len(groups[best]) < self.max_group_size
                and len(groups[h]) > self.min_group_size)
        return {"group": best, "delta": deltas[best], "fits": fits}

    # -- helpers ---------------------------------------------------------------------------------

    def _indices(self, ids: Iterable[str]) -> np.ndarray:
        return np.array([self.index_[m] for m in ids], dtype=int)

    def _group_matrix(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """(n, n_groups) 0/1: who is in which group."""
        matrix = np.zeros((len(self.applicants_), len(groups)))
        for h, group in enumerate(groups):
            matrix[self._indices([m for m in group if m in self.index_]), h] = 1.0
        return matrix


def _unique_index(ids: Sequence[str]) -> dict[str, int]:
    index = {}
    for i, applicant_id in enumerate(ids):
        if applicant_id in index:
            raise InfeasibleGrouping(f"{applicant_id} applied twice")
        index[applicant_id] = i
    return index


def _membership_matrix(blocks: Blocks) -> sp.csr_matrix:
    block_of = blocks.membership
    n = len(block_of)
    return sp.csr_matrix((np.ones(n), (np.arange(n), block_of)), shape=(n, len(blocks.members)))
