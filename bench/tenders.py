"""Tender-matching benchmark: `python -m bench.tenders [--quick]`.

Generates seeded data of realistic shape (CPV codes from the official list when
``../shared/data`` is present, else built-in codes; NUTS 3 regions in 15 countries;
descriptions drawn from a vocabulary tied to the CPV division), then measures:

* one enterprise's ranked list over every open tender (target < 200 ms after fit);
* the top 20 tenders of every enterprise (target < 60 s at 10,000 x 100,000) and peak memory;
* on the same score matrices: our blocked product with ``np.argpartition`` against a naive
  scipy baseline (whole sparse product, then top-k per row) and ``sparse_dot_topn``.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

from fixtures.market import _cpv_codes, _enterprise, _nuts3_regions, _tender, _vocabulary
from matcher.tenders import TenderMatcher, top_k_rows


def main(argv: list[str] | None = None) -> None:
    """Generate data, time the matcher and its peers, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.tenders", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller, for CI")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_tenders, n_enterprises = (10_000, 1_000) if args.quick else (100_000, 10_000)
    rng = np.random.default_rng(args.seed)
    now = datetime(2025, 3, 1, tzinfo=UTC)

    codes, tree = _cpv_codes(rng)
    regions = _nuts3_regions(rng)
    vocabulary = _vocabulary(codes, rng)
    started = time.perf_counter()
    tenders = [_tender(i, codes, regions, vocabulary, rng, now) for i in range(n_tenders)]
    enterprises = [_enterprise(i, codes, regions, vocabulary, rng) for i in range(n_enterprises)]
    generate_s = time.perf_counter() - started

    started = time.perf_counter()
    matcher = TenderMatcher(cpv_tree=tree, random_state=args.seed).fit(tenders, enterprises, now)
    fit_s = time.perf_counter() - started

    one_ms = _time_one_enterprise(matcher, enterprises[:20])
    started = time.perf_counter()
    matcher.kneighbors(n_neighbors=20)
    all_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    scaled = " (target set for the full size)" if args.quick else ""
    comparison = _compare_with_peers(matcher, n_rows=min(1_000, n_enterprises), k=20)
    rows = [
        ("data generated", f"{n_tenders:,} tenders, {n_enterprises:,} enterprises", ""),
        ("lots scored (tenders without lots count once)", f"{matcher.n_units_:,}", ""),
        ("generating the data", f"{generate_s:.1f} s", ""),
        ("fit (encode tenders and enterprises)", f"{fit_s:.1f} s", ""),
        ("one enterprise, ranked list with reasons", f"{one_ms:.0f} ms", f"< 200 ms{scaled}"),
        (f"top 20 for all {n_enterprises:,} enterprises", f"{all_s:.1f} s", f"< 60 s{scaled}"),
        ("peak memory of the process (maxrss)", f"{peak_mb:,.0f} MB", ""),
    ]
    rows += comparison
    _print_table(rows)


def _print_table(rows) -> None:
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure':<{width}}  {'measured':>{value_width}}  target / note")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {target}")


# ---------------------------------------------------------------------- timings


def _time_one_enterprise(matcher: TenderMatcher, enterprises) -> float:
    """Median milliseconds of ``rank_tenders`` (top 20 with explanations)."""
    timings = []
    for enterprise in enterprises:
        started = time.perf_counter()
        matcher.rank_tenders(enterprise, n=20)
        timings.append(1000 * (time.perf_counter() - started))
    return float(np.median(timings))


def _compare_with_peers(matcher: TenderMatcher, n_rows: int, k: int):
    """Time ours, the naive product and sparse_dot_topn on the same lot-score matrices."""
    side = matcher.enterprise_side_
    pattern = np.unique(side.presence, axis=0, return_counts=True)
    common = pattern[0][np.argmax(pattern[1])]
    rows = np.flatnonzero((side.presence == common).all(axis=1))[:n_rows]
    left_dense, left_sparse = side.rows(rows).combined(matcher.weights_)
    weights = matcher.weights_.astype(np.float32)
    scale = 1.0 / np.maximum((common * weights) @ matcher.unit_side_.presence.T, 1e-6)
    right_dense = matcher.unit_dense_ * scale[:, None].astype(np.float32)
    right_sparse = sp.diags(scale.astype(np.float32)) @ matcher.unit_sparse_
    left = sp.hstack([sp.csr_matrix(left_dense), left_sparse], format="csr")
    right = sp.hstack([sp.csr_matrix(right_dense), right_sparse], format="csr")

    started = time.perf_counter()
    ours = _ours(left_dense, left_sparse, right_dense, right_sparse, k, matcher.block_size)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    naive = top_k_rows((left @ right.T).toarray(), k)
    naive_s = time.perf_counter() - started
    peer_s, peer = _sparse_dot_topn(left, right, k)

    table = [
        (f"same matrices, {len(rows):,} enterprises x {right.shape[0]:,} lots, top {k}:", "", ""),
        ("  ours: blocked dense+sparse product, argpartition", f"{ours_s:.2f} s", ""),
        ("  naive scipy: whole sparse product, then top-k", f"{naive_s:.2f} s", ""),
        ("  ours / naive time", f"{ours_s / naive_s:.2f}", "< 1 is faster"),
    ]
    table.append(("  top-k agreement ours vs naive", _agreement(ours, naive), "identical sets"))
    if peer is None:
        table.append(("  sparse_dot_topn", "not installed", ""))
    else:
        table.append(("  sparse_dot_topn (2 threads)", f"{peer_s:.2f} s", ""))
        table.append(("  ours / sparse_dot_topn time", f"{ours_s / peer_s:.2f}", ""))
        table.append(("  top-k agreement ours vs peer", _agreement(ours, peer), "identical sets"))
    return table


def _ours(left_dense, left_sparse, right_dense, right_sparse, k, block_size):
    """The engine's method: dense GEMM plus sparse product per block, then top-k."""
    scores, indices = [], []
    for start in range(0, left_dense.shape[0], block_size):
        block = left_dense[start : start + block_size] @ right_dense.T
        product = left_sparse[start : start + block_size] @ right_sparse.T
        rows = np.repeat(np.arange(product.shape[0]), np.diff(product.indptr))
        block[rows, product.indices] += product.data
        block_scores, block_indices = top_k_rows(block, k)
        scores.append(block_scores)
        indices.append(block_indices)
    return np.vstack(scores), np.vstack(indices)


def _sparse_dot_topn(left, right, k):
    try:
        from sparse_dot_topn import sp_matmul_topn
    except ImportError:
        return 0.0, None
    started = time.perf_counter()
    result = sp_matmul_topn(left, right.T.tocsr(), top_n=k, threshold=0.0, n_threads=2)
    elapsed = time.perf_counter() - started
    dense = np.zeros(result.shape, dtype=np.float32)
    dense_rows = np.repeat(np.arange(result.shape[0]), np.diff(result.indptr))
    dense[dense_rows, result.indices] = result.data
    # Only the stored entries are the peer's answer; rank them like ours.
    candidates = sp.csr_matrix(result)
    top = np.full((result.shape[0], k), -1, dtype=np.int64)
    values = np.zeros((result.shape[0], k), dtype=np.float32)
    for row in range(result.shape[0]):
        columns = candidates.indices[candidates.indptr[row] : candidates.indptr[row + 1]]
        data = candidates.data[candidates.indptr[row] : candidates.indptr[row + 1]]
        order = np.lexsort((columns, -data))[:k]
        top[row, : len(order)], values[row, : len(order)] = columns[order], data[order]
    return elapsed, (values, top)


def _agreement(first, second, tolerance: float = 1e-4) -> str:
    """Rows whose top-k scores agree within ``tolerance`` and whose sets agree but for ties."""
    (first_scores, first_ids), (second_scores, second_ids) = first, second
    same_scores = np.abs(first_scores - second_scores).max(axis=1) <= tolerance
    same_sets = np.array(
        [set(a) == set(b) for a, b in zip(first_ids.tolist(), second_ids.tolist(), strict=True)]
    )
    return (
        f"{same_sets.mean():.1%} sets, {same_scores.mean():.1%} scores"
        f" (max diff {np.abs(first_scores - second_scores).max():.1e})"
    )


# ---------------------------------------------------------------------- data
# The generator lives in fixtures.market (``matchmaker fixtures synth`` uses it too).

if __name__ == "__main__":
    main()
