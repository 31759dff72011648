"""The `matchmaker` command: database, fixtures, users, tokens, reference lists, serving."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlmodel import select

from models import Role, Sector, User, utcnow
from webapp import accounts, migrate
from webapp.db import get_engine, session_scope
from webapp.passwords import password_problems
from webapp.security import MIN_PASSWORD_LENGTH, InvalidEmail, hash_password, normalize_email


def init_app(app: Flask) -> None:
    """Register the command groups on the app (also reachable through `flask --app webapp`)."""
    from webapp.alerts.cli import alerts_cli
    from webapp.tenders.importing.cli import import_cli, reference_cli

    for group in (db_cli, fixtures_cli, users_cli, tokens_cli, import_cli, reference_cli,
                  index_cli, alerts_cli):
        app.cli.add_command(group)
    for command in (serve, worker, scheduler):
        app.cli.add_command(command)


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


@fixtures_cli.command("synth")
@click.option("--tenders", "n_tenders", type=click.IntRange(min=0), default=10_000,
              show_default=True, help="Open tenders to generate (a tenth of them with lots).")
@click.option("--enterprises", "n_enterprises", type=click.IntRange(min=0), default=1_000,
              show_default=True)
@click.option("--applicants", "n_applicants", type=click.IntRange(min=0), default=0,
              show_default=True, help="Authorities applying to one sector's working group.")
@click.option("--sector", "sector_slug", default=None,
              help="The sector of the applicants (slug; default: the first sector).")
@click.option("--seed", type=int, default=0, show_default=True)
def fixtures_synth(n_tenders, n_enterprises, n_applicants, sector_slug, seed) -> None:
    """Fill the database with generated tenders, enterprises and applicants (bulk inserts)."""
    import time

    from fixtures.synthetic import synthesize

    started = time.perf_counter()
    with session_scope(get_engine()) as db:
        try:
            counts = synthesize(db, n_tenders=n_tenders, n_enterprises=n_enterprises,
                                n_applicants=n_applicants, sector_slug=sector_slug, seed=seed)
        except LookupError as error:
            raise click.ClickException(str(error)) from None
    click.echo("Generated " + ", ".join(f"{n:,} {name}" for name, n in counts.items())
               + f" in {time.perf_counter() - started:.1f} s. Run `matchmaker index build`.")


@click.group("index", cls=AppGroup)
def index_cli() -> None:
    """The matching index of tenders and enterprises."""


@index_cli.command("build")
def index_build() -> None:
    """Build and publish a new index version now (web workers swap it in by themselves)."""
    from webapp.tenders.services.index import build_index

    row = build_index(current_app._get_current_object(), get_engine())
    click.echo(f"Index version {row.id}: {row.n_tenders:,} tenders, {row.n_enterprises:,} "
               f"enterprises, built in {row.build_seconds:.1f} s.")


@index_cli.command("fit-weights")
@click.option("--dry-run", is_flag=True, help="Print the weights; store nothing.")
def index_fit_weights(dry_run: bool) -> None:
    """Fit the signal weights from enterprises' saved and dismissed tenders; the next build
    (`matchmaker index build`, or the hourly rebuild) scores with them."""
    from webapp.tenders.services.index import load_tender_items
    from webapp.tenders.services.weights import TooLittleFeedback, fit_from_feedback

    with session_scope(get_engine()) as db:
        try:
            fit = fit_from_feedback(db, load_tender_items(db), store=not dry_run)
        except TooLittleFeedback as error:
            raise click.ClickException(error.message) from None
    click.echo(f"From {fit.n_enterprises} enterprises' saves and dismissals "
               f"({fit.n_pairs:,} pairs of a saved and a dismissed tender):")
    click.echo(f"{'signal':<8} {'in use':>7} {'feedback':>9} {'new':>7}")
    for name, before in fit.before.items():
        click.echo(f"{name:<8} {before:>7.3f} {fit.fitted[name]:>9.3f} "
                   f"{fit.weights[name]:>7.3f}")
    click.echo("Nothing stored (--dry-run)." if not fit.stored else
               "Stored: the next index build scores with the new weights "
               "(run `matchmaker index build` to use them now).")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs from the Redis queue (needs MATCHMAKER_REDIS_URL)."""
    from webapp import jobs

    try:
        jobs.run_worker(current_app._get_current_object(), burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Enqueue the periodic jobs on time (RQ's cron scheduler; needs MATCHMAKER_REDIS_URL)."""
    from webapp import jobs

    try:
        jobs.run_scheduler(current_app._get_current_object())
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Accounts."""


def _email(_ctx, _param, value: str) -> str:
    """The shared e-mail check: the CLI makes no account the login form would refuse."""
    try:
        return normalize_email(value)
    except InvalidEmail as error:
        raise click.BadParameter(str(error)) from error


def _user(db, email: str) -> User:
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    return user


@users_cli.command("create")
@click.option("--email", required=True, callback=_email)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--authority-id", type=int, help="The authority an authority user acts for.")
@click.option("--enterprise-id", type=int, help="The enterprise an enterprise user acts for.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters, not a common one.")
def users_create(email, role, authority_id, enterprise_id, password) -> None:
    """Create a user."""
    problems = password_problems(password, email)
    if problems:
        raise click.BadParameter(" ".join(problems), param_hint="password")
    if role == Role.AUTHORITY and authority_id is None:
        raise click.BadParameter("an authority user needs --authority-id", param_hint="role")
    if role == Role.ENTERPRISE and enterprise_id is None:
        raise click.BadParameter("an enterprise user needs --enterprise-id", param_hint="role")
    with session_scope(get_engine()) as db:
        if db.exec(select(User).where(User.email == email)).first():
            raise click.ClickException(f"A user with email {email} already exists.")
        user = User(email=email, password_hash=hash_password(password), role=Role(role),
                    authority_id=authority_id, enterprise_id=enterprise_id)
        db.add(user)
        db.commit()
        click.echo(f"Created {role} user {email} (id {user.id}).")


def _activation(name: str, active: bool, help: str, done: str) -> click.Command:
    """`users activate` and `users deactivate`: one switch, two commands."""

    @users_cli.command(name, help=help)
    @click.option("--email", required=True, callback=_email)
    def command(email: str) -> None:
        with session_scope(get_engine()) as db:
            accounts.set_active(db, _user(db, email), active)
        click.echo(f"{done} {email}.")

    return command


users_deactivate = _activation(
    "deactivate", False, "Deactivate a user: no more login, their sessions end and their API "
    "tokens stop working.", "Deactivated")
users_activate = _activation("activate", True, "Reactivate a deactivated user.", "Activated")


@click.group("tokens", cls=AppGroup)
def tokens_cli() -> None:
    """API tokens."""


@tokens_cli.command("create")
@click.option("--email", required=True, callback=_email, help="The user the token acts for.")
@click.option("--name", default="", help="What the token is for, to recognise it later.")
@click.option("--days", type=click.IntRange(1, accounts.MAX_TOKEN_DAYS),
              default=accounts.DEFAULT_TOKEN_DAYS, show_default=True,
              help="How long the token stays valid.")
def tokens_create(email: str, name: str, days: int) -> None:
    """Create a bearer token for the JSON API; it is shown once and stored only as a hash."""
    with session_scope(get_engine()) as db:
        token, _row = accounts.create_token(db, _user(db, email), name, days)
    click.echo(token)


@tokens_cli.command("list")
@click.option("--email", required=True, callback=_email, help="Whose tokens.")
def tokens_list(email: str) -> None:
    """List a user's tokens: id, name, created, expires, last used (never the token)."""
    with session_scope(get_engine()) as db:
        rows = accounts.tokens_of(db, _user(db, email))
    if not rows:
        click.echo(f"{email} has no API tokens.")
        return
    now = utcnow()
    click.echo("id\tname\tcreated\texpires\tlast used")
    for row in rows:
        expires = row.expires_at.strftime("%Y-%m-%d") + (" (expired)" if row.expires_at <= now
                                                          else "")
        used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
        click.echo(f"{row.id}\t{row.name or '-'}\t{row.created_at:%Y-%m-%d}\t{expires}\t{used}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id (from `tokens list`): it stops working at once."""
    with session_scope(get_engine()) as db:
        if not accounts.revoke_token(db, token_id):
            raise click.ClickException(f"No API token with id {token_id}.")
    click.echo(f"Revoked token {token_id}.")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve with the embedded server (one process). Production runs gunicorn: see README."""
    from werkzeug.serving import run_simple

    from webapp import jobs
    from webapp.tenders.services import index

    app = current_app._get_current_object()
    index.start_loading(app)  # the CLI's app skips the start-up work a served one does
    jobs.start_periodic_thread(app)
    run_simple(host, port, app, threaded=True)
