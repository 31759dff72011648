"""A short load test: `python -m bench.load [--quick]`.

gunicorn with 4 workers on a fresh PostgreSQL database loaded with the fixtures, 50 concurrent
clients for 30 s on a mix of pages and API calls of each role (coordinator, authority,
enterprise), on 127.0.0.1 only. Prints client-side p50/p95/p99 and errors per request, then
the server-side p95 per page from the request log lines ("METHOD path status X.Xms"), beside
the target: 0 errors, server-side p95 < 150 ms for every page except the login.

The server, its database and every client stop by themselves: the run is bounded in time and
in clients. Market research is rate-limited per user in production; the load test lifts the
limit (MATCHMAKER_MARKET_RESEARCH_LIMIT) so that it measures speed, not the limiter.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from bench.common import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "MATCHMAKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "demo-password-2026"
EMAILS = {"coordinator": "coordinator@demo.matchmaker.eu",
          "authority": "authority@demo.matchmaker.eu",
          "enterprise": "enterprise@demo.matchmaker.eu"}
TARGET_P95_MS = 150.0
LOG_LINE = re.compile(r"matchmaker\.requests: (GET|POST|PUT|PATCH) (\S+) (\d{3}) ([\d.]+)ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 clients for 10 s")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args(argv)
    clients = args.clients or (20 if args.quick else 50)
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    clients, seconds = min(clients, 200), min(seconds, 120.0)  # bounded, whatever is asked

    database_url, drop = _fresh_database()
    server = log_path = None
    try:
        world = _load(database_url)
        port = free_port()
        log_path = Path(tempfile.mkstemp(prefix="matchmaker-load-", suffix=".log")[1])
        server = _serve(database_url, port, log_path)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", 60, server)
        mixes = _mixes(world)
        print(f"gunicorn 4 workers on PostgreSQL, {clients} clients, warm-up then {seconds:.0f} s"
              f" ({len(world['tenders'])} tenders in the fixtures)", flush=True)
        sessions = [_client(base, role, world) for role in _roles(clients)]
        _run(sessions, mixes, seconds=min(15.0, seconds / 2))  # each worker fits its matcher
        log_start = log_path.stat().st_size
        results = _run(sessions, mixes, seconds=seconds)
        _report_client(results, seconds)
        time.sleep(0.5)  # the last log lines
        _report_server(log_path.read_text(errors="replace")[log_start:])
    finally:
        if server is not None:
            _stop(server)
        drop()
        if log_path is not None:
            log_path.unlink(missing_ok=True)


# --- the server and its database ---------------------------------------------------------------

def _fresh_database() -> tuple[str, callable]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"matchmaker_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def _load(database_url: str) -> dict:
    """Migrate, load the fixtures, make one API token per role; ids for the request mix."""
    from fixtures import load_fixtures
    from models import Sector, Tender, User
    from webapp.accounts import create_token
    from webapp.db import make_engine
    from webapp.migrate import upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    world: dict = {"tokens": {}}
    with Session(engine) as db:
        load_fixtures(db, today=date.today())
        users = {u.email: u for u in db.exec(select(User)).all()}
        for role, email in EMAILS.items():
            # as `matchmaker tokens create` makes them (they expire, so expires_at is set)
            world["tokens"][role], _row = create_token(db, users[email], "load test")
        db.commit()
        authority_id = users[EMAILS["authority"]].authority_id
        world["enterprise_id"] = users[EMAILS["enterprise"]].enterprise_id
        world["tenders"] = db.exec(select(Tender.id)).all()
        world["own_tenders"] = db.exec(
            select(Tender.id).where(Tender.authority_id == authority_id)).all()
        world["sectors"] = db.exec(select(Sector.slug)).all()
    engine.dispose()
    return world


def _serve(database_url: str, port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": uuid.uuid4().hex,
           "LOG_LEVEL": "INFO", "MATCHMAKER_MARKET_RESEARCH_LIMIT": "1000000 per minute"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("w")
    return subprocess.Popen(
        [str(gunicorn), "--workers", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
         "webapp:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # its own session: gunicorn and its workers only
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- the clients --------------------------------------------------------------------------------

def _roles(n: int) -> list[str]:
    return [("coordinator", "authority", "enterprise")[i % 3] for i in range(n)]


def _mixes(world: dict) -> dict[str, list[tuple[str, str, str, dict | None, int]]]:
    """Per role: (name, method, path, JSON body, weight). Pages and API calls a person's
    browser or script makes, ids drawn from the fixtures."""
    tender = lambda: random.choice(world["tenders"])  # noqa: E731
    own = lambda: random.choice(world["own_tenders"])  # noqa: E731
    sector = lambda: random.choice(world["sectors"])  # noqa: E731
    e = world["enterprise_id"]
    return {
        "coordinator": [
            ("home", "GET", lambda: "/", None, 3),
            ("sectors", "GET", lambda: "/sectors/", None, 3),
            ("sector", "GET", lambda: f"/sectors/{sector()}", None, 3),
            ("audit", "GET", lambda: "/audit/", None, 1),
            ("api sectors", "GET", lambda: "/api/v1/groupings/sectors", None, 2),
            ("api tenders", "GET", lambda: "/api/v1/tenders?limit=20&status=open", None, 2),
        ],
        "authority": [
            ("home", "GET", lambda: "/", None, 2),
            ("partners", "GET", lambda: "/partners/", None, 2),
            ("buyer tenders", "GET", lambda: "/buyers/tenders", None, 2),
            ("buyer tender", "GET", lambda: f"/buyers/tenders/{own()}", None, 3),
            ("research", "GET", lambda: "/buyers/research?cpv_codes=90911200&nuts=NL33"
             f"&value_eur={random.choice((50_000, 200_000, 900_000))}", None, 2),
            ("api candidates", "GET", lambda: f"/api/v1/tenders/{own()}/candidates", None, 2),
            ("api research", "POST", lambda: "/api/v1/market-research",
             {"cpv_codes": ["77310000"], "nuts": "NL31", "value_eur": 150_000}, 1),
        ],
        "enterprise": [
            ("home", "GET", lambda: "/", None, 2),
            ("opportunities", "GET", lambda: "/opportunities/", None, 3),
            ("opportunities q", "GET", lambda: "/opportunities/?q=clean", None, 1),
            ("profile", "GET", lambda: "/opportunities/profile", None, 1),
            ("tender", "GET", lambda: f"/opportunities/tenders/{tender()}", None, 3),
            ("api matches", "GET", lambda: f"/api/v1/enterprises/{e}/matches?limit=20", None, 2),
            ("api tender", "GET", lambda: f"/api/v1/tenders/{tender()}", None, 2),
        ],
    }


def _client(base: str, role: str, world: dict) -> dict:
    """A logged-in browser-like session (cookie, CSRF) that also holds the role's token."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login", timeout=30, allow_redirects=False, data={
        "email": EMAILS[role], "password": PASSWORD, "csrf_token": csrf})
    if answer.status_code != 302:
        raise SystemExit(f"login as {role} failed: {answer.status_code}")
    return {"session": session, "role": role, "base": base,
            "token": {"Authorization": f"Bearer {world['tokens'][role]}"}}


def _run(clients: list[dict], mixes: dict, seconds: float) -> list[tuple[str, float, str]]:
    """Every client in its thread, requests back to back until the time is up."""
    results: list[tuple[str, float, str]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def work(client: dict) -> None:
        mix = mixes[client["role"]]
        weights = [m[4] for m in mix]
        mine = []
        while time.monotonic() < stop_at:
            name, method, path, body, _w = random.choices(mix, weights)[0]
            url = client["base"] + path()
            headers = client["token"] if url.startswith(client["base"] + "/api/") else {}
            started = time.perf_counter()
            try:
                response = client["session"].request(method, url, json=body, headers=headers,
                                                      timeout=60, allow_redirects=False)
                outcome = "ok" if response.status_code < 400 else str(response.status_code)
            except requests.RequestException as error:
                outcome = type(error).__name__
            mine.append((f"{client['role']} {name}", time.perf_counter() - started, outcome))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 90)
    return results


# --- the report ----------------------------------------------------------------------------------

def _percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        value = values[0] if values else float("nan")
        return value, value, value
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94], cuts[98]


def _report_client(results: list[tuple[str, float, str]], seconds: float) -> None:
    by_name: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for name, elapsed, outcome in results:
        by_name[name].append(elapsed * 1000)
        if outcome != "ok":
            errors[f"{name}: {outcome}"] += 1
    every = [ms for values in by_name.values() for ms in values]
    p50, p95, p99 = _percentiles(every)
    print(f"\nclient side: {len(results)} requests in {seconds:.0f} s "
          f"({len(results) / seconds:.0f}/s), errors {sum(errors.values())} (target 0)")
    print(f"  all requests: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
    print(f"  {'request':32} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7}")
    for name in sorted(by_name):
        p50, p95, p99 = _percentiles(by_name[name])
        print(f"  {name:32} {len(by_name[name]):6d} {p50:7.0f} {p95:7.0f} {p99:7.0f}")
    for what, count in sorted(errors.items()):
        print(f"  error {what} x{count}")


def _page_of(path: str, routes) -> str:
    """The route a logged path belongs to (/sectors/<slug>, /buyers/tenders/<int:tender_id>)."""
    path = path.split("?", 1)[0]
    try:
        rule, _args = routes.match(path, return_rule=True)
    except Exception:  # a 404 or a redirect: keep the path
        return path
    return rule.rule


def _report_server(log: str) -> None:
    from webapp import create_app

    # only its URL map is wanted: no index to load, no periodic jobs to start
    routes = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "-",
                         "BACKGROUND_AT_START": False}).url_map.bind("x")
    by_page: dict[str, list[float]] = defaultdict(list)
    for method, path, _status, ms in LOG_LINE.findall(log):
        by_page[f"{method} {_page_of(path, routes)}"].append(float(ms))
    print(f"\nserver side (request log), p95 per page, target < {TARGET_P95_MS:.0f} ms "
          "except the login:")
    missed = []
    for page in sorted(by_page):
        _p50, p95, _p99 = _percentiles(by_page[page])
        login = page.endswith(" /login")
        ok = login or p95 < TARGET_P95_MS
        if not ok:
            missed.append(page)
        print(f"  {page:48} n={len(by_page[page]):5d}  p95 {p95:7.1f} ms  "
              f"{'(no target)' if login else 'ok' if ok else 'MISSED'}")
    print(f"  pages over the target: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
