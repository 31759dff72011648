"""Helpers for tests that act as a person would: log in, send forms with their CSRF token."""

import io
import re

from sqlmodel import Session, select

from models import User
from webapp.accounts import create_token
from webapp.db import ENGINE_KEY

DEMO_PASSWORD = "demo-password-2026"
COORDINATOR = "coordinator@demo.matchmaker.eu"
COORDINATOR2 = "coordinator2@demo.matchmaker.eu"
AUTHORITY = "authority@demo.matchmaker.eu"
ENTERPRISE = "enterprise@demo.matchmaker.eu"

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token a page would send, read from its meta tag."""
    html = client.get(path).get_data(as_text=True)
    match = _CSRF_META.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = DEMO_PASSWORD):
    """Log in through the login form, as a browser would."""
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


def logged_in(app, email: str):
    """A new test client of the app, logged in as the user."""
    client = app.test_client()
    login(client, email)
    return client


def post_form(client, path: str, data: dict | None = None, **kwargs):
    """POST a form with the CSRF token the page carries."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=payload, **kwargs)


IMPORT_HEADER = "authority_name,country,nuts,kind,population,topics,motivation,preference_rank"


def upload_applications(client, slug: str, *rows: str):
    """Upload a CSV of applications (the header and ``rows``) on the sector's import page."""
    content = "\n".join((IMPORT_HEADER, *rows, "")).encode()
    return post_form(client, f"/sectors/{slug}/import",
                     {"file": (io.BytesIO(content), "applications.csv")},
                     content_type="multipart/form-data")


def refused_page(client, path: str) -> str:
    """The page a GET form answers when it refuses its input: status 422, the form again."""
    response = client.get(path)
    assert response.status_code == 422
    return response.get_data(as_text=True)


def bearer(app, email: str) -> dict:
    """Headers with a fresh API token for the user, stored as `matchmaker tokens create` does."""
    with Session(app.extensions[ENGINE_KEY]) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        token, _row = create_token(db, user, "test")
    return {"Authorization": f"Bearer {token}"}
