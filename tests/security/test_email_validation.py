"""One e-mail check for the CLI and the forms: the CLI can no longer create an account whose
e-mail the login form refuses.

The probe created users with the CLI under addresses the login form then refused.
"""

import re

import pytest

from tests.helpers import csrf_token, login

PASSWORD = "a quiet harbour at noon"
INVALID = ["not-an-email", "someone@localhost", "two words@city.eu", "clerk@city.local",
           "clerk@@city.eu", "clerk@city..eu"]


def create_user(app, email: str):
    return app.test_cli_runner().invoke(args=[
        "users", "create", "--email", email, "--role", "coordinator", "--password", PASSWORD])


def login_form_error(client, email: str) -> str:
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    match = re.search(r'id="email-error">([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


@pytest.mark.parametrize("email", INVALID)
def test_the_cli_refuses_what_the_login_form_refuses(app, client, email):
    assert login_form_error(client, email) == "Enter a valid email address."
    result = create_user(app, email)
    assert result.exit_code != 0
    assert "Invalid value for '--email'" in result.output


def test_an_address_the_cli_accepts_logs_in_as_typed(app, client):
    result = create_user(app, "  Clerk.Jansen@City.EU ")
    assert result.exit_code == 0, result.output
    assert "clerk.jansen@city.eu" in result.output
    assert login(client, "Clerk.Jansen@city.eu", PASSWORD).status_code == 302


def test_the_token_command_uses_the_same_check(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", "nobody"])
    assert result.exit_code != 0
    assert "Invalid value for '--email'" in result.output
