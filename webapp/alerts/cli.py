"""`matchmaker alerts send [--dry-run] [--shards N [--shard I]]`: one round by hand (or from
cron): the due digests and summaries, then the outbox."""

import click
from flask import current_app
from flask.cli import AppGroup

from webapp import jobs
from webapp.alerts.services import digests, outbox, rounds
from webapp.db import get_engine, session_scope


@click.group("alerts", cls=AppGroup)
def alerts_cli() -> None:
    """Digests, notices and the outbox."""


@alerts_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Work out what would be sent; write nothing.")
@click.option("--shards", "n_shards", default=1, show_default=True,
              help="Split the round into this many shards (enterprise id modulo N); without "
                   "--shard, put one job per shard on the queue for the workers.")
@click.option("--shard", type=int, default=None,
              help="Run only this shard (0-based) here, of --shards.")
@click.option("--no-outbox", is_flag=True, help="Write the digests, leave sending to others.")
def send(dry_run: bool, n_shards: int, shard: int | None, no_outbox: bool) -> None:
    """Run one round: write the due digests and summaries, then send the outbox."""
    if n_shards < 1:
        raise click.BadParameter("use at least 1", param_hint="--shards")
    if shard is not None and not 0 <= shard < n_shards:
        raise click.BadParameter("use 0 <= --shard < --shards", param_hint="--shard")
    smtp_url = rounds.smtp_url()
    if smtp_url:
        try:
            outbox.parse_smtp_url(smtp_url)
        except outbox.SmtpConfigError as error:
            raise click.ClickException(str(error)) from None
    if shard is None and n_shards > 1:
        if dry_run:
            raise click.UsageError("--dry-run works on one shard at a time: add --shard.")
        _queue_round(n_shards)
        return
    with session_scope(get_engine()) as db:
        report = digests.run_digest_round(db, shard=shard or 0, n_shards=n_shards,
                                          dry_run=dry_run)
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


def _queue_round(n_shards: int) -> None:
    """The round as shard jobs: the workers run them with Redis; without it, this process
    does, one after the other, and the outbox job after them."""
    handles = rounds.enqueue_shards(n_shards)
    if not jobs.redis_url(current_app):
        failed = 0
        for handle in handles:
            try:
                click.echo(handle.wait() + ".")
            except Exception as error:  # logged with its traceback by the job runner
                failed += 1
                click.echo(f"A shard failed after its retries: {error}", err=True)
        jobs.wait_idle(current_app)  # the outbox job the shards queued
        if failed:
            raise click.ClickException(f"{failed} of {n_shards} shards failed; the next round "
                                       "writes their digests (they are still due).")
        return
    click.echo(f"Queued {n_shards} shard jobs for the workers: "
               + ", ".join(handle.id for handle in handles) + ".")
