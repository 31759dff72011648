"""`matchmaker reference load-nuts` says which rows it did not load, and why (issue 14)."""

import re

from sqlmodel import select

from models import NutsRegion


def test_load_nuts_reports_every_skipped_row_with_its_reason(app, db, shared_data):
    nuts_file = shared_data / "nuts" / "nuts_2021.csv"
    n_lines = len(nuts_file.read_text(encoding="utf-8-sig").splitlines()) - 1  # minus header
    result = app.test_cli_runner().invoke(args=["reference", "load-nuts", str(nuts_file)])
    assert result.exit_code == 0, result.output
    loaded = int(re.search(r"Loaded (\d+) NUTS regions", result.output).group(1))
    skipped = int(re.search(r"Skipped (\d+) rows:", result.output).group(1))
    assert loaded + skipped == n_lines
    reasons = re.findall(r"^  line \d+: .+$", result.output, flags=re.MULTILINE)
    assert len(reasons) == skipped
    assert any("1A (Kosovo) is not shaped like a NUTS code" in r for r in reasons)
    assert any(re.search(r"AL \(Albania\) repeats line \d+; kept 'Shqipëria'", r)
               for r in reasons)
    assert db.exec(select(NutsRegion.name).where(NutsRegion.code == "AL")).one() == "Shqipëria"
