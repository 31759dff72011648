"""Password rules (ASVS 2.1): at least 12 characters, up to 128, no composition rules, common
and guessable passwords and the user's own e-mail refused, the reason beside the field; the
CLI applies the same rules.

The probe had `aaaaaaaaaa`, `1234567890` and the user's own e-mail accepted.
"""

import re

import pytest

from tests.helpers import AUTHORITY, DEMO_PASSWORD, login, post_form


def change(client, new: str):
    return post_form(client, "/account/password", {
        "current_password": DEMO_PASSWORD, "new_password": new, "confirm": new})


def error_beside_new_password(response) -> str:
    match = re.search(r'id="new_password-error">([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaa", "at least 12 characters"),
    ("1234567890", "at least 12 characters"),
    (AUTHORITY, "e-mail address"),
    ("Authority-of-2026!", "e-mail address"),
    ("aaaaaaaaaaaa", "easy to guess"),
    ("123456789012", "easy to guess"),
    ("qwertyuiopasdf", "easy to guess"),
    ("password1234", "most common passwords"),
    ("x" * 129, "at most 128 characters"),
])
def test_weak_passwords_are_refused_with_the_reason_beside_the_field(client, password, reason):
    login(client, AUTHORITY)
    response = change(client, password)
    assert response.status_code == 422
    assert reason in error_beside_new_password(response)
    assert login(client, AUTHORITY).status_code == 302  # the old password still works


@pytest.mark.parametrize("password", [
    "correct horse battery staple",  # lower case only: no composition rules
    "ein Zug nach Übersee, bitte!",  # spaces and any characters
    "tulpen-velden-" * 4 + "zomer",  # 61 characters
    "Mein Kompass zeigt nach Norden, wenn die Sonne untergeht um zehn vor neun. " * 1
    + "Weiter so, 1x!" * 3 + "z",  # 118 characters
])
def test_strong_passwords_of_any_kind_are_accepted(client, password):
    login(client, AUTHORITY)
    assert change(client, password).status_code == 302
    post_form(client, "/logout")
    assert login(client, AUTHORITY, password).status_code == 302


def test_the_demo_password_meets_the_rules(app):
    from webapp.passwords import password_problems

    with app.test_request_context():
        assert password_problems(DEMO_PASSWORD, AUTHORITY) == []


def test_the_hint_tells_the_rules_before_the_first_try(client):
    login(client, AUTHORITY)
    html = client.get("/account/password").get_data(as_text=True)
    assert "At least 12 characters" in html


@pytest.mark.parametrize(("password", "reason"), [
    ("1234567890", "at least 12 characters"),
    ("password1234", "most common passwords"),
    ("clerk@city.eu", "e-mail address"),
])
def test_the_cli_applies_the_same_rules(app, password, reason):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "clerk@city.eu", "--role", "coordinator",
        "--password", password])
    assert result.exit_code != 0
    assert reason in result.output
