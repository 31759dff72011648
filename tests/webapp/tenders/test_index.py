"""The matching index: built outside requests, shared by version, kept fresh incrementally.

Two app instances on one database stand for two gunicorn workers: whatever one of them (or a
command) writes, the other answers from on its next request, without refitting.
"""

import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, func, select

from models import Enterprise, IndexChange, Lot, MatchIndex, Tender, User
from tests.conftest import seeded_postgres
from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE, bearer, logged_in
from webapp import create_app, jobs
from webapp.db import ENGINE_KEY
from webapp.tenders.services import index as index_service
from webapp.tenders.services import warmup

OCDS_TENDER = {
    "uri": "https://example.org/ocds", "version": "1.1", "publishedDate": "2026-01-10T00:00:00Z",
    "releases": [{
        "ocid": "ocds-test-index-1", "id": "r1", "date": "2026-01-10T00:00:00Z",
        "tag": ["tender"], "initiationType": "tender",
        "buyer": {"name": "Gemeente Rotterdam"},
        "tender": {
            "id": "T-index-1", "title": "Sorting and repairing returned bicycles",
            "description": "Sorting, repairing and reselling of abandoned bicycles.",
            "status": "active",
            "classification": {"scheme": "CPV", "id": "90911200"},
            "deliveryAddresses": [{"region": "NL33"}],
            "value": {"amount": 150000, "currency": "EUR"},
            "tenderPeriod": {"endDate": "2099-06-01T12:00:00Z"},
        },
    }],
}


def _apps(url: str, tmp_path: Path, **config):
    """Two apps (two "workers") on the same database and index folder."""
    settings = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                "INDEX_DIR": str(tmp_path / "index"), **config}
    return create_app(settings), create_app(settings)


def _versions(app) -> int:
    with Session(app.extensions[ENGINE_KEY]) as db:
        return db.exec(select(func.count()).select_from(MatchIndex)).one()


def _listed(html: str) -> list[str]:
    """The tender ids a matches page lists, in order."""
    return list(dict.fromkeys(re.findall(r'/opportunities/tenders/(\d+)"', html)))


def _score_of(page: str, name: str) -> int:
    """The fit in percent a candidates page shows for an enterprise (0 when not listed)."""
    found = re.search(re.escape(name.replace("&", "&amp;")) + r'</h3>\s*<p class="score">'
                      r'<span class="score-value">(\d+)%', page)
    return int(found.group(1)) if found else 0


def _matches_html(client) -> str:
    response = client.get("/opportunities/?limit=200")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


@pytest.fixture
def sqlite_url(seeded_db_file, tmp_path):
    db_file = tmp_path / "shared.sqlite"
    shutil.copy(seeded_db_file, db_file)
    return f"sqlite:///{db_file}"


@pytest.fixture(scope="module")
def postgres_seeded_url(today):
    """A PostgreSQL database of its own, migrated and loaded with the fixtures."""
    with seeded_postgres(today, "matchmaker_index") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite"
                                   else "postgres_seeded_url")


def test_index_lifecycle_across_two_workers(shared_url, tmp_path):
    first, second = _apps(shared_url, tmp_path)
    try:
        one, two = logged_in(first, ENTERPRISE), logged_in(second, ENTERPRISE)

        # Build: the fixtures are small, so the first request builds and publishes version 1;
        # the other worker loads that file instead of fitting its own.
        before = _matches_html(one)
        assert _versions(first) == 1
        assert _listed(before) and _listed(_matches_html(two)) == _listed(before)
        assert _versions(second) == 1
        files = list((tmp_path / "index").glob("index-*.pickle"))
        assert len(files) == 1 and not list((tmp_path / "index").glob(".*.tmp"))

        # Incremental add: a tender imported through one worker's API shows in the other's
        # matches at once, from the same version (re-encoded, not refitted).
        # A coordinator's import: an authority may only import its own tenders.
        response = one.post("/api/v1/imports/ocds", json=OCDS_TENDER,
                            headers=bearer(first, COORDINATOR))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "Sorting and repairing returned bicycles" in _matches_html(two)
        assert _versions(second) == 1

        # A profile edit in one worker reaches the other's candidates list for a tender.
        with Session(first.extensions[ENGINE_KEY]) as db:
            user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
            enterprise = db.get(Enterprise, user.enterprise_id)
            own = db.exec(select(User).where(User.email == AUTHORITY)).one().authority_id
            green = db.exec(select(Tender).where(
                Tender.authority_id == own, Tender.cpv_main.startswith("7731"))).first()
        authority = logged_in(second, AUTHORITY)
        page = authority.get(f"/buyers/tenders/{green.id}").get_data(as_text=True)
        assert "Groenwerk Utrecht" in page
        before = _score_of(page, enterprise.name)
        response = one.patch(
            f"/api/v1/enterprises/{enterprise.id}", headers=bearer(first, ENTERPRISE),
            json={"cpv_codes": [green.cpv_main], "nuts": green.nuts_codes[0],
                  "description": "Park and green space maintenance by our work crews."},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        page = authority.get(f"/buyers/tenders/{green.id}").get_data(as_text=True)
        assert _score_of(page, enterprise.name) > before + 20

        # Swap: a newer version built elsewhere (the command) replaces the loaded one.
        result = first.test_cli_runner().invoke(args=["index", "build"])
        assert result.exit_code == 0, result.output
        assert "Index version 2" in result.output
        # The profile is now about green spaces: the bicycle tender shares nothing with it and
        # is left out of its list, but the rebuilt index the other worker uses still holds it.
        _matches_html(two)
        holder = second.extensions[index_service.HOLDER_KEY]
        assert holder.index.version == 2
        with Session(first.extensions[ENGINE_KEY]) as db:
            bicycles = db.exec(select(Tender).where(
                Tender.source_id == "ocds-test-index-1")).one()
        assert bicycles.id in holder.index.positions
    finally:
        for app in (first, second):
            jobs.wait_idle(app)
            app.extensions[ENGINE_KEY].dispose()


def test_a_big_index_is_swapped_in_the_background(sqlite_url, tmp_path):
    # INDEX_INLINE_BELOW=0 treats the fixtures as a big index: requests never wait for a load.
    first, second = _apps(sqlite_url, tmp_path, INDEX_INLINE_BELOW=0)
    try:
        client = logged_in(second, ENTERPRISE)
        _matches_html(client)
        index_service.build_index(first, first.extensions[ENGINE_KEY])
        _matches_html(client)  # answered from version 1 while version 2 loads
        index_service.wait_for_background(second)
        _matches_html(client)
        assert second.extensions[index_service.HOLDER_KEY].index.version == 2
    finally:
        for app in (first, second):
            app.extensions[ENGINE_KEY].dispose()


def test_a_started_worker_serves_from_its_loaded_index_and_remembers_nothing(sqlite_url, tmp_path):
    # gunicorn.conf.py warms a worker up before it accepts connections: its index is loaded,
    # and the warm-up's own ranked list is not kept to answer a request with.
    first, _other = _apps(sqlite_url, tmp_path)
    worker = None
    try:
        index_service.build_index(first, first.extensions[ENGINE_KEY])
        worker = create_app({"TESTING": True, "DATABASE_URL": sqlite_url,
                             "SECRET_KEY": "test-secret", "INDEX_DIR": str(tmp_path / "index"),
                             "BACKGROUND_AT_START": True})
        warmup.warm_up_worker(worker)
        holder = worker.extensions[index_service.HOLDER_KEY]
        assert holder.index is not None and holder.index.version == 1
        assert not holder.index._score_cache()[0]
        clients = [logged_in(first, ENTERPRISE), logged_in(worker, ENTERPRISE)]
        listed = [_listed(_matches_html(client)) for client in clients]
        assert listed[0] and listed[1] == listed[0]
        assert holder.index.version == 1  # served by the loaded index, not a new load
    finally:
        for app in (first, worker):
            if app is not None:
                jobs.wait_idle(app)
                app.extensions[ENGINE_KEY].dispose()


def test_without_an_index_a_big_database_says_it_is_being_built(sqlite_url, tmp_path):
    (app, _other) = _apps(sqlite_url, tmp_path, INDEX_INLINE_BUILD_MAX=0)
    try:
        client = logged_in(app, ENTERPRISE)
        response = client.get("/opportunities/")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "being built" in response.get_data(as_text=True)
        api = client.get("/api/v1/tenders/1/candidates", headers=bearer(app, AUTHORITY))
        assert api.status_code in (503, 404)
        jobs.wait_idle(app)  # the build job the first request enqueued
        assert _versions(app) == 1
        assert client.get("/opportunities/").status_code == 200
    finally:
        app.extensions[ENGINE_KEY].dispose()
        _other.extensions[ENGINE_KEY].dispose()


def test_a_failed_build_publishes_nothing(sqlite_url, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the index folder should be")
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "s",
                      "INDEX_DIR": str(blocked)})
    try:
        with pytest.raises(OSError):
            index_service.build_index(app, app.extensions[ENGINE_KEY])
        assert _versions(app) == 0
    finally:
        app.extensions[ENGINE_KEY].dispose()


def test_changes_are_logged_and_pruned_after_two_builds(sqlite_url, tmp_path):
    app, other = _apps(sqlite_url, tmp_path)
    try:
        engine = app.extensions[ENGINE_KEY]
        with Session(engine) as db:
            index_service.note_changes(db, "enterprise", [1, 1, 2])
            db.commit()
            assert db.exec(select(func.count()).select_from(IndexChange)).one() == 2
        index_service.build_index(app, engine)
        index_service.build_index(app, engine)
        index_service.build_index(app, engine)
        with Session(engine) as db:
            assert db.exec(select(func.count()).select_from(IndexChange)).one() == 0
            assert db.exec(select(func.count()).select_from(MatchIndex)).one() == 2
        assert len(list((tmp_path / "index").glob("index-*.pickle"))) == 2
    finally:
        app.extensions[ENGINE_KEY].dispose()
        other.extensions[ENGINE_KEY].dispose()


def test_remembered_scores_follow_a_profile_edit_and_a_new_version(sqlite_url, tmp_path):
    # A big index (changes are caught up in the background). A worker remembers the scores of
    # a profile it ranked; an edit must show in its very next list, even while the worker is
    # still behind the change log, and a new version must never answer with the old scores.
    first, second = _apps(sqlite_url, tmp_path, INDEX_INLINE_BELOW=0)
    try:
        client = logged_in(first, ENTERPRISE)
        before = _listed(_matches_html(client))
        assert before and _listed(_matches_html(client)) == before  # asked again, remembered
        holder = first.extensions[index_service.HOLDER_KEY]
        loaded = holder.index

        with Session(first.extensions[ENGINE_KEY]) as db:
            user = db.exec(select(User).where(User.email == ENTERPRISE)).one()
            enterprise_id = user.enterprise_id
            green = db.exec(select(Tender).where(Tender.cpv_main.startswith("7731"))).first()
        response = second.test_client().patch(
            f"/api/v1/enterprises/{enterprise_id}", headers=bearer(second, ENTERPRISE),
            json={"cpv_codes": [green.cpv_main], "nuts": green.nuts_codes[0],
                  "description": "Park and green space maintenance by our work crews."},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        holder.busy.acquire()  # the worker stays behind: no background catch-up meanwhile
        try:
            edited = _listed(_matches_html(client))
            assert holder.index is loaded
        finally:
            holder.busy.release()
        assert edited != before

        # A tender changed behind the index's back (no change logged) moves only with a new
        # version: once that is swapped in, the list follows it, not the remembered scores.
        top = int(edited[0])
        with Session(first.extensions[ENGINE_KEY]) as db:
            tender = db.get(Tender, top)
            tender.title, tender.description = "Road resurfacing", "Asphalt for a motorway."
            tender.cpv_main, tender.cpv_additional = "45233140", []
            db.add(tender)
            for lot in db.exec(select(Lot).where(Lot.tender_id == top)):
                lot.title, lot.description, lot.cpv_codes = "Asphalt", "", ["45233140"]
                db.add(lot)
            db.commit()
        assert _listed(_matches_html(client))[0] == str(top)  # the same version: unchanged
        index_service.build_index(second, second.extensions[ENGINE_KEY])
        _matches_html(client)  # starts the swap in the background
        index_service.wait_for_background(first)
        assert holder.index.version == 2
        assert str(top) not in _listed(_matches_html(client))
    finally:
        for app in (first, second):
            jobs.wait_idle(app)
            app.extensions[ENGINE_KEY].dispose()


def test_an_index_file_maps_its_big_arrays_and_plain_pickles_still_load(tmp_path):
    ramp = np.arange(200, dtype=np.float32)
    saved = {"big": np.arange(100_000, dtype=np.float32), "small": np.arange(3),
             "fortran": np.asfortranarray(np.ones((300, 200), dtype=np.float32) * ramp),
             "items": index_service.PickledList.of([{"id": i} for i in range(5_000)])}
    index_service._write_index(saved, tmp_path / "mapped")
    loaded = index_service._read_index(tmp_path / "mapped")
    assert np.array_equal(loaded["big"], saved["big"]) and not loaded["big"].flags.owndata
    assert np.array_equal(loaded["small"], saved["small"])
    assert np.array_equal(loaded["fortran"], saved["fortran"])
    assert loaded["fortran"].flags.f_contiguous
    assert loaded["items"][4_321] == {"id": 4_321} and len(loaded["items"]) == 5_000
    loaded["big"][0] = -1.0  # copy on write: the file keeps what was written
    assert index_service._read_index(tmp_path / "mapped")["big"][0] == 0.0

    with open(tmp_path / "plain", "wb") as file:
        pickle.dump(saved, file)
    assert np.array_equal(index_service._read_index(tmp_path / "plain")["big"], saved["big"])
