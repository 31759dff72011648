"""Real Scottish OCDS data: imported tenders are matched, with reasons, and Art. 20 is gated."""

from datetime import UTC, datetime

import pytest

from models import Enterprise, EnterpriseKind, Tender
from webapp.tenders.services import MatchFilters, buyer, importing, ranked_for

SCOTLAND = "ocds/scotland/public_contracts_scotland_releases.json"
BEFORE_DEADLINES = datetime(2019, 4, 20, tzinfo=UTC)  # the releases close in May-June 2019
SHELTERED_TENDER = "ocds-r6ebe6-0000580540"  # medical aids for Fife, reserved under Art. 20


@pytest.fixture
def scotland(app, db, shared_data):
    """The app with the Scottish releases imported, deadlines checked as of April 2019."""
    app.config["MATCHER_NOW"] = BEFORE_DEADLINES
    summary = importing.import_ocds(db, (shared_data / SCOTLAND).read_bytes(),
                                  now=BEFORE_DEADLINES)
    assert summary.n_created == 90
    return app


def enterprise(db, **fields) -> Enterprise:
    row = Enterprise(**{"country": "GB", "disadvantaged_share": 0.0, **fields})
    db.add(row)
    db.commit()
    return row


def ocds_tender(db, source_id: str) -> Tender:
    from sqlmodel import select

    return db.exec(select(Tender).where(Tender.source_id == source_id)).one()


def test_a_scottish_cleaning_wise_gets_scottish_cleaning_tenders_with_reasons(scotland, db):
    wise = enterprise(db, name="Clean Start Edinburgh", kind=EnterpriseKind.WISE,
                      disadvantaged_share=0.5, nuts="UKM75", regions_served=["UKM"],
                      cpv_codes=["90910000", "90911200"], turnover_eur=2_000_000,
                      description="Office, school and end-of-tenancy cleaning by trainees.")
    with scotland.test_request_context():
        view = ranked_for(db, wise, MatchFilters(limit=10, region="UKM"))
    assert view.matches
    best = view.matches[0]
    assert "Cleaning" in best.title
    assert best.signals[0].name == "cpv" and best.signals[0].percent >= 80
    assert "90910000" in best.signals[0].reason
    region = next(s for s in best.signals if s.name == "region")
    assert "UKM75" in region.reason and region.percent == 100
    assert all(s.reason for s in best.signals)


def test_the_sheltered_workshop_tender_is_for_workshops_and_gated_for_others(scotland, db):
    fife = dict(nuts="UKM72", regions_served=["UKM"], cpv_codes=["33000000"],
                description="Supply and repair of medical aids and mobility equipment.",
                turnover_eur=20_000_000)
    workshop = enterprise(db, name="Fife Workshop", kind=EnterpriseKind.SHELTERED_WORKSHOP,
                          disadvantaged_share=0.7, **fife)
    firm = enterprise(db, name="Fife Supplies", kind=EnterpriseKind.OTHER,
                      disadvantaged_share=0.1, **fife)
    reserved = ocds_tender(db, SHELTERED_TENDER)
    with scotland.test_request_context():
        for_workshop = ranked_for(db, workshop, MatchFilters(limit=5))
        for_firm = ranked_for(db, firm, MatchFilters(limit=200, show_excluded=True))
    assert reserved.id in [m.tender_id for m in for_workshop.matches]
    assert reserved.id not in [m.tender_id for m in for_firm.matches]
    gate = next(g for g in for_firm.excluded if g.tender_id == reserved.id)
    assert gate.code == "art20" and "30%" in gate.reason


def test_market_research_finds_the_new_scottish_enterprise(scotland, db):
    enterprise(db, name="Clean Start Glasgow", kind=EnterpriseKind.WISE, disadvantaged_share=0.5,
               nuts="UKM82", cpv_codes=["90911200"], turnover_eur=900_000,
               description="Office cleaning.")
    with scotland.test_request_context():
        result = buyer.market_research(db, buyer.parse_research(
            {"cpv_codes": "90911200", "nuts": "UKM", "reservation": "art20"}))
    assert "Clean Start Glasgow" in [c.enterprise.name for c in result.candidates]
    assert any(r.code.startswith("UKM") for r in result.region_counts)
