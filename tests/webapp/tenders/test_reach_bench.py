"""The fixture targets that ``make bench`` prints (bench.reach), held by the suite: no
enterprise is offered a tender outside its reach, and every candidate an authority is shown
for its open or planned tenders, and every tender an enterprise is offered, shows the activity
(a CPV or text signal above 0)."""

from bench import reach


def test_on_the_fixtures_lists_stay_within_reach_and_candidates_show_their_activity(capsys):
    report = reach.run()
    assert report.n_enterprises > 50 and report.n_offered > 50
    assert report.n_outside_reach == 0
    assert report.n_left_out_by_reach > 0  # the gate is at work, and said
    assert report.n_offered_without_evidence == 0
    assert report.n_candidates > 50
    assert report.n_without_evidence == 0
    reach.print_report(report)
    printed = capsys.readouterr().out
    assert "NOT MET" not in printed and printed.count("met") == 3
