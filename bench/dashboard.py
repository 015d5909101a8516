"""`python -m bench dashboard`: the dashboard's first view on 100,000 synthetic reports.

For each database: synthetic reports (made once; `--reuse` keeps a database that already holds
them), `gkstats serve` on loopback, then headless Chromium opening `/` with an empty cache, again
and again. Figures, against the targets:

* each API request of the first view, timed alone through HTTP: median ≤ 50 ms;
* navigation until the overview's charts are drawn: ≤ 1 s (the page records the moment);
* bytes transferred for the first view, compressed, the charting library included: ≤ 700 KB.

Printed, and written to bench/out/dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
from sqlalchemy import func, select

from app.db import make_engine
from app.migrate import upgrade
from app.models import Report
from app.synth import synthesize
from bench._chromium import chromium
from bench._databases import fresh_database
from bench._server import REPO, gkstats_server

OUT = REPO / "bench" / "out"
DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_bench_dashboard"
TARGET_REQUEST_MS = 50.0
TARGET_DRAWN_MS = 1000.0
TARGET_BYTES = 700 * 1024

FIRST_VIEW = """
const entries = performance.getEntriesByType("resource").concat(
  performance.getEntriesByType("navigation"));
return {
  readyAt: Number(document.body.dataset.readyAt),
  resources: entries.map((e) => ({
    url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
    start: Math.round(e.startTime), end: Math.round(e.responseEnd),
  })),
};
"""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="created when missing")
    parser.add_argument("--reuse", action="store_true", help="keep a database holding N reports")
    parser.add_argument("--loads", type=int, default=5, help="cold page loads per database")
    parser.add_argument("--requests", type=int, default=30, help="timed calls per API request")
    parser.add_argument("--out", type=Path, default=OUT)
    return parser.parse_args(argv)


def prepare(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    if args.reuse:
        try:
            engine = make_engine(url)
            with engine.connect() as conn:
                present = conn.scalar(select(func.count()).where(Report.synthetic.is_(True)))
            engine.dispose()
            if present == args.reports:
                return {"reports": present, "reused": True}
        except Exception:  # no database yet, or not migrated: made below
            pass
    fresh_database(name, url)
    upgrade(url)
    engine = make_engine(url)
    try:
        summary = synthesize(engine, reports=args.reports, seed=args.seed)
    finally:
        engine.dispose()
    return {"reports": summary.reports, "reused": False, "load_seconds": summary.seconds}


def page_loads(base: str, loads: int) -> list[dict[str, Any]]:
    """Cold loads of `/`: the cache is emptied before each."""
    from selenium.webdriver.support.wait import WebDriverWait

    results = []
    with chromium() as driver:
        for _ in range(loads):
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.get("about:blank")
            driver.get(base + "/")
            WebDriverWait(driver, 60).until(
                lambda d: d.execute_script("return document.body.dataset.ready") == "1"
            )
            results.append(driver.execute_script(FIRST_VIEW))
    return results


def time_requests(base: str, paths: list[str], calls: int) -> list[dict[str, Any]]:
    timed = []
    with httpx2.Client(base_url=base, timeout=60.0, headers={"Accept-Encoding": "gzip"}) as client:
        for path in paths:
            took = []
            for _ in range(calls):
                started = time.perf_counter()
                answer = client.get(path)
                took.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
            took.sort()
            timed.append(
                {
                    "path": path,
                    "median_ms": round(statistics.median(took), 2),
                    "p95_ms": round(took[int(0.95 * (len(took) - 1))], 2),
                }
            )
    return timed


def run_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    data = prepare(name, url, args)
    log = args.out / f"dashboard-{name}.log"
    with gkstats_server({**os.environ, "DATABASE_URL": url}, log) as server:
        loads = page_loads(server.base, args.loads)
        first = loads[0]["resources"]
        api = [
            urlsplit(r["url"]).path + ("?" + urlsplit(r["url"]).query if "?" in r["url"] else "")
            for r in first
            if urlsplit(r["url"]).path.startswith("/api/v1/")
        ]
        requests = time_requests(server.base, list(dict.fromkeys(api)), args.requests)
    drawn = sorted(load["readyAt"] for load in loads)
    transferred = [sum(r["transfer"] for r in load["resources"]) for load in loads]
    decoded = sum(r["decoded"] for r in first)
    return {
        **data,
        "drawn_ms": {"median": statistics.median(drawn), "all": drawn},
        "transferred_bytes": statistics.median(transferred),
        "decoded_bytes": decoded,
        "resources": first,
        "requests": requests,
    }


def print_report(results: dict[str, Any]) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    for name, db in results["databases"].items():
        print(f"-- {name}")
        if "error" in db:
            print(f"   error: {db['error']}")
            continue
        print(f"   {db['reports']:,} reports ({'reused' if db['reused'] else 'made now'})")
        for request in db["requests"]:
            ok = request["median_ms"] <= TARGET_REQUEST_MS
            print(
                f"   {request['median_ms']:7.2f} ms median {request['p95_ms']:7.2f} ms p95  "
                f"{mark(ok)}  {request['path']}"
            )
        drawn = db["drawn_ms"]["median"]
        print(f"   charts drawn {drawn:.0f} ms after navigation (median)  {mark(drawn <= 1000)}")
        sent = db["transferred_bytes"]
        print(
            f"   {sent / 1024:.0f} KB transferred ({db['decoded_bytes'] / 1024:.0f} KB decoded)  "
            f"{mark(sent <= TARGET_BYTES)}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    args.out.mkdir(parents=True, exist_ok=True)
    urls = {"sqlite": f"sqlite:///{args.out / 'dashboard.sqlite3'}", "postgresql": args.pg_url}
    results: dict[str, Any] = {
        "benchmark": "dashboard",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": args.reports,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "databases": {},
    }
    status = 0
    for name in args.databases.split(","):
        try:
            results["databases"][name] = run_database(name, urls[name], args)
        except Exception as exc:
            results["databases"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            status = 1
    (args.out / "dashboard.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_report(results)
    return status
