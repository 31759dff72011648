"""The rough edges an enterprise or a buyer hits (issue 14): each test fails on the old code."""

import re

import pytest

from tests.helpers import AUTHORITY, ENTERPRISE, login, post_form
from webapp.tenders.services import reference

PROFILE = {"name": "Schoon & Sociaal", "kind": "wise", "disadvantaged_percent": "55",
           "nuts": "NL33C", "regions_served": "NL33", "cpv_codes": "90910000",
           "description": "Office cleaning with trainees", "turnover_eur": "2400000"}


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>', html))


@pytest.fixture
def enterprise(client):
    login(client, ENTERPRISE)
    return client


@pytest.fixture
def cpv_loaded(db, shared_data):
    reference.load_cpv(db, shared_data / "cpv" / "cpv_2008_en.csv")


def test_every_profile_error_shows_in_one_pass_with_a_linked_summary(enterprise):
    response = post_form(enterprise, "/opportunities/profile", {
        **PROFILE, "name": "", "nuts": "Rotterdam", "cpv_codes": "123",
        "min_contract_value_eur": "500000", "max_contract_value_eur": "1000"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = _errors(html)
    assert set(errors) >= {"name", "nuts", "cpv_codes", "max_contract_value_eur"}, errors
    assert "smallest contract value is above the largest" in errors["max_contract_value_eur"]
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "autofocus" in html[html.index('id="error-summary"') - 200:][:400]
    for field in ("name", "nuts", "cpv_codes", "max_contract_value_eur"):
        assert f'href="#{field}"' in summary


def test_the_description_is_capped_in_the_browser_and_on_the_server(enterprise):
    html = enterprise.get("/opportunities/profile").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*id="description"[^>]*maxlength="4000"', html) or \
        re.search(r'<textarea[^>]*maxlength="4000"[^>]*id="description"', html)
    response = post_form(enterprise, "/opportunities/profile",
                         {**PROFILE, "description": "x" * 30_000})
    assert response.status_code == 422 and "description" in _errors(
        response.get_data(as_text=True))


def test_the_cpv_search_button_searches_without_saving(enterprise, db, cpv_loaded):
    from tests.webapp.tenders.test_enterprise import demo_enterprise  # noqa: PLC0415
    before = list(demo_enterprise(db).cpv_codes)
    response = post_form(enterprise, "/opportunities/profile",
                         {**PROFILE, "name": "Renamed", "cpv_q": "laundry",
                          "action": "search"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="98310000"' in html  # washing and dry-cleaning services
    assert 'value="Renamed"' in html  # what was typed is kept
    assert "Nothing is saved yet" in html
    db.expire_all()
    assert demo_enterprise(db).name != "Renamed" and demo_enterprise(db).cpv_codes == before
    # the search button comes before "Save profile": Enter in the search box searches
    assert html.index('value="search"') < html.index('value="save"')


def test_cpv_search_ranks_services_and_says_when_there_is_more_or_nothing(enterprise,
                                                                          cpv_loaded):
    html = enterprise.get("/opportunities/profile/cpv-options?cpv_q=laundry",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    codes = re.findall(r'name="cpv_pick" value="(\d{8})"', html)
    assert "98310000" in codes
    assert codes.index("98311000") < codes.index("18935000")  # services before laundry bags
    many = enterprise.get("/opportunities/profile/cpv-options?cpv_q=services",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r"[\d,]+ more codes match: add a word", many)
    none = enterprise.get("/opportunities/profile/cpv-options?cpv_q=zzxqv",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "No CPV code matches “zzxqv”" in none


def test_saved_cpv_codes_are_shown_with_their_labels(enterprise, cpv_loaded):
    html = enterprise.get("/opportunities/profile").get_data(as_text=True)
    assert "Your saved CPV codes" in html and "90910000 Cleaning services" in html


@pytest.mark.parametrize(("query", "field", "message"), [
    ("cpv_codes=", "cpv_codes", "Give at least one CPV code"),
    ("cpv_codes=90910000&value_eur=a+lot", "value_eur", "Enter a whole number"),
])
def test_market_research_speaks_to_people(client, query, field, message):
    login(client, AUTHORITY)
    response = client.get(f"/buyers/research?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "should" not in html.lower().split("<main")[1] or "Input should" not in html
    assert "List should have" not in html and "unable to parse" not in html


def test_market_research_results_show_the_contact_person(client):
    login(client, AUTHORITY)
    html = client.get("/buyers/research?cpv_codes=90910000&nuts=NL33").get_data(as_text=True)
    assert "Sales desk (demo contact)" in html
    assert 'href="mailto:sales.schoon@demo.matchmaker.eu"' in html


def test_the_profile_saves_a_public_contact(enterprise, db):
    from tests.webapp.tenders.test_enterprise import demo_enterprise  # noqa: PLC0415
    bad = post_form(enterprise, "/opportunities/profile",
                    {**PROFILE, "contact_name": "Ann", "contact_email": "not an address"})
    assert bad.status_code == 422 and "contact_email" in _errors(bad.get_data(as_text=True))
    saved = post_form(enterprise, "/opportunities/profile",
                      {**PROFILE, "contact_name": "Ann", "contact_email": "ann@example.org"})
    assert saved.status_code == 302
    db.expire_all()
    assert demo_enterprise(db).contact_email == "ann@example.org"


def _listed(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="match-(\d+)"', html)]


def test_the_list_has_pages_and_page_links(enterprise):
    # a page of 3: the relevance gates of the engine leave the fixture enterprise fewer
    # matches than the default page of 20
    first = enterprise.get("/opportunities/?limit=3").get_data(as_text=True)
    n_total = int(re.search(r"(\d+) matching tenders", first).group(1))
    assert n_total > 3
    assert 'aria-label="Pages of matching tenders"' in first
    assert re.search(r'href="/opportunities/\?[^"]*page=2', first)
    second = enterprise.get("/opportunities/?limit=3&page=2").get_data(as_text=True)
    assert 'aria-current="page">2<' in second
    page1, page2 = _listed(first), _listed(second)
    assert len(page1) == 3 and page2 and not set(page1) & set(page2)
    assert enterprise.get("/opportunities/?page=0").status_code == 422


def test_saved_tenders_have_their_own_page(enterprise):
    first = _listed(enterprise.get("/opportunities/").get_data(as_text=True))[0]
    post_form(enterprise, f"/opportunities/tenders/{first}/feedback", {"action": "saved"})
    listing = enterprise.get("/opportunities/").get_data(as_text=True)
    assert 'href="/opportunities/saved">Saved tenders (1)' in listing
    page = enterprise.get("/opportunities/saved").get_data(as_text=True)
    assert f'href="/opportunities/tenders/{first}"' in page and "1 saved tender" in page
    post_form(enterprise, f"/opportunities/tenders/{first}/feedback", {"action": "clear"})
    assert "You have not saved a tender yet" in enterprise.get(
        "/opportunities/saved").get_data(as_text=True)


@pytest.fixture
def nuts_loaded(db, shared_data):
    reference.load_nuts(db, shared_data / "nuts" / "nuts_2021.csv")


def test_regions_are_picked_by_name(enterprise, client, nuts_loaded):
    profile = enterprise.get("/opportunities/profile").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="nuts"[^>]*list="nuts-regions"', profile)
    assert '<option value="NL33C">NL33C Groot-Rijnmond</option>' in profile
    assert "NL33C Groot-Rijnmond" in profile.split("The regions you serve now:")[1]
    listing = enterprise.get("/opportunities/").get_data(as_text=True)
    assert 'list="nuts-regions"' in listing and '<option value="NL33">NL33 ' in listing


def test_the_region_picker_falls_back_to_country_names(client):
    login(client, AUTHORITY)
    html = client.get("/buyers/research").get_data(as_text=True)
    assert 'list="nuts-regions"' in html and '<option value="NL">NL Netherlands</option>' in html
