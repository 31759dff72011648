"""The fixture targets of the tender matches: `python -m bench.reach`.

On the demo data (``fixtures``, loaded into a fresh SQLite file migrated to head) it reads,
through the services behind the pages and the API:

* every enterprise's list at its own reach (``ranked_for``, the whole list): how many of the
  tenders offered lie outside the regions it serves and their neighbours
  (``rules.within_reach``, the test the gate itself applies) — target 0; and, beside it, how
  many tenders the reach left out with its reason (the other side of the same gate); and
  how many of the tenders offered show no activity in their signals (CPV and text both 0)
  — target 0;
* every open or planned tender's candidates as its authority sees them
  (``tender_candidates``): how many have no evidence of the activity, that is a CPV and a
  text signal both at 0 — target 0.

The figures are counts over all enterprises and tenders, so a single slip shows.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.common import print_table


@dataclass(frozen=True)
class Report:
    n_enterprises: int
    n_offered: int
    n_outside_reach: int
    n_left_out_by_reach: int
    n_offered_without_evidence: int
    n_tenders: int
    n_candidates: int
    n_without_evidence: int


def run() -> Report:
    from sqlmodel import Session, select

    import models
    from fixtures import load_fixtures
    from matcher.tenders.rules import reach_areas, within_reach
    from webapp import create_app
    from webapp.db import ENGINE_KEY
    from webapp.migrate import upgrade
    from webapp.tenders.services import MatchFilters, ranked_for
    from webapp.tenders.services.buyer import tender_candidates
    from webapp.tenders.services.matching import enterprise_profile

    with tempfile.TemporaryDirectory(prefix="reach-bench-") as workdir:
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'reach.sqlite'}",
            "SECRET_KEY": "reach-bench",
            "LOG_LEVEL": "WARNING",
        })
        engine = app.extensions[ENGINE_KEY]
        upgrade(engine)
        with app.test_request_context(), Session(engine) as db:
            load_fixtures(db, today=date.today())
            n_offered = n_outside = n_left_out = n_offered_without = 0
            enterprises = db.exec(select(models.Enterprise)).all()
            for enterprise in enterprises:
                areas = reach_areas(enterprise_profile(enterprise))
                view = ranked_for(db, enterprise, MatchFilters(limit=200, show_excluded=True))
                for match in view.matches:
                    tender = db.get(models.Tender, match.tender_id)
                    n_offered += 1
                    n_outside += not within_reach(areas, tender.nuts_codes)
                    n_offered_without += _without_evidence(match.signals)
                n_left_out += sum(1 for gate in view.excluded if gate.code == "outside_reach")
            # The coordinator may read every tender's candidates, as its authority does its own.
            reader = db.exec(
                select(models.User).where(models.User.role == models.Role.COORDINATOR)
            ).first()
            tenders = db.exec(select(models.Tender).where(models.Tender.status.in_(
                [models.TenderStatus.OPEN, models.TenderStatus.PLANNED]))).all()
            n_candidates = n_without = 0
            for tender in tenders:
                for candidate in tender_candidates(db, reader, tender.id).candidates:
                    n_candidates += 1
                    n_without += _without_evidence(candidate.signals)
        engine.dispose()
    return Report(len(enterprises), n_offered, n_outside, n_left_out, n_offered_without,
                  len(tenders), n_candidates, n_without)


def _without_evidence(signals) -> bool:
    """A CPV and a text signal both at 0 (or absent): nothing shows the activity."""
    value = {s.name: s.value or 0.0 for s in signals}
    return value.get("cpv", 0.0) <= 0 and value.get("text", 0.0) <= 0


def print_report(report: Report) -> None:
    print(f"On the fixtures: {report.n_enterprises} enterprises' lists "
          f"({report.n_offered} tenders offered), {report.n_tenders} open or planned "
          f"tenders' candidates ({report.n_candidates} shown)")
    print_table([
        ("tenders offered outside the served regions and their neighbours",
         str(report.n_outside_reach), "0  " + _met(report.n_outside_reach == 0)),
        ("tenders left out by the reach, with the reason", str(report.n_left_out_by_reach),
         "(shown under 'left out')"),
        ("tenders offered without activity evidence (CPV and text both 0)",
         str(report.n_offered_without_evidence),
         "0  " + _met(report.n_offered_without_evidence == 0)),
        ("candidates without activity evidence (CPV and text both 0)",
         str(report.n_without_evidence), "0  " + _met(report.n_without_evidence == 0)),
    ])


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> None:
    """Run on the fixtures and print the table (``--quick`` is accepted and changes nothing)."""
    parser = argparse.ArgumentParser(prog="python -m bench.reach", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="accepted; the fixtures are small")
    parser.parse_args(argv)
    print_report(run())


if __name__ == "__main__":
    main()
