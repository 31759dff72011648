"""Login, logout, CSRF, role checks, lockout and password change, through the real pages."""

import re

from sqlmodel import select

from models import User
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    DEMO_PASSWORD,
    ENTERPRISE,
    csrf_token,
    login,
    post_form,
)


def test_login_shows_the_role_home_page(client):
    response = login(client, COORDINATOR)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Your sectors" in page
    assert COORDINATOR in page


def test_each_role_lands_on_its_own_home(client):
    expectations = {
        AUTHORITY: "Your applications to working groups",
        ENTERPRISE: "(social enterprise)",
    }
    for email, text in expectations.items():
        login(client, email)
        assert text in client.get("/").get_data(as_text=True)
        post_form(client, "/logout")


def test_wrong_password_shows_the_form_again_with_the_error_beside_it(client):
    response = login(client, COORDINATOR, "not-the-password")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Wrong email or password." in html
    assert 'aria-invalid="true"' in html
    assert "Your sectors" not in client.get("/").get_data(as_text=True)


def test_logout_ends_the_session(client):
    login(client, COORDINATOR)
    response = post_form(client, "/logout", follow_redirects=True)
    assert "You are logged out." in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302


def test_a_form_without_csrf_token_is_rejected_with_a_message(client):
    login(client, COORDINATOR)
    response = client.post("/logout")
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_htmx_request_without_csrf_header_is_rejected(client):
    login(client, COORDINATOR)
    response = client.post("/logout", headers={"HX-Request": "true"})
    assert response.status_code == 400
    token = csrf_token(client)
    ok = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert ok.status_code == 302


def test_login_is_throttled_after_repeated_failures(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, ENTERPRISE, "wrong-password-x")
    response = login(client, ENTERPRISE)  # the right password, but too late
    assert response.status_code == 422
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_session_expires(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600
    client = app.test_client()
    login(client, COORDINATOR)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None


def test_password_change_requires_quality_and_the_current_password(client, db):
    login(client, AUTHORITY)
    short = post_form(client, "/account/password", {
        "current_password": DEMO_PASSWORD, "new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert re.search(r"at least 12 characters", short.get_data(as_text=True), re.I)
    wrong = post_form(client, "/account/password", {
        "current_password": "nope-nope-nope", "new_password": "a-much-better-one",
        "confirm": "a-much-better-one"})
    assert "This is not your current password." in wrong.get_data(as_text=True)
    done = post_form(client, "/account/password", {
        "current_password": DEMO_PASSWORD, "new_password": "a-much-better-one",
        "confirm": "a-much-better-one"})
    assert done.status_code == 302
    post_form(client, "/logout")
    assert login(client, AUTHORITY).status_code == 422
    assert login(client, AUTHORITY, "a-much-better-one").status_code == 302
    user = db.exec(select(User).where(User.email == AUTHORITY)).one()
    assert "a-much-better-one" not in user.password_hash


def test_login_never_redirects_to_another_site(client):
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example.com/x", data={
        "email": COORDINATOR, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_pages_need_login_and_redirect_back_after(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login?next=/account/password" in response.headers["Location"]
