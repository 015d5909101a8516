"""`python -m bench stats`: synthetic reports on SQLite and PostgreSQL, measured through HTTP.

For each database: a fresh schema from the migrations, `app.synth.synthesize` (load time and
database size), then the API under uvicorn on loopback: median and p99 latency of the stats
endpoints and of single-report reads, and the report-cells throughput against a FastAPI app
that answers with the same payload serialised beforehand. The year × province sum is also run
in DuckDB over the same cells, as the reference (DuckDB is a bench-only dependency: without it
that part is skipped). Figures are printed and written to bench/out/stats.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrate import upgrade
from app.models import Agency, Region, Report
from app.synth import synthesize
from bench._databases import fresh_database
from bench._duckdb_reference import duckdb_reference
from bench._server import REPO, uvicorn_server

DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_bench"
OUT = REPO / "bench" / "out"
DATABASES = ("sqlite", "postgresql")

TARGET_AGGREGATE_MS = 50.0  # year × province, median through HTTP
TARGET_AGENCY_MS = 50.0  # rank agencies, county × agency in a province
TARGET_CELLS_MS = 5.0  # one report's cells, median through HTTP
TARGET_THROUGHPUT_RATIO = 1 / 3  # report cells vs the same bytes pre-serialised

AGGREGATE = "aggregate year×province"
CELLS = "report cells"


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    path: str  # with {id}, {province} or {year} filled in per request
    target_ms: float | None = None


ENDPOINTS = (
    Endpoint(
        AGGREGATE,
        "/api/v1/stats/aggregate?metric=requests.new.total&group_by=year,province"
        "&include_synthetic=true&limit=1000",
        TARGET_AGGREGATE_MS,
    ),
    Endpoint(
        "derived year×city in a province",
        "/api/v1/stats/aggregate?metric=disclosure_rate&group_by=year,city&region={province}"
        "&include_synthetic=true",
    ),
    Endpoint(
        "rank agencies",
        "/api/v1/stats/rank?metric=requests.new.total&year={year}&include_synthetic=true",
        TARGET_AGENCY_MS,
    ),
    Endpoint(
        "county × agency in a province",
        "/api/v1/stats/aggregate?metric=requests.new.total&metric=disclosure_rate"
        "&group_by=county,agency&region={province}&year={year}&include_synthetic=true",
        TARGET_AGENCY_MS,
    ),
    Endpoint("coverage", "/api/v1/stats/coverage?include_synthetic=true"),
    Endpoint("report", "/api/v1/reports/{id}"),
    Endpoint(CELLS, "/api/v1/reports/{id}/cells", TARGET_CELLS_MS),
)


@dataclass(frozen=True, slots=True)
class Latency:
    name: str
    path: str
    requests: int
    errors: int
    median_ms: float | None
    p99_ms: float | None
    target_ms: float | None
    error: str | None  # the first failure, as status and start of the body

    @property
    def met(self) -> bool | None:
        if self.target_ms is None or self.median_ms is None:
            return None
        return self.errors == 0 and self.median_ms <= self.target_ms


@dataclass(frozen=True, slots=True)
class Throughput:
    threads: int
    seconds: float
    api_rps: float
    constant_rps: float
    ratio: float
    errors: int
    target_ratio: float = TARGET_THROUGHPUT_RATIO


@dataclass(frozen=True, slots=True)
class Sample:
    """What the requests are made of, drawn from the loaded data."""

    report_ids: list[int]
    province: str
    year: int


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench stats", description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="created when missing")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="at most this many seconds per endpoint"
    )
    parser.add_argument("--threads", type=int, default=4, help="client threads for throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput run")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for stats.json and scratch")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the databases a previous run loaded (the SQLite file in --out, the "
        "--pg-url database) after migrating them to head, instead of loading new ones",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.databases.split(",") if n.strip()]
    unknown = [n for n in names if n not in DATABASES]
    if unknown or not names:
        parser.error(f"--databases takes {', '.join(DATABASES)}")
    if args.reports < 1 or args.requests < 1 or args.threads < 1 or args.seconds <= 0:
        parser.error("--reports, --requests, --threads and --seconds must be positive")
    args.databases = names
    return args


# --- databases


def sqlite_url(out: Path) -> str:
    return f"sqlite:///{out / 'stats.sqlite3'}"


def database_size(engine: Engine) -> int:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    path = Path(make_url(str(engine.url)).database or "")
    return sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )


def draw_sample(engine: Engine, seed: int, count: int) -> Sample:
    """Report ids to read, the province with most reports and the latest year."""
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Report.id).where(Report.is_current).order_by(Report.id)))
        province = _busiest_province(conn)
        year = conn.scalar(select(func.max(Report.year))) or 2025
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    return Sample(chosen, province, int(year))


def _busiest_province(conn: Any) -> str:
    parent = Region.__table__.alias("parent")
    grand = Region.__table__.alias("grand")
    region = Region.__table__
    # A county's grandparent or parent, a city's parent, or the province itself.
    province = func.coalesce(grand.c.code, parent.c.code, region.c.code)
    row = conn.execute(
        select(province.label("province"), func.count().label("n"))
        .select_from(Report)
        .join(Agency, Agency.id == Report.agency_id)
        .join(region, region.c.code == Agency.region_code)
        .outerjoin(parent, parent.c.code == region.c.parent_code)
        .outerjoin(grand, grand.c.code == parent.c.parent_code)
        .group_by(province)
        .order_by(func.count().desc(), province)
        .limit(1)
    ).first()
    return str(row.province) if row is not None else "110000"


# --- HTTP


def _quantile(sorted_ms: Sequence[float], q: float) -> float:
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


def _paths(endpoint: Endpoint, sample: Sample) -> Iterator[str]:
    while True:
        for report_id in sample.report_ids:
            yield endpoint.path.format(id=report_id, province=sample.province, year=sample.year)


def measure_latency(
    client: httpx2.Client, endpoint: Endpoint, sample: Sample, requests: int, budget: float
) -> Latency:
    """Sequential requests after a warm-up, `requests` of them or as many as `budget` seconds
    allow; a failed request counts as an error, not a time."""
    paths = _paths(endpoint, sample)
    for _ in range(min(5, requests)):
        with suppress(httpx2.TransportError):
            client.get(next(paths))
    times: list[float] = []
    errors = 0
    first_error: str | None = None
    path = ""
    deadline = time.monotonic() + budget
    made = 0
    while made < requests and time.monotonic() < deadline:
        made += 1
        path = next(paths)
        began = time.perf_counter()
        try:
            response = client.get(path)
        except httpx2.TransportError as exc:
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code == 200:
            times.append(elapsed)
        else:
            errors += 1
            first_error = first_error or f"{response.status_code} {response.text[:200]}"
    times.sort()
    return Latency(
        name=endpoint.name,
        path=path,
        requests=made,
        errors=errors,
        median_ms=round(statistics.median(times), 3) if times else None,
        p99_ms=round(_quantile(times, 0.99), 3) if times else None,
        target_ms=endpoint.target_ms,
        error=first_error,
    )


def hammer(base: str, paths: Sequence[str], threads: int, seconds: float) -> tuple[float, int]:
    """Requests per second answered 200 by `threads` clients for `seconds`, and the errors."""
    done = [0] * threads
    failed = [0] * threads
    start = threading.Barrier(threads + 1)
    deadline = [0.0]

    def run(index: int) -> None:
        with httpx2.Client(base_url=base, timeout=30.0) as client:
            start.wait()
            i = index
            while time.monotonic() < deadline[0]:
                try:
                    ok = client.get(paths[i % len(paths)]).status_code == 200
                except httpx2.TransportError:
                    ok = False
                done[index] += ok
                failed[index] += not ok
                i += threads

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    began = time.monotonic()
    deadline[0] = began + seconds
    start.wait()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    elapsed = time.monotonic() - began
    return sum(done) / elapsed, sum(failed)


def measure_http(name: str, url: str, sample: Sample, args: argparse.Namespace) -> dict[str, Any]:
    env = {"DATABASE_URL": url}
    log = args.out / f"server-{name}.log"
    log.unlink(missing_ok=True)
    cells_paths = [f"/api/v1/reports/{i}/cells" for i in sample.report_ids]
    with (
        uvicorn_server("app.main:app", env, "/api/v1/health", log) as base,
        httpx2.Client(base_url=base, timeout=60.0) as client,
    ):
        latencies = [
            measure_latency(client, e, sample, args.requests, args.budget) for e in ENDPOINTS
        ]
        aggregate = client.get(ENDPOINTS[0].path)
        aggregate_body = aggregate.json() if aggregate.status_code == 200 else None
        payload = client.get(cells_paths[0]).content
        api_rps, api_errors = hammer(base, cells_paths, args.threads, args.seconds)
    payload_file = args.out / "cells-payload.json"
    payload_file.write_bytes(payload)
    constant_env = {"BENCH_PAYLOAD_FILE": str(payload_file)}
    with uvicorn_server("bench._constant_app:app", constant_env, "/api/v1/health", log) as base:
        hammer(base, cells_paths, args.threads, min(1.0, args.seconds))  # warm-up
        constant_rps, constant_errors = hammer(base, cells_paths, args.threads, args.seconds)
    throughput = Throughput(
        threads=args.threads,
        seconds=args.seconds,
        api_rps=round(api_rps, 1),
        constant_rps=round(constant_rps, 1),
        ratio=round(api_rps / constant_rps, 3) if constant_rps else 0.0,
        errors=api_errors + constant_errors,
    )
    return {
        "latency": [asdict(lat) | {"met": lat.met} for lat in latencies],
        "throughput": asdict(throughput) | {"met": throughput.ratio >= TARGET_THROUGHPUT_RATIO},
        "cells_payload_bytes": len(payload),
        "aggregate_response": aggregate_body,
        "server_log": str(log),
    }


# --- one database


def run_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    loaded: dict[str, Any] = {}
    if args.reuse:
        print(f"-- {name}: the database loaded before, migrated to head", flush=True)
        began = time.perf_counter()
        upgrade(url)
        loaded["migrate_seconds"] = round(time.perf_counter() - began, 1)
    else:
        print(f"-- {name}: fresh database, migrations, {args.reports} synthetic reports")
        fresh_database(name, url)
        upgrade(url)
    engine = make_engine(url)
    try:
        if not args.reuse:
            summary = synthesize(engine, reports=args.reports, seed=args.seed)
            print(f"   {summary}", flush=True)
            rate = _rate(summary.reports, summary)
            loaded["load"] = asdict(summary) | {"reports_per_second": rate}
        with engine.connect() as conn:
            reports = int(conn.scalar(select(func.count()).where(Report.is_current)) or 0)
        size = database_size(engine)
        agency_rollup = agency_rollup_size(engine)
        sample = draw_sample(engine, args.seed, args.requests)
    finally:
        engine.dispose()
    print(f"   {size / 1e6:.0f} MB; measuring through HTTP", flush=True)
    http = measure_http(name, url, sample, args)
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        **loaded,
        "current_reports": reports,
        "size_bytes": size,
        "agency_rollup_bytes": agency_rollup,
        "sample": {"province": sample.province, "year": sample.year},
        **http,
    }


def agency_rollup_size(engine: Engine) -> int | None:
    """Bytes of the agency rollup's tables with their indexes (None before it exists)."""
    tables = ("agency_rollup", "agency_rollup_block")
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            sizes = [
                conn.scalar(text(f"SELECT pg_total_relation_size(to_regclass('{t}'))"))
                for t in tables
            ]
            return None if None in sizes else sum(int(s or 0) for s in sizes)
        try:
            # The dbstat table counts every page of a table and of its indexes by name.
            return (
                int(
                    conn.scalar(
                        text(
                            "SELECT sum(pgsize) FROM dbstat WHERE name IN"
                            " (SELECT name FROM sqlite_master WHERE tbl_name IN (:a, :b))"
                        ),
                        {"a": tables[0], "b": tables[1]},
                    )
                    or 0
                )
                or None
            )
        except Exception:
            return None


def _rate(reports: int, summary: Any) -> float:
    seconds = float(summary.load_seconds) or float(summary.seconds)
    return round(reports / seconds, 1) if seconds else 0.0


def compare_with_duckdb(body: Any, duck_rows: list[list[Any]]) -> dict[str, Any]:
    """Group by group, the API's year × province sums against DuckDB's."""
    reference = {(int(year), str(code)): float(value) for year, code, value, _ in duck_rows}
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return {"compared": 0, "mismatches": None, "note": "no items in the response"}
    mismatches = []
    for item in items:
        key = (int(item["year"]), str((item.get("province") or {}).get("code") or ""))
        value = float(item["values"].get("requests.new.total") or 0)
        if not math.isclose(value, reference.get(key, 0.0), rel_tol=1e-9):
            mismatches.append({"group": list(key), "api": value, "duckdb": reference.get(key)})
    missing = len(reference) - len(items)
    return {"compared": len(items), "mismatches": mismatches[:20], "groups_missing": missing}


# --- report


def _fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _mark(met: bool | None) -> str:
    return {True: "ok", False: "MISSED", None: ""}[met]


def print_report(results: dict[str, Any], emit: Callable[[str], None] = print) -> None:
    emit("")
    emit(
        f"stats: {results['reports']} synthetic reports, seed {results['seed']}, "
        f"{results['cpus']} CPUs (shared: figures may be noisy)"
    )
    for name, db in results["databases"].items():
        emit(f"\n{name}")
        if "error" in db:
            emit(f"  failed: {db['error']}")
            continue
        load = db.get("load")
        if load is not None:
            emit(
                f"  load            {load['seconds']:.1f} s total: rows {load['load_seconds']:.1f}"
                f" s ({load['reports_per_second']:.0f} reports/s), rollups "
                f"{load['rollup_seconds']:.1f} s; {load['cells']} cells"
            )
        if "migrate_seconds" in db:
            emit(f"  migrated        {db['migrate_seconds']:.1f} s")
        per_report = db["size_bytes"] / max(db["current_reports"], 1)
        emit(
            f"  database size   {db['size_bytes'] / 1e6:.0f} MB, {per_report / 1e3:.1f} KB per "
            f"current report ({db['current_reports']})"
        )
        if db.get("agency_rollup_bytes"):
            rollup = db["agency_rollup_bytes"]
            emit(
                f"  agency rollup   {rollup / 1e6:.1f} MB with its indexes, "
                f"{rollup / max(db['current_reports'], 1):.0f} bytes per current report"
            )
        emit(f"  {'endpoint':34} {'median ms':>10} {'p99 ms':>10}  target")
        for lat in db["latency"]:
            target = f"≤ {lat['target_ms']:.0f} ms {_mark(lat['met'])}" if lat["target_ms"] else ""
            errors = f"  {lat['errors']} errors: {lat['error']}" if lat["errors"] else ""
            emit(
                f"  {lat['name']:34} {_fmt_ms(lat['median_ms']):>10} {_fmt_ms(lat['p99_ms']):>10}"
                f"  {target}{errors}"
            )
        tp = db["throughput"]
        emit(
            f"  cells throughput {tp['api_rps']:.0f} req/s vs pre-serialised "
            f"{tp['constant_rps']:.0f} req/s ({tp['threads']} threads, {tp['seconds']:.0f} s):"
            f" ratio {tp['ratio']:.2f}"
            f"  target ≥ 0.33 {_mark(tp['met'])}"
        )
        check = db.get("aggregate_vs_duckdb")
        if check is not None:
            same = not check["mismatches"] and not check.get("groups_missing")
            emit(
                f"  aggregate vs DuckDB: {check['compared']} groups compared, "
                + ("all equal" if same else f"DIFFERENT: {check}")
            )
    duck = results.get("duckdb")
    if duck:
        if "skipped" in duck or "error" in duck:
            emit(f"\nDuckDB reference: {duck.get('skipped') or duck.get('error')}")
        else:
            emit(
                f"\nDuckDB reference (year × province over {duck['source']}'s cells): "
                f"query median {duck['query_median_ms']:.1f} ms over {duck['query_runs']} runs, "
                f"{duck['groups']} groups; copy {duck['export_seconds']:.1f} s export + "
                f"{duck['load_seconds']:.1f} s load"
            )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "benchmark": "stats",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": args.reports,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "databases": {},
    }
    status = 0
    urls = {"sqlite": sqlite_url(args.out), "postgresql": args.pg_url}
    for name in args.databases:
        try:
            results["databases"][name] = run_database(name, urls[name], args)
        except Exception as exc:
            results["databases"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            status = 1
    loaded = [n for n in args.databases if "error" not in results["databases"][n]]
    if loaded:
        try:
            duck = duckdb_reference(loaded[0], urls[loaded[0]], args.out)
        except Exception as exc:
            duck = {"error": f"{type(exc).__name__}: {exc}"}
        results["duckdb"] = duck
        for name in loaded:
            db = results["databases"][name]
            body = db.pop("aggregate_response")
            if "rows" in duck:
                db["aggregate_vs_duckdb"] = compare_with_duckdb(body, duck["rows"])
    for db in results["databases"].values():
        # Missed targets are figures to read; failed requests mean the figures are wrong.
        if any(lat["errors"] for lat in db.get("latency", [])):
            status = 1
    print_report(results)
    out_file = args.out / "stats.json"
    out_file.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out_file}")
    return status
