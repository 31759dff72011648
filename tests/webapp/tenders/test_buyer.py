"""Authority pages: own tenders with candidates, market research, and what they never see."""

import re

import pytest
from sqlmodel import select

from models import Authority, Tender, User
from tests.helpers import AUTHORITY, ENTERPRISE, bearer, login, post_form, refused_page


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


@pytest.mark.parametrize(("language", "said"), [
    ("en", "No social enterprise fits this tender well (score of at least 40%); the closest"),
    ("nl", "Geen sociale onderneming past goed bij deze aanbesteding (score van minstens 40%)"),
])
def test_a_tender_without_a_strong_candidate_says_so_not_zero(client, db, language, said):
    login(client, AUTHORITY)
    post_form(client, "/language", {"locale": language, "next": "/"})
    # Utrecht's reception and caretaking services: one weak candidate (a furniture workshop).
    reception = next(t for t in own_tenders(db) if t.cpv_main.startswith("9834"))
    html = client.get(f"/buyers/tenders/{reception.id}").get_data(as_text=True)
    assert said in html and "%%" not in html
    assert "0 social enterprises" not in html and "0 sociale ondernemingen" not in html
    assert 'class="card match"' in html


def test_a_tender_nobody_can_bid_for_says_who_does_the_work_and_why_not(app, client, db):
    """Utrecht's job coaching, reserved under Art. 77: no candidate, and the page (and the
    API) say that one enterprise doing this work lacks the public-service mission and three
    do not serve Utrecht, instead of a bare "no one fits"."""
    login(client, AUTHORITY)
    coaching = next(t for t in own_tenders(db) if t.cpv_main.startswith("853125"))
    assert coaching.reservation == "art77"
    html = client.get(f"/buyers/tenders/{coaching.id}").get_data(as_text=True)
    assert "No social enterprise in Matchmaker fits this tender." in html
    assert "Left out, though they do this work:" in html
    assert ("1 social enterprise does this work but has no public-service mission, which the "
            "Art. 77 reservation requires.") in html
    assert "3 social enterprises do this work but do not serve the tender&#39;s place." in html
    api = client.get(f"/api/v1/tenders/{coaching.id}/candidates",
                     headers=bearer(app, AUTHORITY)).json
    assert api["candidates"] == []
    assert {(r["code"], r["n_enterprises"]) for r in api["left_out"]} == {
        ("art77_mission", 1), ("outside_reach", 3)}
    # beside a candidate, the others of the trade elsewhere are counted too
    green = next(t for t in own_tenders(db) if t.cpv_main.startswith("7731"))
    page = client.get(f"/buyers/tenders/{green.id}").get_data(as_text=True)
    assert "Groenwerk Utrecht" in page
    assert re.search(r"\d+ social enterprises do this work but do not serve", page)


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
    # Gelderland: no cleaning enterprise of the fixtures serves it or a region beside it.
    html = client.get("/buyers/research?cpv_codes=90910000&nuts=NL22&value_eur=200000",
                      headers={"Accept-Language": language}).get_data(as_text=True)
    verdict = re.search(r"(?:Reserving under Art\. 20|onder art\. 20)[^<]*", html).group(0)
    assert "30%" in verdict and "%%" not in html


def test_enterprises_cannot_open_buyers_pages(client, db):
    login(client, ENTERPRISE)
    assert client.get("/buyers/tenders").status_code == 403
    assert client.get("/buyers/research").status_code == 403
    authority = db.exec(select(Authority)).first()
    assert client.get(f"/buyers/tenders/{authority.id}").status_code == 403


def test_art77_for_work_art77_does_not_cover_gets_the_legal_reason_beside_the_field(client):
    login(client, AUTHORITY)
    html = refused_page(client, "/buyers/research?cpv_codes=90911200&nuts=NL31&reservation=art77")
    assert 'id="research-reservation-error"' in html
    assert "Art. 77(1) of Directive 2014/24/EU" in html and "90911200 is not one of them" in html
    # A social service Art. 77 lists is answered.
    assert client.get("/buyers/research?cpv_codes=85312000&nuts=NL31&reservation=art77"
                      ).status_code == 200


def test_codes_missing_from_the_official_lists_are_refused_beside_their_field(client, db,
                                                                             shared_data):
    from webapp.tenders.services import reference

    login(client, AUTHORITY)
    # Without the official lists only the format is checked.
    assert client.get("/buyers/research?cpv_codes=99999999&nuts=NL99").status_code == 200
    reference.load_cpv(db, shared_data / "cpv" / "cpv_2008_en.csv")
    reference.load_nuts(db, shared_data / "nuts" / "nuts_2021.csv")
    db.commit()
    html = refused_page(client, "/buyers/research?cpv_codes=99999999&nuts=NL99")
    assert 'id="research-cpv_codes-error"' in html and "Not CPV 2008 codes: 99999999" in html
    assert 'id="research-nuts-error"' in html and "NL99" in html
    assert client.get("/buyers/research?cpv_codes=90911200&nuts=NL33").status_code == 200


def test_the_art20_count_says_where_and_is_the_same_whatever_the_reservation(app, client):
    from tests.helpers import bearer

    login(client, AUTHORITY)
    query = "/buyers/research?cpv_codes=77310000&nuts=NL31&value_eur=150000&reservation="
    pages = {r: client.get(query + r).get_data(as_text=True) for r in ("none", "art20")}
    verdicts = {r: html.split('class="verdict', 1)[1].split("</p>", 1)[0]
                for r, html in pages.items()}
    assert verdicts["none"] == verdicts["art20"]
    assert "(in NL31 (Netherlands): 1)" in verdicts["none"]  # where the qualifying one is
    body = client.post("/api/v1/market-research", headers=bearer(app, AUTHORITY), json={
        "cpv_codes": ["77310000"], "nuts": "NL31", "value_eur": 150000, "reservation": "none",
    }).get_json()
    assert body["n_art20"] == sum(r["n_enterprises"] for r in body["art20_region_counts"])
    assert body["art20_verdict"] in verdicts["none"].replace("&#39;", "'")
    assert [r["code"] for r in body["art20_region_counts"]] == ["NL31"]
