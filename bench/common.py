"""What several benchmarks share: the table of figures and stopping a server they started."""

from __future__ import annotations

import subprocess


def print_table(rows, note: str = "target") -> None:
    """Print (measure, measured, target) rows in aligned columns; ``note`` heads the last."""
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure':<{width}}  {'measured':>{value_width}}  {note}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {target}")


def stop(process: subprocess.Popen, seconds: float, kill_seconds: float | None = None) -> None:
    """Ask the process to end; kill it if it has not within ``seconds`` (a stuck shutdown)."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=kill_seconds)
