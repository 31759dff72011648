"""Login throttling: a guesser is stopped after a few tries, concurrency cannot slip past the
limit, and the guesser cannot lock the real user out.

The probe found 18 password checks out of 40 concurrent wrong passwords (limit 5), the owner's
correct password refused during the lock, and the counter per account only.
"""

import threading
import time

import pytest

from tests.helpers import AUTHORITY, COORDINATOR, DEMO_PASSWORD, ENTERPRISE, csrf_token, login
from tests.security.conftest import Browser

WRONG = "Wrong email or password."
TOO_MANY = "Too many failed attempts"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"  # documentation addresses, as proxy headers


def concurrent_wrong_passwords(base: str, email: str, n: int) -> list[tuple[int, str]]:
    """`n` browsers from one address send a wrong password at the same moment."""
    browsers = [Browser(base, forwarded_for=ATTACKER) for _ in range(n)]
    tokens = [b.csrf() for b in browsers]  # each has its session and form first
    barrier = threading.Barrier(n)
    results: list[tuple[int, str]] = [(0, "")] * n

    def attempt(i: int) -> None:
        barrier.wait()
        status, _headers, html = browsers[i].login(email, f"wrong-guess-{i:04d}", tokens[i])
        results[i] = (status, html)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_throttled_exactly(results, limit: int) -> None:
    statuses = [status for status, _html in results]
    assert set(statuses) == {422}, statuses  # no 500 under load: every answer is the form
    checked = sum(WRONG in html for _status, html in results)
    refused = sum(TOO_MANY in html for _status, html in results)
    assert (checked, refused) == (limit, len(results) - limit)


def test_concurrent_guesses_get_no_more_checks_than_the_limit_on_sqlite(app, sqlite_server):
    results = concurrent_wrong_passwords(sqlite_server, ENTERPRISE, 40)
    assert_throttled_exactly(results, app.config["LOGIN_MAX_FAILURES"])
    # the owner, from another address, still gets in with the right password
    status, headers, _html = Browser(sqlite_server, forwarded_for=OWNER).login(
        ENTERPRISE, DEMO_PASSWORD)
    assert (status, headers["Location"]) == (302, "/")
    # the guesser's address stays refused, even with the right password
    _status, _headers, html = Browser(sqlite_server, forwarded_for=ATTACKER).login(
        ENTERPRISE, DEMO_PASSWORD)
    assert TOO_MANY in html


@pytest.mark.postgres
def test_gunicorn_workers_share_the_limit_on_postgresql(gunicorn_server):
    results = concurrent_wrong_passwords(gunicorn_server, COORDINATOR, 40)
    assert_throttled_exactly(results, 5)
    status, _headers, _html = Browser(gunicorn_server, forwarded_for=OWNER).login(
        COORDINATOR, DEMO_PASSWORD)
    assert status == 302


def test_the_owner_is_not_refused_from_another_client(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        login(client, AUTHORITY, "wrong-password-x")
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = OWNER
    assert login(other, AUTHORITY).status_code == 302


def test_the_refusal_ends_with_its_window(app_with):
    window = 6
    app = app_with(LOGIN_LOCKOUT=window)  # seconds, as MATCHMAKER_LOGIN_LOCKOUT=6 would set it
    client = app.test_client()
    started = time.monotonic()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, AUTHORITY, "wrong-password-x")
    refused = login(client, AUTHORITY).get_data(as_text=True)
    assert time.monotonic() - started < window, "the machine was too slow to test this"
    assert TOO_MANY in refused
    time.sleep(window + 0.5 - (time.monotonic() - started))
    assert login(client, AUTHORITY).status_code == 302


def test_a_correct_login_clears_the_count_of_its_client(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(client, AUTHORITY, "wrong-password-x")
    assert login(client, AUTHORITY).status_code == 302
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert WRONG in login(client, AUTHORITY, "wrong-password-x").get_data(as_text=True)


def test_one_address_trying_many_accounts_is_stopped(app_with):
    app = app_with(LOGIN_CLIENT_MAX_FAILURES=8)
    stuffer = app.test_client()
    answers = [login(stuffer, f"someone{i}@city.eu", "Password-2024!").get_data(as_text=True)
               for i in range(10)]
    assert [WRONG in a for a in answers] == [True] * 8 + [False] * 2
    assert TOO_MANY in answers[-1]
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = OWNER
    assert login(elsewhere, ENTERPRISE).status_code == 302


def test_guessing_from_many_addresses_is_capped_but_the_owners_browser_gets_in(app_with):
    app = app_with(LOGIN_ACCOUNT_MAX_FAILURES=10)
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = OWNER
    assert login(owner, AUTHORITY).status_code == 302  # the browser is known from now on
    owner.post("/logout", data={"csrf_token": csrf_token(owner)})
    for n in range(3):  # 3 addresses x 4 guesses: each under the per-address limit
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        for _ in range(4):
            login(guesser, AUTHORITY, "wrong-password-x")
    stranger = app.test_client()  # a browser never used for this account, a fresh address
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    assert TOO_MANY in login(stranger, AUTHORITY).get_data(as_text=True)
    assert login(owner, AUTHORITY).status_code == 302
