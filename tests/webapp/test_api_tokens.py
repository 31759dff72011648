"""Bearer tokens for the JSON API, created from the CLI."""

from tests.helpers import ENTERPRISE


def create_token(app, email: str) -> str:
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", email])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_token_from_the_cli_authenticates_api_calls(app, client):
    token = create_token(app, ENTERPRISE)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == ENTERPRISE
    assert response.json["role"] == "enterprise"


def test_missing_or_wrong_token_is_401_with_a_message(client):
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401
    assert "Bearer" in missing.json["message"]
    wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer mm_not-a-token"})
    assert wrong.status_code == 401


def test_cli_refuses_a_token_for_an_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", "nobody@x.eu"])
    assert result.exit_code != 0
    assert "No user with email" in result.output


def test_cli_creates_a_user_who_can_log_in(app, client):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "--email", "new@city.eu", "--role",
                               "coordinator", "--password", "short"])
    assert weak.exit_code != 0
    made = runner.invoke(args=["users", "create", "--email", "New@City.eu", "--role",
                               "coordinator", "--password", "long-enough-pass"])
    assert made.exit_code == 0, made.output
    from tests.helpers import login

    assert login(client, "new@city.eu", "long-enough-pass").status_code == 302


def test_openapi_document_describes_the_api(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert "/me" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_tokens_table_shows_dates_in_the_reader_language_and_zone(app, client, db):
    from datetime import UTC, datetime

    from sqlmodel import select

    from models import ApiToken, User
    from tests.helpers import login

    create_token(app, ENTERPRISE)
    user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
    user.locale, user.timezone = "nl", "Europe/Amsterdam"
    token = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    token.created_at = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)  # the 6th in Amsterdam
    token.expires_at = datetime(2099, 10, 1, 12, 0, tzinfo=UTC)
    token.last_used_at = datetime(2026, 3, 7, 9, 15, tzinfo=UTC)
    db.add_all([user, token])
    db.commit()
    login(client, ENTERPRISE)
    html = client.get("/account/password").get_data(as_text=True)
    assert "6 mrt 2026" in html and "1 okt 2099" in html
    assert "7 mrt 2026 10:15 CET" in html
    assert "2026-03" not in html and " UTC" not in html
