"""`python -m bench load`: wrk at 8 and 400 connections on `gkstats serve --workers 2`.

For each database (SQLite and PostgreSQL, the same data: N synthetic reports and the two
examples), the API is served as production serves it and wrk puts the read mix on it
(bench/load.lua walks a list of paths drawn from bench/_load.py's mix and counts statuses),
first with 8 connections, then with 400. Beside wrk, a writer posts a document every
`--write-every` seconds and /health is probed every 0.25 s, during each run and after it.
Reported per run: throughput, p50/p99/p99.9/max latency, statuses, wrk's socket errors, the
writer's answers, /health's slowest answer, and the CPU seconds of each uvicorn worker
(from /proc), which shows how evenly the workers share the load. Written to
bench/out/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrate import upgrade
from app.models import Report
from app.synth import synthesize
from bench import _load
from bench._databases import fresh_database
from bench._proc import ProcessSample, sample_tree
from bench._server import REPO, Server, gkstats_server

DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_load"
OUT = REPO / "bench" / "out"
LUA = Path(__file__).resolve().parent / "load.lua"
DATABASES = ("sqlite", "postgresql")
API_KEY = "bench-load-key"
PATHS_IN_LIST = 20_000  # requests drawn from the mix for wrk to walk through
MARKER = "GKSTATS-LOAD "


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument("--reports", type=int, default=20_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="created when missing")
    parser.add_argument(
        "--connections", default="8,400", help="comma-separated: one wrk run for each"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gkstats serve --workers")
    parser.add_argument(
        "--write-every", type=float, default=0.5, help="seconds between posts; 0: no writer"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder for load.json and scratch")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.databases.split(",") if n.strip()]
    if not names or any(n not in DATABASES for n in names):
        parser.error(f"--databases takes {', '.join(DATABASES)}")
    args.databases = names
    try:
        args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    except ValueError:
        parser.error("--connections takes numbers, e.g. 8,400")
    if not args.connections or min(args.connections) < 1:
        parser.error("--connections takes positive numbers")
    if args.reports < 1 or args.seconds <= 0 or args.threads < 1 or args.workers < 1:
        parser.error("--reports, --seconds, --threads and --workers must be positive")
    return args


# --- the data


def sqlite_url(out: Path, name: str) -> str:
    return f"sqlite:///{out / name}"


def prepare_database(name: str, url: str, reports: int, seed: int) -> dict[str, Any]:
    """A fresh database of kind `name` at `url`: the migrations, `reports` synthetic reports
    (the same for the same seed) and the two examples, ingested by `gkstats ingest`."""
    began = time.perf_counter()
    fresh_database(name, url)
    upgrade(url)
    engine = make_engine(url)
    try:
        summary = synthesize(engine, reports=reports, seed=seed)
    finally:
        engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "--quiet", str(REPO / "examples")],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"gkstats ingest examples/ failed: {done.stderr[-2000:]}")
    return {
        "synth": asdict(summary),
        "examples": done.stdout.strip().splitlines()[-1],
        "seconds": round(time.perf_counter() - began, 1),
    }


def current_report_ids(url: str) -> list[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(Report.id).where(Report.is_current)))
    finally:
        engine.dispose()


# --- one wrk run


async def run_wrk(
    base: str, paths_file: Path, connections: int, seconds: float, threads: int
) -> dict[str, Any]:
    """wrk with bench/load.lua; its figures, as the script's done() prints them."""
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={_load.REQUEST_TIMEOUT:g}s",
        "--latency",
        f"-s{LUA}",
        base + "/",
        "--",
        str(paths_file),
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(
            process.communicate(), seconds + _load.REQUEST_TIMEOUT + 30
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RuntimeError(f"wrk did not finish within {seconds:g} s and a margin") from None
    text = out.decode(errors="replace")
    lines = [line for line in text.splitlines() if line.startswith(MARKER)]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({process.returncode}): {err.decode()[-1000:]}{text}")
    figures: dict[str, Any] = json.loads(lines[-1].removeprefix(MARKER))
    figures["output"] = text.replace(lines[-1], "").strip()
    return figures


def cpu_by_process(
    before: Sequence[ProcessSample], after: Sequence[ProcessSample]
) -> list[dict[str, Any]]:
    """CPU seconds each process spent between two readings (a worker that appeared in
    between counts from zero)."""
    earlier = {s.pid: s.cpu_seconds for s in before}
    return [
        {
            "pid": s.pid,
            "role": s.role,
            "cpu_seconds": round(s.cpu_seconds - earlier.get(s.pid, 0.0), 2),
            "rss_mb": round(s.rss_bytes / 2**20, 1),
        }
        for s in after
    ]


async def measure_run(
    server: Server, paths_file: Path, connections: int, args: argparse.Namespace
) -> dict[str, Any]:
    recorder = _load.Recorder()
    writer = _load.Writer(API_KEY, args.write_every) if args.write_every > 0 else None
    before = sample_tree(server.pid)
    wrk = await _load.alongside(
        server.base,
        recorder,
        run_wrk(server.base, paths_file, connections, args.seconds, args.threads),
        seconds=args.seconds,
        writer=writer,
    )
    after = sample_tree(server.pid)
    run = _load.LoadRun(connections, args.seconds, recorder)
    seconds = wrk["duration_us"] / 1e6 or args.seconds
    statuses = {str(k): v for k, v in sorted(wrk["statuses"].items())}
    ok = sum(n for status, n in statuses.items() if 200 <= int(status) < 400)
    latency = {k: round(v / 1000, 1) for k, v in wrk["latency_us"].items()}
    return {
        "connections": connections,
        "seconds": round(seconds, 1),
        "sent": wrk["sent"],
        "requests": wrk["requests"],
        # Still waiting when wrk stopped: about one per connection even when all is well.
        "unanswered": wrk["sent"] - wrk["requests"],
        "throughput_rps": round(wrk["requests"] / seconds, 1),
        "ok_rps": round(ok / seconds, 1),
        "latency_ms": {k: latency[k] for k in ("p50", "p99", "p99.9", "max", "mean")},
        "statuses": statuses,
        "503_with_retry_after": wrk["503_with_retry_after"],
        "socket_errors": wrk["errors"],
        "writes": _load.summary_dict(_load.summarize(recorder.writes, args.seconds)),
        "health_during": _load.summary_dict(_load.summarize(run.probes_during, args.seconds)),
        "health_after": _load.summary_dict(_load.summarize(run.probes_after, args.seconds)),
        "cpu_seconds_by_process": cpu_by_process(before, after),
        "problems": run_problems(wrk, run),
        "wrk_output": wrk["output"],
    }


def run_problems(wrk: dict[str, Any], run: _load.LoadRun) -> list[str]:
    """The load test's conditions on one run, as far as wrk's figures tell them."""
    problems = []
    server_errors = sum(n for status, n in wrk["statuses"].items() if int(status) >= 500)
    bad = server_errors - wrk["503_with_retry_after"]
    if bad:
        problems.append(f"{bad} answers were a 5xx other than 503 with Retry-After")
    errors = wrk["errors"]
    socket_errors = sum(errors[k] for k in ("connect", "read", "write", "timeout"))
    if socket_errors:
        detail = ", ".join(f"{k} {errors[k]}" for k in ("connect", "read", "write", "timeout"))
        problems.append(f"{socket_errors} socket errors or timeouts ({detail})")
    if wrk["latency_us"]["max"] > _load.MAX_WAIT_SECONDS * 1e6:
        problems.append(
            f"a request waited {wrk['latency_us']['max'] / 1e6:.1f} s, "
            f"past {_load.MAX_WAIT_SECONDS:g} s"
        )
    problems += _load.request_failures(run.recorder.writes, "writer")
    problems += _load.health_failures(run.probes_during, "during the load")
    problems += _load.health_failures(run.probes_after, "after the load")
    return problems


def throughput_problem(runs: Sequence[dict[str, Any]]) -> list[str]:
    """The most connections must give at least half the throughput of the fewest."""
    if len(runs) < 2:
        return []
    fewest = min(runs, key=lambda r: r["connections"])
    most = max(runs, key=lambda r: r["connections"])
    if most["ok_rps"] >= _load.MIN_THROUGHPUT_RATIO * fewest["ok_rps"]:
        return []
    return [
        f"{most['ok_rps']:.1f} ok/s at {most['connections']} connections is below "
        f"{_load.MIN_THROUGHPUT_RATIO:g} x {fewest['ok_rps']:.1f} ok/s at "
        f"{fewest['connections']}"
    ]


# --- one database


def run_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"-- {name}: fresh database, {args.reports} synthetic reports and the examples")
    loaded = prepare_database(name, url, args.reports, args.seed)
    print(f"   loaded in {loaded['seconds']:.0f} s", flush=True)
    paths = _load.mix_paths(current_report_ids(url), PATHS_IN_LIST, args.seed)
    paths_file = args.out / f"load-paths-{name}.txt"
    paths_file.write_text("".join(path + "\n" for _, path in paths), encoding="utf-8")
    log = args.out / f"load-server-{name}.log"
    log.unlink(missing_ok=True)
    env = {"DATABASE_URL": url, "API_KEYS": API_KEY}
    runs = []
    with gkstats_server(env, log, workers=args.workers) as server:
        # Warm-up, not measured: every worker imports, connects and fills its caches.
        asyncio.run(
            run_wrk(server.base, paths_file, min(8, max(args.connections)), 2.0, args.threads)
        )
        for connections in sorted(args.connections):
            print(f"   wrk, {connections} connections, {args.seconds:g} s", flush=True)
            runs.append(_load.run(measure_run(server, paths_file, connections, args)))
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        "load": loaded,
        "runs": runs,
        "problems": throughput_problem(runs),
        "server_log": str(log),
    }


# --- report


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_report(results: dict[str, Any], emit: Callable[[str], None] = print) -> None:
    emit("")
    emit(
        f"load: {results['reports']} synthetic reports + 2 examples, gkstats serve --workers "
        f"{results['workers']}, wrk {results['seconds']:g} s per run, {results['cpus']} CPUs "
        "(shared: figures may be noisy)"
    )
    for name, db in results["databases"].items():
        emit(f"\n{name}")
        if "error" in db:
            emit(f"  failed: {db['error']}")
            continue
        emit(
            f"  {'conns':>5} {'req/s':>7} {'ok/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'p99.9 ms':>9} {'max ms':>8} {'unanswered':>10}  {'/health max s':>13}  answers"
        )
        for run in db["runs"]:
            lat = run["latency_ms"]
            answers = ", ".join(f"{k} {v}" for k, v in run["statuses"].items()) or "none"
            if run["503_with_retry_after"]:
                answers += f" (503 with Retry-After {run['503_with_retry_after']})"
            socket = {k: v for k, v in run["socket_errors"].items() if k != "status" and v}
            if socket:
                answers += "; socket errors " + ", ".join(f"{k} {v}" for k, v in socket.items())
            during, after = run["health_during"]["max_ms"], run["health_after"]["max_ms"]
            health = f"{_s(during)} / {_s(after)}"
            emit(
                f"  {run['connections']:>5} {run['throughput_rps']:>7.1f} {run['ok_rps']:>7.1f}"
                f" {_ms(lat['p50']):>8} {_ms(lat['p99']):>8} {_ms(lat['p99.9']):>9}"
                f" {_ms(lat['max']):>8} {run['unanswered']:>10}  {health:>13}  {answers}"
            )
        for run in db["runs"]:
            writes = ", ".join(f"{k} {v}" for k, v in run["writes"]["statuses"].items())
            cpu = ", ".join(
                f"{p['role']} {p['pid']} {p['cpu_seconds']:.1f} s"
                for p in run["cpu_seconds_by_process"]
            )
            emit(f"  {run['connections']:>5} conns: writer {writes or 'off'}; CPU {cpu}")
        problems = [p for run in db["runs"] for p in run["problems"]] + db["problems"]
        for run in db["runs"]:
            for problem in run["problems"]:
                emit(f"  PROBLEM at {run['connections']} connections: {problem}")
        for problem in db["problems"]:
            emit(f"  PROBLEM: {problem}")
        if not problems:
            emit("  every condition of the load test met")


def _s(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    results: dict[str, Any] = {
        "benchmark": "load",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": args.reports,
        "seed": args.seed,
        "seconds": args.seconds,
        "workers": args.workers,
        "write_every": args.write_every,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "wrk": (version.stdout or version.stderr).split("\n", 1)[0],
        "databases": {},
    }
    status = 0
    urls = {"sqlite": sqlite_url(args.out, "load.sqlite3"), "postgresql": args.pg_url}
    for name in args.databases:
        try:
            results["databases"][name] = run_database(name, urls[name], args)
        except Exception as exc:
            results["databases"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            status = 1
    for db in results["databases"].values():
        if db.get("problems") or any(run["problems"] for run in db.get("runs", [])):
            status = 1
    print_report(results)
    out_file = args.out / "load.json"
    out_file.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out_file}")
    return status
