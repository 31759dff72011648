"""Sessions end for real: a copied session cookie stops working after logout, after a password
change (for every other session) and after deactivation.

Sessions were client-side signed cookies with nothing on the server to revoke them: a cookie
kept from before a logout went on working for its whole lifetime.
"""

from sqlmodel import select

from models import User
from tests.helpers import AUTHORITY, COORDINATOR, DEMO_PASSWORD, login, post_form

NEW_PASSWORD = "tulip fields at dawn 2026"


def replay(app, cookie: str):
    """A browser that never logged in, sending a session cookie someone kept."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_kept_cookie_stops_working_after_logout(app, client):
    login(client, COORDINATOR)
    kept = client.get_cookie("session").value
    assert replay(app, kept).get("/account/password").status_code == 200
    post_form(client, "/logout")
    response = replay(app, kept).get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, client):
    laptop, phone = client, app.test_client()
    login(laptop, AUTHORITY)
    login(phone, AUTHORITY)
    kept = phone.get_cookie("session").value
    done = post_form(laptop, "/account/password", {
        "current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert "other sessions have ended" in laptop.get("/").get_data(as_text=True)
    assert laptop.get("/account/password").status_code == 200
    assert phone.get("/account/password").status_code == 302
    assert replay(app, kept).get("/account/password").status_code == 302
    assert login(phone, AUTHORITY, NEW_PASSWORD).status_code == 302


def test_deactivation_ends_sessions_and_refuses_login(app, client, db):
    login(client, AUTHORITY)
    result = app.test_cli_runner().invoke(args=["users", "deactivate", "--email", AUTHORITY])
    assert result.exit_code == 0, result.output
    assert client.get("/account/password").status_code == 302
    refused = login(client, AUTHORITY)
    assert refused.status_code == 422
    assert "deactivated" in refused.get_data(as_text=True)
    app.test_cli_runner().invoke(args=["users", "activate", "--email", AUTHORITY])
    assert login(client, AUTHORITY).status_code == 302
    db.expire_all()
    assert db.exec(select(User).where(User.email == AUTHORITY)).one().is_active


def test_a_new_login_still_works_after_a_logout_elsewhere(app, client):
    login(client, COORDINATOR)
    post_form(client, "/logout")
    assert login(client, COORDINATOR).status_code == 302
    assert client.get("/account/password").status_code == 200
