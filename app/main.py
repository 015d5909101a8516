"""create_app(): routers, error handlers and middleware — the one place things are wired."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import monitoring
from app.access import AccessMiddleware
from app.api import agencies, catalog, flags, health, regions, reports, search, stats
from app.api.gate import ConnectionGate
from app.api.throttle import AuthThrottle
from app.caching import (
    NOT_MODIFIED_DOC,
    CacheHeadersMiddleware,
    NotModified,
    conditional_read,
    not_modified_response,
    read_cache_control,
)
from app.config import Settings, get_settings
from app.dashboard import mount_dashboard
from app.db import get_sessionmaker, make_read_sessionmaker, pool_capacity
from app.errors import error_responses, install_error_handlers
from app.head import HeadAsGetMiddleware
from app.replica import ReadReplica
from app.workers import ParsePool

log = logging.getLogger(__name__)

COMPRESS_MIN_BYTES = 500

DESCRIPTION = """
gkstats turns Chinese government information-disclosure annual reports
(政府信息公开工作年度报告) into data.

Every number in a report is a **cell** addressed by `table.row.col`, e.g.
`requests.new.total` (本年新收政府信息公开申请数量, 总计). `GET /api/v1/catalog` lists every key
with its Chinese and English labels.

* **Reports**: ingest a document (`POST /api/v1/reports`, needs an API key), then read its
  six parts, its cells, each table as printed and its arithmetic checks (勾稽关系).
* **Agencies** and **regions**: who published, and where (GB/T 2260 codes).

Every error has the same JSON shape: `{"error": {"status", "code", "message", "details"}}`.
"""

TAGS = [
    {"name": "reports", "description": "Ingest report documents and read what they say."},
    {"name": "agencies", "description": "The agencies that publish reports."},
    {"name": "regions", "description": "The administrative region tree (GB/T 2260)."},
    {"name": "stats", "description": "Sums and rates across regions, years and agencies."},
    {"name": "catalog", "description": "The table, row and column keys and their labels."},
    {"name": "health", "description": "Service status."},
]


@asynccontextmanager
async def _lifespan(
    app: FastAPI,
    *,
    settings: Settings,
    session_factory: sessionmaker[Session] | None,
    read_session_factory: sessionmaker[Session] | None,
) -> AsyncIterator[None]:
    factory = session_factory or get_sessionmaker()
    bind = factory.kw.get("bind")
    connections = (
        pool_capacity(bind)
        if isinstance(bind, Engine)
        else settings.db_pool_size + settings.db_max_overflow
    )
    app.state.sessionmaker = factory
    app.state.gate = ConnectionGate(connections, settings.db_wait_seconds)
    if not settings.api_keys:
        log.warning("writes are switched off: no API_KEYS configured; the API is read-only")
    app.state.parse_pool = ParsePool(
        settings.parse_workers, settings.parse_timeout_seconds, settings.parse_memory_mb
    )
    read_factory = read_session_factory or make_read_sessionmaker(settings)
    read_bind = read_factory.kw.get("bind") if read_factory else None
    app.state.replica = (
        ReadReplica(read_factory, settings.replica_retry_seconds) if read_factory else None
    )
    with ExitStack() as stack:
        stack.callback(app.state.parse_pool.close)
        if isinstance(bind, Engine):
            stack.enter_context(monitoring.watched_pool(bind, connections))
        if isinstance(read_bind, Engine):
            stack.enter_context(monitoring.watched_pool(read_bind, pool_capacity(read_bind)))
            if read_session_factory is None:  # made here, so closed here
                stack.callback(read_bind.dispose)
        yield


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    read_session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    """The app on the primary (`session_factory`, else DATABASE_URL's) and, for reads, on a
    replica (`read_session_factory`, else DATABASE_READ_URL's, else none)."""
    settings = settings or get_settings()
    # /docs and /redoc from assets served by the app itself, so they work offline and behind
    # a firewall. fastapi-offline ships both Swagger UI and ReDoc, is typed, and is released
    # as FastAPI moves; swagger-ui-bundle ships Swagger UI alone and has not had a release
    # since 2023.
    app = FastAPIOffline(
        title="gkstats",
        version="0.1.0",
        summary="Statistics from Chinese government information-disclosure annual reports",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        responses=error_responses(503),
        lifespan=partial(
            _lifespan,
            settings=settings,
            session_factory=session_factory,
            read_session_factory=read_session_factory,
        ),
    )
    app.state.settings = settings
    app.state.read_cache_control = read_cache_control(settings)
    app.state.auth_throttle = AuthThrottle(settings.auth_failures_per_minute)
    install_error_handlers(app)
    app.add_exception_handler(NotModified, not_modified_response)
    # Each middleware added wraps the ones before it: the last added sees the request first.
    # Reads are open to dashboards on other origins; writes are never allowed cross-origin.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["If-None-Match", "Accept", "X-Request-ID"],
        expose_headers=["ETag", "X-Request-ID"],
    )
    # JSON of a report's cells shrinks to a fifth; below 500 bytes gzip saves nothing.
    app.add_middleware(GZipMiddleware, minimum_size=COMPRESS_MIN_BYTES)
    app.add_middleware(CacheHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(AccessMiddleware, fastapi_app=app)
    for module in (reports, flags, agencies, regions, stats, catalog, search):
        app.include_router(
            module.router,
            prefix="/api/v1",
            dependencies=[Depends(conditional_read)],
            responses=NOT_MODIFIED_DOC,
        )
    app.include_router(reports.upload_router, prefix="/api/v1")
    app.include_router(health.router, prefix="/api/v1")
    # Added as a route of the app itself, not through a router, so that its path is known to
    # the route templates of the access log and the metrics (app/monitoring.py).
    app.add_api_route(monitoring.METRICS_PATH, health.metrics_page, include_in_schema=False)
    mount_dashboard(app)
    return app


app = create_app()
