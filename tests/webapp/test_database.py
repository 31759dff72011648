"""Models and migrations, on SQLite and on the real PostgreSQL server."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

import models
from fixtures import load_fixtures
from models import Application, Authority, AuthorityKind, Lot, Reservation, Sector, Tender
from webapp.db import make_engine
from webapp.migrate import downgrade, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    """A migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    downgrade(engine, "base")  # a no-op on a new database; clears the shared PostgreSQL one
    upgrade(engine)
    yield engine
    engine.dispose()


def test_migrations_create_exactly_the_models_schema(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {"sector", "authority", "application", "proposal", "group", "membership",
            "enterprise", "tender", "lot", "user", "apitoken"} <= tables


def test_downgrade_removes_every_table(engine):
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_fixtures_load_and_query_back(engine, today):
    with Session(engine) as session:
        counts = load_fixtures(session, today=today)
        assert counts["tenders"] >= 400
        reserved = session.exec(
            select(Tender).where(Tender.reservation == Reservation.ART20)).all()
        assert reserved, "some fixture tenders are reserved under Art. 20"
        lots = session.exec(select(Lot).where(Lot.tender_id == reserved[0].id)).all()
        assert all(lot.tender_id == reserved[0].id for lot in lots)
        districts = session.exec(
            select(Authority).where(Authority.kind == AuthorityKind.CITY_DISTRICT)).all()
        assert districts and all(isinstance(a.languages, list) for a in districts)


def test_json_lists_round_trip(engine):
    with Session(engine) as session:
        sector = Sector(slug="s", name="S", cpv_codes=["45000000"], topics=["soil", "asphalt"])
        session.add(sector)
        session.commit()
        session.expunge_all()
        again = session.exec(select(Sector).where(Sector.slug == "s")).one()
        assert again.topics == ["soil", "asphalt"]


def test_an_authority_applies_once_per_sector(engine):
    with Session(engine) as session:
        sector = Sector(slug="food", name="Food")
        authority = Authority(name="Gent", kind=AuthorityKind.MUNICIPALITY, country="BE",
                              nuts="BE234")
        session.add_all([sector, authority])
        session.commit()
        session.add(Application(authority_id=authority.id, sector_id=sector.id))
        session.commit()
        session.add(Application(authority_id=authority.id, sector_id=sector.id))
        with pytest.raises(IntegrityError):
            session.commit()


def test_every_table_model_is_in_the_migration(engine):
    names = {table.name for table in SQLModel.metadata.sorted_tables}
    assert names <= set(inspect(engine).get_table_names())
    assert models.__all__  # the package exports its models


def test_saved_searches_keep_their_filters_under_the_lists_new_names(engine, today):
    """0010 renames the keys of stored filters; down again gives the former names back."""
    from sqlalchemy import text

    with Session(engine) as session:  # by today's models, so before going down
        load_fixtures(session, today=today)
        user = session.exec(select(models.User).where(models.User.enterprise_id.is_not(None))
                            ).first()
        session.expunge(user)
    downgrade(engine, "0009_alerts")
    old = '{"region": "NL33", "closing_after": "2030-01-01", "reserved_only": true, "q": "x"}'
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO savedsearch (user_id, enterprise_id, name, frequency, filters, "
            "feed_token, created_at, updated_at) VALUES (:u, :e, 'Old', 'daily', :f, 'tok', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"u": user.id, "e": user.enterprise_id, "f": old})
    upgrade(engine)
    with Session(engine) as session:
        search = session.exec(select(models.SavedSearch)).one()
        assert search.filters == {"nuts": "NL33", "deadline_after": "2030-01-01",
                                  "reserved": True, "q": "x"}
    downgrade(engine, "0009_alerts")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT filters FROM savedsearch")).scalar_one()
    assert (json.loads(stored) if isinstance(stored, str) else stored) == {
        "region": "NL33", "closing_after": "2030-01-01", "reserved_only": True, "q": "x"}
    upgrade(engine)


def test_sectors_keep_their_translations_across_0011(engine, today):
    """0011 adds the sectors' translations: the sectors stored before read in English (no
    translation); down again drops the column and nothing else."""
    from sqlalchemy import text

    downgrade(engine, "0010_filter_names")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO sector (slug, name, description, cpv_codes, topics) "
            "VALUES ('old', 'Old sector', '', '[]', '[\"Soil\"]')"))
    upgrade(engine)
    with Session(engine) as session:
        old = session.exec(select(Sector).where(Sector.slug == "old")).one()
        assert (old.name, old.topics, old.translations) == ("Old sector", ["Soil"], {})
        old.translations = {"nl": {"name": "Oude sector", "topics": {"Soil": "Grond"}}}
        session.add(old)
        session.commit()
        session.expunge_all()
        again = session.exec(select(Sector).where(Sector.slug == "old")).one()
        assert again.translations["nl"]["topics"] == {"Soil": "Grond"}
    downgrade(engine, "0010_filter_names")
    assert "translations" not in {c["name"] for c in inspect(engine).get_columns("sector")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM sector")).scalars().all() == [
            "Old sector"]
    upgrade(engine)
