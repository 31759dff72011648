"""The realistic fixtures: counts, variety, dates relative to today, and official codes."""

import csv
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

import models
from fixtures import DEMO_PASSWORD, FixturesAlreadyLoaded, load_fixtures
from webapp.security import verify_password

TODAY = date(2026, 3, 2)


def new_session() -> Session:
    engine = create_engine("sqlite://", poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    SQLModel.metadata.create_all(engine)
    return Session(engine)


@pytest.fixture(scope="module")
def loaded():
    """One in-memory database loaded with the fixtures for TODAY, and the returned counts."""
    with new_session() as session:
        counts = load_fixtures(session, today=TODAY)
        yield session, counts


def all_rows(session, model):
    return session.exec(select(model)).all()


def test_counts_meet_the_minimums(loaded):
    session, counts = loaded
    minimums = {"sectors": 8, "authorities": 80, "applications": 150, "enterprises": 50,
                "tenders": 400, "lots": 1, "users": 4}
    for name, minimum in minimums.items():
        assert counts[name] >= minimum, name
    assert counts["tenders"] == len(all_rows(session, models.Tender))
    assert counts["lots"] == len(all_rows(session, models.Lot))


def test_sectors_have_topics_and_cpv_codes(loaded):
    session, _ = loaded
    for sector in all_rows(session, models.Sector):
        assert 6 <= len(sector.topics) <= 10, sector.slug
        assert sector.cpv_codes and all(re.fullmatch(r"\d{8}", c) for c in sector.cpv_codes)
        assert sector.description.count(".") >= 2


def test_every_sector_reads_in_dutch(loaded):
    """Each sector ships its Dutch name, description and a label for every one of its topics."""
    session, _counts = loaded
    for sector in all_rows(session, models.Sector):
        dutch = sector.translations["nl"]
        assert dutch["name"] and dutch["name"] != sector.name, sector.slug
        assert dutch["description"].count(".") >= 2, sector.slug
        assert set(dutch["topics"]) == set(sector.topics), sector.slug
        labels = list(dutch["topics"].values())
        assert all(labels) and len(set(labels)) == len(labels), sector.slug


def test_authorities_are_varied(loaded):
    session, _ = loaded
    authorities = all_rows(session, models.Authority)
    assert len({a.country for a in authorities}) >= 15
    assert {a.kind for a in authorities} == set(models.AuthorityKind)
    assert any(a.max_sectors in (1, 2) for a in authorities)
    assert all(a.languages for a in authorities)
    assert "EL" not in {a.country for a in authorities}, "Greece is GR as a country code"
    for a in authorities:
        assert a.nuts.startswith("EL" if a.country == "GR" else a.country), a.name


def test_applications_make_large_and_small_pools(loaded):
    session, _ = loaded
    applications = all_rows(session, models.Application)
    topics = {s.id: set(s.topics) for s in all_rows(session, models.Sector)}
    pools = Counter(a.sector_id for a in applications)
    assert sum(size > 7 for size in pools.values()) >= 3
    assert max(pools.values()) <= 35 and sorted(pools.values())[-3] >= 20
    per_authority = Counter(a.authority_id for a in applications)
    assert any(n == 2 for n in per_authority.values())
    assert any(n == 3 for n in per_authority.values())
    assert len({(a.authority_id, a.sector_id) for a in applications}) == len(applications)
    for application in applications:
        assert application.topics and set(application.topics) <= topics[application.sector_id]
        sentences = re.split(r"(?<=\.)\s+(?=[A-Z])", application.motivation)
        assert 1 <= len(sentences) <= 3 and application.motivation.endswith(".")
        assert 1 <= application.preference_rank <= per_authority[application.authority_id]
    assert len({a.motivation for a in applications}) > 0.8 * len(applications)


def test_enterprises_cover_every_kind_and_eight_countries(loaded):
    session, _ = loaded
    enterprises = all_rows(session, models.Enterprise)
    assert {e.kind for e in enterprises} == set(models.EnterpriseKind)
    assert len({e.country for e in enterprises}) >= 8
    for e in enterprises:
        country = "EL" if e.country == "GR" else e.country
        assert e.nuts.startswith(country) and all(r.startswith(country) for r in e.regions_served)
        if e.kind == models.EnterpriseKind.SHELTERED_WORKSHOP:
            assert e.disadvantaged_share >= 0.3, e.name
        assert e.regions_served and e.cpv_codes
        assert e.min_contract_value_eur <= e.max_contract_value_eur
    assert any(e.public_service_mission for e in enterprises)
    assert any(e.disadvantaged_share < 0.3 for e in enterprises)


def test_tenders_reservations_lots_and_buyers(loaded):
    session, _ = loaded
    tenders = all_rows(session, models.Tender)
    lots = all_rows(session, models.Lot)
    n = len(tenders)
    by_reservation = Counter(t.reservation for t in tenders)
    assert 0.05 <= by_reservation[models.Reservation.ART20] / n <= 0.12
    assert 0.015 <= by_reservation[models.Reservation.ART77] / n <= 0.06
    assert any(t.reserved_execution for t in tenders)
    with_lots = {lot.tender_id for lot in lots}
    assert 0.3 <= len(with_lots) / n <= 0.5
    lots_per_tender = Counter(lot.tender_id for lot in lots)
    assert set(lots_per_tender.values()) <= {2, 3, 4, 5}
    open_tenders = {t.id for t in tenders if t.reservation == models.Reservation.NONE}
    assert any(lot.reservation == models.Reservation.ART20 and lot.tender_id in open_tenders
               for lot in lots), "some open tender has one lot reserved under Art. 20"
    assert len({t.source_id for t in tenders}) == n
    assert all(t.source == "fixture" and t.url.startswith("https://example.org/") for t in tenders)
    assert sum(t.authority_id is not None for t in tenders) > n / 2
    assert {"nl", "de", "it", "fr", "en"} <= {t.language for t in tenders}
    assert {"EUR", "SEK", "PLN", "DKK"} <= {t.currency for t in tenders}
    assert {"open", "restricted", "negotiated", "competitive_dialogue"} == {
        t.procedure for t in tenders}
    for t in tenders:
        if t.currency == "EUR":
            assert t.value_eur == t.value_amount
        else:
            assert t.value_eur < t.value_amount
        assert t.nuts_codes and t.cpv_main


def test_dates_are_relative_to_today(loaded):
    session, _ = loaded
    tenders = all_rows(session, models.Tender)
    offsets = [(t.deadline.date() - TODAY).days for t in tenders]
    assert min(offsets) >= -30 and max(offsets) <= 90
    assert sum(0 <= d <= 3 for d in offsets) >= 3
    for t, offset in zip(tenders, offsets, strict=True):
        assert t.published_at.date() < TODAY
        assert (t.status == models.TenderStatus.CLOSED) == (offset < 0)
    assert {t.status for t in tenders} == set(models.TenderStatus)

    later = TODAY + timedelta(days=40)
    with new_session() as other:
        load_fixtures(other, today=later)
        shifted = {t.source_id: t for t in all_rows(other, models.Tender)}
    for t in tenders:
        again = shifted[t.source_id]
        assert again.deadline - t.deadline == timedelta(days=40)
        assert again.title == t.title and again.cpv_main == t.cpv_main


def test_demo_users_log_in_and_coordinate(loaded):
    session, _ = loaded
    users = {u.email: u for u in all_rows(session, models.User)}
    for email in ("coordinator@demo.matchmaker.eu", "coordinator2@demo.matchmaker.eu",
                  "authority@demo.matchmaker.eu", "enterprise@demo.matchmaker.eu"):
        assert verify_password(users[email].password_hash, DEMO_PASSWORD), email
    n_sectors = len(all_rows(session, models.Sector))
    links = Counter(link.user_id for link in all_rows(session, models.SectorCoordinator))
    assert links[users["coordinator@demo.matchmaker.eu"].id] == n_sectors
    assert links[users["coordinator2@demo.matchmaker.eu"].id] == (n_sectors + 1) // 2

    authority_user = users["authority@demo.matchmaker.eu"]
    assert authority_user.role == models.Role.AUTHORITY
    authority_id = authority_user.authority_id
    applications = session.exec(
        select(models.Application).where(models.Application.authority_id == authority_id)).all()
    assert len(applications) == 2
    own_tenders = select(models.Tender).where(models.Tender.authority_id == authority_id)
    assert session.exec(own_tenders).first()

    enterprise_id = users["enterprise@demo.matchmaker.eu"].enterprise_id
    enterprise = session.get(models.Enterprise, enterprise_id)
    assert enterprise.kind == models.EnterpriseKind.WISE and enterprise.nuts == "NL33C"
    assert "90910000" in enterprise.cpv_codes or "90919200" in enterprise.cpv_codes


def test_loading_twice_raises(loaded):
    session, _ = loaded
    with pytest.raises(FixturesAlreadyLoaded):
        load_fixtures(session, today=TODAY)


# Official code lists beside the project (the ``shared_data`` fixture fails without them).

def _nuts_codes(shared_data: Path) -> set[str]:
    with (shared_data / "nuts" / "nuts_2021.csv").open(encoding="utf-8") as f:
        return {row["NUTS_ID"] for row in csv.DictReader(f, delimiter=";")}


def _cpv_codes(shared_data: Path) -> set[str]:
    with (shared_data / "cpv" / "cpv_2008_en.csv").open(encoding="utf-8-sig") as f:
        return {row["CODE"][:8] for row in csv.DictReader(f)}


def _art77_codes(shared_data: Path) -> set[str]:
    text = (shared_data / "eforms-codelists" / "cpv_social-service-cpv.gc").read_text("utf-8")
    rows = re.findall(r"<Row>(.*?)</Row>", text, flags=re.S)
    codes = {re.search(r"<SimpleValue>\s*([0-9-]+)\s*</SimpleValue>", row).group(1)[:8]
             for row in rows}
    assert len(codes) > 50
    return codes


def test_every_nuts_code_exists(loaded, shared_data):
    nuts = _nuts_codes(shared_data)
    session, _ = loaded
    used = {a.nuts for a in all_rows(session, models.Authority)}
    for e in all_rows(session, models.Enterprise):
        used |= {e.nuts, *e.regions_served}
    for t in all_rows(session, models.Tender):
        used |= set(t.nuts_codes)
    assert used - nuts == set()


def test_every_cpv_code_exists(loaded, shared_data):
    cpv = _cpv_codes(shared_data)
    session, _ = loaded
    used = {c for s in all_rows(session, models.Sector) for c in s.cpv_codes}
    used |= {c for e in all_rows(session, models.Enterprise) for c in e.cpv_codes}
    for t in all_rows(session, models.Tender):
        used |= {t.cpv_main, *t.cpv_additional}
    used |= {c for lot in all_rows(session, models.Lot) for c in lot.cpv_codes}
    assert used - cpv == set()


def test_art77_tenders_use_only_art77_services(loaded, shared_data):
    art77 = _art77_codes(shared_data)
    session, _ = loaded
    tenders = {t.id: t for t in all_rows(session, models.Tender)}
    for t in tenders.values():
        if t.reservation == models.Reservation.ART77:
            assert {t.cpv_main, *t.cpv_additional} <= art77, t.title
    for lot in all_rows(session, models.Lot):
        if lot.reservation == models.Reservation.ART77:
            assert set(lot.cpv_codes) <= art77, lot.title
