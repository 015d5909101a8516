"""`python -m bench replica`: reads per second with the API on the primary alone, and with its
reads on a streaming replica, under the same client load.

A fresh PostgreSQL database (the migrations, N synthetic reports and the two examples), then a
real streaming replica of the primary's cluster (bench/_replica.py: `pg_basebackup -R`, a
Debian cluster of its own, dropped at the end). The same `gkstats serve --workers W` is
started twice, once with DATABASE_URL alone and once with DATABASE_READ_URL naming the
replica, and wrk walks the read mix of `bench load` with the same connections for the same
time against each, in turns (`--rounds`). Reported per run: requests/s, latency, statuses,
where the reads went (the server's /metrics), and the CPU seconds of the API, of the primary
cluster and of the replica cluster (each postmaster's process tree, from /proc).

On one machine both clusters share its CPUs with the API and wrk: the replica adds no
capacity, it takes a share of the same cores. The comparison there measures what routing costs
(the replica's version check, a second pool) and how the work moves between clusters; the
gain in reads per second comes when the replica has a machine of its own, as in production.
Written to bench/out/replica.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from app.db import DATA_VERSION, make_engine
from bench import _load
from bench._proc import sample_tree
from bench._replica import Replica, postmaster_pid, streaming_replica, unavailable_reason
from bench._server import REPO, Server, gkstats_server
from bench.load import PATHS_IN_LIST, current_report_ids, prepare_database, run_wrk

DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_replica"
OUT = REPO / "bench" / "out"
CONFIGURATIONS = ("primary", "primary+replica")
REPLAY_WAIT_SECONDS = 300.0


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench replica", description=__doc__)
    parser.add_argument("--reports", type=int, default=5_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="the primary; rebuilt")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--seconds", type=float, default=20.0, help="per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gkstats serve --workers")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each configuration")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if min(args.reports, args.connections, args.threads, args.workers, args.rounds) < 1:
        parser.error("--reports, --connections, --threads, --workers and --rounds must be ≥ 1")
    return args


def cpu_seconds(root: int) -> float:
    return sum(sample.cpu_seconds for sample in sample_tree(root))


def reads_by_database(base: str) -> dict[str, float]:
    text = httpx2.get(base + "/metrics", timeout=10.0).text
    return {
        sample.labels["database"]: sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "gkstats_reads"
        for sample in family.samples
        if sample.name == "gkstats_reads_total"
    }


def wait_for_replay(primary: Engine, replica: Engine) -> float:
    began = time.monotonic()
    with primary.connect() as conn:
        wanted = conn.scalar(DATA_VERSION) or 0
    while time.monotonic() - began < REPLAY_WAIT_SECONDS:
        try:
            with replica.connect() as conn:
                if (conn.scalar(DATA_VERSION) or 0) >= wanted:
                    return time.monotonic() - began
        except Exception:  # the schema has not reached the replica yet
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the replica did not replay version {wanted} in {REPLAY_WAIT_SECONDS} s")


def measure(
    server: Server,
    paths_file: Path,
    args: argparse.Namespace,
    postmasters: dict[str, int],
) -> dict[str, Any]:
    before = {name: cpu_seconds(pid) for name, pid in postmasters.items()}
    before["api"] = cpu_seconds(server.pid)
    reads_before = reads_by_database(server.base)
    wrk = asyncio.run(
        run_wrk(server.base, paths_file, args.connections, args.seconds, args.threads)
    )
    reads_after = reads_by_database(server.base)
    after = {name: cpu_seconds(pid) for name, pid in postmasters.items()}
    after["api"] = cpu_seconds(server.pid)
    seconds = wrk["duration_us"] / 1e6 or args.seconds
    statuses = {str(k): v for k, v in sorted(wrk["statuses"].items())}
    ok = sum(n for status, n in statuses.items() if 200 <= int(status) < 400)
    latency = {k: round(v / 1000, 1) for k, v in wrk["latency_us"].items()}
    return {
        "seconds": round(seconds, 1),
        "requests": wrk["requests"],
        "reads_per_second": round(ok / seconds, 1),
        "latency_ms": {k: latency[k] for k in ("p50", "p99", "max")},
        "statuses": statuses,
        "reads_by_database": {
            name: int(reads_after.get(name, 0) - reads_before.get(name, 0))
            for name in ("primary", "replica")
        },
        "cpu_seconds": {name: round(after[name] - before[name], 1) for name in after},
    }


def run(args: argparse.Namespace, replica: Replica) -> dict[str, Any]:
    primary_engine = make_engine(args.pg_url)
    replica_url = replica.url(args.pg_url)
    replica_engine = make_engine(replica_url)
    try:
        replayed_in = wait_for_replay(primary_engine, replica_engine)
        print(f"   the replica replayed the data {replayed_in:.1f} s after it started")
        postmasters = {
            "primary_cluster": postmaster_pid(make_url(args.pg_url).port or 5432),
            "replica_cluster": postmaster_pid(replica.port),
        }
    finally:
        primary_engine.dispose()
        replica_engine.dispose()
    paths = _load.mix_paths(current_report_ids(args.pg_url), PATHS_IN_LIST, args.seed)
    paths_file = args.out / "replica-paths.txt"
    paths_file.write_text("".join(path + "\n" for _, path in paths), encoding="utf-8")
    environments = {
        "primary": {"DATABASE_URL": args.pg_url},
        "primary+replica": {"DATABASE_URL": args.pg_url, "DATABASE_READ_URL": replica_url},
    }
    runs: list[dict[str, Any]] = []
    for round_number in range(1, args.rounds + 1):
        for name in CONFIGURATIONS:
            log = args.out / f"replica-server-{name}.log"
            env = {"DATABASE_READ_URL": "", **environments[name]}
            with gkstats_server(env, log, workers=args.workers) as server:
                # Warm-up, not measured: every worker imports, connects and fills its caches.
                asyncio.run(run_wrk(server.base, paths_file, args.connections, 2.0, 1))
                print(f"   round {round_number}: {name}, {args.seconds:g} s", flush=True)
                figures = measure(server, paths_file, args, postmasters)
            runs.append({"configuration": name, "round": round_number, **figures})
    return {"replayed_in_seconds": round(replayed_in, 1), "runs": runs}


def print_report(results: dict[str, Any]) -> None:
    print(
        f"\nreplica: {results['reports']} synthetic reports + 2 examples, gkstats serve "
        f"--workers {results['workers']}, wrk {results['connections']} connections "
        f"{results['seconds']:g} s per run, {results['cpus']} CPUs shared by the API, wrk and "
        "both clusters"
    )
    print(
        f"  {'configuration':<16} {'reads/s':>8} {'p50 ms':>7} {'p99 ms':>7}  "
        f"{'by primary':>10} {'by replica':>10}  CPU s: api / primary / replica"
    )
    for r in results["runs"]:
        cpu = r["cpu_seconds"]
        print(
            f"  {r['configuration']:<16} {r['reads_per_second']:>8.1f} "
            f"{r['latency_ms']['p50']:>7.1f} {r['latency_ms']['p99']:>7.1f}  "
            f"{r['reads_by_database']['primary']:>10} {r['reads_by_database']['replica']:>10}  "
            f"{cpu['api']:.1f} / {cpu['primary_cluster']:.1f} / {cpu['replica_cluster']:.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    reason = unavailable_reason(args.pg_url)
    if reason is not None:
        print(f"no streaming replica here: {reason}", file=sys.stderr)
        return 1
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "benchmark": "replica",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": args.reports,
        "connections": args.connections,
        "seconds": args.seconds,
        "workers": args.workers,
        "cpus": os.cpu_count(),
    }
    print(f"-- fresh database, {args.reports} synthetic reports and the examples", flush=True)
    results["load"] = prepare_database("postgresql", args.pg_url, args.reports, args.seed)
    print("-- a streaming replica of the primary's cluster (pg_basebackup -R)", flush=True)
    began = time.monotonic()
    with streaming_replica(args.pg_url) as replica:
        results["replica_built_in_seconds"] = round(time.monotonic() - began, 1)
        results.update(run(args, replica))
    print_report(results)
    out_file = args.out / "replica.json"
    out_file.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out_file}")
    bad = [r for r in results["runs"] if set(r["statuses"]) - {"200", "304"}]
    return 1 if bad else 0
