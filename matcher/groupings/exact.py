"""Exact grouping for small pools: a clique-partitioning model solved by SCIP (OR-Tools).

Used by the benchmark to measure the search's gap to the proven optimum, and by the product's
proof job to show "proven optimal" (or the gap to the best bound) on small real pools.
OR-Tools is optional: it is imported inside :func:`solve_exact`, so the engine works without
it.

Model: ``x[i, j]`` (i < j) is 1 when i and j share a group; triangle constraints make "shares a
group" transitive; each applicant has between ``min_size - 1`` and ``max_size - 1`` partners;
``y[i]`` is 1 when i is the lowest index of its group, and the ``y`` sum to the number of
groups. The objective is the sum of the affinities of the pairs in a group, i.e. the engine's
objective with ``fairness=0`` and no group penalties.

:class:`Rules` adds the rest of the engine's objective, so that the bound is a bound on what
the engine reports: together/apart pairs (``x`` fixed), a member alone from their country
(``lone[i] >= 1 - sum of x[i, j]`` over compatriots j), a group without a large buyer (read
at the group's lowest index, ``y``), each costing ``penalty``; and the worst group term
``fairness x z`` with ``z <= t[i]``, the score of i's group, ``t[i] = (c[i] + sum of
q[i, j]) / 2 - penalties`` where ``c[j]`` is j's affinity to its group and ``q[i, j] =
x[i, j] c[j]`` (linearised from above: ``q <= c[j]``, ``q <= M[j] x[i, j]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

__all__ = ["ExactResult", "Rules", "solve_exact"]


@dataclass
class ExactResult:
    """The best grouping SCIP found, its objective, the proven bound and whether it is optimal."""

    groups: list[list[int]]
    objective: float
    bound: float
    proven: bool
    seconds: float

    @property
    def gap(self) -> float:
        """Relative distance between the bound and the objective (0 when proven)."""
        return 0.0 if self.proven else (self.bound - self.objective) / max(abs(self.bound), 1e-9)


@dataclass
class Rules:
    """The engine's rules and objective terms beyond the pair sum (indices, not ids)."""

    fairness: float = 0.0
    penalty: float = 0.0
    together: Sequence[tuple[int, int]] = ()
    apart: Sequence[tuple[int, int]] = ()
    countries: Sequence[int] | None = None  # a code per applicant; -1: never charged
    large: Sequence[bool] | None = None  # large buyers, with large_buyer "soft" or "hard"
    large_hard: bool = False


def solve_exact(affinity: np.ndarray, n_groups: int, min_size: int, max_size: int,
                time_limit: float = 120.0, hint: list[list[int]] | None = None,
                rules: Rules | None = None) -> ExactResult:
    """Maximise the within-group affinity over all partitions into ``n_groups`` groups.

    ``hint`` (groups of indices, e.g. the engine's answer) gives SCIP a first solution;
    ``rules`` (default none) adds the engine's constraints and terms (see the module).
    """
    from ortools.linear_solver import pywraplp

    n = len(affinity)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    x = {(i, j): solver.BoolVar(f"x_{i}_{j}") for i, j in combinations(range(n), 2)}
    y = [solver.BoolVar(f"y_{i}") for i in range(n)]
    for i, j, k in combinations(range(n), 3):
        solver.Add(x[i, j] + x[j, k] - x[i, k] <= 1)
        solver.Add(x[i, j] + x[i, k] - x[j, k] <= 1)
        solver.Add(x[i, k] + x[j, k] - x[i, j] <= 1)
    for i in range(n):
        partners = sum(x[min(i, j), max(i, j)] for j in range(n) if j != i)
        solver.Add(partners >= min_size - 1)
        solver.Add(partners <= max_size - 1)
        earlier = [x[j, i] for j in range(i)]
        solver.Add(y[i] + sum(earlier) >= 1)
        for pair in earlier:
            solver.Add(y[i] <= 1 - pair)
    solver.Add(sum(y) == n_groups)
    objective = sum(float(affinity[i, j]) * var for (i, j), var in x.items())
    if rules is not None:
        objective += _add_rules(solver, affinity, x, y, rules, max_size)
    solver.Maximize(objective)
    if hint:
        _set_hint(solver, x, y, hint)
    solver.SetTimeLimit(int(time_limit * 1000))
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError("SCIP found no grouping within the time limit")
    return ExactResult(
        groups=_groups(n, x), objective=solver.Objective().Value(),
        bound=solver.Objective().BestBound(), proven=status == pywraplp.Solver.OPTIMAL,
        seconds=solver.wall_time() / 1000,
    )


def _add_rules(solver, affinity: np.ndarray, x, y, rules: Rules, max_size: int):
    """Constraints and objective terms of ``rules``; returns the terms to add."""
    n = len(affinity)

    def pair(i, j):
        return x[min(i, j), max(i, j)]

    for i, j in rules.together:
        solver.Add(pair(i, j) == 1)
    for i, j in rules.apart:
        solver.Add(pair(i, j) == 0)
    penalty_of = [0.0] * n  # what each member's group is charged, as an expression
    terms = 0.0
    if rules.penalty and rules.countries is not None:
        codes = list(rules.countries)
        for i in range(n):
            if codes[i] < 0:
                continue
            lone = solver.NumVar(0.0, 1.0, f"lone_{i}")
            solver.Add(lone >= 1 - sum(pair(i, j) for j in range(n)
                                       if j != i and codes[j] == codes[i]))
            terms -= rules.penalty * lone
            penalty_of[i] = penalty_of[i] + lone
            for j in range(n):  # i's lone counts against every member of its group
                if j != i:
                    r = solver.NumVar(0.0, 1.0, f"r_{j}_{i}")
                    solver.Add(r >= pair(i, j) + lone - 1)
                    penalty_of[j] = penalty_of[j] + r
    if rules.large is not None:
        large = [bool(v) for v in rules.large]
        for i in range(n):
            has_large = float(large[i]) + sum(pair(i, j) for j in range(n) if j != i and large[j])
            if rules.large_hard:
                solver.Add(has_large >= 1)
            elif rules.penalty:
                without = solver.NumVar(0.0, 1.0, f"nolarge_{i}")
                solver.Add(without >= 1 - has_large)
                penalty_of[i] = penalty_of[i] + without
                counted = solver.NumVar(0.0, 1.0, f"nolarge_group_{i}")  # once, at y[i]
                solver.Add(counted >= without + y[i] - 1)
                terms -= rules.penalty * counted
    if rules.fairness:
        worst = solver.NumVar(-solver.infinity(), solver.infinity(), "worst")
        rows = np.sort(np.asarray(affinity, dtype=float), axis=1)[:, ::-1]
        most = rows[:, : max_size - 1].clip(min=0).sum(axis=1)
        contribution = [sum(float(affinity[j, k]) * pair(j, k) for k in range(n) if k != j)
                        for j in range(n)]
        for i in range(n):
            shares = []
            for j in range(n):
                if j == i:
                    continue
                q = solver.NumVar(0.0, float(most[j]), f"q_{i}_{j}")
                solver.Add(q <= contribution[j])
                solver.Add(q <= float(most[j]) * pair(i, j))
                shares.append(q)
            solver.Add(worst <= 0.5 * (contribution[i] + sum(shares))
                       - rules.penalty * penalty_of[i])
        terms += rules.fairness * worst
    return terms


def _set_hint(solver, x, y, hint: list[list[int]]) -> None:
    group_of = {i: g for g, members in enumerate(hint) for i in members}
    variables = list(x.values()) + y
    values = [float(group_of[i] == group_of[j]) for i, j in x]
    values += [float(i == min(hint[group_of[i]])) for i in range(len(y))]
    solver.SetHint(variables, values)


def _groups(n: int, x) -> list[list[int]]:
    groups, seen = [], set()
    for i in range(n):
        if i in seen:
            continue
        members = [i] + [j for j in range(i + 1, n) if x[i, j].solution_value() > 0.5]
        seen.update(members)
        groups.append(members)
    return groups
