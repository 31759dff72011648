"""The alerts' background jobs: the digest round and the outbox, run by the job queue.

``matchmaker scheduler`` (with Redis) or the app's periodic thread (the embedded default)
runs them: the outbox every minute, so a notice or a call for interest leaves within a minute
of the change it tells of, and the digest round every quarter of an hour (each search is due
once a day or a week, whenever the round runs; a round with nothing due reads one query).
``matchmaker alerts send`` runs both by hand, for cron and for tests.
"""

from __future__ import annotations

from datetime import timedelta

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


@jobs.periodic(every=timedelta(minutes=15), name="alerts-digests")
def digest_job() -> str:
    """The job: write the due digests and the coordinators' summaries into the outbox."""
    with session_scope(get_engine()) as db:
        report = digests.run_digest_round(db)
    if report.digests or report.summaries:
        jobs.enqueue(outbox_job, job_key="alerts-outbox")
    return report.as_text()
