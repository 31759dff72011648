"""The job queue: RQ on the real Redis server (db 12 by default, one more per test worker),
and the in-process runner."""

import logging

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlmodel import Session, func, select

from models import MatchIndex
from tests.conftest import REDIS_URL
from webapp import create_app, jobs
from webapp.db import ENGINE_KEY


def test_a_job_runs_on_a_real_worker_in_an_app_context(redis_app, tmp_path):
    marker = tmp_path / "marker.txt"
    with redis_app.app_context():
        handle = jobs.enqueue("tests.webapp.job_functions:write_marker", str(marker), "hello")
    assert handle.id and not marker.exists()  # queued, not run by the web process
    assert Queue(jobs.QUEUE, connection=Redis.from_url(REDIS_URL)).count == 1
    jobs.run_worker(redis_app, burst=True, simple=True)
    assert marker.read_text() == f"hello {redis_app.config['DATABASE_URL']}"


def test_a_failing_job_is_retried_and_logged(redis_app, tmp_path, caplog):
    counter = tmp_path / "runs.txt"
    with redis_app.app_context():
        jobs.enqueue("tests.webapp.job_functions.fail_twice", str(counter))
        jobs.enqueue("tests.webapp.job_functions:always_fail")
    with caplog.at_level(logging.ERROR, logger="matchmaker.jobs"):
        jobs.run_worker(redis_app, burst=True, simple=True)
    assert counter.read_text() == "3"  # failed twice, succeeded on the second retry
    assert "failing on purpose (run 1)" in caplog.text
    failed = FailedJobRegistry(jobs.QUEUE, connection=Redis.from_url(REDIS_URL))
    assert len(failed.get_job_ids()) == 1  # always_fail: given up after its retries
    ours = [r for r in caplog.records if r.name == "matchmaker.jobs"
            and "always_fail failed" in r.getMessage()]
    assert len(ours) == jobs.RETRIES + 1  # each run logged with its traceback
    assert all(r.exc_info for r in ours)


def test_the_index_build_runs_as_a_job_and_a_second_one_waits_its_turn(redis_app):
    with redis_app.app_context():
        first = jobs.enqueue("webapp.tenders.services.index:build_job", job_key="index-build")
        again = jobs.enqueue("webapp.tenders.services.index:build_job", job_key="index-build")
    assert first.id == again.id
    jobs.run_worker(redis_app, burst=True, simple=True)
    with Session(redis_app.extensions[ENGINE_KEY]) as db:
        assert db.exec(select(func.count()).select_from(MatchIndex)).one() == 1


def test_the_scheduler_enqueues_the_periodic_jobs(redis_app):
    scheduler = jobs.cron_scheduler(redis_app)
    names = {job.name for job in scheduler.get_jobs()}
    assert "index-compact" in names
    scheduler.enqueue_jobs()
    queue = Queue(jobs.QUEUE, connection=Redis.from_url(REDIS_URL))
    assert queue.count == len(names)
    jobs.run_worker(redis_app, burst=True, simple=True)
    with Session(redis_app.extensions[ENGINE_KEY]) as db:  # compaction built the first index
        assert db.exec(select(func.count()).select_from(MatchIndex)).one() == 1


def test_without_redis_jobs_run_in_a_thread_of_the_app(app, tmp_path):
    app.config["JOB_RETRY_PAUSES"] = [0, 0, 0]
    jobs.init_app(app)
    counter = tmp_path / "runs.txt"
    with app.app_context():
        handle = jobs.enqueue("tests.webapp.job_functions:fail_twice", str(counter))
    assert handle.wait(timeout=30) == 3
    jobs.wait_idle(app)
    assert counter.read_text() == "3"


def test_only_module_level_functions_can_be_jobs(app):
    with app.app_context(), pytest.raises(ValueError, match="module-level"):
        jobs.enqueue(lambda: None)


def test_the_worker_command_needs_redis(seeded_db_file, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{seeded_db_file}",
                      "SECRET_KEY": "s"})
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "MATCHMAKER_REDIS_URL is not set" in result.output
    app.extensions[ENGINE_KEY].dispose()
