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
    relevance.print_report(report)
    assert "mean nDCG@10" in capsys.readouterr().out
