"""`matchmaker alerts send [--dry-run]`: one round by hand (or from cron): the due digests
and summaries, then the outbox."""

import click
from flask.cli import AppGroup

from webapp.alerts.services import digests, outbox, rounds
from webapp.db import get_engine, session_scope


@click.group("alerts", cls=AppGroup)
def alerts_cli() -> None:
    """Digests, notices and the outbox."""


@alerts_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Work out what would be sent; write nothing.")
@click.option("--shard", default=0, show_default=True, help="This worker's share (0-based).")
@click.option("--shards", "n_shards", default=1, show_default=True,
              help="How many workers share the round (enterprise id ranges).")
@click.option("--no-outbox", is_flag=True, help="Write the digests, leave sending to others.")
def send(dry_run: bool, shard: int, n_shards: int, no_outbox: bool) -> None:
    """Run one round: write the due digests and summaries, then send the outbox."""
    if not 0 <= shard < n_shards:
        raise click.BadParameter("use 0 <= --shard < --shards", param_hint="--shard")
    smtp_url = rounds.smtp_url()
    if smtp_url:
        try:
            outbox.parse_smtp_url(smtp_url)
        except outbox.SmtpConfigError as error:
            raise click.ClickException(str(error)) from None
    with session_scope(get_engine()) as db:
        report = digests.run_digest_round(db, shard=shard, n_shards=n_shards, dry_run=dry_run)
        click.echo(("Dry run: " if dry_run else "") + report.as_text() + ".")
        if no_outbox:
            return
        sent = rounds.send_outbox(db, dry_run=dry_run)
    if dry_run:
        click.echo(f"Dry run: {sent.would_send} messages are due in the outbox; none sent.")
    else:
        click.echo(f"Outbox: {sent.as_text()}.")
        if not smtp_url:
            click.echo("No SMTP server configured (MATCHMAKER_SMTP_URL): the messages wait in "
                       "the outbox, where coordinators can read them.")
