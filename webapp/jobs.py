"""Background jobs: RQ on Redis when ``MATCHMAKER_REDIS_URL`` is set, else a thread in the app.

The whole API::

    from webapp import jobs

    jobs.enqueue("webapp.tenders.services.index:build_job")        # a dotted path ...
    jobs.enqueue(send_digest, user_id=7)                            # ... or a module function
    jobs.enqueue(func, 1, 2, job_key="digest-7")                     # at most one queued per key

    @jobs.periodic(every=timedelta(hours=1))                        # run by `matchmaker scheduler`
    def compact_index(): ...

A job is a plain module-level function. It runs inside an app context (``current_app`` and
``webapp.db.get_engine()`` work) in whichever process runs it: ``matchmaker worker`` with
Redis, or a background thread of the app itself without Redis (the embedded default: nothing
to install or start). A failing job is logged with its traceback and retried
(:data:`RETRIES` times, with growing pauses); it must leave nothing half-done behind (the index
build only publishes a version after its file is completely written).

Why RQ: it is small, Redis-only, has a worker CLI and, since 2.5, a cron scheduler of its own;
Celery would bring brokers, result backends and a configuration surface we do not need.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app

log = logging.getLogger("matchmaker.jobs")

QUEUE = "matchmaker"
#: Retries of a failed job, and the pauses before them (seconds).
RETRIES = 3
RETRY_PAUSES = (5, 30, 120)
JOB_TIMEOUT = 3600  # an index build of a few hundred thousand tenders fits well within
EXTENSION_KEY = "matchmaker.jobs"


@dataclass(frozen=True)
class Periodic:
    """A job run every ``every`` by the scheduler."""

    name: str
    func_path: str
    every: timedelta


#: Periodic jobs, registered at import time by :func:`periodic` (code, not state).
PERIODIC: dict[str, Periodic] = {}


@dataclass
class JobHandle:
    """What :func:`enqueue` returns: the RQ job id, or the in-process future."""

    id: str
    future: Future | None = None

    def wait(self, timeout: float | None = None):
        """Block until an in-process job is done (tests, the CLI); RQ jobs return at once."""
        if self.future is not None:
            return self.future.result(timeout)
        return None


# --- the API ----------------------------------------------------------------------------------

def enqueue(func: Callable | str, *args, job_key: str | None = None, **kwargs) -> JobHandle:
    """Run ``func(*args, **kwargs)`` in the background, in an app context, retried on failure.

    ``func`` is a module-level function or its path ("package.module:function" or
    "package.module.function"). ``job_key`` keeps at most one such job waiting: a second
    enqueue with the same key while the first is waiting or running is dropped.
    """
    app = current_app._get_current_object()
    path = func_path(func)
    runner = _runner(app)
    return runner.submit(path, args, kwargs, job_key)


def periodic(every: timedelta, name: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator: run the function every ``every`` (``matchmaker scheduler``, or in-process)."""

    def register(func: Callable) -> Callable:
        path = func_path(func)
        PERIODIC[name or path] = Periodic(name or path, path, every)
        return func

    return register


def schedule(func: Callable | str, every: timedelta, name: str | None = None) -> None:
    """Register ``func`` as periodic (the non-decorator form of :func:`periodic`)."""
    path = func_path(func)
    PERIODIC[name or path] = Periodic(name or path, path, every)


def func_path(func: Callable | str) -> str:
    """"module:function" of a function or of a path given either way."""
    if isinstance(func, str):
        if ":" in func:
            return func
        module, _, name = func.rpartition(".")
        return f"{module}:{name}"
    if "<" in func.__qualname__ or "." in func.__qualname__:
        raise ValueError(f"{func!r} is not a module-level function: a worker could not find it")
    return f"{func.__module__}:{func.__qualname__}"


def resolve(path: str) -> Callable:
    module, _, name = func_path(path).partition(":")
    return getattr(importlib.import_module(module), name)


def redis_url(app: Flask) -> str | None:
    """The configured Redis URL (``MATCHMAKER_REDIS_URL``), or None for in-process jobs."""
    return app.config.get("REDIS_URL") or None


def init_app(app: Flask) -> None:
    """Pick the runner from the configuration: RQ with Redis, else the in-process pool."""
    url = redis_url(app)
    runner = _RqRunner(url) if url else _ThreadRunner(app)
    # JOB_RETRY_PAUSES: seconds before each retry (tests use zeros).
    runner.pauses = list(app.config.get("JOB_RETRY_PAUSES", RETRY_PAUSES))
    app.extensions[EXTENSION_KEY] = runner


def wait_idle(app: Flask, timeout: float = 120) -> None:
    """Wait until the in-process runner has finished every job (tests, the CLI)."""
    runner = _runner(app)
    if isinstance(runner, _ThreadRunner):
        runner.wait_idle(timeout)


# --- running a job ----------------------------------------------------------------------------

#: The app a worker process runs its jobs with (set by :func:`run_worker`; None elsewhere).
_worker_app: Flask | None = None
#: The factory of the app a worker started by ``rq worker`` (not ``matchmaker worker``) makes
#: for itself: named by its path, as jobs are, since the app is built on top of this module.
APP_FACTORY = "webapp.app:create_app"


def perform(path: str, args: tuple, kwargs: dict):
    """What RQ runs: the job's function inside an app context, failures logged."""
    app = _worker_app
    if app is None:
        app = resolve(APP_FACTORY)()
    with app.app_context():
        return _call(path, args, kwargs)


def _call(path: str, args: tuple, kwargs: dict):
    started = time.perf_counter()
    try:
        result = resolve(path)(*args, **kwargs)
    except Exception:
        log.exception("job %s failed after %.1fs", path, time.perf_counter() - started)
        raise
    log.info("job %s done in %.1fs", path, time.perf_counter() - started)
    return result


class _RqRunner:
    def __init__(self, url: str):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(url)
        self.queue = Queue(QUEUE, connection=self.connection)
        self.pauses = list(RETRY_PAUSES)

    def submit(self, path, args, kwargs, job_key) -> JobHandle:
        from rq import Retry
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        options = {}
        if job_key:
            job_id = f"mm-{job_key}"
            try:
                status = Job.fetch(job_id, connection=self.connection).get_status()
            except NoSuchJobError:
                status = None
            if status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED,
                          JobStatus.DEFERRED):
                return JobHandle(job_id)  # one is waiting or running already
            options["job_id"] = job_id
        job = self.queue.enqueue(
            perform, path, tuple(args), dict(kwargs),
            retry=Retry(max=RETRIES, interval=self.pauses),
            job_timeout=JOB_TIMEOUT, description=path, **options,
        )
        return JobHandle(job.id)


class _ThreadRunner:
    """One background thread per app: jobs run one at a time, like a single worker."""

    def __init__(self, app: Flask):
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchmaker-job")
        self.pending: set[str] = set()
        self.futures: list[Future] = []
        self.lock = threading.Lock()
        self.pauses = list(RETRY_PAUSES)

    def submit(self, path, args, kwargs, job_key) -> JobHandle:
        with self.lock:
            if job_key and job_key in self.pending:
                return JobHandle(f"local-{job_key}")
            if job_key:
                self.pending.add(job_key)
            future = self.pool.submit(self._run, path, args, kwargs, job_key)
            self.futures = [f for f in self.futures if not f.done()] + [future]
        return JobHandle(f"local-{job_key or id(future)}", future)

    def _run(self, path, args, kwargs, job_key):
        try:
            with self.app.app_context():
                for attempt in range(RETRIES + 1):
                    try:
                        return _call(path, args, kwargs)
                    except Exception:
                        if attempt == RETRIES:
                            raise
                        pause = self.pauses[min(attempt, len(self.pauses) - 1)]
                        log.warning("job %s: retry %s of %s in %ss", path, attempt + 1,
                                    RETRIES, pause)
                        time.sleep(pause)
        finally:
            if job_key:
                with self.lock:
                    self.pending.discard(job_key)

    def wait_idle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                futures = [f for f in self.futures if not f.done()]
            if not futures:
                return
            for future in futures:
                # A failure was logged by _call already; the caller checks the job's effects.
                with contextlib.suppress(Exception):
                    future.result(max(0.0, deadline - time.monotonic()))


def _runner(app: Flask):
    runner = app.extensions.get(EXTENSION_KEY)
    if runner is None:
        init_app(app)
        runner = app.extensions[EXTENSION_KEY]
    return runner


# --- worker and scheduler processes -----------------------------------------------------------

def run_worker(app: Flask, burst: bool = False, simple: bool = False) -> bool:
    """Work the queue with RQ (``matchmaker worker``); returns whether any job ran."""
    from rq import SimpleWorker, Worker

    global _worker_app
    url = redis_url(app)
    if not url:
        raise RuntimeError("MATCHMAKER_REDIS_URL is not set: jobs run inside the app instead.")
    _import_job_modules()
    runner = _runner(app)
    _worker_app = app
    worker_class = SimpleWorker if simple else Worker
    worker = worker_class([runner.queue], connection=runner.connection)
    # The worker's own scheduler moves retries (and enqueue_in jobs) back onto the queue.
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def run_scheduler(app: Flask) -> None:
    """Enqueue the periodic jobs on time, with RQ's cron scheduler (``matchmaker scheduler``)."""
    cron_scheduler(app).start()


def cron_scheduler(app: Flask):
    """RQ's CronScheduler with every periodic job registered (not started)."""
    from rq.cron import CronScheduler

    url = redis_url(app)
    if not url:
        raise RuntimeError("MATCHMAKER_REDIS_URL is not set: nothing to schedule on.")
    _import_job_modules()
    runner = _runner(app)
    scheduler = CronScheduler(connection=runner.connection)
    for job in PERIODIC.values():
        scheduler.register(
            perform, QUEUE, args=(job.func_path, (), {}),
            interval=int(job.every.total_seconds()), name=job.name,
        )
    return scheduler


def start_periodic_thread(app: Flask) -> threading.Thread | None:
    """Without Redis: run the periodic jobs from a daemon thread of the app (embedded mode)."""
    if redis_url(app) or not PERIODIC:
        return None
    _import_job_modules()

    def loop() -> None:
        last: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for job in list(PERIODIC.values()):
                if now - last.get(job.name, now - 1e9) >= job.every.total_seconds():
                    last[job.name] = now
                    with app.app_context():
                        enqueue(job.func_path, job_key=f"periodic-{job.name}")
            time.sleep(30)

    thread = threading.Thread(target=loop, name="matchmaker-periodic", daemon=True)
    thread.start()
    return thread


def _import_job_modules() -> None:
    """Import the modules that define periodic jobs, so :data:`PERIODIC` is complete."""
    for module in JOB_MODULES:
        importlib.import_module(module)


#: Modules with periodic jobs.
JOB_MODULES = ["webapp.tenders.services.index", "webapp.alerts.services.rounds"]
