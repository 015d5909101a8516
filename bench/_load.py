"""Load on a running API: the read mix, concurrent clients, a writer and a /health probe.

The clients are asyncio tasks on aiohttp (one connection each, kept alive), either a fixed
number of them each making one request after another (`closed_loop`) or requests started at
a steady rate whatever the answers (`steady_rate`). Beside them, `alongside` runs a writer
posting distinct documents and a probe that asks for /health every quarter second on a
connection of its own, during the load and for a while after it. Every request is recorded:
its kind, status and latency, whether a 503 carried Retry-After, or the transport error or
timeout that took the place of an answer. Nothing waits longer than its timeout and every
loop is bounded in time and count.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp

from bench._reports import generate_reports

T = TypeVar("T")

REQUEST_TIMEOUT = 15.0  # seconds; a request still unanswered then is recorded as a timeout
PROBE_PATH = "/api/v1/health"
PROBE_EVERY = 0.25
PROBE_TIMEOUT = 5.0
NOT_SENT = "not sent: too many waiting"

# What the pass conditions allow (tests/test_load.py, python -m bench load).
MAX_WAIT_SECONDS = 10.0
MAX_HEALTH_SECONDS = 1.0
MIN_THROUGHPUT_RATIO = 0.5


@dataclass(frozen=True, slots=True)
class Read:
    kind: str
    path: str  # "{id}" stands for a report that exists
    weight: int


MIX = (
    Read(
        "aggregate",
        "/api/v1/stats/aggregate?metric=requests.new.total&group_by=year,province"
        "&include_synthetic=true",
        15,
    ),
    Read("cells", "/api/v1/reports/{id}/cells", 25),
    Read("table", "/api/v1/reports/{id}/tables/requests", 20),
    Read("reports", "/api/v1/reports", 15),
    Read("catalog", "/api/v1/catalog", 15),
    Read("coverage", "/api/v1/stats/coverage?include_synthetic=true", 10),
)


class MixPicker:
    """Draws (kind, path) from MIX by weight, with a random existing report where needed."""

    def __init__(self, report_ids: Sequence[int], seed: int = 2019) -> None:
        if not report_ids:
            raise ValueError("the mix needs at least one report id")
        self._ids = list(report_ids)
        self._random = random.Random(seed)
        self._weights = [read.weight for read in MIX]

    def __call__(self) -> tuple[str, str]:
        read = self._random.choices(MIX, self._weights)[0]
        return read.kind, read.path.format(id=self._random.choice(self._ids))


def mix_paths(report_ids: Sequence[int], count: int, seed: int = 2019) -> list[tuple[str, str]]:
    """`count` requests of the mix, in random order, as (kind, path)."""
    pick = MixPicker(report_ids, seed)
    return [pick() for _ in range(count)]


# --- what is recorded


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str
    started: float  # seconds after the run began
    seconds: float  # until the answer was read, or the error
    status: int | None  # None when there was no answer
    retry_after: bool = False  # a 503 that said when to come back
    error: str | None = None  # "timeout", or the transport error's name

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400

    @property
    def label(self) -> str:
        if self.status is None:
            return self.error or "no answer"
        if self.status == 503:
            return "503 Retry-After" if self.retry_after else "503 without Retry-After"
        return str(self.status)

    @property
    def bad_server_error(self) -> bool:
        """A 5xx that is not a 503 telling the client when to retry."""
        return self.status is not None and self.status >= 500 and self.label != "503 Retry-After"


@dataclass(slots=True)
class Recorder:
    """Everything one run records, with times relative to its start."""

    began: float = field(default_factory=time.monotonic)
    reads: list[Outcome] = field(default_factory=list)
    writes: list[Outcome] = field(default_factory=list)
    probes: list[Outcome] = field(default_factory=list)
    load_ended: float | None = None  # when the last client stopped

    def now(self) -> float:
        return time.monotonic() - self.began


def session(base: str, connections: int, timeout: float) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=base,
        connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections),
        # aiohttp rounds timeouts above `ceil_threshold` up to a whole second; not these.
        timeout=aiohttp.ClientTimeout(total=timeout, ceil_threshold=3600),
    )


async def timed_request(
    client: aiohttp.ClientSession,
    recorder: Recorder,
    kind: str,
    method: str,
    path: str,
    **kwargs: Any,
) -> Outcome:
    started = recorder.now()
    began = time.perf_counter()
    try:
        async with client.request(method, path, **kwargs) as response:
            await response.read()
            status = response.status
            retry_after = status == 503 and "Retry-After" in response.headers
    except TimeoutError:
        return Outcome(kind, started, time.perf_counter() - began, None, error="timeout")
    except aiohttp.ClientError as exc:
        return Outcome(kind, started, time.perf_counter() - began, None, error=type(exc).__name__)
    return Outcome(kind, started, time.perf_counter() - began, status, retry_after)


# --- the clients


async def closed_loop(
    base: str,
    recorder: Recorder,
    pick: Callable[[], tuple[str, str]],
    *,
    clients: int,
    seconds: float,
    timeout: float = REQUEST_TIMEOUT,
) -> None:
    """`clients` clients, each starting its next request when its last is answered, until
    `seconds` have passed (requests under way then are waited for, at most `timeout`)."""
    stop = time.monotonic() + seconds

    async def client_loop(client: aiohttp.ClientSession) -> None:
        while time.monotonic() < stop:
            kind, path = pick()
            recorder.reads.append(await timed_request(client, recorder, kind, "GET", path))

    async with session(base, clients, timeout) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))


async def steady_rate(
    base: str,
    recorder: Recorder,
    pick: Callable[[], tuple[str, str]],
    *,
    rate: float,
    seconds: float,
    max_in_flight: int = 500,
    timeout: float = REQUEST_TIMEOUT,
) -> None:
    """`rate` requests a second for `seconds`, each started on schedule whether or not the
    earlier ones are answered; with `max_in_flight` already waiting, a request is recorded as
    not sent rather than queued, so a stalled server does not pile up clients."""
    in_flight: set[asyncio.Task[None]] = set()

    async def one(kind: str, path: str) -> None:
        recorder.reads.append(await timed_request(client, recorder, kind, "GET", path))

    async with session(base, max_in_flight, timeout) as client:
        began = time.monotonic()
        for number in range(math.ceil(rate * seconds)):
            delay = began + number / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            kind, path = pick()
            if len(in_flight) >= max_in_flight:
                recorder.reads.append(Outcome(kind, recorder.now(), 0.0, None, error=NOT_SENT))
                continue
            task = asyncio.create_task(one(kind, path))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(in_flight)


@dataclass(frozen=True, slots=True)
class Writer:
    """One client posting a new document (text/plain, with the API key) every `every` s."""

    api_key: str
    every: float


async def write_documents(base: str, recorder: Recorder, writer: Writer, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {writer.api_key}", "Content-Type": "text/plain"}
    stop = time.monotonic() + seconds
    count = max(1, math.ceil(seconds / writer.every))
    # Reports numbered from a millisecond clock (bench/_reports.py): at most one is posted per
    # millisecond, so no two runs against the same database post the same agency and year.
    first_number = time.time_ns() // 1_000_000
    async with session(base, 1, REQUEST_TIMEOUT) as client:
        for _, data in generate_reports(count, first_number):
            if time.monotonic() >= stop:
                break
            began = time.monotonic()
            recorder.writes.append(
                await timed_request(
                    client, recorder, "write", "POST", "/api/v1/reports", data=data, headers=headers
                )
            )
            await asyncio.sleep(max(0.0, began + writer.every - time.monotonic()))


async def probe_health(base: str, recorder: Recorder, stop: asyncio.Event, seconds: float) -> None:
    """GET /health every PROBE_EVERY s until `stop` is set (at most `seconds`)."""
    deadline = time.monotonic() + seconds
    async with session(base, 1, PROBE_TIMEOUT) as client:
        for _ in range(math.ceil(seconds / PROBE_EVERY)):
            if stop.is_set() or time.monotonic() >= deadline:
                break
            began = time.monotonic()
            recorder.probes.append(
                await timed_request(client, recorder, "health", "GET", PROBE_PATH)
            )
            with suppress(TimeoutError):
                await asyncio.wait_for(
                    stop.wait(), max(0.0, began + PROBE_EVERY - time.monotonic())
                )


async def alongside(
    base: str,
    recorder: Recorder,
    load: Coroutine[Any, Any, T],
    *,
    seconds: float,
    writer: Writer | None = None,
    after_seconds: float = 3.0,
) -> T:
    """Run `load` (planned to last `seconds`) with the /health probe and, when given, the
    writer beside it; the writer stops after `seconds`, the probe `after_seconds` after the
    load has ended, once a probe made after the load has its answer (or timed out).
    `recorder.load_ended` says when the load ended."""
    stop_probe = asyncio.Event()
    # The probe's bound: the load, its requests' timeout, the time after, and a margin.
    probe_seconds = seconds + REQUEST_TIMEOUT + after_seconds + 2 * PROBE_TIMEOUT + 30.0
    probe = asyncio.create_task(probe_health(base, recorder, stop_probe, probe_seconds))
    write = (
        asyncio.create_task(write_documents(base, recorder, writer, seconds)) if writer else None
    )
    try:
        result = await load
        recorder.load_ended = recorder.now()
        if write is not None:
            await write
        await asyncio.sleep(max(0.0, recorder.load_ended + after_seconds - recorder.now()))
        # A probe sent during the load may still be waiting: wait for one sent after it.
        for _ in range(math.ceil((2 * PROBE_TIMEOUT + PROBE_EVERY) / 0.05)):
            if after_seconds <= 0 or any(p.started >= recorder.load_ended for p in recorder.probes):
                break
            await asyncio.sleep(0.05)
    finally:
        stop_probe.set()
        await probe
        if write is not None and not write.done():
            write.cancel()
            with suppress(asyncio.CancelledError):
                await write
    return result


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop where it is installed (it is with uvicorn[standard]): less client CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# --- figures


def quantile(sorted_values: Sequence[float], q: float) -> float:
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


@dataclass(frozen=True, slots=True)
class Summary:
    requests: int
    ok: int  # answered 2xx or 3xx
    throughput: float  # ok answers per second of load
    p50_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None
    statuses: dict[str, int]  # by Outcome.label


def summarize(outcomes: Iterable[Outcome], seconds: float, *, since: float = 0.0) -> Summary:
    """Figures for `outcomes`; the throughput counts the answers that came within the
    `seconds` from `since` (so requests still waiting when the load stops do not count)."""
    outcomes = list(outcomes)
    times = sorted(o.seconds * 1000 for o in outcomes if o.error != NOT_SENT)
    ok_in_time = sum(1 for o in outcomes if o.ok and o.started + o.seconds <= since + seconds)

    def ms(q: float) -> float | None:
        return round(quantile(times, q), 1) if times else None

    return Summary(
        requests=len(outcomes),
        ok=sum(1 for o in outcomes if o.ok),
        throughput=round(ok_in_time / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=ms(0.5),
        p99_ms=ms(0.99),
        p999_ms=ms(0.999),
        max_ms=round(times[-1], 1) if times else None,
        statuses=dict(Counter(o.label for o in outcomes).most_common()),
    )


@dataclass(frozen=True, slots=True)
class LoadRun:
    """One closed-loop run: its reads, the writer's posts and the probes during and after."""

    clients: int
    seconds: float
    recorder: Recorder

    @property
    def probes_during(self) -> list[Outcome]:
        ended = self.recorder.load_ended or math.inf
        return [p for p in self.recorder.probes if p.started < ended]

    @property
    def probes_after(self) -> list[Outcome]:
        ended = self.recorder.load_ended or math.inf
        return [p for p in self.recorder.probes if p.started >= ended]

    def reads(self) -> Summary:
        return summarize(self.recorder.reads, self.seconds)

    def as_dict(self) -> dict[str, Any]:
        by_kind: dict[str, list[Outcome]] = {}
        for outcome in self.recorder.reads:
            by_kind.setdefault(outcome.kind, []).append(outcome)
        return {
            "clients": self.clients,
            "seconds": self.seconds,
            "load_ended_s": round(self.recorder.load_ended or 0.0, 1),
            "reads": summary_dict(self.reads()),
            "by_kind": {
                kind: summary_dict(summarize(outcomes, self.seconds))
                for kind, outcomes in sorted(by_kind.items())
            },
            "writes": summary_dict(summarize(self.recorder.writes, self.seconds)),
            "health_during": summary_dict(summarize(self.probes_during, self.seconds)),
            "health_after": summary_dict(summarize(self.probes_after, self.seconds)),
        }


async def closed_loop_run(
    base: str,
    report_ids: Sequence[int],
    *,
    clients: int,
    seconds: float,
    writer: Writer | None = None,
    after_seconds: float = 3.0,
    seed: int = 2019,
) -> LoadRun:
    recorder = Recorder()
    pick = MixPicker(report_ids, seed)
    load = closed_loop(base, recorder, pick, clients=clients, seconds=seconds)
    await alongside(
        base, recorder, load, seconds=seconds, writer=writer, after_seconds=after_seconds
    )
    return LoadRun(clients, seconds, recorder)


def summary_dict(summary: Summary) -> dict[str, Any]:
    return {
        "requests": summary.requests,
        "ok": summary.ok,
        "throughput_rps": summary.throughput,
        "p50_ms": summary.p50_ms,
        "p99_ms": summary.p99_ms,
        "p99.9_ms": summary.p999_ms,
        "max_ms": summary.max_ms,
        "statuses": summary.statuses,
    }


# --- the pass conditions


def _counts(outcomes: Iterable[Outcome]) -> str:
    return ", ".join(f"{label} {n}" for label, n in Counter(o.label for o in outcomes).items())


def health_failures(probes: Sequence[Outcome], when: str) -> list[str]:
    if not probes:
        return [f"/health was not probed {when}"]
    slow = [p for p in probes if p.status != 200 or p.seconds > MAX_HEALTH_SECONDS]
    if not slow:
        return []
    worst = max(p.seconds for p in probes)
    return [
        f"/health {when}: {len(slow)} of {len(probes)} probes not answered 200 within "
        f"{MAX_HEALTH_SECONDS:g} s (longest {worst:.2f} s; {_counts(slow)})"
    ]


def request_failures(outcomes: Sequence[Outcome], name: str) -> list[str]:
    """The conditions on every answer: no 5xx but a 503 with Retry-After, no transport
    error or timeout, no wait past MAX_WAIT_SECONDS."""
    failures = []
    bad = [o for o in outcomes if o.bad_server_error]
    if bad:
        failures.append(
            f"{name}: {len(bad)} of {len(outcomes)} answers were a 5xx other than 503 with "
            f"Retry-After ({_counts(bad)})"
        )
    unanswered = [o for o in outcomes if o.status is None]
    if unanswered:
        failures.append(
            f"{name}: {len(unanswered)} of {len(outcomes)} requests got a transport error or "
            f"timed out after {REQUEST_TIMEOUT:g} s ({_counts(unanswered)})"
        )
    slow = [o for o in outcomes if o.seconds > MAX_WAIT_SECONDS]
    if slow:
        kinds = ", ".join(f"{k} {n}" for k, n in Counter(o.kind for o in slow).items())
        failures.append(
            f"{name}: {len(slow)} of {len(outcomes)} requests waited past "
            f"{MAX_WAIT_SECONDS:g} s (longest {max(o.seconds for o in slow):.1f} s; {kinds})"
        )
    return failures


def load_failures(baseline: LoadRun, load: LoadRun) -> list[str]:
    """Every pass condition that `load` (compared with `baseline`) does not meet, with the
    figures; empty when all are met."""
    failures = []
    for run in (baseline, load):
        requests = run.recorder.reads + run.recorder.writes
        failures += request_failures(requests, f"{run.clients} clients")
    failures += health_failures(load.probes_during, "during the load")
    failures += health_failures(load.probes_after, "after the load")
    base_rate, load_rate = baseline.reads().throughput, load.reads().throughput
    if load_rate < MIN_THROUGHPUT_RATIO * base_rate:
        failures.append(
            f"throughput under load {load_rate:.1f} req/s ({load.clients} clients) is below "
            f"{MIN_THROUGHPUT_RATIO:g} x {base_rate:.1f} req/s ({baseline.clients} clients)"
        )
    return failures


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def describe(run: LoadRun) -> str:
    """A few lines for a person: throughput, latency percentiles and answers, per kind."""
    ended = run.recorder.load_ended or 0.0
    lines = [f"{run.clients} clients for {run.seconds:g} s (the last stopped at {ended:.1f} s)"]
    lines.append(
        f"  {'':10} {'requests':>8} {'ok/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9}"
        f" {'max ms':>8}  answers"
    )
    rows: list[tuple[str, list[Outcome]]] = [("reads", run.recorder.reads)]
    for read in MIX:
        rows.append((read.kind, [o for o in run.recorder.reads if o.kind == read.kind]))
    rows += [
        ("writes", run.recorder.writes),
        ("health", run.probes_during),
        ("health after", run.probes_after),
    ]
    for name, outcomes in rows:
        if not outcomes and name != "reads":
            continue
        s = summarize(outcomes, run.seconds)
        answers = ", ".join(f"{k} {n}" for k, n in s.statuses.items())
        lines.append(
            f"  {name:10} {s.requests:>8} {s.throughput:>7.1f} {_fmt(s.p50_ms):>8}"
            f" {_fmt(s.p99_ms):>8} {_fmt(s.p999_ms):>9} {_fmt(s.max_ms):>8}  {answers}"
        )
    return "\n".join(lines)
