"""`matchmaker fixtures synth`: generated tenders, enterprises and applicants in bulk."""

from sqlmodel import Session, func, select

from models import Application, Enterprise, IndexChange, Lot, Sector, Tender
from webapp.db import ENGINE_KEY


def test_synth_fills_the_database_and_asks_for_a_rebuild(app):
    engine = app.extensions[ENGINE_KEY]
    with Session(engine) as db:
        before = {table: db.exec(select(func.count()).select_from(table)).one()
                  for table in (Tender, Lot, Enterprise, Application)}
        sector = db.exec(select(Sector).order_by(Sector.id)).first()
    result = app.test_cli_runner().invoke(args=[
        "fixtures", "synth", "--tenders", "300", "--enterprises", "40", "--applicants", "35",
        "--sector", sector.slug,
    ])
    assert result.exit_code == 0, result.output
    assert "Generated 300 tenders" in result.output
    with Session(engine) as db:
        count = {table: db.exec(select(func.count()).select_from(table)).one()
                 for table in (Tender, Lot, Enterprise, Application)}
        assert count[Tender] - before[Tender] == 300
        assert count[Lot] > before[Lot]  # about a tenth of the tenders have lots
        assert count[Enterprise] - before[Enterprise] == 40
        assert count[Application] - before[Application] == 35
        topics = db.exec(select(Application.topics).where(
            Application.sector_id == sector.id).order_by(Application.id.desc()).limit(35)).all()
        assert all(set(t) <= set(sector.topics) and t for t in topics)
        assert db.exec(select(IndexChange.kind)).all() == ["rebuild"]
        tender = db.exec(select(Tender).where(Tender.source == "synth")).first()
        assert tender.cpv_main and tender.title and tender.status == "open"


def test_synth_needs_an_existing_sector_for_applicants(app):
    result = app.test_cli_runner().invoke(args=[
        "fixtures", "synth", "--tenders", "0", "--enterprises", "0", "--applicants", "5",
        "--sector", "no-such-sector",
    ])
    assert result.exit_code != 0
    assert "No sector 'no-such-sector'" in result.output
