"""`python -m bench [NAME ...]`: run the named benchmarks (DEFAULT when none is named).

Each benchmark module has `main(argv) -> int`, prints its figures and writes them as JSON under
bench/out/.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from types import FrameType

BENCHMARKS = {
    "parse": "bench.parse",  # median parse time per report: text/HTML and PDF
    "ingest": "bench.ingest",  # bulk ingest of text reports through `gkstats ingest`
    "stats": "bench.stats",  # 100,000 synthetic reports: stats and report reads on both DBs
    "load": "bench.load",  # wrk at 8 and 400 connections on gkstats serve --workers 2
    "soak": "bench.soak",  # 100 requests/s for 30 minutes, memory watched: only when named
    "crash": "bench.crash",  # `gkstats ingest` killed with SIGKILL, again and again, on both DBs
    "dashboard": "bench.dashboard",  # the first view in headless Chromium, 100,000 reports
    "search": "bench.search",  # two-word searches through HTTP, 100,000 reports, both DBs
    "replica": "bench.replica",  # reads/s on the primary alone and with a streaming replica
    "storage": "bench.storage",  # bytes per report of three cell layouts, on both DBs
}
DEFAULT = ("parse", "ingest", "stats", "load")


def _stop(signum: int, frame: FrameType | None) -> None:
    # Stop as Ctrl-C does, through every `finally`: the servers a benchmark started are in
    # process groups of their own and would otherwise outlive it.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    args, rest = parser.parse_known_args(argv)
    status = 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    signal.signal(signal.SIGTERM, _stop)
    for name in args.names or DEFAULT:
        module = importlib.import_module(BENCHMARKS[name])
        print(f"== {name}", flush=True)
        status |= module.main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main())
