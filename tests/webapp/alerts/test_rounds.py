"""A digest round split into shard jobs (a real RQ worker, or the in-process runner) sends
exactly what one unsharded round sends, each digest once, also when a shard fails part-way
and its job is retried."""

import sqlite3
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from models import AlertSent, Enterprise, OutboxMessage, Role, User
from webapp import create_app, jobs
from webapp.alerts.services import digests, rounds
from webapp.alerts.services.searches import SavedSearchIn, create_search
from webapp.db import ENGINE_KEY

N_SHARDS = 3


def arrange_searches(db, n_enterprises: int = 7) -> None:
    """A user with a daily search (no filter) for each of the first enterprises, and a second
    user in the first one (users of one enterprise share its ranking, so one shard)."""
    enterprises = db.exec(select(Enterprise).order_by(Enterprise.id)).all()[:n_enterprises]
    assert len(enterprises) == n_enterprises
    for i, enterprise in enumerate([*enterprises, enterprises[0]]):
        user = User(email=f"shard{i}@example.org", role=Role.ENTERPRISE, password_hash="!",
                    enterprise_id=enterprise.id)
        db.add(user)
        db.commit()
        create_search(db, user, SavedSearchIn(name=f"Everything for {i}"))


def copy_of(app, path):
    """A second app on a copy of the app's database as it is now (same secret, same links)."""
    source = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(source) as live, sqlite3.connect(path) as copy:
        live.backup(copy)
    return create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "BASE_URL")},
                       "DATABASE_URL": f"sqlite:///{path}"})


def outcome(app) -> tuple[Counter, set]:
    """Every mail in the outbox (address, subject, text) with how often it is there, and the
    sent log as (address, tender, reason)."""
    with Session(app.extensions[ENGINE_KEY]) as db:
        mails = Counter(db.exec(select(OutboxMessage.to_address, OutboxMessage.subject,
                                       OutboxMessage.body_text)).all())
        told = set(db.exec(select(User.email, AlertSent.tender_id, AlertSent.reason)
                           .join(User, User.id == AlertSent.user_id)).all())
    return mails, told


class FailOnce:
    """The database connection drops once, at the given write of the sent log: the shard's
    earlier blocks are committed, the rest of it is not."""

    def __init__(self, engine, at_write: int):
        self.at_write, self.writes, self.failed = at_write, 0, False
        event.listen(engine, "before_cursor_execute", self)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"INSERT INTO {AlertSent.__tablename__}".upper()):
            self.writes += 1
            if self.writes == self.at_write and not self.failed:
                self.failed = True
                raise ConnectionError("the database went away")


@pytest.fixture(params=["rq", "in-process"])
def sharded_app(request):
    """The app whose round runs as shard jobs: on RQ (a real worker on the real Redis) or in
    the app's own job thread."""
    app = request.getfixturevalue("redis_app" if request.param == "rq" else "app")
    app.config.update(DIGEST_SHARDS=N_SHARDS, JOB_RETRY_PAUSES=[0, 0, 0],
                      BASE_URL="http://localhost")
    return app


def test_a_sharded_round_sends_what_one_round_sends_each_digest_once(
        sharded_app, db, tmp_path, monkeypatch):
    arrange_searches(db)
    reference = copy_of(sharded_app, tmp_path / "reference.sqlite")
    now = datetime.now(UTC)
    with reference.app_context(), Session(reference.extensions[ENGINE_KEY]) as ref_db:
        whole = digests.run_digest_round(ref_db, now)
    expected = outcome(reference)
    reference.extensions[ENGINE_KEY].dispose()
    assert whole.digests >= 5 and sum(expected[0].values()) == len(expected[0])

    monkeypatch.setattr(digests, "BLOCK", 1)  # one user per transaction: a failure part-way
    failure = FailOnce(sharded_app.extensions[ENGINE_KEY], at_write=2)
    with sharded_app.app_context():
        queued = jobs.enqueue(rounds.digest_job, now).wait(120)
        if jobs.redis_url(sharded_app):
            assert queued is None  # on the queue, for the worker below
            jobs.run_worker(sharded_app, burst=True, simple=True)
        else:
            assert queued == f"the round is queued as {N_SHARDS} shard jobs"
            jobs.wait_idle(sharded_app)
    assert failure.failed  # a shard failed after its first block, and was retried
    assert outcome(sharded_app) == expected
    with sharded_app.app_context():  # the shards' digests count for the whole round
        assert digests.run_digest_round(db, now).users == 0


def test_the_cli_runs_one_shard_or_queues_them_all(app, db):
    arrange_searches(db, n_enterprises=4)
    runner = app.test_cli_runner()
    one = runner.invoke(args=["alerts", "send", "--shards", "2", "--shard", "1"])
    assert one.exit_code == 0, one.output
    assert "shard 2/2:" in one.output
    rest = runner.invoke(args=["alerts", "send", "--shards", "2"])
    assert rest.exit_code == 0, rest.output
    assert "shard 1/2:" in rest.output and "shard 2/2: 0 users due" in rest.output
    assert runner.invoke(args=["alerts", "send"]).output.startswith("shard 1/1: 0 users due")
    mails, _told = outcome(app)
    assert set(mails.values()) == {1} and {to for to, _s, _t in mails} >= {
        f"shard{i}@example.org" for i in range(5)}
    for bad in (["--shards", "0"], ["--shards", "2", "--shard", "2"],
                ["--shards", "2", "--dry-run"]):
        assert runner.invoke(args=["alerts", "send", *bad]).exit_code != 0
