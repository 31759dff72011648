"""Open redirect: every `next` a form follows must stay on this site, read as a browser reads it.

Browsers drop tabs and newlines inside a URL and treat a backslash as a slash, so
`/\\t/evil.example` or `/\\evil.example` lead to `//evil.example`, another site.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from sqlmodel import select

from models import Application, Tender, TenderStatus, User
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    DEMO_PASSWORD,
    ENTERPRISE,
    csrf_token,
    login,
    post_form,
)

HOST = "localhost"  # the test client's host
HOSTILE = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "%09//evil.example",
    "/%5Cevil.example",
    "/%5C/evil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "//evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/%00/evil.example",
    "%20//evil.example",
]


def browser_destination(location: str, base: str = f"http://{HOST}/login") -> str:
    """The host a browser goes to for this Location header (WHATWG URL parsing, roughly)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                                                     "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15"
                                                     "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    cleaned = cleaned.replace("\\", "/")
    parts = urlsplit(urljoin(base, cleaned))
    return parts.scheme + "://" + parts.netloc


@pytest.mark.parametrize("target", HOSTILE)
def test_login_next_never_leaves_the_site(client, target):
    token = csrf_token(client, "/login")
    response = client.post(f"/login?next={target}", data={
        "email": COORDINATOR, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert browser_destination(response.headers["Location"]) == f"http://{HOST}"


def test_login_next_still_follows_a_local_path(client):
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/account/password", data={
        "email": COORDINATOR, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "/\\evil.example", "/\n/evil.example", "https://evil.example"])
def test_feedback_next_never_leaves_the_site(client, db, target):
    login(client, ENTERPRISE)
    tender = db.exec(select(Tender.id).where(Tender.status == TenderStatus.OPEN)).first()
    response = post_form(client, f"/opportunities/tenders/{tender}/feedback",
                         {"action": "saved", "next": target})
    assert response.status_code == 303
    assert browser_destination(response.headers["Location"]) == f"http://{HOST}"


def test_feedback_next_still_returns_to_the_page(client, db):
    login(client, ENTERPRISE)
    tender = db.exec(select(Tender.id).where(Tender.status == TenderStatus.OPEN)).first()
    response = post_form(client, f"/opportunities/tenders/{tender}/feedback",
                         {"action": "saved", "next": "/opportunities/?q=x"})
    assert response.headers["Location"] == "/opportunities/?q=x"


@pytest.mark.parametrize("target", [
    "/partners/\t/../\t/evil.example", "/\t/evil.example", "/partners\\..\\\\evil.example",
    "//evil.example/partners/"])
def test_members_next_never_leaves_the_site(client, db, target):
    login(client, AUTHORITY)
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    application = db.exec(
        select(Application.id).where(Application.authority_id == me.authority_id)).first()
    response = post_form(client, f"/partners/applications/{application}/wishes",
                         {"kind": "nonsense", "next": target})
    assert response.status_code == 303
    assert browser_destination(response.headers["Location"]) == f"http://{HOST}"
