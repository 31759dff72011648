"""Behind an https reverse proxy: cookies marked Secure, the client address taken from the
proxy's header only when the proxy is configured (MATCHMAKER_PROXY_FIX_X_FOR).

The probe found the session cookie without `Secure` behind an https proxy.
"""

import re

import pytest

from tests.helpers import AUTHORITY, DEMO_PASSWORD, login
from webapp import create_app
from webapp.db import ENGINE_KEY

TOO_MANY = "Too many failed attempts"


@pytest.fixture
def env_app(seeded_db_file, tmp_path, monkeypatch):
    """Make an app configured the production way: by MATCHMAKER_* environment variables."""
    import shutil

    made = []

    def make(**env):
        for name, value in env.items():
            monkeypatch.setenv(f"MATCHMAKER_{name}", value)
        db_file = tmp_path / f"env-{len(made)}.sqlite"
        shutil.copy(seeded_db_file, db_file)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_file}")
        monkeypatch.setenv("SECRET_KEY", "env-test-secret")
        app = create_app()
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions[ENGINE_KEY].dispose()


def set_cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_cookies_are_secure_when_served_over_https(env_app):
    app = env_app(HTTPS="true", PROXY_FIX_X_PROTO="1")
    client = app.test_client()
    https = {"base_url": "https://localhost"}  # a browser sends Secure cookies over https only
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      client.get("/login", **https).get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": AUTHORITY, "password": DEMO_PASSWORD,
                                           "csrf_token": token},
                           headers={"Referer": "https://localhost/login"}, **https)
    assert response.status_code == 302
    cookies = set_cookie_headers(response)
    assert "Secure" in cookies["session"]
    assert "Secure" in cookies["matchmaker_device"]
    assert "HttpOnly" in cookies["session"] and "SameSite=Lax" in cookies["session"]


def test_plain_http_development_still_logs_in(env_app):
    client = env_app().test_client()
    response = login(client, AUTHORITY)
    assert response.status_code == 302
    assert "Secure" not in set_cookie_headers(response)["session"]


def test_the_proxys_client_address_is_used_when_configured(env_app):
    app = env_app(PROXY_FIX_X_FOR="1")
    guesser = app.test_client()
    guesser.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        html = login(guesser, AUTHORITY, "wrong-password-x").get_data(as_text=True)
    assert TOO_MANY in html
    owner = app.test_client()  # the same proxy (127.0.0.1), another client behind it
    owner.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.20"
    assert login(owner, AUTHORITY).status_code == 302


def test_a_forged_forwarded_header_is_ignored_without_a_proxy(env_app):
    app = env_app()
    guesser = app.test_client()
    answers = []
    for n in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        guesser.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n + 1}"
        answers.append(login(guesser, AUTHORITY, "wrong-password-x").get_data(as_text=True))
    assert TOO_MANY in answers[-1]
