"""Digest-round benchmark: `python -m bench.alerts [--quick] [--shards N]`.

Generates the tender benchmark's data (bench/tenders.py: 100,000 tenders, 10,000 social
enterprises; --quick: 10,000 and 1,000) as database rows in a fresh SQLite file, gives every
enterprise a user with one daily saved search (no filter, its NUTS 2 region, a minimum value,
reserved only, or a word, in a fixed mix) and two saved tenders, then runs what
`matchmaker alerts send` runs: the first round (every digest is new) and the next day's round
(no new tender; a day later some tenders come within 7 days of their deadline, so some
closing reminders go out). Mail goes to the outbox only (no SMTP server): the time is the round's.

Target: the first round under 5 minutes at full size. The index is built once before it (the
index job's work, not the round's: a round in a fresh process loads the stored index). Then
the same two rounds run again on a copy of the data taken before the first, split into
--shards N shards (default 2) run by --workers W worker processes at once (default 2, the
machine's cores), each process started fresh and running the shard jobs of the job queue
(``rounds.digest_shard_job``) as ``matchmaker worker`` would; the bench checks that they
wrote the same mails as the one round. --workers 0 leaves the sharded run out.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import resource
import secrets
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select
from sqlmodel import Session

from bench import tenders as generated
from bench.common import print_table
from models import (
    AlertSent,
    Enterprise,
    Lot,
    MatchFeedback,
    OutboxMessage,
    Role,
    SavedSearch,
    Tender,
    User,
)
from webapp.db import ENGINE_KEY, make_engine
from webapp.migrate import upgrade

TARGET_S = 300
CHUNK = 5_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shards", type=int, default=2, help="shards of the sharded run")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes of the sharded run (0: no sharded run)")
    args = parser.parse_args(argv)
    n_tenders, n_enterprises = (10_000, 1_000) if args.quick else (100_000, 10_000)
    now = datetime(2025, 3, 1, 6, tzinfo=UTC)
    rng = np.random.default_rng(args.seed)

    with tempfile.TemporaryDirectory(prefix="matchmaker-bench-alerts-") as folder:
        path = Path(folder) / "alerts.sqlite"
        started = time.perf_counter()
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        n_lots = _generate(engine, rng, n_tenders, n_enterprises, now)
        engine.dispose()
        generate_s = time.perf_counter() - started
        scaled = "" if not args.quick else " (target set for the full size)"
        copy = Path(folder) / "sharded.sqlite"
        rows = _run(path, now, f"< {TARGET_S} s{scaled}", copy if args.workers else None)
        if args.workers:
            rows += _run_sharded(copy, path, now, args.shards, args.workers,
                                 f"< {TARGET_S} s{scaled}")
    table = [
        ("data", f"{n_tenders:,} open tenders ({n_lots:,} lots), {n_enterprises:,} enterprises, "
                 f"{n_enterprises:,} saved searches", ""),
        ("generating and writing the data", f"{generate_s:.1f} s", ""),
        *rows,
    ]
    print_table(table)


def _app(path: Path, now: datetime, index_of: Path | None = None):
    from webapp import create_app

    config = {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench", "MATCHER_NOW": now,
              "BASE_URL": "https://matchmaker.example.eu", "LOG_LEVEL": "WARNING",
              "BACKGROUND_AT_START": False}  # no periodic round beside this one
    if index_of is not None:  # the index files built for the original database
        config["INDEX_DIR"] = str(index_of.with_name(index_of.name + ".index"))
    return create_app(config)


def _run(path: Path, now: datetime, target: str,
         copy: Path | None) -> list[tuple[str, str, str]]:
    """The index build, then the first and the next day's round in this process."""
    from webapp.alerts.services import digests
    from webapp.tenders.services.index import build_index, current_index

    app = _app(path, now)
    engine = app.extensions[ENGINE_KEY]
    with app.app_context(), Session(engine, expire_on_commit=False) as db:
        wall = time.perf_counter()
        build_index(app, engine)  # what the index job does before any round
        fit_s = time.perf_counter() - wall
        if copy is not None:  # the data as the sharded run starts from
            with sqlite3.connect(path) as live, sqlite3.connect(copy) as target_db:
                live.backup(target_db)
        cpu, wall = time.process_time(), time.perf_counter()
        current_index(db)  # a fresh process loads the stored index first
        first = digests.run_digest_round(db, now)
        round_s, round_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall = time.perf_counter()
        second = digests.run_digest_round(db, now + timedelta(days=1))
        second_s = time.perf_counter() - wall
    mails, told = _outcome(path)
    n_mails, n_sent = sum(map(len, mails.values())), sum(map(len, told.values()))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        ("index build (the engine fitted on the database; not part of a round)",
         f"{fit_s:.1f} s", ""),
        ("first round: digests written", f"{first.digests:,}", ""),
        ("  tenders in them (new / closing / changed)",
         f"{first.new:,} / {first.closing:,} / {first.changed:,}", ""),
        ("first round, one process (wall / CPU)", f"{round_s:.1f} s / {round_cpu:.1f} s", target),
        ("next day's round: digests (new / closing tenders) / time",
         f"{second.digests} ({second.new} / {second.closing}) / {second_s:.1f} s",
         "no new tender: only closing reminders"),
        ("outbox rows, sent-log rows", f"{n_mails:,}, {n_sent:,}", ""),
        ("peak memory of the process (maxrss)", f"{peak_mb:,.0f} MB", ""),
    ]


def _run_sharded(path: Path, original: Path, now: datetime, n_shards: int, n_workers: int,
                 target: str) -> list[tuple[str, str, str]]:
    """The same two rounds on the copy, as shard jobs run by `n_workers` fresh processes."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, as a worker is
    timings = []
    for day in (now, now + timedelta(days=1)):
        wall = time.perf_counter()
        with context.Pool(n_workers, maxtasksperchild=None) as pool:
            results = pool.starmap(_shard_worker, [(path, original, day, shard, n_shards)
                                                   for shard in range(n_shards)])
        timings.append((time.perf_counter() - wall, results))
    (first_s, first), (second_s, second) = timings
    same = _differences(_outcome(path), _outcome(original))
    label = f"{n_shards} shards on {n_workers} worker processes"
    return [
        (f"first round, {label} (wall; CPU per shard)",
         f"{first_s:.1f} s; " + " / ".join(f"{cpu:.1f} s" for _text, cpu, _mb in first), target),
        *[("  a worker's shard job (after its start and index load)", text, "")
          for text, _cpu, _mb in first],
        (f"next day's round, {label} (wall)", f"{second_s:.1f} s", ""),
        ("peak memory per worker process (maxrss)",
         " / ".join(f"{mb:,.0f} MB" for _text, _cpu, mb in first + second), ""),
        ("same mails and sent log as the one-process rounds", same, ""),
    ]


def _shard_worker(path: Path, original: Path, now: datetime, shard: int,
                  n_shards: int) -> tuple[str, float, float]:
    """One worker process running one shard job (what `matchmaker worker` runs for it)."""
    from webapp.alerts.services import rounds

    cpu = time.process_time()
    app = _app(path, now, index_of=original)
    with app.app_context():
        text = rounds.digest_shard_job(shard, n_shards, now)
    return text, time.process_time() - cpu, _own_peak_mb()


def _own_peak_mb() -> float:
    """This process's peak memory (VmHWM: ru_maxrss of a spawned child starts from the
    parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _outcome(path: Path) -> tuple[dict, dict]:
    """Per address: a hash of its mails (subjects and texts), and its sent log."""
    engine = make_engine(f"sqlite:///{path}")
    mails, told = {}, {}
    with Session(engine) as db:
        for to, subject, text in db.exec(select(OutboxMessage.to_address, OutboxMessage.subject,
                                                OutboxMessage.body_text)).all():
            mails.setdefault(to, []).append(hashlib.sha256(f"{subject}\n{text}".encode())
                                            .hexdigest())
        for to, tender, reason in db.exec(select(User.email, AlertSent.tender_id,
                                                 AlertSent.reason)
                                          .join(User, User.id == AlertSent.user_id)).all():
            told.setdefault(to, set()).add((tender, reason))
    engine.dispose()
    return {to: sorted(h) for to, h in mails.items()}, told


def _differences(sharded: tuple[dict, dict], whole: tuple[dict, dict]) -> str:
    """"yes", or how many users got other mails or another sent log."""
    if sharded == whole:
        return "yes"
    users = set(sharded[0]) | set(whole[0]) | set(sharded[1]) | set(whole[1])
    mails = sum(sharded[0].get(u) != whole[0].get(u) for u in users)
    told = sum(sharded[1].get(u) != whole[1].get(u) for u in users)
    extra = sum(len(sharded[1].get(u, set()) - whole[1].get(u, set())) for u in users)
    missing = sum(len(whole[1].get(u, set()) - sharded[1].get(u, set())) for u in users)
    return (f"NO: {mails} users' mails and {told} users' sent logs differ "
            f"({extra} entries only sharded, {missing} only in one process)")


# --- data --------------------------------------------------------------------------------------

def _generate(engine, rng, n_tenders: int, n_enterprises: int, now: datetime) -> int:
    """The tender benchmark's items, written as rows; returns the number of lots."""
    codes, _tree = generated._cpv_codes(rng)
    regions = generated._nuts3_regions(rng)
    vocabulary = generated._vocabulary(codes, rng)
    imported = now - timedelta(days=2)
    n_lots = 0
    with Session(engine) as db:
        tender_rows, lot_rows = [], []
        for i in range(n_tenders):
            item = generated._tender(i, codes, regions, vocabulary, rng, now)
            tender_rows.append({
                "id": i + 1, "source": "bench", "source_id": str(i),
                "buyer_name": f"Buyer {i % 997}", "title": item.title,
                "description": item.description, "cpv_main": item.cpv_codes[0],
                "cpv_additional": item.cpv_codes[1:], "nuts_codes": item.nuts_codes,
                "value_eur": item.value_eur, "value_amount": item.value_eur, "currency": "EUR",
                "deadline": item.deadline, "published_at": imported, "procedure": "open",
                "reservation": item.reservation, "reserved_execution": item.reserved_execution,
                "award_criteria": "", "sme_suitable": item.sme_suitable,
                "social_enterprise_suitable": item.social_enterprise_suitable, "language": "en",
                "url": "", "status": "open", "social_criteria": item.social_criteria,
                "imported_at": imported, "authority_id": None,
            })
            for j, lot in enumerate(item.lots):
                lot_rows.append({"tender_id": i + 1, "lot_ref": str(j + 1), "title": lot.title,
                                 "description": "", "cpv_codes": lot.cpv_codes,
                                 "value_eur": lot.value_eur,
                                 "reservation": lot.reservation or "none"})
            if len(tender_rows) == CHUNK:
                n_lots += _flush(db, tender_rows, lot_rows)
        n_lots += _flush(db, tender_rows, lot_rows)
        enterprises, users, searches, feedback = [], [], [], []
        # Which filter each search has, in fixed shares but shuffled: a mix that followed the
        # ids (i % 20) put every word filter, the costly kind, in the even ids' shard.
        mix = np.random.default_rng(rng.integers(2**32)).permutation(
            np.arange(n_enterprises) % 20)
        for i in range(n_enterprises):
            profile = generated._enterprise(i, codes, regions, vocabulary, rng)
            enterprises.append({
                "id": i + 1, "name": f"Enterprise {i}", "kind": profile.kind,
                "disadvantaged_share": profile.disadvantaged_share,
                "public_service_mission": profile.public_service_mission,
                "country": profile.country, "nuts": profile.nuts, "description":
                profile.description, "employees": None,
                "turnover_eur": int(profile.turnover_eur) if profile.turnover_eur else None,
                "min_contract_value_eur": None, "max_contract_value_eur": None, "website": "",
                "regions_served": profile.regions_served, "cpv_codes": profile.cpv_codes,
                "languages": [],
            })
            users.append({"id": i + 1, "email": f"enterprise{i}@bench.invalid",
                          "password_hash": "!", "role": Role.ENTERPRISE.value,
                          "enterprise_id": i + 1, "failed_logins": 0, "created_at": imported})
            searches.append({
                "user_id": i + 1, "enterprise_id": i + 1, "name": "Bench search",
                "frequency": "daily", "filters": _filters(int(mix[i]), profile, rng),
                "feed_token": secrets.token_urlsafe(24), "created_at": imported,
                "updated_at": imported, "last_digest_at": None,
            })
            for tender_id in rng.choice(n_tenders, 2, replace=False):
                feedback.append({"enterprise_id": i + 1, "tender_id": int(tender_id) + 1,
                                 "action": "saved", "at": imported})
        for table, rows in ((Enterprise, enterprises), (User, users),
                            (SavedSearch, searches), (MatchFeedback, feedback)):
            for start in range(0, len(rows), CHUNK):
                db.exec(insert(table), params=rows[start:start + CHUNK])
        db.commit()
    return n_lots


def _flush(db, tender_rows: list, lot_rows: list) -> int:
    n = len(lot_rows)
    if tender_rows:
        db.exec(insert(Tender), params=tender_rows)
    if lot_rows:
        db.exec(insert(Lot), params=lot_rows)
    db.commit()
    tender_rows.clear()
    lot_rows.clear()
    return n


def _filters(kind: int, profile, rng) -> dict:
    """A fixed mix of the list's filters, as people save them (`kind` in 0..19)."""
    if kind < 8:
        return {}
    if kind < 14:
        return {"region": profile.nuts[:4]}
    if kind < 17:
        return {"min_value": 50_000}
    if kind < 19:
        return {"reserved_only": True}
    return {"q": str(rng.choice(profile.description.split()))}


if __name__ == "__main__":
    main()
