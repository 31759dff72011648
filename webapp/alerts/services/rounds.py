"""The alerts' background jobs: the digest round and the outbox, run by the job queue.

``matchmaker scheduler`` (with Redis) or the app's periodic thread (the embedded default)
runs them: the outbox every minute, so a notice or a call for interest leaves within a minute
of the change it tells of, and the digest round every quarter of an hour (each search is due
once a day or a week, whenever the round runs; a round with nothing due reads one query).
A round can be split into shards (enterprises by id modulo ``MATCHMAKER_DIGEST_SHARDS``),
one job each, for several workers. ``matchmaker alerts send`` runs both by hand, for cron and
for tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from webapp import jobs
from webapp.alerts.services import digests, outbox
from webapp.alerts.services.mail import mail_from
from webapp.db import get_engine, session_scope


def smtp_url() -> str | None:
    """The configured SMTP server (``MATCHMAKER_SMTP_URL``), or None: mails stay in the outbox."""
    return current_app.config.get("SMTP_URL") or None


def send_outbox(db, dry_run: bool = False) -> outbox.SendReport:
    """Send the due messages of the outbox through the configured server."""
    return outbox.send_pending(db, smtp_url(), mail_from=mail_from(), dry_run=dry_run)


@jobs.periodic(every=timedelta(minutes=1), name="alerts-outbox")
def outbox_job() -> str:
    """The job: send what waits in the outbox (nothing without an SMTP server)."""
    if smtp_url() is None:
        return "no SMTP server configured"
    with session_scope(get_engine()) as db:
        return send_outbox(db).as_text()


def digest_shards() -> int:
    """How many shard jobs a digest round is split into (``MATCHMAKER_DIGEST_SHARDS``)."""
    value = current_app.config.get("DIGEST_SHARDS") or 1
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        raise ValueError(
            f"MATCHMAKER_DIGEST_SHARDS must be a whole number, not {value!r}") from None


@jobs.periodic(every=timedelta(minutes=15), name="alerts-digests")
def digest_job(now: datetime | None = None) -> str:
    """The job: the due digests and the coordinators' summaries, written into the outbox.

    With ``MATCHMAKER_DIGEST_SHARDS`` above 1 the round is one job per shard on the queue,
    so that as many workers share it; else this job runs the one shard itself.
    """
    n_shards = digest_shards()
    if n_shards == 1:
        return digest_shard_job(0, 1, now)
    enqueue_shards(n_shards, now)
    return f"the round is queued as {n_shards} shard jobs"


def enqueue_shards(n_shards: int, now: datetime | None = None) -> list[jobs.JobHandle]:
    """Put the round's shard jobs on the queue (at most one waiting per shard)."""
    return [jobs.enqueue(digest_shard_job, shard, n_shards, now,
                         job_key=f"alerts-digests-{shard}-of-{n_shards}")
            for shard in range(n_shards)]


def digest_shard_job(shard: int, n_shards: int, now: datetime | None = None) -> str:
    """The job of one shard: its enterprises' digests (shard 0 also writes the summaries),
    then the outbox job. Failed and retried, it writes only what it had not committed."""
    with session_scope(get_engine()) as db:
        report = digests.run_digest_round(db, now, shard=shard, n_shards=n_shards)
    if report.digests or report.summaries:
        jobs.enqueue(outbox_job, job_key="alerts-outbox")
    return report.as_text()
