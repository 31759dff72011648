"""Run every benchmark in turn: `python -m bench [--quick]`."""

import logging
import sys
from importlib import import_module

BENCHMARKS = ("bench.groupings", "bench.tenders", "bench.relevance", "bench.reach", "bench.eforms",
              "bench.load", "bench.alerts")


def main(argv: list[str] | None = None) -> None:
    """Run the working-group, tender-matching, relevance and eForms-import benchmarks with the
    same arguments."""
    argv = sys.argv[1:] if argv is None else argv
    # The benchmarks share this process, so the first app's logging stays on for the rest:
    # every fresh database announced its eleven migrations between the figures.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        import_module(name).main(argv)


if __name__ == "__main__":
    main()
