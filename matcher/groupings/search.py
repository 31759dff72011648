"""Local search for the grouping: greedy construction, then moves and swaps, then kicks.

The search works on *blocks* (together-chains contracted into one node; a free applicant is a
block of one) and on a dense block-affinity matrix ``B``. It keeps, for every block ``u`` and
group ``h``, ``G[u, h] = sum of B[u, v] over the blocks v in h``, so that the effect of moving
or swapping ``u`` is read from one row of ``G`` and one row of ``B``: the best move and the
best swap of a block are found with a handful of numpy operations over all groups and blocks,
and applying one updates two columns of ``G`` (O(n)).

Group terms (no large buyer, a member alone from their country) are sums over categories of a
function of the group's count in that category, ``phi[c, count]``, so their change under a
move or a swap is vectorised the same way.

An optional extra group collects the waitlist: it has no score, and each member placed in a
real group earns ``placement_bonus`` so that the search only waitlists the overflow.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["Budget", "CountTerm", "SearchProblem", "Solution", "search", "slot_sums"]

TOLERANCE = 1e-9


@dataclass
class CountTerm:
    """A group penalty ``sum_c phi[c, count_c]`` where ``count_c`` counts category c members."""

    counts: np.ndarray  # (n_blocks, n_categories) members of each category in each block
    phi: np.ndarray  # (n_categories, max_size + 2) penalty by count (the last entry saturates)

    def penalty(self, group_counts: np.ndarray) -> np.ndarray:
        """Penalties of groups (or candidate groups) given their category counts, last axis."""
        clipped = np.clip(group_counts, 0, self.phi.shape[1] - 1)
        return self.phi[np.arange(self.phi.shape[0]), clipped].sum(axis=-1)


@dataclass
class SearchProblem:
    """What the search needs, with constraints already turned into numbers."""

    affinity: np.ndarray  # (n_blocks, n_blocks), apart pairs strongly negative, zero diagonal
    internal: np.ndarray  # affinity inside each block (constant wherever the block goes)
    weight: np.ndarray  # members per block
    locked: np.ndarray  # group index per block, -1 when free
    n_groups: int
    n_waitlisted: int  # the overflow: members that cannot be placed for lack of room
    min_size: int
    max_size: int
    terms: list[CountTerm] = field(default_factory=list)
    preferred_seeds: np.ndarray | None = None  # bool per block: seed groups with these first
    fairness: float = 0.0
    placement_bonus: float = 0.0

    @property
    def n_slots(self) -> int:
        """Real groups plus the waitlist, when there is one."""
        return self.n_groups + (1 if self.n_waitlisted else 0)


@dataclass
class Solution:
    """A block assignment and its search objective."""

    group: np.ndarray
    objective: float

    def key(self, n_groups: int) -> tuple[frozenset, frozenset]:
        """Identity regardless of group order, to tell proposals apart."""
        groups = frozenset(frozenset(np.flatnonzero(self.group == h).tolist())
                           for h in range(n_groups))
        return groups, frozenset(np.flatnonzero(self.group >= n_groups).tolist())


class _State:
    """An assignment with the sums that make deltas cheap."""

    def __init__(self, problem: SearchProblem, group: np.ndarray):
        self.p = problem
        self.group = group.copy()
        n_slots = problem.n_slots
        self.real = np.arange(n_slots) < problem.n_groups
        self.free = problem.locked < 0
        members = sp.csr_matrix((np.ones(len(group)), (np.arange(len(group)), group)),
                                shape=(len(group), n_slots))
        self.gain = slot_sums(problem.affinity, group, n_slots)  # G, column per slot
        self.blocks = np.arange(len(group))
        # (block, slot it left) while a repair trial runs (None otherwise), to undo it
        self.journal: list[tuple[int, int]] | None = None
        self._worst: np.ndarray | None = None
        self.size = np.bincount(group, weights=problem.weight, minlength=n_slots).astype(int)
        self.counts = [np.rint(members.T @ term.counts).astype(int) for term in problem.terms]
        self.penalty = self._penalties()
        pair = self.gain[np.arange(len(group)), group]
        pair = np.bincount(group, weights=pair, minlength=n_slots) / 2
        inner = np.bincount(group, weights=problem.internal, minlength=n_slots)
        self.score = np.where(self.real, pair + inner - self.penalty, 0.0)

    def _penalties(self) -> np.ndarray:
        total = np.zeros(self.p.n_slots)
        for term, counts in zip(self.p.terms, self.counts, strict=True):
            total += term.penalty(counts)
        return total

    def objective(self) -> float:
        """Sum of group scores + fairness x worst group + bonus x placed members."""
        real = self.score[self.real]
        placed = self.size[self.real].sum()
        worst = real.min() if real.size else 0.0
        return float(real.sum() + self.p.fairness * worst + self.p.placement_bonus * placed)

    # -- evaluating one block's moves and swaps ----------------------------------------------

    def best_action(self, u: int) -> tuple[float, int, int]:
        """(delta, kind, target) of the best move (kind 0, target group) or swap (1, block)."""
        move_delta, move_to = self._best_move(u)
        swap_delta, swap_with = self._best_swap(u)
        if swap_delta > move_delta:
            return swap_delta, 1, swap_with
        return move_delta, 0, move_to

    def _best_move(self, u: int) -> tuple[float, int]:
        p, a = self.p, self.group[u]
        w = p.weight[u]
        if self.real[a] and self.size[a] - w < p.min_size:
            return -np.inf, -1
        slots = np.arange(p.n_slots)
        leave = -(self.gain[u, a] + p.internal[u])
        arrive = self.gain[u] + p.internal[u]
        after_a = 0.0
        after_h = np.zeros(p.n_slots)
        for term, counts in zip(p.terms, self.counts, strict=True):
            after_a += term.penalty(counts[a] - term.counts[u])
            after_h += term.penalty(counts + term.counts[u])
        d_a = (leave + self.penalty[a] - after_a) * self.real[a]
        d_h = (arrive + self.penalty - after_h) * self.real
        delta = d_a + d_h + p.placement_bonus * w * (self.real.astype(float) - self.real[a])
        delta += self._fairness_delta(a, slots, d_a, d_h)
        fits = (slots != a) & (~self.real | (self.size + w <= p.max_size))
        if not fits.any():
            return -np.inf, -1
        delta = np.where(fits, delta, -np.inf)
        best = int(np.argmax(delta))
        return float(delta[best]), best

    def _best_swap(self, u: int) -> tuple[float, int]:
        p, a = self.p, self.group[u]
        candidates, d_a, d_b = self._promising_swaps(u, a)
        if candidates.size == 0:
            return -np.inf, -1
        b = self.group[candidates]
        w_u, w_v = p.weight[u], p.weight[candidates]
        after_a = np.zeros(candidates.size)
        after_b = np.zeros(candidates.size)
        for term, counts in zip(p.terms, self.counts, strict=True):
            q_u, q_v = term.counts[u], term.counts[candidates]
            after_a += term.penalty(counts[a] - q_u + q_v)
            after_b += term.penalty(counts[b] - q_v + q_u)
        d_a = d_a + (self.penalty[a] - after_a) * self.real[a]
        d_b = d_b + (self.penalty[b] - after_b) * self.real[b]
        placed_change = (w_v - w_u) * (float(self.real[a]) - self.real[b])
        delta = d_a + d_b + p.placement_bonus * placed_change
        delta += self._fairness_delta(a, b, d_a, d_b)
        fits = self._size_ok(a, self.size[a] - w_u + w_v) & self._size_ok(
            b, self.size[b] - w_v + w_u)
        if not fits.any():
            return -np.inf, -1
        delta = np.where(fits, delta, -np.inf)
        best = int(np.argmax(delta))
        return float(delta[best]), int(candidates[best])

    def _promising_swaps(self, u: int, a: int):
        """Swap partners whose delta could be positive, with the pair parts of the delta.

        Computed over all blocks at once, then filtered by a bound: penalties can at most
        vanish (+ the two groups' penalties), and the worst-group term can only fall unless
        the swap touches the worst group.
        """
        p, group = self.p, self.group
        cross = p.affinity[u]
        own = self.gain.ravel(order="F")[group * len(group) + self.blocks]  # G[v, group[v]]
        d_a = (self.gain[:, a] - self.gain[u, a] - cross + p.internal - p.internal[u])
        d_b = (self.gain[u, group] - own - cross + p.internal[u] - p.internal)
        d_a = d_a * self.real[a]
        d_b = d_b * self.real[group]
        bound = d_a + d_b
        if p.terms:
            bound = bound + self.penalty[a] + self.penalty[group]
        if p.n_waitlisted:
            bound = bound + p.placement_bonus * np.abs(p.weight - p.weight[u])
        keep = bound > TOLERANCE
        if p.fairness and p.n_groups:
            worst = self.worst_slots()[0]
            keep |= (group == worst) | (a == worst)
        keep &= (group != a) & self.free
        candidates = np.flatnonzero(keep)
        return candidates, d_a[candidates], d_b[candidates]

    def worst_slots(self) -> np.ndarray:
        """The (up to) three real groups with the lowest scores, worst first (cached)."""
        if self._worst is None:
            real_scores = np.where(self.real, self.score, np.inf)
            k = min(3, self.p.n_groups)
            order = (np.argpartition(real_scores, k - 1)[:k] if real_scores.size > k
                     else np.arange(real_scores.size))
            self._worst = order[np.argsort(real_scores[order])][:k]
        return self._worst

    def _size_ok(self, slot, size) -> np.ndarray:
        real = self.real[slot]
        return ~real | ((size >= self.p.min_size) & (size <= self.p.max_size))

    def _fairness_delta(self, a: int, b: np.ndarray, d_a: np.ndarray | float,
                        d_b: np.ndarray) -> np.ndarray | float:
        """Change of ``fairness x worst group score`` for candidates changing slots a and b."""
        if not self.p.fairness or self.p.n_groups == 0 or np.size(b) == 0:
            return 0.0
        order = self.worst_slots()
        worst_now = self.score[order[0]]
        others = [int(s) for s in order if s != a]  # at most one of them is b
        if not others:
            worst_elsewhere = np.inf
        else:
            second = self.score[others[1]] if len(others) > 1 else np.inf
            worst_elsewhere = np.where(b != others[0], self.score[others[0]], second)
        new_a = self.score[a] + d_a if self.real[a] else np.inf
        new_b = self.score[b] + d_b
        if self.p.n_waitlisted:
            new_b = np.where(self.real[b], new_b, np.inf)
        worst = np.minimum(worst_elsewhere, np.minimum(new_a, new_b))
        return self.p.fairness * (worst - worst_now)

    # -- applying ------------------------------------------------------------------------------

    def move(self, u: int, to: int) -> None:
        """Move block u to slot ``to`` and update the sums (O(n))."""
        p, a = self.p, self.group[u]
        self.gain[:, a] -= p.affinity[u]  # rows, not columns: the matrix is symmetric
        self.gain[:, to] += p.affinity[u]
        self.size[a] -= p.weight[u]
        self.size[to] += p.weight[u]
        for term, counts in zip(p.terms, self.counts, strict=True):
            counts[a] -= term.counts[u]
            counts[to] += term.counts[u]
        self.group[u] = to
        if self.journal is not None:
            self.journal.append((u, a))
        self.last_touched = (a, to)
        self._rescore((a, to))

    def swap(self, u: int, v: int) -> None:
        """Exchange blocks u and v (different slots)."""
        a, b = self.group[u], self.group[v]
        self.move(u, b)
        self.move(v, a)

    def _rescore(self, slots) -> None:
        """Exact scores of the touched groups from their members (O(group size^2))."""
        p = self.p
        self._worst = None
        for h in slots:
            if not self.real[h]:
                continue
            members = np.flatnonzero(self.group == h)
            pair = p.affinity[np.ix_(members, members)].sum(dtype=float) / 2
            penalty = sum(t.penalty(c[h]) for t, c in zip(p.terms, self.counts, strict=True))
            self.penalty[h] = penalty
            self.score[h] = pair + p.internal[members].sum() - penalty


@dataclass
class Budget:
    """When each phase must stop (``time.perf_counter()`` seconds; None: no limit).

    The first descent stops at ``descent_until`` (so that kicks still find alternatives in a
    pool too large to settle), the search (restarts and kicks) at ``search_until``, the final
    descents of the kept solutions at ``polish_until``; what is left of the fit's time is for
    the explanations.
    Every loop checks its limit between two blocks, so no phase overruns by more than one
    block's evaluation. ``first_descent_cut`` and ``polish_cut`` record what was cut short.
    """

    descent_until: float | None = None
    search_until: float | None = None
    polish_until: float | None = None
    first_descent_cut: bool = False
    polish_cut: bool = False

    @classmethod
    def of(cls, seconds: float | None, started: float | None = None) -> Budget:
        """Half of ``seconds`` for the first descent, 70 % for the search, 80 % for polishing."""
        if seconds is None:
            return cls()
        started = time.perf_counter() if started is None else started
        return cls(descent_until=started + 0.5 * seconds, search_until=started + 0.7 * seconds,
                   polish_until=started + 0.8 * seconds)

    def descending_over(self) -> bool:
        return self.descent_until is not None and time.perf_counter() > self.descent_until

    def searching_over(self) -> bool:
        return self.search_until is not None and time.perf_counter() > self.search_until

    def polishing_over(self) -> bool:
        return self.polish_until is not None and time.perf_counter() > self.polish_until


def slot_sums(affinity: np.ndarray, group: np.ndarray, n_slots: int) -> np.ndarray:
    """``G[u, h]``: the sum of ``affinity[u, v]`` over the v in slot h (group < 0: nowhere).

    Column h is the sum of its members' rows (the matrix is symmetric): O(n^2) in all, and
    several times faster than a sparse one-hot product with a dense n x n matrix.
    """
    gain = np.zeros((len(affinity), n_slots), order="F")
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_slots + 1))
    for h in range(n_slots):
        rows = order[bounds[h]:bounds[h + 1]]
        if rows.size:
            gain[:, h] = affinity[rows].sum(axis=0, dtype=float)
    return gain


def search(problem: SearchProblem, rng: np.random.Generator, n_restarts: int, n_kicks: int,
           budget: Budget, keep: int, random_starts: bool = False) -> list[Solution]:
    """The ``keep`` best distinct local optima found over restarts and kicks, best first.

    Each restart builds a greedy assignment and descends to a local optimum; each kick swaps a
    few random blocks and descends again from the touched groups only (iterated local search,
    keeping the better of the two). The best ``keep`` solutions get a final full descent.
    The greedy start is always completed (it is the answer of last resort); every later
    phase stops on ``budget``. With ``random_starts`` each start places the blocks in a
    random order into random groups with room (see ``construct``).
    """
    found: dict[tuple, Solution] = {}
    out_of_time = budget.searching_over
    for restart in range(n_restarts):
        if restart and out_of_time():
            break
        state = _State(problem, construct(problem, rng, random_starts))
        settled = _descend(state, rng, budget.descending_over if restart == 0 else out_of_time)
        if restart == 0 and not settled:
            budget.first_descent_cut = True
        best = _remember(state, found)
        for _ in range(n_kicks):
            if out_of_time():
                break
            touched = _kick(state, rng)
            # from an unsettled state a kick's descent would cascade into the whole pool:
            # cap it, so that the kicks still yield alternatives
            _descend(state, rng, out_of_time, start=touched, verify=False,
                     max_steps=None if settled else 4 * len(touched) + 16)
            current = _remember(state, found)
            if current.objective >= best.objective - TOLERANCE:
                best = current
            else:
                state = _State(problem, best.group)
    return _polished(problem, found, rng, keep, budget)


def _polished(problem: SearchProblem, found: dict[tuple, Solution], rng: np.random.Generator,
              keep: int, budget: Budget) -> list[Solution]:
    """Make sure the best solutions are full local optima (kicks only descend locally).

    Best first, all ``keep`` of them while the budget lasts (a reserve that only a full
    descent frees from a broken hard rule may be needed); when the budget ends, the others
    follow unpolished. ``polish_cut`` records that the best one could not be finished.
    """
    best = sorted(found.values(), key=lambda s: -s.objective)[:keep]
    polished: dict[tuple, Solution] = {}
    rest = []
    for solution in best:
        if budget.polishing_over():
            rest.append(solution)
            continue
        state = _State(problem, solution.group)
        settled = _descend(state, rng, budget.polishing_over)
        if settled:
            _repair(state, rng, budget.polishing_over)
        if not settled and not polished:
            budget.polish_cut = True
        _remember(state, polished)
    keys = set(polished)
    rest = [s for s in rest if s.key(problem.n_groups) not in keys]
    if not polished and best and budget.polishing_over():
        budget.polish_cut = True
    return sorted(polished.values(), key=lambda s: -s.objective) + rest


def _repair(state: _State, rng: np.random.Generator, out_of_time) -> None:
    """Mend the rule breaks no single move or swap can: the repair step after a descent.

    For each block whose leaving would lower its group's penalty (a member alone from their
    country), try swapping it into each group its arrival would not penalise (one with a
    compatriot), followed by a short descent from the two groups, which can send the
    partner on to where it fits; keep the first trial that improves the objective, undo the
    others. Iterated local search rarely finds such two-step repairs by chance.
    """
    p = state.p
    if not p.terms or not p.n_groups:
        return
    for u in np.flatnonzero(state.free).tolist():
        a = int(state.group[u])
        if not state.real[a] or not _leaving_mends(state, u, a):
            continue
        before = state.objective()
        welcoming = _welcoming_groups(state, u, a)
        partners = np.flatnonzero(np.isin(state.group, welcoming) & state.free
                                  & (p.weight == p.weight[u]))
        for v in partners.tolist():
            if out_of_time():
                return
            b = int(state.group[v])
            state.journal = []
            state.swap(u, v)
            touched = np.flatnonzero(np.isin(state.group, (a, b)) & state.free)
            _descend(state, rng, out_of_time, start=touched, verify=False,
                     max_steps=4 * len(touched) + 16)
            if state.objective() > before + TOLERANCE * (1 + abs(before)):
                break
            undo, state.journal = state.journal, None
            for block, slot in reversed(undo):
                state.move(block, slot)
        state.journal = None


def _leaving_mends(state: _State, u: int, a: int) -> bool:
    """Whether group a's rule penalty falls when block u leaves it."""
    now = after = 0.0
    for term, counts in zip(state.p.terms, state.counts, strict=True):
        now += float(term.penalty(counts[a]))
        after += float(term.penalty(counts[a] - term.counts[u]))
    return after < now - TOLERANCE


def _welcoming_groups(state: _State, u: int, a: int) -> list[int]:
    """Real groups other than a whose rule penalty does not rise when block u arrives."""
    slots = np.arange(state.p.n_groups)
    now = np.zeros(slots.size)
    after = np.zeros(slots.size)
    for term, counts in zip(state.p.terms, state.counts, strict=True):
        now += term.penalty(counts[: state.p.n_groups])
        after += term.penalty(counts[: state.p.n_groups] + term.counts[u])
    return [int(h) for h in slots[(after <= now + TOLERANCE) & (slots != a)]]


def _remember(state: _State, found: dict[tuple, Solution]) -> Solution:
    solution = Solution(group=state.group.copy(), objective=state.objective())
    found.setdefault(solution.key(state.p.n_groups), solution)
    return solution


def _descend(state: _State, rng: np.random.Generator, out_of_time,
             start: np.ndarray | None = None, verify: bool = True,
             max_steps: int | None = None) -> bool:
    """Apply improving moves and swaps to queued blocks; a block whose group changes is queued
    again (a "don't look" list: the others' deltas mostly stay as they were).

    The queue starts with ``start`` (default: every free block); with ``verify``, full sweeps
    follow until one finds nothing to improve. The time is checked before every block (one
    block costs O(n)), so a large pool's first descent cannot overrun the budget. Returns
    whether the descent settled (False: stopped by the time limit or ``max_steps`` block
    evaluations).
    """
    free = np.flatnonzero(state.free)
    first = free if start is None else start
    improved = True
    while improved:
        improved = False
        queue = deque(int(u) for u in rng.permutation(first))
        queued = set(queue)
        while queue:
            if out_of_time() or max_steps is not None and max_steps <= 0:
                return False
            if max_steps is not None:
                max_steps -= 1
            u = queue.popleft()
            queued.discard(u)
            if not _improve(state, u):
                continue
            improved = True
            touched = np.isin(state.group, (state.group[u], *state.last_touched)) & state.free
            for v in np.flatnonzero(touched).tolist():
                if v not in queued:
                    queue.append(v)
                    queued.add(v)
        if not verify:
            return True
        first = free
    return True


def _improve(state: _State, u: int) -> bool:
    """Apply the best move or swap of block u if it improves the objective."""
    delta, kind, target = state.best_action(u)
    if delta <= TOLERANCE * (1 + np.abs(state.score).max(initial=0)):
        return False
    if kind == 0:
        state.move(u, target)
    else:
        state.swap(u, target)
    return True


def _kick(state: _State, rng: np.random.Generator) -> np.ndarray:
    """A few random swaps between equally heavy free blocks of different groups; returns the
    free blocks of the groups touched."""
    p = state.p
    free = np.flatnonzero(state.free)
    n_swaps = int(rng.integers(2, 4))
    touched = set()
    for _ in range(n_swaps):
        u = int(rng.choice(free))
        partners = free[(state.group[free] != state.group[u]) & (p.weight[free] == p.weight[u])]
        if partners.size:
            v = int(rng.choice(partners))
            touched |= {int(state.group[u]), int(state.group[v])}
            state.swap(u, v)
    return free[np.isin(state.group[free], list(touched))]


def construct(problem: SearchProblem, rng: np.random.Generator,
              at_random: bool = False) -> np.ndarray:
    """Seed each group, then place blocks heaviest first, each in its best group with room.

    O(n x groups) time: ``closeness`` (each block's best affinity to a seed so far) is updated
    with one row per seed rather than recomputed over every seeded group.

    ``at_random`` places the blocks in a random order, each in a random group with room: the
    start of the searches that follow a dead end. Moves and swaps keep group sizes, and a
    greedy start can leave no way out: six applicants in two groups of three, one locked,
    a pair kept together and a pair kept apart; the pair went in beside the locked one,
    which left the three others, the apart pair among them, for the other group, and every
    greedy start did the same.
    """
    p = problem
    n_blocks, n_slots = len(p.weight), p.n_slots
    group = np.full(n_blocks, -1)
    size = np.zeros(n_slots, dtype=int)
    gain = np.zeros((n_blocks, n_slots), order="F")  # columns are updated, rows are read

    def place(u: int, h: int) -> None:
        group[u] = h
        size[h] += p.weight[u]
        gain[:, h] += p.affinity[u]  # a row: the matrix is symmetric

    for u in np.flatnonzero(p.locked >= 0):
        place(int(u), int(p.locked[u]))
    closeness = np.zeros(n_blocks)  # unseeded groups count as 0, as apart pairs are negative
    for h in range(p.n_groups):
        if size[h]:
            closeness = np.maximum(closeness, gain[:, h])
    for h in range(p.n_groups):
        if size[h] == 0:
            seed = _seed(p, group, closeness, rng)
            if seed is not None:
                place(seed, h)
                closeness = np.maximum(closeness, p.affinity[seed])
    order = rng.permutation(np.flatnonzero(group < 0))
    if not at_random:
        order = order[np.argsort(-p.weight[order], kind="stable")]
    remaining = int(p.weight[order].sum())
    for u in order:
        w = int(p.weight[u])
        remaining -= w
        preference = rng.random(n_slots) if at_random else gain[u]
        h = _best_room(p, size, preference, w, remaining)
        place(int(u), h)
    return group


def _seed(p: SearchProblem, group: np.ndarray, closeness: np.ndarray,
          rng: np.random.Generator) -> int | None:
    """A free single block, preferring one far from the groups seeded so far (and large)."""
    free = np.flatnonzero((group < 0) & (p.weight <= p.max_size))
    if free.size == 0:
        return None
    near = closeness[free]
    if p.preferred_seeds is not None:
        near = near - 1e6 * p.preferred_seeds[free]
    candidates = free[np.argsort(near, kind="stable")[:3]]
    return int(rng.choice(candidates))


def _best_room(p: SearchProblem, size: np.ndarray, gain_row: np.ndarray, w: int,
               remaining: int) -> int:
    """The best real group that can take w members without starving the others' minimum."""
    real_size = size[: p.n_groups]
    deficit = np.maximum(p.min_size - real_size, 0)
    deficit_after = deficit.sum() - deficit + np.maximum(p.min_size - real_size - w, 0)
    room = (real_size + w <= p.max_size) & (deficit_after <= remaining)
    if room.any():
        return int(np.argmax(np.where(room, gain_row[: p.n_groups], -np.inf)))
    if p.n_waitlisted:
        return p.n_groups
    fallback = real_size + w <= p.max_size
    if fallback.any():
        return int(np.argmax(np.where(fallback, gain_row[: p.n_groups], -np.inf)))
    return int(np.argmin(real_size))
