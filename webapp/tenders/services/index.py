"""The matching index: built outside requests, shared by every worker, kept fresh incrementally.

Life of an index:

* **build** (:func:`build_index`; the job :func:`build_job`, ``matchmaker index build``): load the
  open tenders and the enterprises, fit the tender matcher, add the arrays requests filter on,
  write it to a file beside the database (a temporary file, then ``os.replace``) and only then
  publish it as a new :class:`~models.MatchIndex` row, whose id is the version.
* **load**: each web worker loads the newest version when it starts (in a thread) and, when a
  newer version is published, loads it in the background and swaps it in; requests keep using
  the version they have meanwhile. A request never fits anything.
* **incremental changes**: writes of tenders and enterprises (imports, profile edits) append
  :class:`~models.IndexChange` rows (:func:`note_changes`). Every request reads the newest version
  and change id in one cheap query; a worker that is behind re-encodes only the changed rows with
  the fitted encoders (:meth:`TenderMatcher.with_tenders` / ``with_enterprises``), inline when
  that is quick, else in the background. So every worker answers from the same data within a
  request or two of a change, whichever worker made it.
* **deadlines** are checked per request against the arrays, so time passing needs no refit.

When no index exists yet: a small database (at most :data:`INLINE_BUILD_MAX_TENDERS` open tenders,
like the fixtures) gets one built inline by its first request, which takes well under a second;
a bigger one gets a build job and requests answer "the index is being built" (503) until it is
published.
"""

from __future__ import annotations

import copy
import gc
import io
import logging
import mmap
import os
import pickle
import struct
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, delete, select
from threadpoolctl import threadpool_limits

from matcher.cpv import CpvTree
from matcher.nuts import NutsNames
from matcher.tenders import EnterpriseProfile, LotItem, TenderItem, TenderMatcher
from models import Enterprise, IndexChange, Lot, MatchIndex, Reservation, Tender, TenderStatus
from webapp import jobs
from webapp.db import ENGINE_KEY, get_engine
from webapp.errors import NotReady
from webapp.tenders.services.matching import enterprise_profile, reference_lists
from webapp.tenders.services.weights import weights_in_use

log = logging.getLogger("matchmaker.index")

HOLDER_KEY = "matchmaker.index_holder"
#: Without any index, a database this small gets one built by its first request.
INLINE_BUILD_MAX_TENDERS = 2_000
#: Below this many lots an index loads, or takes a few changes, faster than a request: inline.
INLINE_BELOW_UNITS = 20_000
INLINE_CHANGES = 50
#: How long a request waits for the worker's first load of an existing index.
FIRST_LOAD_WAIT_S = 15.0
#: More changes than this share of the index since its build: rebuild (encoders drift).
REBUILD_SHARE = 0.2
#: Profiles whose scores a worker keeps per loaded index, most recently used first: a list asked
#: again (another page, filter or sort of it, the htmx swap after a feedback click) only masks
#: and explains. Each holds the profile's lot and tender scores (about 1 MB per 100,000 tenders).
SCORE_CACHE_SIZE = 32
#: Bump when the pickled layout changes: older files are then rebuilt (3: the fitted matcher
#: holds the lots' text centrality, the profiles' sentence blocks and the place words; 4: the
#: languages of the lots and the profiles).
FORMAT = 4


class IndexNotReady(NotReady):
    """No index is loaded yet: one is being built or loaded."""

    def __init__(self):
        super().__init__(_l("The matching index is being built; matches appear in a minute "
                            "or two. Please try again shortly."))


# --- what a request uses ----------------------------------------------------------------------

@dataclass
class MatchingIndex:
    """The fitted matcher and, per fitted tender, the arrays requests filter and count on."""

    matcher: TenderMatcher
    cpv_tree: CpvTree
    nuts_names: NutsNames
    tender_ids: np.ndarray  # position -> tender id
    alive: np.ndarray  # False once a tender was replaced by a newer version or closed
    deadline: np.ndarray  # epoch seconds, NaN when none
    value: np.ndarray  # EUR, NaN when none
    reserved: np.ndarray  # the tender or one of its lots is reserved
    region: np.ndarray  # index into region_codes of the first place (NUTS 2), -1 when none
    region_codes: list[str]
    prefixes: dict[str, np.ndarray]  # NUTS code or prefix -> positions with a place inside it
    positions: dict[int, int]  # tender id -> its current position
    version: int = 0
    change_id: int = 0
    format: int = FORMAT

    @property
    def n_tenders(self) -> int:
        return int(self.alive.sum())

    def open_mask(self, now: datetime) -> np.ndarray:
        """Tenders open to bids at ``now``: alive, and not closing within the minimum days."""
        limit = now.timestamp() + 86400 * self.matcher.min_days_to_deadline
        closing = self.deadline < limit  # NaN (no deadline) compares False: stays open
        return self.alive & ~closing

    def region_mask(self, region: str) -> np.ndarray:
        mask = np.zeros(len(self.alive), dtype=bool)
        found = self.prefixes.get(region)
        if found is not None:
            mask[found] = True
        return mask

    def scores_for(self, profile: EnterpriseProfile):
        """``matcher.score_tenders(profile)``, remembered for this index and this profile.

        The key is the whole profile the engine reads (a profile edit is another key, even
        before the worker has caught up with the change), and the cache belongs to this index
        object: a new version or a caught-up copy (:meth:`with_changes`) starts empty. The
        arrays are read-only, shared by the requests that ask again.
        """
        key = repr(profile)
        cache, lock = self._score_cache()
        with lock:
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
                return found
        found = self.matcher.score_tenders(profile)
        for array in found[1:]:
            array.flags.writeable = False
        with lock:
            cache[key] = found
            while len(cache) > SCORE_CACHE_SIZE:
                cache.popitem(last=False)
        return found

    def forget_scores(self) -> None:
        """Empty the score cache (a warm-up's list must answer no request)."""
        self._score_cache()[0].clear()

    def _score_cache(self) -> tuple[OrderedDict, threading.Lock]:
        # Not a dataclass field: ``replace`` (with_changes) must not carry it to the new index,
        # and indexes pickled before it existed load without it.
        cache = self.__dict__.get("_scores")
        if cache is None:
            cache = self.__dict__.setdefault("_scores", (OrderedDict(), threading.Lock()))
        return cache

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_scores", None)
        return state

    def position_array(self, tender_ids) -> np.ndarray:
        return np.array(
            [p for p in (self.positions.get(int(t)) for t in tender_ids) if p is not None],
            dtype=np.int64,
        )

    def with_changes(self, tenders: list[TenderItem], gone: set[int],
                     enterprises: list[EnterpriseProfile], change_id: int) -> MatchingIndex:
        """A new index with changed tenders re-added and enterprises re-encoded (a copy: the
        index in use by other requests is never modified)."""
        alive, positions = self.alive.copy(), dict(self.positions)
        for tender_id in gone | {t.id for t in tenders}:
            old = positions.pop(tender_id, None)
            if old is not None:
                alive[old] = False
        matcher = self.matcher
        new = replace(self, alive=alive, positions=positions, change_id=change_id)
        if tenders:
            matcher, added = matcher.with_tenders(tenders)
            arrays = _tender_arrays(tenders, self.region_codes, first=len(alive))
            new.tender_ids = np.concatenate([self.tender_ids, arrays["ids"]])
            new.alive = np.concatenate([alive, np.ones(len(tenders), dtype=bool)])
            for name in ("deadline", "value", "reserved", "region"):
                setattr(new, name, np.concatenate([getattr(self, name), arrays[name]]))
            new.prefixes = dict(self.prefixes)
            for prefix, found in arrays["prefixes"].items():
                old = new.prefixes.get(prefix)
                new.prefixes[prefix] = found if old is None else np.concatenate([old, found])
            positions.update({t.id: int(p) for t, p in zip(tenders, added, strict=True)})
        if enterprises:
            matcher = matcher.with_enterprises(enterprises)
        new.matcher = matcher
        return new


def _tender_arrays(items: list[TenderItem], region_codes: list[str], first: int = 0) -> dict:
    """Per-tender arrays of ``items`` (positions from ``first``); extends ``region_codes``."""
    n = len(items)
    code_of = {code: i for i, code in enumerate(region_codes)}
    deadline = np.full(n, np.nan)
    value = np.full(n, np.nan)
    reserved = np.zeros(n, dtype=bool)
    region = np.full(n, -1, dtype=np.int32)
    prefixes: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item.deadline is not None:
            moment = item.deadline if item.deadline.tzinfo else item.deadline.replace(tzinfo=UTC)
            deadline[i] = moment.timestamp()
        if item.value_eur is not None:
            value[i] = item.value_eur
        reserved[i] = item.reservation not in (None, "none") or any(
            lot.reservation not in (None, "none") for lot in item.lots
        )
        codes = [c for c in item.nuts_codes if c]
        if codes:
            head = codes[0][:4]
            if head not in code_of:
                code_of[head] = len(region_codes)
                region_codes.append(head)
            region[i] = code_of[head]
        for prefix in {c[:k] for c in codes for k in range(2, len(c) + 1)}:
            prefixes.setdefault(prefix, []).append(first + i)
    return {
        "ids": np.array([int(t.id) for t in items], dtype=np.int64),
        "deadline": deadline, "value": value, "reserved": reserved, "region": region,
        "prefixes": {k: np.array(v, dtype=np.int64) for k, v in prefixes.items()},
    }


# --- building ---------------------------------------------------------------------------------

def index_dir(app: Flask) -> Path:
    """Where the index files live: ``INDEX_DIR``, else beside the database.

    SQLite: a folder next to the database file; PostgreSQL: instance/index/<host>-<database>.
    Workers on several machines need ``INDEX_DIR`` on a shared file system.
    """
    configured = app.config.get("INDEX_DIR")
    if configured:
        return Path(configured)
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        return database.with_name(database.name + ".index")
    if url.get_backend_name() == "sqlite":
        return Path(app.instance_path) / "index" / f"memory-{id(app)}"
    return Path(app.instance_path) / "index" / f"{url.host or 'local'}-{url.database}"


def build_index(app: Flask, engine: Engine, now: datetime | None = None) -> MatchIndex:
    """Fit and publish a new index version; returns its row. Nothing is published on failure."""
    started = time.perf_counter()
    now = now or app.config.get("MATCHER_NOW") or datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as db:
        # Read the change log first: changes made while we load are applied on top later.
        change_id = db.exec(select(func.max(IndexChange.id))).one() or 0
        tenders = load_tender_items(db)
        enterprises = [enterprise_profile(e) for e in
                       db.exec(select(Enterprise).order_by(Enterprise.id)).all()]
        cpv_tree, nuts_names = reference_lists(db)
        weights = weights_in_use(db)  # fitted from feedback (fit-weights), else the defaults
    loaded_s = time.perf_counter() - started
    matcher = TenderMatcher(cpv_tree=cpv_tree, nuts_names=nuts_names, weights=weights).fit(
        tenders, enterprises, now=now
    )
    fit_s = time.perf_counter() - started - loaded_s
    region_codes: list[str] = []
    arrays = _tender_arrays(tenders, region_codes)
    index = MatchingIndex(
        matcher=matcher, cpv_tree=cpv_tree, nuts_names=nuts_names,
        tender_ids=arrays["ids"], alive=np.ones(len(tenders), dtype=bool),
        deadline=arrays["deadline"], value=arrays["value"], reserved=arrays["reserved"],
        region=arrays["region"], region_codes=region_codes, prefixes=arrays["prefixes"],
        positions={t.id: i for i, t in enumerate(tenders)}, change_id=change_id,
    )
    folder = index_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    _slim(index)
    name = f"index-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.pickle"
    temporary = folder / f".{name}.tmp"
    try:
        _write_index(index, temporary)
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
    with Session(engine, expire_on_commit=False) as db:
        row = MatchIndex(
            file_name=name, change_id=change_id, n_tenders=len(tenders),
            n_enterprises=len(enterprises), build_seconds=time.perf_counter() - started,
        )
        db.add(row)
        db.commit()
        _prune(db, folder, keep=row.id)
    log.info("index version %s: %s tenders, %s enterprises; rows %.1fs, fit %.1fs, total %.1fs",
             row.id, len(tenders), len(enterprises), loaded_s, fit_s, row.build_seconds)
    return row


def _slim(index: MatchingIndex) -> None:
    """Leave out of the file what is only a cache: the n-grams cut by ``min_df`` (scikit-learn
    documents ``stop_words_`` as safe to delete). The matcher's combined unit matrices stay: the
    file is mapped, so they cost a worker nothing to load (recomputing them took half a second
    of every worker's start)."""
    encoder = getattr(index.matcher, "text_encoder_", None)
    vectorizer = getattr(encoder, "vectorizer_", None)
    if vectorizer is not None and hasattr(vectorizer, "stop_words_"):
        del vectorizer.stop_words_
    index.matcher = copy.copy(index.matcher)
    # Hundreds of thousands of small objects cost seconds to unpickle; requests read a few.
    index.matcher.tenders_ = PickledList.of(index.matcher.tenders_)
    index.matcher.units_ = PickledList.of(index.matcher.units_)


class PickledList(Sequence):
    """A read-only list kept as pickled items in one bytes object, decoded when read.

    Loading it is a copy of one buffer instead of building a tree of hundreds of thousands of
    dataclasses and lists (seconds); the engine reads only the items it explains. Items added
    later (incremental changes) sit in a short tail, so adding never copies the buffer.
    """

    def __init__(self, data: bytes, offsets: np.ndarray, tail: list[bytes] | None = None):
        self._data, self._offsets, self._tail = data, offsets, tail or []

    @classmethod
    def of(cls, items) -> PickledList:
        if isinstance(items, PickledList):
            return items
        blobs = [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in items]
        offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in blobs], out=offsets[1:])
        # An array, not bytes: the index file maps it instead of reading it (see _write_index).
        return cls(np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1 + len(self._tail)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = int(index)
        if index < 0:
            index += len(self)
        n_base = len(self._offsets) - 1
        if index >= n_base:
            return pickle.loads(self._tail[index - n_base])
        start, stop = self._offsets[index], self._offsets[index + 1]
        return pickle.loads(memoryview(self._data[start:stop]))

    def __add__(self, other) -> PickledList:
        added = [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in other]
        return PickledList(self._data, self._offsets, self._tail + added)


# --- the index file -----------------------------------------------------------------------------
# One file per version: the big arrays (the lots' feature blocks, the pickled tenders) one after
# the other, aligned, then a table of them and the pickle of everything else, whose references to
# those arrays are persistent ids. A worker maps the file and the unpickler hands out arrays over
# the mapping, so starting a worker reads only the small pickle (the pages come from the page
# cache when first used, shared by every worker of the machine) instead of copying hundreds of
# megabytes. Plain pickle files of the same FORMAT still load.

_MAGIC = b"MMINDEX1"
_ALIGN = 64
#: Arrays at least this big are mapped; smaller ones stay inside the pickle.
_MAPPED_MIN_BYTES = 1 << 16


class _ArrayPickler(pickle.Pickler):
    """A pickler that sets big numeric arrays aside (``arrays``) and pickles their number."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.arrays: list[np.ndarray] = []

    def persistent_id(self, obj):
        if (type(obj) is np.ndarray and obj.dtype.kind in "biuf"
                and obj.nbytes >= _MAPPED_MIN_BYTES):
            self.arrays.append(obj)
            return len(self.arrays) - 1
        return None


class _ArrayUnpickler(pickle.Unpickler):
    """The other half: array number -> an array over the mapped file (copy on write)."""

    def __init__(self, file, buffer, table):
        super().__init__(file)
        self.buffer, self.table = buffer, table

    def persistent_load(self, pid):
        offset, dtype, shape, order = self.table[pid]
        count = int(np.prod(shape, dtype=np.int64))
        flat = np.frombuffer(self.buffer, dtype=np.dtype(dtype), count=count, offset=offset)
        return flat.reshape(shape, order=order)


def _write_index(index: MatchingIndex, path: Path) -> None:
    body = io.BytesIO()
    pickler = _ArrayPickler(body)
    pickler.dump(index)
    table = []
    with open(path, "wb") as file:
        file.write(_MAGIC)
        for array in pickler.arrays:
            order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
            file.write(b"\0" * (-file.tell() % _ALIGN))
            table.append((file.tell(), array.dtype.str, array.shape, order))
            file.write(array.tobytes(order=order))
        table_offset = file.tell()
        file.write(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
        body_offset = file.tell()
        file.write(body.getbuffer())
        file.write(struct.pack("<QQ", table_offset, body_offset))


def _read_index(path: Path):
    with open(path, "rb") as file:
        if file.read(len(_MAGIC)) != _MAGIC:  # a plain pickle (written before the mapping)
            file.seek(0)
            return pickle.load(file)
        buffer = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
    end = len(buffer) - struct.calcsize("<QQ")
    table_offset, body_offset = struct.unpack_from("<QQ", buffer, end)
    table = pickle.loads(buffer[table_offset:body_offset])
    return _ArrayUnpickler(io.BytesIO(buffer[body_offset:end]), buffer, table).load()


def _prune(db: Session, folder: Path, keep: int) -> None:
    """Keep this version and the one before (workers may still be loading it)."""
    rows = db.exec(select(MatchIndex).order_by(col(MatchIndex.id).desc())).all()
    for old in rows[2:]:
        (folder / old.file_name).unlink(missing_ok=True)
        db.delete(old)
    if len(rows) >= 2:
        # Changes folded into both kept versions are never needed again.
        db.exec(delete(IndexChange).where(col(IndexChange.id) <= rows[1].change_id))
    db.commit()


def build_job() -> int:
    """The background job: build and publish a new index version; returns the version."""
    return build_index(current_app._get_current_object(), get_engine()).id


@jobs.periodic(every=timedelta(hours=1), name="index-compact")
def compact_job() -> int | None:
    """Rebuild when many rows changed since the last build, so the encoders stay current."""
    app = current_app._get_current_object()
    with Session(get_engine()) as db:
        latest = db.exec(select(MatchIndex).order_by(col(MatchIndex.id).desc())).first()
        if latest is None:
            return build_job()
        n_changes = db.exec(
            select(func.count()).select_from(IndexChange)
            .where(IndexChange.id > latest.change_id)
        ).one()
    if n_changes > REBUILD_SHARE * max(latest.n_tenders + latest.n_enterprises, 1):
        return build_index(app, get_engine()).id
    return None


def request_build(app: Flask | None = None) -> jobs.JobHandle:
    """Enqueue a build (at most one waiting)."""
    app = app or current_app._get_current_object()
    with app.app_context():
        return jobs.enqueue(build_job, job_key="index-build")


# --- writes tell the index ----------------------------------------------------------------------

def note_changes(db: Session, kind: str, row_ids) -> None:
    """Log changed rows (``kind`` "tender" or "enterprise") in the caller's transaction.

    Every worker re-encodes them on its next request; commit as usual afterwards.
    """
    ids = sorted({int(i) for i in row_ids})
    if ids:
        db.add_all([IndexChange(kind=kind, row_id=i) for i in ids])


# --- the worker's copy --------------------------------------------------------------------------

@dataclass
class _Holder:
    index: MatchingIndex | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    busy: threading.Lock = field(default_factory=threading.Lock)  # one background task
    loaded: threading.Event = field(default_factory=threading.Event)
    missing_version: int | None = None  # a published version whose file we could not read


def _holder(app: Flask) -> _Holder:
    holder = app.extensions.get(HOLDER_KEY)
    if holder is None:
        holder = app.extensions.setdefault(HOLDER_KEY, _Holder())
    return holder


def init_app(app: Flask) -> None:
    """A serving worker loads the newest index in a background thread as it starts (the CLI
    and the tests do not: ``BACKGROUND_AT_START``)."""
    if app.config.get("BACKGROUND_AT_START", not app.testing):
        # A request's products are small (one profile against the lots): BLAS threads only
        # fight the other workers for the cores. Builds (the CLI, the worker) keep them all.
        threadpool_limits(limits=app.config.get("REQUEST_BLAS_THREADS", 1), user_api="blas")
        start_loading(app)


def wait_for_first_load(app: Flask, timeout: float = FIRST_LOAD_WAIT_S) -> MatchingIndex | None:
    """The index a worker's start-up load gave it, once that load is done (at most ``timeout``
    seconds), or None (nothing built yet, or the wait ran out); see ``warmup``."""
    holder = _holder(app)
    if app.config.get("BACKGROUND_AT_START", not app.testing):  # else nothing is loading
        holder.loaded.wait(timeout)
    return holder.index


def settle_heap(after_swap: bool = False) -> None:
    """Keep the collector off what a serving worker holds for its whole life (gunicorn.conf.py,
    once warm): the loaded index and modules are some 370,000 tracked objects, and every full
    collection scanned them all, a pause of about 200 ms of some request every few hundred.

    After a background swap (``after_swap``) the old index is let go and the new one settled
    in turn, in a process that froze its heap before; elsewhere (tests, the CLI) nothing is
    frozen and this does nothing."""
    if after_swap:
        if not gc.get_freeze_count():
            return
        gc.unfreeze()  # an old index caught in a reference cycle can be collected again
    gc.collect()
    gc.freeze()


def start_loading(app: Flask) -> None:
    holder = _holder(app)
    if holder.index is None and holder.busy.acquire(blocking=False):
        holder.busy.release()
        threading.Thread(target=_load_latest_quietly, args=(app, holder), daemon=True,
                         name="matchmaker-index-load").start()


def _load_latest_quietly(app: Flask, holder: _Holder) -> None:
    with holder.busy:
        try:
            with Session(app.extensions[ENGINE_KEY]) as db:
                row = db.exec(select(MatchIndex).order_by(col(MatchIndex.id).desc())).first()
                if row is not None and holder.index is None:
                    index = _load(app, row)
                    if index is not None:
                        holder.index = _caught_up(app, db, index, _stamp(db)[1])
        except Exception:  # the first request will try again and say what is wrong
            log.exception("loading the matching index at start failed")
        finally:
            holder.loaded.set()


def _stamp(db: Session) -> tuple[int, int]:
    """The newest version and change id, in one query."""
    version, change = db.exec(select(
        select(func.max(MatchIndex.id)).scalar_subquery(),
        select(func.max(IndexChange.id)).scalar_subquery(),
    )).one()
    return version or 0, change or 0


def current_index(db: Session) -> MatchingIndex:
    """The index this request answers from; never fits, except a tiny database's first one.

    Raises IndexNotReady while the first index is being built or loaded.
    """
    app = current_app._get_current_object()
    holder = _holder(app)
    version, change_id = _stamp(db)
    index = holder.index
    if index is None and not holder.loaded.is_set() and holder.busy.locked():
        holder.loaded.wait(FIRST_LOAD_WAIT_S)  # the start-up load is reading the file
        index = holder.index
    if index is None:
        return _first_index(app, holder, db, version, change_id)
    small = index.matcher.n_units_ <= app.config.get("INDEX_INLINE_BELOW", INLINE_BELOW_UNITS)
    if version > index.version and holder.missing_version != version:
        if small:
            with holder.lock:
                if holder.index.version < version:
                    _swap_to(app, holder, db, version)
            return holder.index
        _in_background(app, holder, _background_swap)
    elif change_id > index.change_id:
        if small:
            with holder.lock:
                if holder.index.change_id < change_id:
                    holder.index = _caught_up(app, db, holder.index, change_id)
            return holder.index
        _in_background(app, holder, _background_catch_up)
    return index


def _first_index(app, holder, db, version, change_id) -> MatchingIndex:
    with holder.lock:
        if holder.index is not None:
            return holder.index
        row = db.get(MatchIndex, version) if version else None
        index = _load(app, row) if row is not None else None
        if index is None:
            n_open = db.exec(select(func.count()).select_from(Tender)
                             .where(Tender.status != TenderStatus.CLOSED)).one()
            if n_open > app.config.get("INDEX_INLINE_BUILD_MAX", INLINE_BUILD_MAX_TENDERS):
                request_build(app)
                raise IndexNotReady()
            row = build_index(app, get_engine())
            index = _load(app, row)
            if index is None:
                raise IndexNotReady()
        holder.index = _caught_up(app, db, index, max(change_id, index.change_id))
        return holder.index


def _load(app: Flask, row: MatchIndex) -> MatchingIndex | None:
    path = index_dir(app) / row.file_name
    try:
        # The C unpickler (joblib's is pure Python and many times slower here) over a mapped
        # file; the collector is paused because it would rescan the growing heap again and again.
        gc.disable()
        index = _read_index(path)
    except FileNotFoundError:
        log.warning("index version %s: file %s is missing", row.id, path)
        return None
    finally:
        gc.enable()
    if getattr(index, "format", None) != FORMAT:
        return None
    matcher = index.matcher
    if getattr(matcher, "unit_dense_", None) is None:  # files written before the mapping
        matcher.unit_dense_, matcher.unit_sparse_ = matcher.unit_side_.combined(None)
    matcher.warm_up()
    index.version = row.id
    return index


def _caught_up(app, db: Session, index: MatchingIndex, change_id: int) -> MatchingIndex:
    """The index with the logged changes after its own change id (up to ``change_id``)."""
    if change_id <= index.change_id:
        return index
    rows = db.exec(select(IndexChange.kind, IndexChange.row_id).where(
        IndexChange.id > index.change_id, IndexChange.id <= change_id
    )).all()
    tender_ids = {row_id for kind, row_id in rows if kind == "tender"}
    enterprise_ids = {row_id for kind, row_id in rows if kind == "enterprise"}
    tenders = load_tender_items(db, tender_ids) if tender_ids else []
    enterprises = [enterprise_profile(e) for e in db.exec(
        select(Enterprise).where(col(Enterprise.id).in_(enterprise_ids)).order_by(Enterprise.id)
    ).all()] if enterprise_ids else []
    started = time.perf_counter()
    updated = index.with_changes(tenders, tender_ids, enterprises, change_id)
    log.debug("index %s: %s tender and %s enterprise changes applied in %.3fs", index.version,
              len(tender_ids), len(enterprise_ids), time.perf_counter() - started)
    if any(kind == "rebuild" for kind, _row in rows) or (
        len(tender_ids) + len(enterprise_ids) > REBUILD_SHARE * max(len(index.alive), 1)
    ):
        request_build(app)
    return updated


def _swap_to(app, holder: _Holder, db: Session, version: int) -> None:
    row = db.get(MatchIndex, version)
    index = _load(app, row) if row is not None else None
    if index is None:
        holder.missing_version = version
        return
    holder.index = _caught_up(app, db, index, _stamp(db)[1])


def _in_background(app: Flask, holder: _Holder, task) -> None:
    """Run one catch-up task at a time in a thread; requests meanwhile use the loaded index."""
    if not holder.busy.acquire(blocking=False):
        return

    def run() -> None:
        try:
            with Session(app.extensions[ENGINE_KEY]) as db:
                task(app, holder, db)
        except Exception:
            log.exception("updating the matching index failed; the loaded one stays in use")
        finally:
            holder.busy.release()

    threading.Thread(target=run, daemon=True, name="matchmaker-index-update").start()


def _background_swap(app, holder, db) -> None:
    version, _change = _stamp(db)
    if holder.index is None or version > holder.index.version:
        row = db.get(MatchIndex, version)
        index = _load(app, row) if row is not None else None
        if index is None:
            holder.missing_version = version
            return
        index = _caught_up(app, db, index, _stamp(db)[1])
        with holder.lock:
            holder.index = index
        settle_heap(after_swap=True)


def _background_catch_up(app, holder, db) -> None:
    index = holder.index
    updated = _caught_up(app, db, index, _stamp(db)[1])
    with holder.lock:
        if holder.index is index:
            holder.index = updated


def wait_for_background(app: Flask, timeout: float = 60) -> None:
    """Wait until the worker's background load or catch-up is done (tests, the benchmark)."""
    holder = _holder(app)
    if holder.busy.acquire(timeout=timeout):
        holder.busy.release()


# --- rows -> engine items -----------------------------------------------------------------------

_TENDER_COLUMNS = (
    Tender.id, Tender.title, Tender.description, Tender.cpv_main, Tender.cpv_additional,
    Tender.nuts_codes, Tender.value_eur, Tender.deadline, Tender.reservation,
    Tender.reserved_execution, Tender.social_criteria, Tender.award_criteria,
    Tender.sme_suitable, Tender.social_enterprise_suitable, Tender.language,
)


def load_tender_items(db: Session, tender_ids=None) -> list[TenderItem]:
    """Engine items of the open tenders (all of them, or of these ids), read as plain columns:
    ORM objects would cost seconds per hundred thousand rows for nothing."""
    query = select(*_TENDER_COLUMNS).where(Tender.status != TenderStatus.CLOSED)
    lot_query = select(Lot.id, Lot.tender_id, Lot.title, Lot.cpv_codes, Lot.value_eur,
                       Lot.reservation).order_by(Lot.id)
    if tender_ids is not None:
        ids = sorted(tender_ids)
        query = query.where(col(Tender.id).in_(ids))
        lot_query = lot_query.where(col(Lot.tender_id).in_(ids))
    lots: dict[int, list[LotItem]] = {}
    for lot_id, tender_id, title, cpv_codes, value, reservation in db.exec(lot_query):
        lots.setdefault(tender_id, []).append(LotItem(
            id=lot_id, title=title, cpv_codes=list(cpv_codes), value_eur=value,
            # A lot marked "none" inherits the tender's reservation (reserved as a whole).
            reservation=None if Reservation(reservation) == Reservation.NONE
            else Reservation(reservation).value,
        ))
    items = []
    for row in db.exec(query.order_by(Tender.id)):
        (tender_id, title, description, cpv_main, cpv_additional, nuts_codes, value, deadline,
         reservation, reserved_execution, social, award, sme, social_suitable, language) = row
        items.append(TenderItem(
            id=tender_id, title=title, description=description,
            cpv_codes=[c for c in (cpv_main, *cpv_additional) if c],
            nuts_codes=list(nuts_codes), value_eur=value, deadline=deadline,
            reservation=Reservation(reservation).value, reserved_execution=reserved_execution,
            social_criteria=list(social), award_criteria=award, sme_suitable=sme,
            social_enterprise_suitable=social_suitable, lots=lots.get(tender_id, []),
            language=language or "",
        ))
    return items


def deadline_after_timestamp(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
