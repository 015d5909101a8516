"""Bulk ingest: `gkstats ingest FOLDER` of generated text reports into a fresh SQLite database.

Times the command end to end as a subprocess (wall clock, reports/s, peak RSS of the command and
its workers), then again over the same folder, when every document is already stored.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._reports import write_reports

OUT = Path(__file__).resolve().parent / "out"
TARGET_PER_SECOND = 300


def run_ingest(folder: Path, url: str, workers: int | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "app.cli", "ingest", "--quiet", str(folder)]
    if workers is not None:
        command += ["--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"gkstats ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 3
        ),
        # ru_maxrss is the largest of any child waited for so far (KiB on Linux).
        "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
        "summary": done.stdout.strip().splitlines()[-1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="gkstats ingest --workers")
    args, _ = parser.parse_known_args(argv)

    from app.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="gkstats-bench-") as tmp:
        folder = Path(tmp) / "reports"
        write_reports(folder, args.reports)
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        first = run_ingest(folder, url, args.workers)
        second = run_ingest(folder, url, args.workers)
        database_mb = round((Path(tmp) / "bench.sqlite3").stat().st_size / 2**20, 1)
    for run in (first, second):
        run["reports_per_second"] = round(args.reports / run["seconds"], 1)
    figures = {
        "reports": args.reports,
        "workers": args.workers or "default",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "target_reports_per_second": TARGET_PER_SECOND,
        "first_pass": first,
        "unchanged_pass": second,
        "database_mb": database_mb,
    }
    print(f"{'pass':<10}{'seconds':>9}{'reports/s':>11}{'cpu s':>8}{'peak RSS MB':>13}")
    for name, run in (("first", first), ("unchanged", second)):
        print(
            f"{name:<10}{run['seconds']:>9.1f}{run['reports_per_second']:>11.1f}"
            f"{run['cpu_seconds']:>8.1f}{run['peak_rss_mb']:>13.1f}   {run['summary']}"
        )
    print(f"target: >= {TARGET_PER_SECOND} reports/s on the first pass; database {database_mb} MB")
    OUT.mkdir(exist_ok=True)
    (OUT / "ingest.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0
