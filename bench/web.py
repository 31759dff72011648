"""The web path at scale: `python -m bench.web [--tenders N --enterprises M] [--reuse]`.

On PostgreSQL (``--url``; default the local server, database ``matchmaker_bench_web``):
fills the database with ``matchmaker fixtures synth``, builds the index with ``matchmaker index
build``, starts gunicorn with 4 workers on 127.0.0.1, then measures

* the first matches request after start (and how long after the process started it answered);
* p50 / p95 of matches, candidates and market research under 20 concurrent clients (a bounded
  loop of requests on 127.0.0.1 only);
* the time from importing a new tender (the OCDS API) until it appears in an enterprise's
  matches, in whichever worker answers.

Each figure is printed beside its target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import free_port, print_table, stop, wait_until_up
from bench.load import LOG_LINE

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/matchmaker_bench_web"
COORDINATOR = "coordinator@demo.matchmaker.eu"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="per client and endpoint")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database as it is (already synthesized and indexed)")
    args = parser.parse_args(argv)
    env = {**os.environ, "DATABASE_URL": args.url, "SECRET_KEY": "bench-web-secret",
           "LOG_LEVEL": "INFO",  # the request log: each request's time inside the worker
           # One token asks for all the market research: the per-user limit would answer most
           # of it with a quick 429 and flatter the figure.
           "MATCHMAKER_MARKET_RESEARCH_LIMIT": "100000 per minute"}
    env.pop("MATCHMAKER_REDIS_URL", None)
    rows = []
    if not args.reuse:
        _recreate(args.url)
        _cli(env, "db", "upgrade")
        _cli(env, "fixtures", "load")
        started = time.perf_counter()
        _cli(env, "fixtures", "synth", "--tenders", str(args.tenders),
             "--enterprises", str(args.enterprises))
        rows.append((f"fixtures synth {args.tenders:,} tenders, {args.enterprises:,} enterprises",
                     f"{time.perf_counter() - started:.0f} s", "< 180 s for 100,000 tenders"))
        started = time.perf_counter()
        _cli(env, "index", "build")
        rows.append(("index build (outside any request)",
                     f"{time.perf_counter() - started:.0f} s", ""))
    token = _cli(env, "tokens", "create", "--email", COORDINATOR, "--name", "bench").strip()
    enterprise_ids, tender_ids = _sample_ids(args.url)

    port = args.port or free_port()
    log_path = Path("/tmp") / f"bench-web-gunicorn-{port}.log"
    log = open(log_path, "w+")  # noqa: SIM115
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "webapp:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A worker accepts connections once its index is loaded and warm (gunicorn.conf.py),
        # so healthz answers once the first worker is ready to serve; the first request is
        # timed from there (the other workers may still be warming up beside it).
        wait_until_up(f"{base}/healthz", 60, server)
        up_s = time.perf_counter() - started
        first_started = time.perf_counter()
        status, _body = _get(f"{base}/api/v1/enterprises/{enterprise_ids[0]}/matches", token)
        first_s = time.perf_counter() - first_started
        rows.append(("gunicorn up (healthz answers: a worker's index loaded and warm)",
                     f"{up_s:.1f} s", ""))
        time.sleep(0.3)  # its log line
        server_ms = _server_ms(log_path, "/matches")
        rows.append((f"first matches request after that (HTTP {status}), client / server",
                     f"{first_s:.2f} s / {server_ms[0] if server_ms else float('nan'):.0f} ms",
                     "< 1 s"))
        # Every worker answers from a loaded index before the timed load starts.
        for _ in range(4 * args.workers):
            _get(f"{base}/api/v1/enterprises/{random.choice(enterprise_ids)}/matches", token)
        log_start = log_path.stat().st_size
        timings, seconds = _load(base, token, enterprise_ids, tender_ids, args.clients,
                                 args.requests)
        targets = {"matches": 100, "candidates": 150, "market research": 150}
        time.sleep(0.5)  # the last log lines
        paths = {"matches": "/matches", "candidates": "/candidates",
                 "market research": "/market-research"}
        for name, values in timings.items():
            p50, p95 = _percentiles(_server_ms(log_path, paths[name], log_start))
            rows.append((f"{name}: p50 / p95 in the server (request log), {args.clients} "
                         f"clients", f"{p50:.0f} / {p95:.0f} ms", f"p95 < {targets[name]} ms"))
            p50, p95 = _percentiles(values)
            rows.append((f"  the same at the clients, {len(values)} requests (with the queue)",
                         f"{p50:.0f} / {p95:.0f} ms", ""))
        # Closed-loop clients: each sends its next request when the last one is answered, so
        # by Little's law their mean time is clients / throughput, whatever each request costs
        # once it is served; 20 clients share 4 workers on this machine's cores.
        n_requests = sum(len(values) for values in timings.values())
        throughput = n_requests / seconds
        rows.append((f"throughput under that load; {args.clients} clients / throughput",
                     f"{throughput:.0f} req/s; {1000 * args.clients / throughput:.0f} ms", ""))
        rows.append(("a new tender in matches after its import", f"{_freshness(base, token):.1f} s",
                     "< 60 s"))
    finally:
        stop(server, 60)
        log.close()
    print_table(rows)


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values) or [float("nan")]
    return values[len(values) // 2], values[int(0.95 * (len(values) - 1))]


def _server_ms(log_path: Path, path_end: str, offset: int = 0) -> list[float]:
    """The server-side times (ms) of the logged requests whose path ends so, in log order."""
    with open(log_path, errors="replace") as log:
        log.seek(offset)
        lines = LOG_LINE.findall(log.read())
    return [float(ms) for _method, path, _status, ms in lines
            if path.split("?")[0].endswith(path_end)]


def _recreate(url: str) -> None:
    admin_url, name = url.rsplit("/", 1)
    admin = create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _cli(env, *args) -> str:
    result = subprocess.run([str(BIN / "matchmaker"), *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"matchmaker {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _sample_ids(url: str) -> tuple[list[int], list[int]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        enterprises = [r[0] for r in connection.execute(
            text("SELECT id FROM enterprise ORDER BY random() LIMIT 500"))]
        tenders = [r[0] for r in connection.execute(
            text("SELECT id FROM tender WHERE status = 'open' ORDER BY random() LIMIT 500"))]
    engine.dispose()
    return enterprises, tenders


def _request(url: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _get(url, token):
    return _request(url, token)


def _load(base, token, enterprise_ids, tender_ids, n_clients, n_requests
          ) -> tuple[dict[str, list[float]], float]:
    """Each endpoint's client-side times (ms) and the seconds the whole load took."""
    timings: dict[str, list[float]] = {"matches": [], "candidates": [], "market research": []}
    errors: list[str] = []
    lock = threading.Lock()
    cpv = ["90910000", "77310000", "55520000", "79810000", "45000000", "98341130"]

    def client(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(n_requests):
            calls = [
                ("matches", f"{base}/api/v1/enterprises/{rng.choice(enterprise_ids)}/matches",
                 None),
                ("candidates", f"{base}/api/v1/tenders/{rng.choice(tender_ids)}/candidates",
                 None),
                ("market research", f"{base}/api/v1/market-research",
                 {"cpv_codes": [rng.choice(cpv)], "nuts": rng.choice(["NL33", "DE", "FR1"]),
                  "value_eur": rng.choice([50_000, 200_000, 1_000_000])}),
            ]
            for name, url, body in calls:
                started = time.perf_counter()
                status, payload = _request(url, token, body)
                elapsed = 1000 * (time.perf_counter() - started)
                with lock:
                    timings[name].append(elapsed)
                    if status != 200:
                        errors.append(f"{name} {status} {payload[:200]!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n_clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        print(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return timings, seconds


def _freshness(base: str, token: str) -> float:
    """Seconds from a tender's import until an enterprise's matches list it."""
    profile = {"name": "Bench freshness WISE", "kind": "wise", "nuts": "NL33C",
               "disadvantaged_share": 0.6, "cpv_codes": ["90911200"],
               "description": "Bench freshness: cleaning of tram stops by our work crews."}
    status, body = _request(f"{base}/api/v1/enterprises", token, profile)
    if status not in (200, 201):
        raise SystemExit(f"creating the enterprise failed: {status} {body[:300]!r}")
    enterprise_id = json.loads(body)["id"]
    ocid = f"ocds-bench-{int(time.time())}"
    release = {"releases": [{
        "ocid": ocid, "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
        "buyer": {"name": "Bench city"},
        "tender": {"id": "1", "title": "Cleaning of tram stops", "status": "active",
                   "description": "Cleaning of tram stops by work crews.",
                   "classification": {"scheme": "CPV", "id": "90911200"},
                   "deliveryAddresses": [{"region": "NL33C"}],
                   "value": {"amount": 100000, "currency": "EUR"},
                   "tenderPeriod": {"endDate": "2099-01-01T00:00:00Z"}}}]}
    started = time.perf_counter()
    status, body = _request(f"{base}/api/v1/imports/ocds", token, release)
    if status != 200:
        raise SystemExit(f"import failed: {status} {body[:300]!r}")
    while time.perf_counter() - started < 300:
        status, body = _request(
            f"{base}/api/v1/enterprises/{enterprise_id}/matches?limit=50", token)
        if status == 200 and b"Cleaning of tram stops" in body:
            return time.perf_counter() - started
        time.sleep(0.2)
    return float("inf")


if __name__ == "__main__":
    main()
