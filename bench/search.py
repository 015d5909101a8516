"""Search at scale: two-word queries through HTTP on `gkstats serve`, over synthetic reports
(100,000 by default) on SQLite and PostgreSQL. Target: median ≤ 50 ms per query.

Each query is asked `--repeat` times after a warm-up; the figures are the median and p95 of
every request, and per query. The queries pair topic words of the synthetic prose
(app/synth_prose.py) from frequent to rare, so hit counts range from a handful to thousands.
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

import httpx2
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrate import upgrade
from app.synth import synthesize
from bench._databases import fresh_database
from bench._server import gkstats_server
from bench.stats import DATABASES, OUT, database_size

DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_bench_search"
TARGET_MEDIAN_MS = 50.0
QUERIES = (
    "数据安全 个人信息",
    "疫情防控 培训",
    "乡村振兴 营商环境",
    "行政复议 纠正",
    "政府采购 保密审查",
    "养老服务 就业创业",
    "网站建设 栏目",
    "政策解读 新闻发布会",
)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench search", description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="created when missing")
    parser.add_argument("--repeat", type=int, default=25, help="timed requests per query")
    parser.add_argument("--limit", type=int, default=20, help="hits per page asked")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.databases = [n.strip() for n in args.databases.split(",") if n.strip()]
    if not args.databases or any(n not in DATABASES for n in args.databases):
        parser.error(f"--databases takes {', '.join(DATABASES)}")
    return args


def _p95(times: Sequence[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def measure(base: str, args: argparse.Namespace) -> dict[str, Any]:
    per_query: list[dict[str, Any]] = []
    every: list[float] = []
    errors = 0
    with httpx2.Client(base_url=base, timeout=60.0) as client:
        for q in QUERIES:
            params = {"q": q, "limit": args.limit}
            first = client.get("/api/v1/search", params=params)  # warm-up
            total = first.json().get("total") if first.status_code == 200 else None
            times: list[float] = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                response = client.get("/api/v1/search", params=params)
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code == 200:
                    times.append(elapsed)
                else:
                    errors += 1
            every += times
            per_query.append(
                {
                    "q": q,
                    "hits": total,
                    "median_ms": round(statistics.median(times), 2) if times else None,
                    "p95_ms": round(_p95(times), 2) if times else None,
                }
            )
    median = statistics.median(every) if every else None
    return {
        "queries": per_query,
        "median_ms": round(median, 2) if median is not None else None,
        "p95_ms": round(_p95(every), 2) if every else None,
        "errors": errors,
        "met": median is not None and median <= TARGET_MEDIAN_MS and not errors,
    }


def run_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"-- {name}: fresh database, migrations, {args.reports} synthetic reports", flush=True)
    fresh_database(name, url)
    upgrade(url)
    engine = make_engine(url)
    try:
        summary = synthesize(engine, reports=args.reports, seed=args.seed)
        print(f"   {summary}", flush=True)
        size = database_size(engine)
    finally:
        engine.dispose()
    print(f"   {size / 1e6:.0f} MB; measuring through HTTP", flush=True)
    log = args.out / f"server-search-{name}.log"
    with gkstats_server({"DATABASE_URL": url}, log) as server:
        figures = measure(server.base, args)
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        "synth_seconds": round(summary.seconds, 1),
        "size_bytes": size,
        **figures,
    }


def print_report(results: dict[str, Any]) -> None:
    for name, db in results["databases"].items():
        if "error" in db:
            print(f"{name}: {db['error']}")
            continue
        mark = "met" if db["met"] else "MISSED"
        print(
            f"{name}: median {db['median_ms']} ms, p95 {db['p95_ms']} ms over "
            f"{len(QUERIES)} queries (target ≤ {TARGET_MEDIAN_MS:.0f} ms median: {mark})"
        )
        for query in db["queries"]:
            print(
                f"   {query['q']:<14} {query['hits']!s:>7} hits  median {query['median_ms']} ms"
                f"  p95 {query['p95_ms']} ms"
            )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "benchmark": "search",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": args.reports,
        "limit": args.limit,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "databases": {},
    }
    urls = {"sqlite": f"sqlite:///{args.out / 'search.sqlite3'}", "postgresql": args.pg_url}
    status = 0
    for name in args.databases:
        try:
            results["databases"][name] = run_database(name, urls[name], args)
        except Exception as exc:
            results["databases"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            status = 1
        if results["databases"][name].get("errors"):
            status = 1
    print_report(results)
    out_file = args.out / "search.json"
    out_file.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out_file}")
    return status
