"""The production way: gunicorn with several workers on PostgreSQL, configured by environment."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.common import free_port
from webapp.db import make_engine
from webapp.migrate import upgrade

pytestmark = pytest.mark.postgres


def wait_for(url: str, seconds: float = 90.0) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_serves_on_postgresql_with_several_workers(postgres_url, tmp_path):
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "DATABASE_URL": postgres_url, "SECRET_KEY": "prod-test-secret"}
    # closed by the with block, also when an assertion fails (an unclosed file is a warning)
    with (tmp_path / "gunicorn.log").open("w+") as log:
        process = subprocess.Popen(
            [str(gunicorn), "--workers", "3", "--bind", f"127.0.0.1:{port}",
             "webapp:create_app()"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
        )
        try:
            body = wait_for(f"http://127.0.0.1:{port}/healthz")
            assert b'"database":"ok"' in body.replace(b" ", b"")
            for _ in range(6):  # spread over the workers; all share the database and the secret
                assert b"Log in" in wait_for(f"http://127.0.0.1:{port}/login")
        finally:
            process.terminate()
            process.wait(timeout=60)  # graceful stop; slow on a loaded machine
        log.seek(0)
        output = log.read()
    assert "Booting worker" in output
    assert "GET /healthz 200" in output  # one readable line per request
