"""Stored XSS through a website: an enterprise (or an authority) stores ``javascript:…`` and
another party's page renders it as a link. Input refuses any address but http(s); pages show
only http(s) addresses as links, so rows stored before the check cannot run script either."""

import re

import pytest
from sqlmodel import select

from models import Authority, Enterprise, Tender, User
from tests.helpers import AUTHORITY, ENTERPRISE, bearer, csrf_token, login
from tests.webapp.groupings.test_members import arrange_proposals

PAYLOADS = [
    "javascript:alert(document.domain)//",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "https:alert(1)",
]
HREFS = re.compile(r'href="([^"]*)"')


def _own_enterprise(db) -> Enterprise:
    user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
    return db.get(Enterprise, user.enterprise_id)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_refuses_a_website_that_is_not_http(app, client, db, payload):
    enterprise = _own_enterprise(db)
    response = client.patch(f"/api/v1/enterprises/{enterprise.id}", json={"website": payload},
                            headers=bearer(app, ENTERPRISE))
    assert response.status_code == 422
    assert "http" in response.get_json()["fields"]["website"]
    db.refresh(enterprise)
    assert enterprise.website == _own_enterprise(db).website != payload


def test_the_api_keeps_an_https_website(app, client, db):
    enterprise = _own_enterprise(db)
    response = client.patch(f"/api/v1/enterprises/{enterprise.id}",
                            json={"website": "https://example.org/about?x=1"},
                            headers=bearer(app, ENTERPRISE))
    assert response.status_code == 200
    assert response.get_json()["website"] == "https://example.org/about?x=1"


def test_the_profile_form_shows_the_error_beside_the_website(client, db):
    login(client, ENTERPRISE)
    page = client.get("/opportunities/profile").get_data(as_text=True)
    fields = {name: value for name, value in re.findall(
        r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)}
    fields.update({"csrf_token": csrf_token(client, "/opportunities/profile"),
                   "kind": _own_enterprise(db).kind.value,
                   "website": "javascript:alert(document.domain)//"})
    response = client.post("/opportunities/profile", data=fields)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    error = re.search(r'<p class="error" id="website-error">([^<]+)</p>', html)
    assert error and "http" in error.group(1)
    assert 'href="javascript:' not in html


def _hrefs(html: str) -> list[str]:
    return [h for h in HREFS.findall(html) if not h.startswith(("/", "#", "http://", "https://"))]


def test_stored_bad_websites_are_not_links_on_authorities_pages(client, db):
    """Rows written before validation existed (or straight to the database) stay harmless."""
    for enterprise in db.exec(select(Enterprise)).all():
        enterprise.website = "javascript:alert(document.domain)//"
        db.add(enterprise)
    for tender in db.exec(select(Tender)).all():
        tender.url = "javascript:alert(document.domain)//"
        db.add(tender)
    db.commit()
    login(client, AUTHORITY)
    user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    tender = db.exec(select(Tender).where(Tender.authority_id == user.authority_id,
                                          Tender.cpv_main.startswith("7731"))).first()
    pages = {
        "tender and candidates": client.get(f"/buyers/tenders/{tender.id}"),
        "market research": client.get(
            "/buyers/research?cpv_codes=77310000&nuts=NL31&reservation=none"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "Groenwerk Utrecht" in html, name  # the candidates are there…
        assert _hrefs(html) == [], name  # …without a link to the stored script


def test_stored_bad_authority_website_is_not_a_link_on_the_partner_page(client, db):
    arranged = arrange_proposals(db)
    for authority in db.exec(select(Authority)).all():
        authority.website = "javascript:alert(document.domain)//"
        db.add(authority)
    db.commit()
    login(client, AUTHORITY)
    response = client.get(f"/partners/groups/{arranged.my_group_id}")
    assert response.status_code == 200
    assert _hrefs(response.get_data(as_text=True)) == []


def test_stored_bad_tender_url_is_not_a_link_for_enterprises(client, db):
    tender = db.exec(select(Tender).where(Tender.url != "")).first()
    tender.url = "javascript:alert(document.domain)//"
    db.add(tender)
    db.commit()
    login(client, ENTERPRISE)
    response = client.get(f"/opportunities/tenders/{tender.id}")
    assert _hrefs(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_filter_passes_only_http_addresses(payload):
    from webapp.rendering import safe_url  # here: the module did not have it before the fix

    assert safe_url(payload) == ""
    assert safe_url("https://example.org/a?b=c#d") == "https://example.org/a?b=c#d"
    assert safe_url("HTTP://EXAMPLE.ORG") == "HTTP://EXAMPLE.ORG"
    assert safe_url(None) == ""
