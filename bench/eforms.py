"""eForms import benchmark: `python -m bench.eforms [--quick]`.

Templates one official example notice (``cn_24_open.xml`` from ``../shared/data``, based on
a real TED notice, 1 lot, ~30 kB) into a batch of 10,000 notices of distinct procedures (new
procedure and notice identifiers and titles, 1 to 4 lots), packs them into a zip as TED's
daily packages come, then times (wall clock and CPU time of this process, as the machine
may be shared):

* parsing alone, streaming the zip member by member;
* the whole import (parse, screen, upsert) into a fresh SQLite database.

Target: at least 200 notices per second for the whole import.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from sqlmodel import Session, func, select

from models import Lot, Tender
from webapp.db import make_engine
from webapp.migrate import upgrade
from webapp.tenders.importing import eforms
from webapp.tenders.services import eforms_imports

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TEMPLATE = SHARED_DATA / "eforms" / "examples" / "cn_24_open.xml"
NS = {"cbc": eforms.NAMESPACES["cbc"], "cac": eforms.NAMESPACES["cac"]}
TARGET_PER_SECOND = 200


def notices(n: int, seed: int) -> Iterator[bytes]:
    """`n` notices made from the template by text substitution, each its own procedure."""
    rng = random.Random(seed)
    raw = TEMPLATE.read_bytes()
    tree = etree.fromstring(raw)
    folder = tree.findtext("cbc:ContractFolderID", namespaces=NS).encode()
    notice = tree.findtext("cbc:ID[@schemeName='notice-id']", namespaces=NS).encode()
    start = raw.index(b"<cac:ProcurementProjectLot>")
    end = raw.rindex(b"</cac:ProcurementProjectLot>") + len(b"</cac:ProcurementProjectLot>")
    lot = raw[start:end]
    lot_id = tree.xpath("cac:ProcurementProjectLot/cbc:ID", namespaces=NS)[0].text.encode()
    for number in range(n):
        extra = b"".join(lot.replace(lot_id, f"LOT-{100 + k:04d}".encode())
                         for k in range(rng.randint(0, 3)))
        text = raw[:end] + extra + raw[end:]
        text = text.replace(folder, str(uuid.UUID(int=rng.getrandbits(128))).encode())
        text = text.replace(notice, str(uuid.UUID(int=rng.getrandbits(128))).encode())
        yield text.replace(b"</cbc:Name>", f" #{number}</cbc:Name>".encode(), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.eforms", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller, for CI")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not TEMPLATE.exists():
        print(f"skipped: the template notice is not at {TEMPLATE} (../shared/data)")
        return
    n = 1_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory() as work:
        package = Path(work) / "daily.zip"
        started = time.perf_counter()
        with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
            for number, data in enumerate(notices(n, args.seed)):
                archive.writestr(f"notices/{number:06d}.xml", data)
        print(f"generated {n:,} notices ({package.stat().st_size / 2**20:.1f} MB zipped) "
              f"in {time.perf_counter() - started:.1f} s")

        now = datetime(2020, 1, 1, tzinfo=UTC)
        started, cpu = time.perf_counter(), time.process_time()
        parsed = sum(1 for _, outcome in eforms.iter_parsed(eforms.iter_sources([package]),
                                                             now=now)
                     if not isinstance(outcome, Exception))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"parse only:   {parsed:,} notices in {seconds:.1f} s = {parsed / seconds:,.0f} "
              f"notices/s (CPU {cpu:.1f} s = {parsed / cpu:,.0f} notices/s)")

        engine = make_engine(f"sqlite:///{work}/bench.sqlite")
        upgrade(engine)
        with Session(engine) as db:
            started, cpu = time.perf_counter(), time.process_time()
            summary = eforms_imports.import_notices(db, eforms.iter_sources([package]),
                                                    now=now)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            n_tenders = db.exec(select(func.count()).select_from(Tender)).one()
            n_lots = db.exec(select(func.count()).select_from(Lot)).one()
        engine.dispose()
        rate = summary.n_created / seconds
        print(f"whole import: {summary.n_created:,} created, {len(summary.skipped)} skipped "
              f"({n_tenders:,} tenders, {n_lots:,} lots) in {seconds:.1f} s = {rate:,.0f} "
              f"notices/s (CPU {cpu:.1f} s = {summary.n_created / cpu:,.0f} notices/s; "
              f"target >= {TARGET_PER_SECOND}/s wall: "
              f"{'met' if rate >= TARGET_PER_SECOND else 'NOT met'})")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of the process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
