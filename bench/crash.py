"""`python -m bench crash`: kill `gkstats ingest` with SIGKILL, again and again, and check that
nothing is ever stored in part or twice.

For each database: the migrations once, then `--cycles` runs of `gkstats ingest FOLDER` over a
folder of generated reports that grows so each run has `--reports` documents to store, each run
killed (the whole process group, its workers too) at a chosen moment: right after a commit,
during one, or after a random delay, in turn. After each kill the database is checked
(bench/_invariants.py), and that the documents stored are the folder's first ones in whole
transactions. At the end the command runs to completion, every document must be stored exactly
once, and a second run must find every one unchanged. Figures go to bench/out/crash.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from select import select as wait_readable
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from app.bulk import STORE_BATCH
from app.db import make_engine
from app.ingest import sha256_hex
from app.migrate import upgrade
from app.models import Document, Report
from bench._databases import fresh_database
from bench._invariants import ExpectedReport, Violation, expect_files, find_violations, summarize
from bench._reports import write_reports

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
DATABASES = ("sqlite", "postgresql")
DEFAULT_PG_URL = "postgresql+psycopg://gkstats:gkstats@127.0.0.1:5432/gkstats_crash"
AFTER_COMMIT, DURING_COMMIT, RANDOM = "after commit", "during commit", "random"
MOMENTS = (AFTER_COMMIT, DURING_COMMIT, RANDOM)
RUN_TIMEOUT = 900.0  # seconds a run may take before it is killed and counted as stuck
SURVIVOR_SECONDS = 10.0  # how long the workers of a command killed alone may take to follow it
SUMMARY = re.compile(r"(\d+) stored, (\d+) unchanged, (\d+) failed \((\d+) documents\)")


# --- the documents


@dataclass
class Workload:
    """A folder of generated reports, numbered, and what storing each must write."""

    folder: Path
    expected: dict[str, ExpectedReport] = field(default_factory=dict)  # by sha256
    digests: list[str] = field(default_factory=list)  # by document number
    parse_workers: int = 2

    def top_up(self, count: int) -> None:
        """Write documents until the folder holds `count`; parse the new ones for the checks."""
        have = len(self.digests)
        if count <= have:
            return
        paths = write_reports(self.folder, count - have, start=have)
        self.digests += [sha256_hex(path.read_bytes()) for path in paths]
        unknown = [
            p for p, d in zip(paths, self.digests[have:], strict=True) if d not in self.expected
        ]
        self.expected.update(expect_files(unknown, self.parse_workers))


# --- one killed run


@dataclass(frozen=True, slots=True)
class Target:
    """When to kill: right after, or `delay` seconds into, the `commit`-th commit of the run;
    or `delay` seconds after the start. And whom: the process group, or the command `alone`
    (its workers must then follow it of themselves)."""

    moment: str
    commit: int = 0
    delay: float = 0.0
    alone: bool = False


@dataclass
class Pace:
    """How fast a database goes, from the runs seen so far: for aiming the next kills."""

    # Seconds a run takes per report it stores: up to its last commit (startup included, so
    # an early commit overstates it) or, for a run that finished, all of it. The least of the
    # last few is the estimate.
    rates: list[float] = field(default_factory=lambda: [0.02])
    commit_seconds: list[float] = field(default_factory=list)

    def learn(self, run: Run) -> None:
        self.commit_seconds += [end - start for start, end, _ in run.commits if end is not None]
        done = [(end, reports) for _, end, reports in run.commits if end is not None]
        if not run.killed and run.stored_after > run.stored_before:
            self.rates.append(run.seconds / (run.stored_after - run.stored_before))
        elif done and done[-1][1] > run.stored_before:
            end, reports = done[-1]
            self.rates.append(end / (reports - run.stored_before))

    def target(self, moment: str, waiting: int, rng: random.Random) -> Target:
        commits = max(1, math.ceil(waiting / STORE_BATCH))
        if moment == AFTER_COMMIT:  # not after the last commit: the run would be over anyway
            return Target(moment, commit=rng.randint(1, max(1, commits - 1)))
        if moment == DURING_COMMIT:
            # Mostly early in the commit, where whether it is kept is decided, but all along it.
            typical = statistics.median(self.commit_seconds[-8:] or [0.0])
            delay = typical * rng.random() ** 3
            return Target(moment, commit=rng.randint(1, commits), delay=delay)
        return Target(moment, delay=rng.uniform(0, waiting * min(self.rates[-3:])))


@dataclass
class Run:
    target: Target
    stored_before: int
    seconds: float = 0.0  # when the kill was sent, or the run ended
    killed: bool = False
    returncode: int | None = None
    # Each commit announced: seconds when it started and returned (None: never), reports after.
    commits: list[tuple[float, float | None, int]] = field(default_factory=list)
    last_announced: str = ""  # writing, commit or committed
    survivors: list[int] = field(default_factory=list)  # processes of the group left after it
    stored_after: int = 0

    @property
    def in_flight(self) -> int | None:
        """The reports the commit under way at the kill would have made visible."""
        if self.commits and self.commits[-1][1] is None:
            return self.commits[-1][2]
        return None

    @property
    def committed(self) -> int:
        done = [reports for _, end, reports in self.commits if end is not None]
        return done[-1] if done else self.stored_before

    @property
    def landed(self) -> str:
        if not self.killed:
            return "finished first"
        if self.in_flight is not None:
            kept = self.stored_after == self.in_flight
            return "in a commit, kept" if kept else "in a commit, rolled back"
        return {
            "": "before any write",
            "writing": "in a transaction's writes",
            "committed": "after a commit",
        }[self.last_announced]


def kill_ingest(
    folder: Path, url: str, target: Target, stored_before: int, *, workers: int | None, log: Path
) -> Run:
    """Run `gkstats ingest FOLDER` (bench/_watched_ingest.py) and SIGKILL its process group,
    or the command alone, at the target moment; return what it announced before it died."""
    run = Run(target, stored_before)
    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "bench._watched_ingest", str(write_end)]
    command += ["ingest", "--quiet", str(folder)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with log.open("ab") as output:
        child = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": url},
            pass_fds=(write_end,),
            start_new_session=True,  # its own process group: the workers die with it
            stdout=output,
            stderr=output,
        )
    os.close(write_end)
    start = time.monotonic()
    kill_at = start + target.delay if target.moment == RANDOM else None
    pending = b""
    try:
        while True:
            now = time.monotonic()
            if kill_at is not None and now >= kill_at:
                if target.alone:
                    os.kill(child.pid, signal.SIGKILL)
                else:
                    os.killpg(child.pid, signal.SIGKILL)
                run.killed = True
                break
            if now - start > RUN_TIMEOUT:
                os.killpg(child.pid, signal.SIGKILL)
                raise RuntimeError(f"gkstats ingest still running after {RUN_TIMEOUT:.0f} s")
            wait = 0.2 if kill_at is None else max(0.0, min(0.2, kill_at - now))
            if not wait_readable([read_end], [], [], wait)[0]:
                if child.poll() is not None:
                    break
                continue
            data = os.read(read_end, 4096)
            if not data:  # every process holding the pipe has exited
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                kill_at = _announced(run, line.decode(), time.monotonic() - start, kill_at, start)
        run.seconds = round(time.monotonic() - start, 3)
        run.returncode = child.wait(timeout=60)
        # What it announced before it died: a commit may have returned after the kill was sent.
        for line in _drain(read_end, pending).split(b"\n"):
            if line:
                _announced(run, line.decode(), run.seconds, None, start)
    finally:
        os.close(read_end)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    run.survivors = _survivors(child.pid, SURVIVOR_SECONDS)
    if run.survivors:  # counted as a violation; gone before the database is checked
        os.killpg(child.pid, signal.SIGKILL)
        if _survivors(child.pid, 30.0):
            raise RuntimeError(f"processes {run.survivors} outlived SIGKILL")
    return run


def _announced(run: Run, line: str, at: float, kill_at: float | None, start: float) -> float | None:
    """Record one line from the pipe; the new kill time if this is the moment aimed at."""
    target = run.target
    run.last_announced = line.split()[0]
    if line.startswith("commit "):
        run.commits.append((at, None, int(line.split()[1])))
        if target.moment == DURING_COMMIT and len(run.commits) == target.commit:
            return start + at + target.delay
    elif line == "committed" and run.commits:
        began, _, reports = run.commits[-1]
        run.commits[-1] = (began, at, reports)
        if target.moment == AFTER_COMMIT and len(run.commits) == target.commit:
            return start  # at once
    return kill_at


def _drain(fd: int, pending: bytes) -> bytes:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and wait_readable([fd], [], [], 0.1)[0]:
        data = os.read(fd, 4096)
        if not data:
            break
        pending += data
    return pending


def _survivors(group: int, timeout: float) -> list[int]:
    """The processes of the group (zombies aside) still there after up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (members := _group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return members


def _group_members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _parent, process_group = stat.rsplit(")", 1)[1].split()[:3]
        if int(process_group) == group and state != "Z":
            members.append(int(entry.name))
    return members


# --- the database


def child_url(url: str, name: str) -> str:
    """The URL the ingest connects with: on PostgreSQL, named so its server process is known."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    named = parsed.update_query_dict({"application_name": name})
    return named.render_as_string(hide_password=False)


def wait_for_server(engine: Engine, name: str, timeout: float = 120.0) -> None:
    """Until PostgreSQL has finished with the killed client's session: a statement it was
    running (a commit, say) runs to its end first."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + timeout
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
    while True:
        with engine.connect() as conn:
            if not conn.scalar(query, {"name": name}):
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server still serves {name!r} after {timeout:.0f} s")
        time.sleep(0.05)


def stored_digests(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Document.sha256)))


def report_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Report)) or 0)


def resume_violations(engine: Engine, workload: Workload, run: Run) -> list[Violation]:
    """The documents stored are the folder's first ones, in whole transactions."""
    found: list[Violation] = []
    stored = stored_digests(engine)
    count = len(stored)
    allowed = {run.committed} | ({run.in_flight} if run.in_flight is not None else set())
    if count not in allowed:
        expected = " or ".join(str(n) for n in sorted(allowed))
        found.append(Violation("transaction stored in part", "report", f"{count}, not {expected}"))
    if set(stored) != set(workload.digests[:count]):
        found.append(Violation("not the folder's first documents", "document", f"{count} stored"))
    return found


# --- cycles


@dataclass
class Cycle:
    number: int
    run: Run
    violations: list[Violation]


def crash_cycle(
    number: int,
    engine: Engine,
    url: str,
    workload: Workload,
    target: Target,
    *,
    workers: int | None,
    log: Path,
) -> Cycle:
    """One killed run over the workload's folder, and the checks after it."""
    name = f"gkstats-crash-{os.getpid()}"
    stored_before = report_count(engine)
    run = kill_ingest(
        workload.folder, child_url(url, name), target, stored_before, workers=workers, log=log
    )
    wait_for_server(engine, name)
    run.stored_after = report_count(engine)
    violations = find_violations(engine, workload.expected)
    violations += resume_violations(engine, workload, run)
    if run.survivors:
        violations.append(
            Violation(
                "processes outlived the kill",
                f"pids {run.survivors}",
                f"still there {SURVIVOR_SECONDS:.0f} s after it",
            )
        )
    if not run.killed and run.returncode != 0:
        violations.append(
            Violation("ingest failed", "gkstats ingest", f"exit {run.returncode}; see {log}")
        )
    return Cycle(number, run, violations)


@dataclass
class Completion:
    """The last run, to completion, and a second run that must change nothing."""

    final: str
    rerun: str
    violations: list[Violation]


def complete(engine: Engine, url: str, workload: Workload, *, workers: int | None) -> Completion:
    final = run_ingest(workload.folder, url, workers)
    violations = find_violations(engine, workload.expected)
    total = len(workload.digests)
    stored = Counter(stored_digests(engine))
    if set(stored) != set(workload.digests) or any(n != 1 for n in stored.values()):
        missing = len(set(workload.digests) - set(stored))
        violations.append(
            Violation(
                "not every document stored once",
                "document",
                f"{sum(stored.values())} stored, {missing} of {total} missing",
            )
        )
    rerun = run_ingest(workload.folder, url, workers)
    if rerun != f"0 stored, {total} unchanged, 0 failed ({total} documents)":
        violations.append(Violation("rerun not a no-op", "gkstats ingest", rerun))
    match = SUMMARY.fullmatch(final)
    if match is None or match.group(3) != "0":
        violations.append(Violation("final run failed", "gkstats ingest", final))
    return Completion(final, rerun, violations)


def run_ingest(folder: Path, url: str, workers: int | None) -> str:
    """`gkstats ingest --quiet FOLDER` to its end; its summary line."""
    command = [sys.executable, "-m", "app.cli", "ingest", "--quiet", str(folder)]
    if workers is not None:
        command += ["--workers", str(workers)]
    done = subprocess.run(
        command,
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return f"exit {done.returncode}: {done.stderr.strip()[-500:]}"
    return lines[-1]


# --- the benchmark


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench crash", description=__doc__)
    parser.add_argument("--cycles", type=int, default=20, metavar="N")
    parser.add_argument(
        "--reports", type=int, default=2000, help="documents left to store at each run's start"
    )
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="created when missing")
    parser.add_argument("--workers", type=int, default=None, help="gkstats ingest --workers")
    parser.add_argument(
        "--alone",
        action="store_true",
        help="every other round of three kills the command alone, its workers not",
    )
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for crash.json and logs")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.databases.split(",") if n.strip()]
    if not names or any(n not in DATABASES for n in names):
        parser.error(f"--databases takes {', '.join(DATABASES)}")
    if args.cycles < 1 or args.reports < 1:
        parser.error("--cycles and --reports must be positive")
    args.databases = names
    return args


def run_database(
    name: str, url: str, args: argparse.Namespace, expected: dict[str, ExpectedReport], tmp: Path
) -> dict[str, Any]:
    print(f"-- {name}: {args.cycles} killed runs of {args.reports} documents each", flush=True)
    fresh_database(name, url)
    upgrade(url)
    workload = Workload(tmp / name, expected)
    log = args.out / f"crash-{name}.log"
    log.unlink(missing_ok=True)
    rng = random.Random(args.seed)
    pace = Pace()
    cycles = []
    engine = make_engine(url)
    print(
        f"{'cycle':>5}  {'moment':<13} {'aim':>10} {'kill':<6}{'at s':>7}  {'landed':<27}"
        f"{'stored':>7}{'reports':>9}  violations",
        flush=True,
    )
    try:
        for number in range(1, args.cycles + 1):
            stored = report_count(engine)
            workload.top_up(stored + args.reports)
            round_, turn = divmod(number - 1, len(MOMENTS))
            target = pace.target(MOMENTS[turn], len(workload.digests) - stored, rng)
            if args.alone and round_ % 2:
                target = replace(target, alone=True)
            cycle = crash_cycle(
                number, engine, url, workload, target, workers=args.workers, log=log
            )
            pace.learn(cycle.run)
            cycles.append(cycle)
            _print_cycle(cycle)
        done = complete(engine, url, workload, workers=args.workers)
    finally:
        engine.dispose()
    print(f"   final run: {done.final}; rerun: {done.rerun}")
    for line in summarize(done.violations):
        print(f"   {line}")
    return _figures(url, args, workload, cycles, done)


def _print_cycle(cycle: Cycle) -> None:
    run, target = cycle.run, cycle.run.target
    aim = {
        AFTER_COMMIT: f"#{target.commit}",
        DURING_COMMIT: f"#{target.commit}+{target.delay * 1000:.0f}ms",
        RANDOM: f"{target.delay:.1f}s",
    }[target.moment]
    whom = "alone" if target.alone else "group"
    print(
        f"{cycle.number:>5}  {target.moment:<13} {aim:>10} {whom:<6}{run.seconds:>7.1f}"
        f"  {run.landed:<27}"
        f"{run.stored_after - run.stored_before:>7}{run.stored_after:>9}  {len(cycle.violations)}",
        flush=True,
    )
    for line in summarize(cycle.violations):
        print(f"       {line}", flush=True)


def _figures(
    url: str,
    args: argparse.Namespace,
    workload: Workload,
    cycles: list[Cycle],
    done: Completion,
) -> dict[str, Any]:
    killed = [c for c in cycles if c.run.killed]
    at_kill = [c.run.stored_after for c in killed]
    violations = sum(len(c.violations) for c in cycles) + len(done.violations)
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        "cycles": len(cycles),
        "kills": len(killed),
        "kills_by_moment": dict(Counter(c.run.target.moment for c in killed)),
        "kills_of_the_command_alone": sum(c.run.target.alone for c in killed),
        "landed": {w: n for w in LANDINGS if (n := sum(c.run.landed == w for c in cycles))},
        "reports_at_kill": {
            "min": min(at_kill, default=None),
            "median": statistics.median(at_kill) if at_kill else None,
            "max": max(at_kill, default=None),
        },
        "documents": len(workload.digests),
        "commit_seconds_median": statistics.median(
            [end - start for c in cycles for start, end, _ in c.run.commits if end is not None]
            or [0.0]
        ),
        "final_run": done.final,
        "rerun": done.rerun,
        "violations": violations,
        "violation_lines": [line for c in cycles for line in summarize(c.violations)]
        + summarize(done.violations),
        "per_cycle": [
            {
                "cycle": c.number,
                **asdict(c.run.target),
                "seconds": c.run.seconds,
                "landed": c.run.landed,
                "stored_before": c.run.stored_before,
                "stored_after": c.run.stored_after,
                "commits": c.run.commits,
                "violations": [str(v) for v in c.violations],
            }
            for c in cycles
        ],
    }


LANDINGS = (
    "before any write",
    "in a transaction's writes",
    "in a commit, kept",
    "in a commit, rolled back",
    "after a commit",
    "finished first",
)


def _print_summary(results: dict[str, Any]) -> None:
    databases = {n: db for n, db in results["databases"].items() if "error" not in db}
    for name, db in results["databases"].items():
        if "error" in db:
            print(f"\n{name}: error: {db['error']}")
    if not databases:
        return
    print(
        f"\n{'database':<11}{'cycles':>7}{'random':>8}{'during commit':>15}{'after commit':>14}"
        f"{'alone':>7}  {'reports stored when killed':<30}{'violations':>10}"
    )
    for name, db in databases.items():
        moments = db["kills_by_moment"]
        spread = db["reports_at_kill"]
        reports = f"{spread['min']}–{spread['max']} (median {spread['median']})"
        print(
            f"{name:<11}{db['cycles']:>7}{moments.get(RANDOM, 0):>8}"
            f"{moments.get(DURING_COMMIT, 0):>15}{moments.get(AFTER_COMMIT, 0):>14}"
            f"{db['kills_of_the_command_alone']:>7}  {reports:<30}{db['violations']:>10}"
        )
    print(f"\nwhere the kills landed\n{'database':<11}" + "".join(f"{w:>27}" for w in LANDINGS))
    for name, db in databases.items():
        print(f"{name:<11}" + "".join(f"{db['landed'].get(w, 0):>27}" for w in LANDINGS))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "benchmark": "crash",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cycles": args.cycles,
        "reports": args.reports,
        "store_batch": STORE_BATCH,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "databases": {},
    }
    urls = {"sqlite": f"sqlite:///{args.out / 'crash.sqlite3'}", "postgresql": args.pg_url}
    expected: dict[str, ExpectedReport] = {}  # the same documents in every database
    status = 0
    with tempfile.TemporaryDirectory(prefix="gkstats-crash-") as tmp:
        for name in args.databases:
            try:
                db = run_database(name, urls[name], args, expected, Path(tmp))
            except Exception as exc:
                db = {"error": f"{type(exc).__name__}: {exc}"}
            results["databases"][name] = db
            if "error" in db or db["violations"]:
                status = 1
    _print_summary(results)
    out_file = args.out / "crash.json"
    out_file.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out_file}")
    return status
