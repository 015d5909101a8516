"""Prometheus metrics: what the service counts, and the `/metrics` page that shows them.

Under `gkstats serve` every worker process writes its values to files in
PROMETHEUS_MULTIPROC_DIR (app/serve.py makes that folder), and a scrape answered by any
worker sums all of them. Without that variable (tests, a bare `uvicorn app.main:app`) the
page shows the one process's own registry.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine, event
from starlette.routing import Mount, compile_path

METRICS_PATH = "/metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "gkstats_http_requests_total",
    "HTTP requests answered, by method, route template and status (scrapes excluded).",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "gkstats_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by method, route and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
INGESTS = Counter(
    "gkstats_ingests_total",
    "Uploaded documents by outcome (created, already_stored, rejected) and, for a "
    "rejection, the error code.",
    ["outcome", "code"],
)
# Gauges are summed over the live workers ("livesum"): a dead worker's values drop out.
CONNECTIONS_IN_USE = Gauge(
    "gkstats_db_connections_checked_out",
    "Database connections checked out of the pools at this moment.",
    multiprocess_mode="livesum",
)
CONNECTIONS_CAPACITY = Gauge(
    "gkstats_db_connections_capacity",
    "Connections the pools may hold at once (pool size plus overflow).",
    multiprocess_mode="livesum",
)
GATE_WAITING = Gauge(
    "gkstats_gate_waiting_requests",
    "Requests waiting at the connection gate for a database connection, by lane.",
    ["lane"],
    multiprocess_mode="livesum",
)
GATE_REFUSED = Counter(
    "gkstats_gate_refused_total",
    "Requests answered 503 busy because no connection came free in time, by lane.",
    ["lane"],
)
READS = Counter(
    "gkstats_reads_total",
    "GET and HEAD requests by the database that answered them: primary or replica.",
    ["database"],
)
REPLICA_FALLBACKS = Counter(
    "gkstats_replica_fallbacks_total",
    "Reads sent to the primary although a replica is configured, by reason: the replica had "
    "not replayed the version the client named (behind), or did not answer (unavailable).",
    ["reason"],
)
REPLICA_UP = Gauge(
    "gkstats_replica_up",
    "1 when the replica answered the last readiness check or scrape, else 0.",
    multiprocess_mode="livemostrecent",
)
REPLICA_LAG = Gauge(
    "gkstats_replica_lag_versions",
    "Writes the primary had committed that the replica had not replayed, at the last "
    "readiness check or scrape that reached both.",
    multiprocess_mode="livemostrecent",
)


def metrics() -> Response:
    registry: CollectorRegistry = REGISTRY
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@contextmanager
def watched_pool(engine: Engine, capacity: int) -> Iterator[None]:
    """Count the engine's checked-out connections while the app runs."""

    def checkout(*_args: Any) -> None:
        CONNECTIONS_IN_USE.inc()

    def checkin(*_args: Any) -> None:
        CONNECTIONS_IN_USE.dec()

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    CONNECTIONS_CAPACITY.inc(capacity)
    try:
        yield
    finally:
        CONNECTIONS_CAPACITY.dec(capacity)
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)


UNMATCHED = "unmatched"


class RouteTemplates:
    """The route template a path belongs to, e.g. `/api/v1/reports/{report_id}`.

    Labels must come from a bounded set: a raw path (`/reports/7`, or any path a scanner
    tries) would make a new series each time. The templates are those of the OpenAPI document
    and of the app's other routes; a path two templates match belongs to the one with fewer
    parameters, as a literal segment (`/stats/regions`) is more specific than a parameter.
    """

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def __call__(self, path: str) -> str:
        if self._patterns is None:
            self._patterns = self._compile()
        for pattern, template in self._patterns:
            if pattern.match(path):
                return template
        return UNMATCHED

    def _compile(self) -> list[tuple[re.Pattern[str], str]]:
        templates = dict.fromkeys(self._app.openapi().get("paths", {}))
        for route in self._app.routes:
            if isinstance(route, Mount):
                templates[route.path + "/{path:path}"] = None
            elif isinstance(path := getattr(route, "path", None), str):
                templates[path] = None
        compiled = [(compile_path(t)[0], compile_path(t)[1]) for t in templates]
        compiled.sort(key=lambda item: item[1].count("{"))
        return compiled
