"""Request dependencies: the database session, the write key, lookups that 404, and the bounds
that parameters share."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Path, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload
from starlette.datastructures import State

from app.config import Settings, get_settings
from app.db import DATA_VERSION, first_read
from app.errors import NotFound, Unauthorized
from app.models import Agency, Report
from app.monitoring import READS
from app.regions.data import REGION_CODE_PATTERN
from app.replica import ReadReplica, version_wanted


async def get_session(request: Request) -> AsyncIterator[Session]:
    async with database_session(request) as session:
        yield session


@asynccontextmanager
async def database_session(request: Request, *, probe: bool = False) -> AsyncIterator[Session]:
    """A session holding one of the pool's connections, admitted by the app's gate.

    The gate makes the request wait its turn without blocking the event loop, and then the
    pool always has a connection free. Every statement runs in a worker thread, the first
    one included: on PostgreSQL it checks the pooled connection (see `first_read`), and on a
    read it gives the data version that tags the response. A read goes to the replica when
    there is one fresh enough for it (app/replica.py), and to the primary otherwise. The
    connection goes back to the pool however the request ends, before the gate lets the next
    request in.
    """
    state = request.app.state
    read = request.method in READ_METHODS
    async with state.gate.admit("probe" if probe else "read" if read else "write"):
        replica: ReadReplica | None = state.replica if read and not probe else None
        chosen = None
        if replica is not None:
            wanted = version_wanted(request.headers.get("if-none-match", ""))
            chosen = await run_in_threadpool(replica.session, wanted)
        if read and not probe:
            READS.labels("primary" if chosen is None else "replica").inc()
        session = state.sessionmaker() if chosen is None else chosen[0]
        try:
            if chosen is not None:
                request.state.data_version = chosen[1]
            elif not probe:  # the readiness probe reads the migration state first instead
                request.state.data_version = await run_in_threadpool(first_read, session, read)
            if not read and not probe:
                _note_committed_version(session, request.state)
            yield session
        finally:
            session.close()


def _note_committed_version(session: Session, state: State) -> None:
    """After each commit of the session, the data version the write committed becomes the
    request's: its answer names it in an ETag (app/caching.py), which the client may send back
    to read what it wrote (app/replica.py)."""
    pending: list[int] = []

    def read_version(session: Session) -> None:
        # Within the transaction, which holds the data_version row it bumped: its own value.
        pending[:] = [session.scalar(DATA_VERSION) or 0]

    def keep_version(_session: Session) -> None:
        if pending:
            state.data_version = pending.pop()

    event.listen(session, "before_commit", read_version)
    event.listen(session, "after_commit", keep_version)
    event.listen(session, "after_rollback", lambda _session: pending.clear())


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


READ_METHODS = ("GET", "HEAD")

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


# Declares the bearer scheme in the OpenAPI document, so /docs has an Authorize button and
# marks the writes that need it. It checks nothing itself (auto_error=False): the header is
# checked below, with this API's own messages and error shape.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="A key from the server's API_KEYS, sent as `Authorization: Bearer <key>`.",
)


async def require_api_key(
    request: Request,
    settings: SettingsDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> None:
    throttle = request.app.state.auth_throttle
    client = request.client.host if request.client else "unknown"
    throttle.check(client)
    try:
        _check_key(request.headers.get("authorization", ""), settings.api_keys)
    except Unauthorized:
        throttle.failed(client)
        raise


def _check_key(header: str, allowed_keys: frozenset[str]) -> None:
    if not allowed_keys:
        raise Unauthorized(
            "writes are switched off on this server: it was started without API_KEYS"
        )
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("writes need 'Authorization: Bearer <key>' with a key from API_KEYS")
    key = key.strip()
    # Every key is compared, in constant time, so the time taken tells nothing of a key.
    matches = [secrets.compare_digest(key, allowed) for allowed in allowed_keys]
    if not any(matches):
        raise Unauthorized("the API key is not one of the configured API_KEYS")


WriteAccess = Depends(require_api_key)


# What serializing a report needs, loaded in the same query.
REPORT_LOAD = (
    joinedload(Report.agency).joinedload(Agency.region),
    joinedload(Report.document),
)


# The bounds every router's parameters share. A parameter names its own place and purpose:
# `Annotated[Year | None, Query(description=…)]`.
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_ID = 2**31 - 1  # the largest integer identifier PostgreSQL stores
MAX_PAGE = 1000

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RegionCode = Annotated[str, Field(pattern=REGION_CODE_PATTERN)]
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]

ReportId = Annotated[Id, Path(description="A report's id.")]


def valid_report(session: SessionDep, report_id: ReportId) -> Report:
    report = session.get(Report, report_id, options=REPORT_LOAD)
    if report is None:
        raise NotFound(f"report {report_id} does not exist")
    return report


ReportDep = Annotated[Report, Depends(valid_report)]
