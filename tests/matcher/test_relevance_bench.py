"""The relevance benchmark runs through the product and returns sane numbers (not targets)."""

import math

from bench import relevance


def test_ndcg_of_perfect_and_empty_lists():
    grades = {"a": 2, "b": 1, "c": 0}
    assert relevance.ndcg_at(["a", "b", "c"], grades) == 1.0
    assert relevance.ndcg_at([], grades) == 0.0
    assert 0 < relevance.ndcg_at(["c", "b", "a"], grades) < 1


def test_the_benchmark_runs_and_every_figure_lies_in_the_unit_interval(shared_data, capsys):
    report = relevance.run(shared_data)
    keys = set(report.ours[""])
    assert len(keys) == 8
    figures = [
        *(v for reach in report.ours.values() for v in reach.values()),
        *(v for reach in report.ceiling.values() for v in reach.values()),
        *(v for baseline in report.baselines.values() for v in baseline.values()),
        *(v for reach in report.lopo.values() for v in reach.values()),
    ]
    assert set(report.lopo) == set(relevance.REACHES)
    assert all(set(figures) == keys for figures in report.lopo.values())
    # A wider reach never leaves out more graded tenders than the default one.
    assert all(report.left_out["country"][g] <= report.left_out[""][g] for g in (1, 2))
    assert figures and all(0.0 <= v <= 1.0 and not math.isnan(v) for v in figures)
    assert set(report.baselines) == set(relevance.BASELINES)
    assert all(set(b) == keys for b in report.baselines.values())
    assert all(report.ours[r][k] <= report.ceiling[r][k] + 1e-9 for r in report.ours for k in keys)
    assert all(0 < len(top) <= relevance.K for top in report.top.values())
    # The baselines within a reach rank a subset of the tenders: a wider reach takes in at
    # least as many, and every profile is scored at every reach.
    assert set(report.baselines_in_reach) == set(relevance.REACHES)
    assert all(set(report.baselines_in_reach[r][b]) == keys
               for r in relevance.REACHES for b in relevance.BASELINES)
    # Where the page draws its line: a tender graded good (its manager would bid) never sits
    # under "Weaker matches", and the line sets most of what the lists offer apart.
    for reach in relevance.REACHES:
        split = report.strong[reach]
        assert split[2][0] == split[2][1] > 0
        assert split[0][0] <= split[0][1] // 10
    relevance.print_report(report)
    out = capsys.readouterr().out
    assert "mean nDCG@10" in out and "ranking only the tenders in the same reach" in out
    assert "strong matches (fit >= 40%)" in out


def test_a_wider_reach_takes_in_every_tender_a_narrower_one_does(shared_data):
    setup = relevance.build(shared_data)
    try:
        matcher = relevance.fitted_engine(setup)
        narrow, wide = (relevance.reach_sets(setup, matcher, r) for r in ("", "country"))
        assert all(narrow[key] <= wide[key] for key in narrow)
        assert any(narrow[key] < wide[key] for key in narrow)  # the default reach leaves some out
        # ... and the product never offers a tender outside the reach it was asked for.
        offered = relevance.product_rankings(setup, "")
        assert all(set(offered[key]) <= narrow[key] for key in narrow)
    finally:
        setup.close()
