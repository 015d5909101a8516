"""`python -m bench [NAME ...]`: run the named benchmarks (all when none is named).

Each benchmark module has `main(argv) -> int`, prints its figures and writes them as JSON under
bench/out/.
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = {
    "parse": "bench.parse",  # median parse time per report: text/HTML and PDF
    "ingest": "bench.ingest",  # bulk ingest of text reports through `gkstats ingest`
    "stats": "bench.stats",  # 100,000 synthetic reports: stats and report reads on both DBs
    "crash": "bench.crash",  # `gkstats ingest` killed with SIGKILL, again and again, on both DBs
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    args, rest = parser.parse_known_args(argv)
    status = 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        print(f"== {name}", flush=True)
        status |= module.main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main())
