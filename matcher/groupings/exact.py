"""Exact grouping for small pools: a clique-partitioning model solved by SCIP (OR-Tools).

Used by the benchmark to measure the search's gap to the proven optimum, and available to the
product to show "proven optimal" on small real pools. OR-Tools is optional: it is imported
inside :func:`solve_exact`, so the engine works without it.

Model: ``x[i, j]`` (i < j) is 1 when i and j share a group; triangle constraints make "shares a
group" transitive; each applicant has between ``min_size - 1`` and ``max_size - 1`` partners;
``y[i]`` is 1 when i is the lowest index of its group, and the ``y`` sum to the number of
groups. The objective is the sum of the affinities of the pairs in a group, i.e. the engine's
objective with ``fairness=0`` and no group penalties.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

__all__ = ["ExactResult", "solve_exact"]


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


def solve_exact(affinity: np.ndarray, n_groups: int, min_size: int, max_size: int,
                time_limit: float = 120.0, hint: list[list[int]] | None = None) -> ExactResult:
    """Maximise the within-group affinity over all partitions into ``n_groups`` groups.

    ``hint`` (groups of indices, e.g. the engine's answer) gives SCIP a first solution.
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
    solver.Maximize(sum(float(affinity[i, j]) * var for (i, j), var in x.items()))
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
