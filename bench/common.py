"""What several benchmarks share: the table of figures, and a server they start: a free port
for it, waiting until it answers, stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def print_table(rows, note: str = "target") -> None:
    """Print (measure, measured, target) rows in aligned columns; ``note`` heads the last."""
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure':<{width}}  {'measured':>{value_width}}  {note}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {target}")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float, server: subprocess.Popen | None = None) -> None:
    """Return once `url` answers with success; SystemExit after `seconds`, or as soon as
    `server` has stopped (its log says why)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server stopped before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except OSError:  # refused, reset, timed out or an error status while the workers boot
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def stop(process: subprocess.Popen, seconds: float, kill_seconds: float | None = None) -> None:
    """Ask the process to end; kill it if it has not within ``seconds`` (a stuck shutdown)."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=kill_seconds)
