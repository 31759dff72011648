"""API tokens expire, can be listed and revoked (CLI and the account page), record their last
use, stop working for a deactivated user, and are stored only as a hash.

The probe found tokens that never expired and could be neither listed nor revoked.
"""

import hashlib
import re
from datetime import timedelta

from sqlmodel import select

from models import ApiToken, User, utcnow
from tests.helpers import AUTHORITY, ENTERPRISE, login, post_form
from webapp.i18n import day


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def me(client, token: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_cli_tokens_expire_after_the_days_asked(app, client, db):
    token = cli(app, "tokens", "create", "--email", ENTERPRISE, "--days", "7").output.strip()
    row = db.exec(select(ApiToken).where(
        ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()
    assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    default = cli(app, "tokens", "create", "--email", ENTERPRISE).output.strip()
    assert me(client, default).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)  # as if seven days had passed
    db.add(row)
    db.commit()
    assert me(client, token).status_code == 401
    assert cli(app, "tokens", "create", "--email", ENTERPRISE, "--days", "0").exit_code != 0


def test_cli_lists_and_revokes_tokens(app, client):
    token = cli(app, "tokens", "create", "--email", ENTERPRISE, "--name", "ERP sync").output
    token = token.strip()
    listing = cli(app, "tokens", "list", "--email", ENTERPRISE).output
    assert "ERP sync" in listing and "never" in listing
    assert token not in listing
    assert me(client, token).status_code == 200
    listing = cli(app, "tokens", "list", "--email", ENTERPRISE).output
    assert "never" not in listing  # its last use is recorded
    token_id = re.search(r"^(\d+)\tERP sync", listing, re.M).group(1)
    revoked = cli(app, "tokens", "revoke", token_id)
    assert revoked.exit_code == 0, revoked.output
    assert me(client, token).status_code == 401
    assert "has no API tokens" in cli(app, "tokens", "list", "--email", ENTERPRISE).output
    assert cli(app, "tokens", "revoke", token_id).exit_code != 0


def test_only_a_hash_of_the_token_is_stored(app, db):
    token = cli(app, "tokens", "create", "--email", ENTERPRISE).output.strip()
    row = db.exec(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row.model_dump())


def test_a_deactivated_users_token_stops_working(app, client):
    token = cli(app, "tokens", "create", "--email", ENTERPRISE).output.strip()
    assert me(client, token).status_code == 200
    cli(app, "users", "deactivate", "--email", ENTERPRISE)
    assert me(client, token).status_code == 401
    cli(app, "users", "activate", "--email", ENTERPRISE)
    assert me(client, token).status_code == 200


def test_the_account_page_creates_shows_once_lists_and_revokes(client, db):
    login(client, AUTHORITY)
    page = client.get("/account/password").get_data(as_text=True)
    assert "API tokens" in page and "You have no API tokens." in page
    created = post_form(client, "/account/tokens", {"name": "Reporting", "days": "30"})
    assert created.status_code == 201
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.get_data(as_text=True))
    token = token.group(1)
    assert me(client, token).json["email"] == AUTHORITY
    again = client.get("/account/password").get_data(as_text=True)
    assert token not in again  # shown only once
    assert "Reporting" in again
    row = db.exec(select(ApiToken).where(ApiToken.name == "Reporting")).one()
    with client.application.test_request_context():
        assert day(row.expires_at) in again  # in the reader's language, 30 days ahead
    assert (row.expires_at - utcnow()).days in (29, 30)
    revoked = post_form(client, f"/account/tokens/{row.id}/revoke")
    assert revoked.status_code == 303
    assert "The token is revoked." in client.get("/account/password").get_data(as_text=True)
    assert me(client, token).status_code == 401


def test_the_account_page_refuses_bad_input_and_others_tokens(client, db, app):
    login(client, AUTHORITY)
    bad = post_form(client, "/account/tokens", {"name": "x", "days": "1000"})
    assert bad.status_code == 422
    assert 'id="days-error"' in bad.get_data(as_text=True)
    cli(app, "tokens", "create", "--email", ENTERPRISE, "--name", "theirs")
    theirs = db.exec(select(ApiToken).join(User).where(User.email == ENTERPRISE)).one()
    assert post_form(client, f"/account/tokens/{theirs.id}/revoke").status_code == 404
    db.expire_all()
    assert db.get(ApiToken, theirs.id) is not None
