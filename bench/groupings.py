"""Working-group benchmark: `python -m bench.groups [--quick]`.

On seeded pools of realistic shape (:mod:`fixtures.synthetic`) it measures, each figure
beside its target:

* optimality: with interests as the only criterion and ``fairness=0`` (the exact model
  optimises the plain sum of within-group affinities), the gap between the engine's best
  proposal and SCIP's optimum on pools of 14 to 35 (targets: mean <= 0.5 %, worst <= 1 %);
* peer: our objective against ``k-means-constrained`` on the same TF-IDF + topics embedding,
  same instances, same group sizes, both scored by our objective (target: we win >= 95 %);
* speed: a whole ``fit`` (search, three proposals, explanations) at 100, 500 and 2,000
  applicants (targets 1 s, 5 s, 30 s) and a coordinator's move re-scored (target 20 ms).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from fixtures.synthetic import generate_pool
from matcher.groupings import WorkingGroupBuilder
from matcher.groupings.criteria import TOPIC_SHARE
from matcher.groupings.exact import solve_exact

FULL = {
    "exact": [(n, seed) for seed in (0, 1) for n in (14, 18, 21, 25, 28, 32, 35)],
    "peer": [(n, seed) for seed in (0, 1, 2) for n in (70, 100, 150, 250, 400, 700, 1000)],
    "speed": (100, 500, 2000),
}
QUICK = {
    "exact": [(14, 0), (18, 0), (21, 0), (21, 1)],
    "peer": [(70, 0), (100, 0), (150, 0), (250, 0)],
    "speed": (100, 500),
}
EXACT_TIME_LIMIT = 180.0
MOVES_TIMED = 50


@dataclass
class Row:
    """One printed figure."""

    figure: str
    measured: str
    target: str
    ok: bool | None = None


def main(argv: list[str] | None = None) -> None:
    """Run the three parts and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.groups", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    rows = [*optimality(plan["exact"]), *peer(plan["peer"]), *speed(plan["speed"])]
    print_table(rows)


def optimality(instances: list[tuple[int, int]]) -> list[Row]:
    """Gap to SCIP's optimum, per instance and in summary."""
    gaps, rows = [], []
    for n, seed in instances:
        builder = WorkingGroupBuilder(fairness=0.0, random_state=seed).fit(generate_pool(n, seed))
        ours = builder.partitions_[0]
        hint = [[builder.index_[m] for m in group] for group in ours.groups]
        exact = solve_exact(builder.affinity_, builder.n_groups_, builder.min_group_size,
                            builder.max_group_size, time_limit=EXACT_TIME_LIMIT, hint=hint)
        best = max(exact.objective, ours.objective)
        gap = (best - ours.objective) / best
        gaps.append(gap)
        status = "proven" if exact.proven else f"bound gap {exact.gap:.2%}"
        print(f"  exact n={n:>3} seed={seed}: ours {ours.objective:.4f}, SCIP "
              f"{exact.objective:.4f} ({status}, {exact.seconds:.1f} s), gap {gap:.3%}",
              flush=True)
        rows.append(Row(f"gap to optimum, n={n} seed={seed}", f"{gap:.3%} ({status})", "<= 1%",
                        gap <= 0.01))
    rows.append(Row(f"mean gap to optimum ({len(gaps)} pools of 14-35)",
                    f"{np.mean(gaps):.3%}", "<= 0.5%", float(np.mean(gaps)) <= 0.005))
    rows.append(Row("worst gap to optimum", f"{np.max(gaps):.3%}", "<= 1%",
                    float(np.max(gaps)) <= 0.01))
    return rows


def peer(instances: list[tuple[int, int]]) -> list[Row]:
    """Our objective against k-means-constrained's groups, scored by our objective."""
    from k_means_constrained import KMeansConstrained

    wins, margins = 0, []
    for n, seed in instances:
        builder = WorkingGroupBuilder(random_state=seed).fit(generate_pool(n, seed))
        labels = KMeansConstrained(
            n_clusters=builder.n_groups_, size_min=builder.min_group_size,
            size_max=builder.max_group_size, random_state=seed,
        ).fit_predict(embedding(builder))
        ids = [a.id for a in builder.applicants_]
        groups = [[ids[i] for i in np.flatnonzero(labels == h)] for h in range(builder.n_groups_)]
        theirs = builder.score(groups).objective
        ours = builder.partitions_[0].objective
        wins += ours > theirs
        margins.append((ours - theirs) / abs(theirs))
        print(f"  peer n={n:>4} seed={seed}: ours {ours:.2f}, k-means-constrained {theirs:.2f}",
              flush=True)
    share = wins / len(instances)
    sizes = f"n={min(n for n, _ in instances)}-{max(n for n, _ in instances)}"
    return [
        Row(f"wins over k-means-constrained ({sizes})", f"{wins}/{len(instances)}", ">= 95%",
            share >= 0.95),
        Row("mean objective margin over k-means-constrained", f"{np.mean(margins):+.2%}", "> 0",
            float(np.mean(margins)) > 0),
    ]


def embedding(builder: WorkingGroupBuilder) -> np.ndarray:
    """The interests criterion as vectors: scaled topic indicators beside the TF-IDF rows."""
    f = builder.features_
    per_row = np.sqrt(np.maximum(np.asarray(f.topics.sum(axis=1)), 1.0))
    topics = sp.csr_matrix(f.topics.multiply(1.0 / per_row)) * np.sqrt(TOPIC_SHARE)
    if f.text is None:
        return topics.toarray()
    return sp.hstack([topics, f.text * np.sqrt(1 - TOPIC_SHARE)]).toarray()


def speed(sizes: tuple[int, ...]) -> list[Row]:
    """Seconds per fit, and milliseconds per re-scored move on the largest pool."""
    targets = {100: 1.0, 500: 5.0, 2000: 30.0}
    rows, builder = [], None
    for n in sizes:
        pool = generate_pool(n, seed=7)
        started = time.perf_counter()
        builder = WorkingGroupBuilder(random_state=0).fit(pool)
        seconds = time.perf_counter() - started
        print(f"  speed n={n}: {seconds:.2f} s", flush=True)
        target = targets.get(n)
        rows.append(Row(f"fit, {n} applicants (3 proposals + explanations)", f"{seconds:.2f} s",
                        f"< {target:g} s" if target else "-",
                        seconds < target if target else None))
    rows += move_speed(builder)
    return rows


def move_speed(builder: WorkingGroupBuilder) -> list[Row]:
    """Time score_move on random moves, with and without the current group scores."""
    rng = np.random.default_rng(0)
    groups = builder.partitions_[0].groups
    scores = builder.partitions_[0].scores
    n = len(builder.applicants_)
    cold, warm = [], []
    for _ in range(MOVES_TIMED):
        source, target = rng.choice(len(groups), size=2, replace=False)
        member = groups[source][rng.integers(len(groups[source]))]
        started = time.perf_counter()
        builder.score_move(groups, member, int(target))
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        builder.score_move(groups, member, int(target), group_scores=scores)
        warm.append(time.perf_counter() - started)
    started = time.perf_counter()
    builder.score(groups)
    full = time.perf_counter() - started
    return [
        Row(f"move re-scored, {n} applicants (worst of {MOVES_TIMED})",
            f"{max(cold) * 1000:.1f} ms", "< 20 ms", max(cold) < 0.02),
        Row("  ... given the current group scores (worst)", f"{max(warm) * 1000:.2f} ms",
            "< 20 ms", max(warm) < 0.02),
        Row(f"whole assignment re-scored with violations, {n} applicants",
            f"{full * 1000:.1f} ms", "-"),
    ]


def print_table(rows: list[Row]) -> None:
    """Figure | measured | target | verdict."""
    width = max(len(r.figure) for r in rows)
    print(f"\n{'figure':<{width}}  {'measured':>22}  {'target':>8}  ok")
    print("-" * (width + 40))
    for r in rows:
        verdict = "" if r.ok is None else ("yes" if r.ok else "NO")
        print(f"{r.figure:<{width}}  {r.measured:>22}  {r.target:>8}  {verdict}")


if __name__ == "__main__":
    main()
