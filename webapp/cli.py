"""The `matchmaker` command: database, fixtures, users, tokens, reference lists, serving."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlmodel import select

from models import ApiToken, Role, Sector, User
from webapp import migrate
from webapp.db import get_engine, session_scope
from webapp.security import MIN_PASSWORD_LENGTH, hash_password, new_api_token


def init_app(app: Flask) -> None:
    """Register the command groups on the app (also reachable through `flask --app webapp`)."""
    from webapp.alerts.cli import alerts_cli
    from webapp.tenders.importing.cli import import_cli, reference_cli

    for group in (db_cli, fixtures_cli, users_cli, tokens_cli, import_cli, reference_cli,
                  alerts_cli):
        app.cli.add_command(group)
    app.cli.add_command(serve)


@click.group("db", cls=AppGroup)
def db_cli() -> None:
    """Database schema."""


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the database schema."""
    migrate.upgrade(get_engine(), revision)
    click.echo(f"Database at revision {revision}.")


@db_cli.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    migrate.revision(get_engine(), message)


@click.group("fixtures", cls=AppGroup)
def fixtures_cli() -> None:
    """Sample data."""


@fixtures_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def fixtures_load(if_empty: bool) -> None:
    """Load the realistic sample data (sectors, authorities, enterprises, tenders, demo users)."""
    from fixtures import load_fixtures

    with session_scope(get_engine()) as db:
        if db.exec(select(Sector)).first() is not None:
            if if_empty:
                click.echo("The database already has data; fixtures not loaded.")
                return
            raise click.ClickException("The database already has data; use an empty database.")
        counts = load_fixtures(db)
    click.echo("Loaded " + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".")


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--authority-id", type=int, help="The authority an authority user acts for.")
@click.option("--enterprise-id", type=int, help="The enterprise an enterprise user acts for.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
def users_create(email, role, authority_id, enterprise_id, password) -> None:
    """Create a user."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password"
        )
    if role == Role.AUTHORITY and authority_id is None:
        raise click.BadParameter("an authority user needs --authority-id", param_hint="role")
    if role == Role.ENTERPRISE and enterprise_id is None:
        raise click.BadParameter("an enterprise user needs --enterprise-id", param_hint="role")
    with session_scope(get_engine()) as db:
        email = email.strip().lower()
        if db.exec(select(User).where(User.email == email)).first():
            raise click.ClickException(f"A user with email {email} already exists.")
        user = User(email=email, password_hash=hash_password(password), role=Role(role),
                    authority_id=authority_id, enterprise_id=enterprise_id)
        db.add(user)
        db.commit()
        click.echo(f"Created {role} user {email} (id {user.id}).")


@click.group("tokens", cls=AppGroup)
def tokens_cli() -> None:
    """API tokens."""


@tokens_cli.command("create")
@click.option("--email", required=True, help="The user the token acts for.")
@click.option("--name", default="", help="What the token is for, to recognise it later.")
def tokens_create(email: str, name: str) -> None:
    """Create a bearer token for the JSON API; it is shown once and stored only as a hash."""
    with session_scope(get_engine()) as db:
        user = db.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise click.ClickException(f"No user with email {email}.")
        token, digest = new_api_token()
        db.add(ApiToken(user_id=user.id, token_hash=digest, name=name))
        db.commit()
    click.echo(token)


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve with the embedded server (one process). Production runs gunicorn: see README."""
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True)


def main() -> None:
    """Entry point of the `matchmaker` console script."""
    from webapp.app import create_app

    cli = FlaskGroup(
        create_app=create_app,
        add_version_option=False,
        help="Matchmaker: working groups of public buyers, tenders for social enterprises.",
    )
    cli.main(prog_name="matchmaker")
