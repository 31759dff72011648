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
the same input and ``random_state`` give the same groups while the time budget
(``time_limit``) is not reached; every phase checks the budget, and when it cuts the search
short ``notes_`` says so. Pair affinities are float32 (n x n x 4 bytes: 400 MB at 10,000
applicants), shared with the search when no together or apart pair asks for a block matrix.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matcher.groupings.applicants import Applicant, InfeasibleGrouping
from matcher.groupings.constraints import Blocks, build_blocks, plan_groups
from matcher.groupings.criteria import (
    CRITERIA,
    criterion_affinity,
    pool_features,
)
from matcher.groupings.exact import ExactResult, Rules, solve_exact
from matcher.groupings.explain import pair_reasons
from matcher.groupings.results import Partition, Scorecard
from matcher.groupings.search import (
    Budget,
    CountTerm,
    SearchProblem,
    Solution,
    search,
    slot_sums,
)
from matcher.text import N_, Nn_, Text, TextList, plural

__all__ = ["DEFAULT_WEIGHTS", "WorkingGroupBuilder"]

DEFAULT_WEIGHTS: Mapping[str, float] = {"interests": 1.0, "size_mix": 0.0, "region": 0.0}
REGION_MODES = ("near", "spread")
LARGE_BUYER_MODES = ("off", "soft", "hard")
TOP_PARTNERS = 3
ALTERNATIVES_TRIED = 3  # groups, by pair gain, whose exact move cost an explanation computes
RESCUE_ROUNDS = 3  # searches in all when no solution found keeps every hard rule
CHUNK_CELLS = 4_000_000  # affinity cells computed at once (float64 temporaries of ~32 MB)


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
        Seconds for the whole fit (default by pool size: 0.25 s up to 50 applicants, about
        7 s at 2,000, 39 s at 10,000, at most 40 s). Every phase checks it: the first
        descent stops at half of it, the search at 70 %, the final descents at 80 %; the
        rest is for the explanations.
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
    notes_ : list of Text
        What the answer should say about itself: the time budget cut the search short, fewer
        distinct proposals than asked for.

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
        started = time.perf_counter()
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
        self.penalty_ = self.penalty * self._rule_unit()
        self.only_one_ = self._only_of_their_country()
        self.criterion_affinity_ = self._criterion_matrices()
        self.affinity_ = self._weighted(self.criterion_affinity_)
        n_restarts, n_kicks, seconds = self._effort()
        self.budget_ = Budget.of(seconds, started)
        problem, rng = self._search_problem(), np.random.default_rng(self.random_state)
        keep = max(self.n_proposals, 1) * 3
        solutions = search(problem, rng, n_restarts, n_kicks, self.budget_, keep)
        for rescue in range(1, RESCUE_ROUNDS + 1):
            try:
                self.partitions_ = self._proposals(solutions)
                break
            except InfeasibleGrouping:
                # Moves and swaps keep sizes, so a greedy start that put an apart pair
                # together beside blocks of other weights can be a dead end, and the greedy
                # starts are much alike: more starts, at random.
                if rescue == RESCUE_ROUNDS:
                    raise
                solutions = search(problem, rng, 4 * rescue * n_restarts + 4, n_kicks,
                                   Budget.of(seconds), keep, random_starts=True)
        self.notes_ = self._budget_notes()
        return self

    def _criterion_matrices(self) -> dict[str, np.ndarray]:
        """The switched-on criteria's affinities, zero diagonal, float32 (400 MB at n=10,000).

        Filled in blocks of rows so that the float64 temporaries of a criterion stay a few
        MB instead of n x n.
        """
        n = len(self.applicants_)
        everyone = np.arange(n)
        step = max(1, CHUNK_CELLS // max(n, 1))
        matrices = {}
        for criterion, weight in self.weights_.items():
            if weight:
                matrix = np.empty((n, n), dtype=np.float32)
                for start in range(0, n, step):
                    rows = everyone[start:start + step]
                    matrix[rows] = criterion_affinity(self.features_, criterion,
                                                      self.region_mode, rows, everyone)
                np.fill_diagonal(matrix, 0.0)
                matrices[criterion] = matrix
        return matrices

    def _weighted(self, matrices: Mapping[str, np.ndarray]) -> np.ndarray:
        """The weighted sum, float32; one criterion of weight 1 is its own matrix (no copy)."""
        n = len(self.applicants_)
        on = [(c, w) for c, w in self.weights_.items() if w]
        if len(on) == 1 and on[0][1] == 1.0:
            return matrices[on[0][0]]
        total = np.zeros((n, n), dtype=np.float32)
        for criterion, weight in on:
            total += np.float32(weight) * matrices[criterion]
        return total

    def _rule_unit(self) -> float:
        """The most one member can add to a group's pairs: (max size - 1) x the weights.

        ``penalty`` is counted in this unit, so that with the default (1) a rule break costs
        more than any one member brings, and a move or swap that mends a break is taken
        whenever one exists: the rule is met whenever it can be.
        """
        return max((self.max_group_size - 1) * sum(self.weights_.values()), 1.0)

    def _only_of_their_country(self) -> np.ndarray:
        """Applicants whose country nobody else in the pool shares (alone wherever placed)."""
        codes = self.features_.country_codes
        counts = np.bincount(codes[codes >= 0], minlength=max(codes.max(initial=-1) + 1, 1))
        return (codes >= 0) & (counts[np.maximum(codes, 0)] == 1)

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
            if threshold:
                message = Text(N_("every group needs a large buyer (size %(size)s or more) but "
                                  "only %(n)s can be spread over %(groups)s groups"),
                               size=round(float(threshold)), n=blocks_with_large,
                               groups=self.n_groups_)
            else:
                message = Text(N_("every group needs a large buyer but only %(n)s can be spread "
                                  "over %(groups)s groups"), n=blocks_with_large,
                               groups=self.n_groups_)
            raise InfeasibleGrouping(message)

    def _effort(self) -> tuple[int, int, float]:
        """Restarts, kicks per restart and the fit's time budget in seconds.

        Defaults are sized for the speed targets on two cores: a live preview of a pool of
        up to 50 within 300 ms (2 restarts of 30 kicks stay within 0.5 % of SCIP's optimum
        at 14-35 applicants), 2,000 applicants within 10 s, 10,000 within 60 s.
        """
        n = len(self.applicants_)
        restarts, kicks = (2, 30) if n <= 50 else (4, 30) if n <= 200 else (
            (2, 40) if n <= 800 else (1, 60))
        time_limit = (0.25 if n <= 50 else 0.8 + n / 320 if n <= 2000
                      else min(7.0 + (n - 2000) / 250, 40.0))
        return (self.n_restarts or restarts,
                kicks if self.n_kicks is None else self.n_kicks,
                time_limit if self.time_limit is None else self.time_limit)

    def _search_problem(self) -> SearchProblem:
        blocks, f, size = self.blocks_, self.features_, self.max_group_size
        to_block = _membership_matrix(blocks)
        unit = self.max_group_size * (sum(self.weights_.values()) + 2 * self.penalty_) + 1.0
        placement_bonus = 10 * unit * (1 + self.fairness)
        if len(blocks.members) == f.n and not blocks.apart:
            # every block is one applicant and nothing is kept apart: share the matrix
            block_affinity, internal = self.affinity_, np.zeros(f.n)
        else:
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
            phi[0, 0] = self.penalty_ if self.large_buyer == "soft" else 10 * placement_bonus
            terms.append(CountTerm(counts=large.astype(int), phi=phi))
            preferred = large[:, 0] > 0
        known = (f.country_codes >= 0) & ~self.only_one_  # the others are alone anywhere
        if self.no_lone_country and known.any():
            one_hot = sp.csr_matrix((np.ones(known.sum()), (np.flatnonzero(known),
                                    f.country_codes[known])))
            one_hot.resize((f.n, f.country_codes.max() + 1))
            counts = np.asarray((to_block.T @ one_hot).todense()).astype(int)
            phi = np.zeros((counts.shape[1], size + 2))
            phi[:, 1] = self.penalty_
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
            if len(scored) >= 2 * max(self.n_proposals, 1):
                break  # enough to choose from: the reserves only stand in for violations
            groups, waitlisted = self._groups_of(solution.group)
            card = self.score(groups, waitlisted)
            if card.violations:
                first_problem = first_problem or card.violations[0]
                continue
            scored.append((groups, waitlisted, card))
        if not scored:
            raise InfeasibleGrouping(
                Text(N_("no grouping found that keeps every constraint: %(problem)s"),
                     problem=first_problem))
        scored.sort(key=lambda item: -item[2].objective)
        # Explanations cost a good share of a fit: only for the proposals returned.
        return [
            Partition(groups=groups, waitlist=self._waitlist_reasons(groups, waitlisted),
                      objective=card.objective, scores=card.scores,
                      explanations=self.explain(groups, card.scores))
            for groups, waitlisted, card in scored[: self.n_proposals]
        ]

    def _budget_notes(self) -> list[Text]:
        """What the answer should say when the time budget cut the search short."""
        notes = []
        if self.budget_.first_descent_cut or self.budget_.polish_cut:
            notes.append(Text(N_("The time budget ran out before the search had settled: these "
                                 "groups are a quicker answer than usual, and moving members "
                                 "may still improve them.")))
        notes += self._unavoidable_notes()
        found, asked = len(self.partitions_), max(self.n_proposals, 1)
        if found < asked:
            notes.append(plural(Nn_("Only %(n)s distinct proposal was found of the %(asked)s "
                                    "asked for.",
                                    "Only %(n)s distinct proposals were found of the %(asked)s "
                                    "asked for."), found, asked=asked))
        return notes

    def _unavoidable_notes(self) -> list[Text]:
        """The rule breaks no grouping could avoid, and why (the answer says so)."""
        notes = []
        if self.no_lone_country:
            f = self.features_
            notes += [Text(N_("%(name)s is the only applicant from %(country)s: alone from it "
                              "in any grouping."), name=self.applicants_[i].label,
                           country=f.countries[i]) for i in np.flatnonzero(self.only_one_)]
        if self.large_buyer == "soft":
            n_large = sum(bool(self.features_.large[m].any()) for m in self.blocks_.members)
            if n_large < self.n_groups_:
                notes.append(plural(Nn_("Only %(n)s large buyer for %(groups)s groups: some "
                                        "groups are without one in any grouping.",
                                        "Only %(n)s large buyers for %(groups)s groups: some "
                                        "groups are without one in any grouping."),
                                    n_large, groups=self.n_groups_))
        return notes

    def _groups_of(self, block_group: np.ndarray) -> tuple[list[list[str]], list[str]]:
        member_group = block_group[self.blocks_.membership]
        ids = [a.id for a in self.applicants_]
        groups = [[ids[i] for i in np.flatnonzero(member_group == h)]
                  for h in range(self.n_groups_)]
        return groups, [ids[i] for i in np.flatnonzero(member_group >= self.n_groups_)]

    def _waitlist_reasons(self, groups: list[list[str]],
                          waitlisted: list[str]) -> list[tuple[str, Text]]:
        """Waitlisted applicants, best fit first, each with the reason in words."""
        if not waitlisted:
            return []
        rows = self.affinity_[self._indices(waitlisted)]
        fit = (self._group_matrix(groups).T @ rows.T).T
        cap = (plural(Nn_("at most %(n)s group", "at most %(n)s groups"), self.max_groups)
               if self.max_groups else plural(Nn_("%(n)s group", "%(n)s groups"), len(groups)))
        entries = []
        for row, applicant_id in enumerate(waitlisted):
            best = int(np.argmax(fit[row]))
            reason = Text(N_("No room: %(groups)s of at most %(size)s are full. Best fit: group "
                             "%(best)s (affinity %(affinity)s)."), groups=cap,
                          size=self.max_group_size, best=best + 1,
                          affinity=round(float(fit[row, best]), 2))
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
            new_scores[from_group] += (-self.affinity_[i, rest].sum(dtype=float)
                                       + self.penalty_ * (before - self._rule_break_count(rest)))
        if to_group is not None:
            target = self._indices(groups[to_group])
            before = self._rule_break_count(target)
            new_scores[to_group] += (self.affinity_[i, target].sum(dtype=float) + self.penalty_ * (
                before - self._rule_break_count(np.append(target, i))))
        return new_scores

    def _objective(self, scores: Sequence[float]) -> float:
        if not scores:
            return 0.0
        return float(sum(scores) + self.fairness * min(scores))

    def _group_score(self, members: np.ndarray) -> float:
        pairs = self.affinity_[np.ix_(members, members)].sum(dtype=float) / 2
        return float(pairs - self.penalty_ * self._rule_break_count(members))

    def _rule_break_count(self, members: np.ndarray) -> int:
        """The breaks a group is charged for: not a member whose country nobody else in the
        pool shares (no grouping could avoid it)."""
        return len(self._rule_breaks(members)) - len(self._unavoidable_breaks(members))

    def _unavoidable_breaks(self, members: np.ndarray) -> list[Text]:
        """The group's breaks that no grouping could avoid, each with the reason."""
        if not self.no_lone_country:
            return []
        return [Text(N_("%(name)s is the only applicant from %(country)s, so alone from it in "
                        "any group"), name=self.applicants_[i].label,
                     country=self.features_.countries[i])
                for i in members if self.only_one_[i]]

    def _rule_breaks(self, members: np.ndarray) -> list[str]:
        """The soft rules a group breaks, in words."""
        breaks = []
        f = self.features_
        if self.large_buyer != "off" and len(members) and not f.large[members].any():
            breaks.append(Text(N_("no large buyer")))
        if self.no_lone_country:
            countries = [f.countries[i] for i in members]
            breaks += [Text(N_("%(name)s is alone from %(country)s"),
                            name=self.applicants_[i].label, country=country)
                       for i, country in zip(members, countries, strict=True)
                       if country and countries.count(country) == 1]
        return breaks

    def _violations(self, groups: Sequence[Sequence[str]], waitlisted: list[str]) -> list[str]:
        where = {}
        problems = []
        for h, group in enumerate(groups):
            for member in group:
                if member not in self.index_:
                    problems.append(Text(N_("%(id)s did not apply"), id=member))
                elif member in where:
                    problems.append(Text(N_("%(id)s is placed twice"), id=member))
                where[member] = h
        for member in waitlisted:
            if member in where:
                problems.append(Text(N_("%(id)s is both placed and waitlisted"), id=member))
            where.setdefault(member, None)
        problems += [Text(N_("%(id)s is neither placed nor waitlisted"), id=a.id)
                     for a in self.applicants_
                     if a.id not in where]
        problems += self._size_violations(groups)
        problems += self._pair_violations(where)
        for member, group in (self.locked or {}).items():
            if where.get(member) != group:
                problems.append(Text(N_("%(id)s is locked in group %(group)s but was moved"),
                                     id=member, group=group + 1))
        if self.large_buyer == "hard":
            problems += [Text(N_("group %(group)s has no large buyer"), group=h + 1)
                         for h, group in enumerate(groups)
                         if group and not self.features_.large[self._indices(group)].any()]
        return problems

    def _size_violations(self, groups: Sequence[Sequence[str]]) -> list[str]:
        problems = []
        if self.max_groups is not None and len(groups) > self.max_groups:
            problems.append(Text(N_("%(n)s groups but at most %(max)s are allowed"),
                                 n=len(groups), max=self.max_groups))
        for h, group in enumerate(groups):
            if not self.min_group_size <= len(group) <= self.max_group_size:
                problems.append(Text(N_("group %(group)s has %(n)s members; groups hold %(min)s to "
                                        "%(max)s"), group=h + 1, n=len(group),
                                     min=self.min_group_size, max=self.max_group_size))
        return problems

    def _pair_violations(self, where: Mapping[str, int | None]) -> list[str]:
        problems = [Text(N_("%(a)s and %(b)s must be together"), a=a, b=b)
                    for a, b in self.together
                    if where.get(a) is None or where.get(a) != where.get(b)]
        problems += [Text(N_("%(a)s and %(b)s must be apart"), a=a, b=b)
                     for a, b in self.apart
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
        gains = slot_sums(self.affinity_, self._group_of_each(groups), len(groups))
        alternatives = self._best_alternatives(groups, scores, gains)
        similarities = self._group_similarities(groups)
        del gains
        # Hundreds of thousands of small objects, none of them cyclic: the cyclic collector
        # would traverse all of them again and again (a third of the time at 10,000).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return [self._explain_group(groups, h, scores, similarities[h], alternatives)
                    for h in range(len(groups))]
        finally:
            if collecting:
                gc.enable()

    def _explain_group(self, groups, h: int, scores, similarity: np.ndarray,
                       alternatives: Mapping[int, dict | None]) -> dict:
        members = self._indices(groups[h])
        block = np.ix_(members, members)
        points = {c: float(self.weights_[c] * matrix[block].sum(dtype=float) / 2)
                  for c, matrix in self.criterion_affinity_.items()}
        positive = sum(points.values())
        breaks = self._rule_breaks(members)
        return {
            "group": h,
            "score": scores[h],
            "criteria": {c: (p / positive if positive > 0 else 0.0) for c, p in points.items()},
            "points": points,
            "penalty": self.penalty_ * self._rule_break_count(members),
            "unavoidable": self._unavoidable_breaks(members),
            "rule_breaks": breaks,
            "members": {self.applicants_[i].id: self._explain_member(
                row, members, similarity[row], alternatives.get(int(i)))
                for row, i in enumerate(members)},
        }

    def _explain_member(self, row: int, members: np.ndarray, similarity: np.ndarray,
                        alternative: dict | None) -> dict:
        i = members[row]
        partners = sorted((j for j in range(len(members)) if j != row),
                          key=lambda j: (-self.affinity_[i, members[j]], members[j]))
        reasons = {self.applicants_[members[j]].id: pair_reasons(
            self.features_, self.applicants_, i, members[j], self.weights_, self.region_mode,
            similarity[j]) for j in partners}
        partners = [members[j] for j in partners]
        why_here = [Text(N_("%(reasons)s with %(partner)s"),
                         reasons=TextList("; ", reasons[self.applicants_[j].id]),
                         partner=self.applicants_[j].label)
                    for j in partners[:TOP_PARTNERS]
                    if self.affinity_[i, j] > 0 and reasons[self.applicants_[j].id]]
        return {
            "why_here": why_here,
            "partner_reasons": reasons,
            "contribution": float(self.affinity_[i, partners].sum(dtype=float)),
            "best_alternative": alternative,
        }

    def _group_similarities(self, groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Motivation cosines inside every group, from one sparse product over all pairs."""
        indices = [self._indices(group) for group in groups]
        if self.features_.text is None:
            return [np.zeros((len(m), len(m))) for m in indices]
        rows = np.concatenate([np.repeat(m, len(m)) for m in indices] or [np.zeros(0, int)])
        cols = np.concatenate([np.tile(m, len(m)) for m in indices] or [np.zeros(0, int)])
        text = self.features_.text
        cosines = np.clip(np.asarray(text[rows].multiply(text[cols]).sum(axis=1)).ravel(),
                          0.0, 1.0)
        bounds = np.cumsum([0, *(len(m) ** 2 for m in indices)])
        return [cosines[a:b].reshape(len(m), len(m))
                for m, a, b in zip(indices, bounds[:-1], bounds[1:], strict=True)]

    def _best_alternatives(self, groups: Sequence[Sequence[str]], scores: Sequence[float],
                           gains: np.ndarray) -> dict[int, dict | None]:
        """Per placed applicant (row), the group whose move costs least, for all at once.

        Of the ``ALTERNATIVES_TRIED`` groups it gains most from, the one whose move changes
        the objective least badly (``delta``, the same number :meth:`score_move` gives),
        with rule breaks and the worst-group term counted exactly, vectorised over members.
        """
        k = len(groups)
        indices = [self._indices(group) for group in groups]
        rows = np.concatenate(indices or [np.zeros(0, int)]).astype(int)
        if k < 2 or rows.size == 0:
            return {int(i): None for i in rows}
        home = np.concatenate([np.full(len(m), h) for h, m in enumerate(indices)])
        scores = np.asarray(scores, dtype=float)
        own_gain = gains[rows, home]
        g_rows = gains[rows].copy()
        g_rows[np.arange(rows.size), home] = -np.inf
        tried = min(ALTERNATIVES_TRIED, k - 1)
        if k <= 64:
            candidates = np.argsort(-g_rows, axis=1, kind="stable")[:, :tried]
        else:  # the best few without sorting every group; ties by group number
            top = np.argpartition(-g_rows, tried, axis=1)[:, :tried + 1]
            key = np.lexsort((top, -np.take_along_axis(g_rows, top, axis=1)), axis=1)
            candidates = np.take_along_axis(top, key, axis=1)[:, :tried]
        leave, arrive = self._break_changes(indices, rows, home, candidates)
        new_home = scores[home] - own_gain + self.penalty_ * leave
        new_to = (scores[candidates] + np.take_along_axis(gains[rows], candidates, axis=1)
                  + self.penalty_ * arrive)
        others = self._min_elsewhere(scores, home, candidates)
        worst_now = scores.min()
        worst = np.minimum(others, np.minimum(new_home[:, None], new_to))
        delta = ((new_home - scores[home])[:, None] + (new_to - scores[candidates])
                 + self.fairness * (worst - worst_now))
        best_delta = delta.max(axis=1, keepdims=True)
        choice = np.where(delta == best_delta, candidates, k).min(axis=1)
        picked = np.take_along_axis(delta, np.argmax(candidates == choice[:, None], axis=1)[
            :, None], axis=1)[:, 0]
        sizes = np.array([len(g) for g in groups])
        fits = (sizes[choice] < self.max_group_size) & (sizes[home] > self.min_group_size)
        return {int(i): {"group": int(g), "delta": float(d), "fits": bool(ok)}
                for i, g, d, ok in zip(rows, choice, picked, fits, strict=True)}

    def _break_changes(self, indices, rows, home, candidates) -> tuple[np.ndarray, np.ndarray]:
        """Rule breaks removed from the home group by leaving it (before - after), and from
        each candidate group by joining it (before - after), per member."""
        f, k = self.features_, len(indices)
        leave = np.zeros(rows.size)
        arrive = np.zeros(candidates.shape)
        sizes = np.array([len(m) for m in indices])
        if self.large_buyer != "off":
            large = np.array([int(f.large[m].sum()) for m in indices])
            mine = f.large[rows].astype(int)
            before = (sizes[home] > 0) & (large[home] == 0)
            leave += before.astype(float) - ((sizes[home] > 1) & (large[home] - mine == 0))
            before_to = (sizes[candidates] > 0) & (large[candidates] == 0)
            arrive += before_to.astype(float) - (large[candidates] + mine[:, None] == 0)
        if self.no_lone_country and (f.country_codes >= 0).any() and not self.only_one_.all():
            codes = np.where(self.only_one_, -1, f.country_codes)  # alone wherever they go
            counts = np.zeros((k, codes.max() + 2), dtype=int)  # last column: unknown
            for h, m in enumerate(indices):
                np.add.at(counts[h], np.where(codes[m] >= 0, codes[m], -1), 1)
            mine = np.where(codes[rows] >= 0, codes[rows], counts.shape[1] - 1)
            known = codes[rows] >= 0
            at_home = counts[home, mine]
            leave += known * ((at_home == 1).astype(float) - (at_home == 2))
            there = counts[candidates, mine[:, None]]
            arrive += known[:, None] * ((there == 1).astype(float) - (there == 0))
        return leave, arrive

    @staticmethod
    def _min_elsewhere(scores: np.ndarray, home: np.ndarray,
                       candidates: np.ndarray) -> np.ndarray:
        """The lowest score among the groups other than home and each candidate."""
        order = np.argsort(scores, kind="stable")[:3]
        result = np.full(candidates.shape, np.inf)
        for slot in order[::-1]:  # the lowest eligible one wins: fill from the third up
            eligible = (slot != home)[:, None] & (slot != candidates)
            result = np.where(eligible, scores[slot], result)
        return result

    # -- proving -------------------------------------------------------------------------------

    def prove(self, groups: Sequence[Sequence[str]] | None = None,
              time_limit: float = 120.0) -> ExactResult | None:
        """SCIP's best grouping and its bound on the objective this builder reports.

        The model (:mod:`matcher.groupings.exact`) holds the sizes, together, apart, locks,
        large buyers, the lone-country rule and the worst-group term, so ``bound`` bounds
        :meth:`score`'s objective of every grouping the settings allow. ``groups`` (default:
        the best proposal) is SCIP's first solution. None when the run has a waitlist (the
        model places everyone). Needs OR-Tools; meant for small pools (n <= 40 or so).
        """
        check_is_fitted(self, "affinity_")
        if self.plan_.n_waitlisted:
            return None
        groups = self.partitions_[0].groups if groups is None else groups
        hint = [list(self._indices(group)) for group in groups]
        return solve_exact(self.affinity_, self.n_groups_, self.min_group_size,
                           self.max_group_size, time_limit=time_limit, hint=hint,
                           rules=self._exact_rules())

    def _exact_rules(self) -> Rules:
        f, index = self.features_, self.index_
        together = [(index[a], index[b]) for a, b in self.together]
        apart = [(index[a], index[b]) for a, b in self.apart]
        locked = [(index[m], g) for m, g in (self.locked or {}).items()]
        for (i, g), (j, h) in combinations(locked, 2):
            (together if g == h else apart).append((i, j))
        countries = None
        if self.no_lone_country:
            countries = np.where(self.only_one_, -1, f.country_codes).tolist()
        return Rules(
            fairness=self.fairness, penalty=self.penalty_, together=together, apart=apart,
            countries=countries,
            large=f.large.tolist() if self.large_buyer != "off" else None,
            large_hard=self.large_buyer == "hard")

    # -- helpers ---------------------------------------------------------------------------------

    def _indices(self, ids: Iterable[str]) -> np.ndarray:
        return np.array([self.index_[m] for m in ids], dtype=int)

    def _group_of_each(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """Group index of every applicant, -1 when not placed."""
        group = np.full(len(self.applicants_), -1)
        for h, members in enumerate(groups):
            group[self._indices([m for m in members if m in self.index_])] = h
        return group

    def _group_matrix(self, groups: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """(n, n_groups) sparse 0/1: who is in which group."""
        rows, cols = [], []
        for h, group in enumerate(groups):
            members = self._indices([m for m in group if m in self.index_])
            rows.append(members)
            cols.append(np.full(len(members), h))
        rows_, cols_ = (np.concatenate(rows), np.concatenate(cols)) if rows else ([], [])
        return sp.csr_matrix((np.ones(len(rows_)), (rows_, cols_)),
                             shape=(len(self.applicants_), len(groups)))


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
