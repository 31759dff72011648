"""Jobs the queue tests run: module-level functions, as a worker process needs them."""

from pathlib import Path

from flask import current_app


def write_marker(path: str, text: str) -> str:
    """Write ``text`` and the app's database URL (proves the job ran in an app context)."""
    Path(path).write_text(f"{text} {current_app.config['DATABASE_URL']}")
    return text


def fail_twice(path: str) -> int:
    """Fail on the first two runs, then succeed: counts its runs in ``path``."""
    counter = Path(path)
    runs = int(counter.read_text() or 0) + 1 if counter.exists() else 1
    counter.write_text(str(runs))
    if runs < 3:
        raise RuntimeError(f"failing on purpose (run {runs})")
    return runs


def always_fail() -> None:
    raise RuntimeError("this job always fails")
