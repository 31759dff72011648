"""Private figures leaked by inference: varying ``value_eur`` in market research and reading the
value signal (or the score that contains it) gave an enterprise's turnover ceiling within 1 % in
22 requests and its minimum contract value in 17.

Other parties now get a band (fits / stretch / too large / too small) computed against the
capacity rounded to a 1-2-5 grid, and a score built from that band; market research is also
limited per user (429 with a message and Retry-After).
"""

import math

import pytest
from sqlmodel import select

from models import Enterprise
from tests.helpers import AUTHORITY, bearer, login

NAME = "Groenwerk Utrecht"
TURNOVER, MINIMUM = 1_234_000, 17_300  # ceiling: half the turnover, 617,000
CEILING = TURNOVER / 2


@pytest.fixture
def probe(app, client, db):
    """An authority's market-research oracle for the enterprise: value_eur -> (score, signal)."""
    enterprise = db.exec(select(Enterprise).where(Enterprise.name == NAME)).one()
    enterprise.turnover_eur, enterprise.min_contract_value_eur = TURNOVER, MINIMUM
    enterprise.max_contract_value_eur = None
    db.add(enterprise)
    db.commit()
    app.config["MARKET_RESEARCH_LIMIT"] = "1000 per minute"  # the attack, not the limit
    headers = bearer(app, AUTHORITY)
    calls = []

    def ask(value_eur: float):
        calls.append(value_eur)
        response = client.post("/api/v1/market-research", headers=headers, json={
            "cpv_codes": ["77310000"], "nuts": "NL31", "value_eur": round(value_eur)})
        assert response.status_code == 200, response.json
        found = [c for c in response.json["candidates"] if c["enterprise"]["name"] == NAME]
        assert found, "the enterprise should stay a candidate"
        value = next(s for s in found[0]["signals"] if s["name"] == "value")
        return found[0]["score"], value

    ask.calls = calls
    return ask


def _bisect(ask, low: float, high: float, flips, steps: int) -> float:
    """The attacker's bisection on a log scale for the value where `flips(answer)` turns."""
    for _ in range(steps):
        middle = math.sqrt(low * high)
        if flips(ask(middle)):
            high = middle
        else:
            low = middle
    return math.sqrt(low * high)


def test_the_value_signal_is_a_band_not_a_number(probe):
    for value in (5_000, 50_000, 400_000, 700_000, 1_000_000, 2_000_000):
        _score, signal = probe(value)
        assert signal["value"] is None
        assert signal["band"] in ("fits", "stretch", "too_large", "too_small")
        assert "617" not in signal["reason"] and "1,234" not in signal["reason"]


def test_bisection_no_longer_finds_the_turnover_ceiling(probe):
    def above(answer):
        score, signal = answer
        return signal["band"] in ("stretch", "too_large")
    estimate = _bisect(probe, 50_000, 50_000_000, above, 22)
    assert abs(estimate / CEILING - 1) > 0.10, estimate  # was within 1 %
    # and the score says nothing more than the band: a handful of values over a sweep
    scores = {probe(50_000 * 1.2 ** k)[0] for k in range(0, 30, 3)}
    assert len(scores) <= 4, scores


def test_bisection_no_longer_finds_the_minimum_contract_value(probe):
    def fits(answer):
        return answer[1]["band"] != "too_small"
    estimate = _bisect(probe, 100, 500_000, fits, 17)
    assert abs(estimate / MINIMUM - 1) > 0.10, estimate


def test_the_pages_show_the_band(client):
    login(client, AUTHORITY)
    html = client.get("/buyers/research?cpv_codes=77310000&nuts=NL31&value_eur=300000"
                      "&reservation=none").get_data(as_text=True)
    assert '<span class="muted">(fits)</span>' in html


def test_market_research_is_rate_limited_per_user(app, client):
    app.config["MARKET_RESEARCH_LIMIT"] = "3 per minute"
    headers = bearer(app, AUTHORITY)
    body = {"cpv_codes": ["77310000"], "nuts": "NL31", "value_eur": 100000}
    for _ in range(3):
        assert client.post("/api/v1/market-research", headers=headers, json=body
                           ).status_code == 200
    refused = client.post("/api/v1/market-research", headers=headers, json=body)
    assert refused.status_code == 429
    assert "Try again in 1 minute" in refused.json["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # the page shares the count (same user), and says so in a page
    login(client, AUTHORITY)
    page = client.get("/buyers/research?cpv_codes=77310000&nuts=NL31")
    assert page.status_code == 429
    assert "Too many requests" in page.get_data(as_text=True)
