"""`python -m bench soak`: a steady rate of the read mix for half an hour, memory watched.

One database (SQLite by default) gets N synthetic reports and the examples; `gkstats serve`
serves it, and the read mix of bench/_load.py is sent at `--rate` requests a second for
`--minutes`, each request started on schedule whatever the earlier ones are doing (at most
`--max-in-flight` waiting; beyond that a request is counted as not sent). A writer posts a
document every `--write-every` seconds and /health is probed every 0.25 s. Every
`--sample-every` seconds the resident memory of each server process is read from /proc.

Reported: memory at the start, the end and the peak, and its growth (also over the second
half alone, where warming up is over and a leak shows); answers by status for the reads, the
writes and /health; and per `--window-minutes` window (by when each answer came) the
requests, the answers per second, latency p50/p99/p99.9/max, errors and the slowest /health.
A line is printed and bench/out/soak.json rewritten after every window, so a run cut short
keeps what it measured. Every loop is bounded and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import _load
from bench._proc import sample_tree
from bench._server import REPO, Server, gkstats_server
from bench.load import current_report_ids, prepare_database, sqlite_url

DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_soak"
OUT = REPO / "bench" / "out"
DATABASES = ("sqlite", "postgresql")
API_KEY = "bench-soak-key"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__)
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--window-minutes", type=float, default=5.0)
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="created when missing")
    parser.add_argument("--reports", type=int, default=20_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--workers", type=int, default=2, help="gkstats serve --workers")
    parser.add_argument(
        "--write-every", type=float, default=10.0, help="seconds between posts; 0: no writer"
    )
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between RSS")
    parser.add_argument("--max-in-flight", type=int, default=500)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for soak.json and scratch")
    args = parser.parse_args(argv)
    positive = (args.rate, args.minutes, args.window_minutes, args.sample_every)
    if min(positive) <= 0 or args.reports < 1 or args.workers < 1 or args.max_in_flight < 1:
        parser.error(
            "--rate, --minutes, --window-minutes, --sample-every, --reports, "
            "--workers and --max-in-flight must be positive"
        )
    return args


# --- while it runs


async def sample_memory(
    server: Server,
    samples: list[dict[str, Any]],
    recorder: _load.Recorder,
    stop: asyncio.Event,
    every: float,
    seconds: float,
) -> None:
    """Every `every` s until `stop` (at most `seconds`): each server process's RSS."""
    for _ in range(math.ceil(seconds / every) + 1):
        processes = sample_tree(server.pid)
        samples.append(
            {
                "t": round(recorder.now(), 1),
                "rss_mb": round(sum(p.rss_bytes for p in processes) / 2**20, 1),
                "processes": {
                    f"{p.role} {p.pid}": round(p.rss_bytes / 2**20, 1) for p in processes
                },
            }
        )
        try:
            await asyncio.wait_for(stop.wait(), every)
            return
        except TimeoutError:
            pass


def window_figures(recorder: _load.Recorder, start: float, end: float) -> dict[str, Any]:
    """The requests answered (or given up) between `start` and `end` s."""

    def ended_within(outcomes: list[_load.Outcome]) -> list[_load.Outcome]:
        return [o for o in outcomes if start <= o.started + o.seconds < end]

    reads = ended_within(recorder.reads)
    health = ended_within(recorder.probes)
    summary = _load.summarize(reads, end - start, since=start)
    failed = [o for o in reads if o.bad_server_error or o.status is None]
    return {
        "from_s": round(start, 1),
        "to_s": round(end, 1),
        **_load.summary_dict(summary),
        "errors": len(failed),
        "writes": dict(Counter(o.label for o in ended_within(recorder.writes))),
        "health_max_ms": round(max(o.seconds for o in health) * 1000, 1) if health else None,
    }


async def report_windows(
    recorder: _load.Recorder,
    windows: list[dict[str, Any]],
    stop: asyncio.Event,
    window: float,
    seconds: float,
    on_window: Callable[[dict[str, Any]], None],
) -> None:
    """At the end of each window (until `stop`, at most `seconds`): its figures."""
    for number in range(math.ceil(seconds / window)):
        end = (number + 1) * window
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, end - recorder.now()))
            return
        except TimeoutError:
            pass
        windows.append(window_figures(recorder, number * window, end))
        on_window(windows[-1])


# --- the run


def memory_figures(samples: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if not samples:
        return {}
    start, end = samples[0], samples[-1]
    half = samples[len(samples) // 2]
    peak = max(samples, key=lambda s: s["rss_mb"])
    return {
        "start_mb": start["rss_mb"],
        "end_mb": end["rss_mb"],
        "peak_mb": peak["rss_mb"],
        "peak_at_s": peak["t"],
        "growth_mb": round(end["rss_mb"] - start["rss_mb"], 1),
        "growth_second_half_mb": round(end["rss_mb"] - half["rss_mb"], 1),
        "by_process_start_mb": start["processes"],
        "by_process_end_mb": end["processes"],
    }


def soak(
    server: Server,
    report_ids: Sequence[int],
    args: argparse.Namespace,
    results: dict[str, Any],
    save: Callable[[], None],
) -> None:
    seconds = args.minutes * 60
    window = args.window_minutes * 60
    recorder = _load.Recorder()
    samples: list[dict[str, Any]] = []
    windows: list[dict[str, Any]] = []
    results["memory_samples"] = samples
    results["windows"] = windows

    def on_window(figures: dict[str, Any]) -> None:
        print(_window_line(figures), flush=True)
        results["memory"] = memory_figures(samples)
        save()

    async def everything() -> None:
        stop = asyncio.Event()
        bound = seconds + _load.REQUEST_TIMEOUT + 60
        sampler = asyncio.create_task(
            sample_memory(server, samples, recorder, stop, args.sample_every, bound)
        )
        reporter = asyncio.create_task(
            report_windows(recorder, windows, stop, window, seconds, on_window)
        )
        pick = _load.MixPicker(report_ids, args.seed)
        load = _load.steady_rate(
            server.base,
            recorder,
            pick,
            rate=args.rate,
            seconds=seconds,
            max_in_flight=args.max_in_flight,
        )
        writer = _load.Writer(API_KEY, args.write_every) if args.write_every > 0 else None
        try:
            await _load.alongside(server.base, recorder, load, seconds=seconds, writer=writer)
        finally:
            stop.set()
            await asyncio.gather(sampler, reporter)
        # What came after the last whole window: the rest of the run and its stragglers.
        done = windows[-1]["to_s"] if windows else 0.0
        rest = window_figures(recorder, done, recorder.now() + 1.0)
        if rest["requests"]:
            windows.append(rest)
            print(_window_line(rest), flush=True)

    # A bound on the whole run, whatever happens: the load, its stragglers and a margin.
    _load.run(asyncio.wait_for(everything(), seconds + _load.REQUEST_TIMEOUT + 300))
    results["memory"] = memory_figures(samples)
    results["reads"] = _load.summary_dict(_load.summarize(recorder.reads, seconds))
    results["writes"] = _load.summary_dict(_load.summarize(recorder.writes, seconds))
    results["health"] = _load.summary_dict(_load.summarize(recorder.probes, seconds))
    results["problems"] = _load.request_failures(
        recorder.reads + recorder.writes, "requests"
    ) + _load.health_failures(recorder.probes, "during the soak")


# --- report


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _window_line(w: dict[str, Any]) -> str:
    minutes = f"{w['from_s'] / 60:.1f}–{w['to_s'] / 60:.1f} min"
    return (
        f"  {minutes:17} {w['requests']:>7} {w['throughput_rps']:>7.1f} {_ms(w['p50_ms']):>8}"
        f" {_ms(w['p99_ms']):>8} {_ms(w['p99.9_ms']):>9} {_ms(w['max_ms']):>8}"
        f" {w['errors']:>7} {_ms(w['health_max_ms']):>10}"
    )


WINDOW_HEADER = (
    f"  {'window':17} {'answers':>7} {'ok/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9}"
    f" {'max ms':>8} {'errors':>7} {'health ms':>10}"
)


def print_report(results: dict[str, Any], emit: Callable[[str], None] = print) -> None:
    emit("")
    emit(
        f"soak: {results['rate']:g} requests/s for {results['minutes']:g} min on "
        f"{results['database']} ({results['reports']} synthetic reports), gkstats serve "
        f"--workers {results['workers']}, {results['cpus']} CPUs"
    )
    if "error" in results:
        emit(f"  failed: {results['error']}")
    memory = results.get("memory") or {}
    if memory:
        emit(
            f"  server RSS: start {memory['start_mb']:.0f} MB, end {memory['end_mb']:.0f} MB, "
            f"peak {memory['peak_mb']:.0f} MB at {memory['peak_at_s'] / 60:.1f} min; growth "
            f"{memory['growth_mb']:+.1f} MB ({memory['growth_second_half_mb']:+.1f} MB over "
            "the second half)"
        )
        for name, mb in memory["by_process_end_mb"].items():
            start = memory["by_process_start_mb"].get(name)
            emit(f"    {name}: {_ms(start)} → {mb:.1f} MB")
    for part in ("reads", "writes", "health"):
        if part in results:
            s = results[part]
            statuses = ", ".join(f"{k} {v}" for k, v in s["statuses"].items()) or "none"
            emit(
                f"  {part:7} {s['requests']} requests: {statuses}; p50 {_ms(s['p50_ms'])} ms, "
                f"p99 {_ms(s['p99_ms'])} ms, p99.9 {_ms(s['p99.9_ms'])} ms, "
                f"max {_ms(s['max_ms'])} ms"
            )
    if results.get("windows"):
        emit(WINDOW_HEADER)
        for w in results["windows"]:
            emit(_window_line(w))
    for problem in results.get("problems", []):
        emit(f"  PROBLEM: {problem}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    args.out.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(args.out, "soak.sqlite3") if args.database == "sqlite" else args.pg_url
    out_file = args.out / "soak.json"
    results: dict[str, Any] = {
        "benchmark": "soak",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": args.database,
        "url": make_url(url).render_as_string(hide_password=True),
        "reports": args.reports,
        "seed": args.seed,
        "rate": args.rate,
        "minutes": args.minutes,
        "window_minutes": args.window_minutes,
        "workers": args.workers,
        "write_every": args.write_every,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }

    def save() -> None:
        out_file.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")

    status = 0
    began = time.monotonic()
    try:
        print(f"-- {args.database}: fresh database, {args.reports} synthetic reports")
        results["load"] = prepare_database(args.database, url, args.reports, args.seed)
        report_ids = current_report_ids(url)
        log = args.out / "soak-server.log"
        log.unlink(missing_ok=True)
        results["server_log"] = str(log)
        env = {"DATABASE_URL": url, "API_KEYS": API_KEY}
        with gkstats_server(env, log, workers=args.workers) as server:
            print(f"   {args.rate:g} requests/s for {args.minutes:g} min", flush=True)
            print(WINDOW_HEADER, flush=True)
            soak(server, report_ids, args, results, save)
    except Exception as exc:
        results["error"] = f"{type(exc).__name__}: {exc}"
        status = 1
    results["seconds"] = round(time.monotonic() - began, 1)
    if results.get("problems"):
        status = 1
    print_report(results)
    save()
    print(f"\nwritten to {out_file}")
    return status
