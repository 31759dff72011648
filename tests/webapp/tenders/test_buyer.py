"""Authority pages: own tenders with candidates, market research, and what they never see."""

import re

import pytest
from sqlmodel import select

from models import Authority, Tender, User
from tests.helpers import AUTHORITY, ENTERPRISE, login


def own_tenders(db) -> list[Tender]:
    user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    return db.exec(select(Tender).where(Tender.authority_id == user.authority_id)).all()


def test_the_authority_sees_its_own_tenders_only(client, db):
    login(client, AUTHORITY)
    html = client.get("/buyers/tenders").get_data(as_text=True)
    mine = own_tenders(db)
    assert mine
    for tender in mine:
        assert f"/buyers/tenders/{tender.id}" in html
    other = db.exec(select(Tender).where(Tender.authority_id != mine[0].authority_id)).first()
    assert f"/buyers/tenders/{other.id}\"" not in html
    assert client.get(f"/buyers/tenders/{other.id}").status_code == 404


def test_candidates_come_with_reasons_and_public_fields_only(client, db):
    login(client, AUTHORITY)
    green = next(t for t in own_tenders(db) if t.cpv_main.startswith("7731"))
    html = client.get(f"/buyers/tenders/{green.id}").get_data(as_text=True)
    assert "Groenwerk Utrecht" in html  # the park-maintenance WISE in Utrecht
    assert "Why this enterprise?" in html and 'role="img"' in html
    assert "1500000" not in html and "1,500,000" not in html  # its turnover
    assert "turnover" not in html.lower()


def test_market_research_counts_by_region_and_judges_art20(client):
    login(client, AUTHORITY)
    response = client.get("/buyers/research?cpv_codes=90911200&nuts=NL33&value_eur=200000"
                          "&reservation=none")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "social enterprises could bid" in html
    assert "Schoon &amp; Sociaal Rotterdam" in html
    assert "Reserving under Art. 20" in html
    assert 'id="research-by-region-title"' in html
    fragment = client.get("/buyers/research?cpv_codes=77310000&nuts=NL31&reservation=art20",
                          headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Groenwerk Utrecht" in fragment.get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_art20_verdict_shows_a_percent_sign_not_two(client, language):
    """A message without parameters is not %-formatted: "30%%" reached the page as written."""
    login(client, AUTHORITY)
    html = client.get("/buyers/research?cpv_codes=90910000&nuts=NL31&value_eur=200000",
                      headers={"Accept-Language": language}).get_data(as_text=True)
    verdict = re.search(r"(?:Reserving under Art\. 20|onder art\. 20)[^<]*", html).group(0)
    assert "30%" in verdict and "%%" not in html


def test_market_research_errors_are_shown_beside_the_field(client):
    login(client, AUTHORITY)
    response = client.get("/buyers/research?cpv_codes=cleaning&nuts=&value_eur=-5")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="research-cpv_codes-error"' in html and 'id="research-value_eur-error"' in html
    assert 'value="cleaning"' in html


def test_enterprises_cannot_open_buyers_pages(client, db):
    login(client, ENTERPRISE)
    assert client.get("/buyers/tenders").status_code == 403
    assert client.get("/buyers/research").status_code == 403
    authority = db.exec(select(Authority)).first()
    assert client.get(f"/buyers/tenders/{authority.id}").status_code == 403
