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
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, joinedload

from app.config import Settings, get_settings
from app.errors import NotFound, Unauthorized
from app.models import Agency, DataVersion, Report
from app.regions.data import REGION_CODE_PATTERN


async def get_session(request: Request) -> AsyncIterator[Session]:
    async with database_session(request) as session:
        yield session


@asynccontextmanager
async def database_session(request: Request, *, probe: bool = False) -> AsyncIterator[Session]:
    """A session holding one of the pool's connections, admitted by the app's gate.

    The gate makes the request wait its turn without blocking the event loop, and then the
    pool always has a connection free. Every statement runs in a worker thread, the first
    one included: on PostgreSQL it checks the pooled connection (see `_first_read`), and on a
    read it gives the data version that tags the response. The connection goes back to the
    pool however the request ends, before the gate lets the next request in.
    """
    state = request.app.state
    read = request.method in READ_METHODS
    async with state.gate.admit("probe" if probe else "read" if read else "write"):
        session = state.sessionmaker()
        try:
            if not probe:  # the readiness probe reads the migration state first instead
                request.state.data_version = await run_in_threadpool(_first_read, session, read)
            yield session
        finally:
            session.close()


def _first_read(session: Session, read: bool) -> int:
    """The data version, read on the connection the request will use, which that read checks.

    The pool does not ping a connection before handing it out: that is a round trip on every
    request. The data version, which every read is tagged with, is read first instead; when
    the database has dropped the connection (a restart), the pool is refreshed and the read
    is made once more on a new one. On PostgreSQL a read runs without a transaction, which
    saves the BEGIN and ROLLBACK round trips.
    """
    # Only a session on an engine: one bound to a caller's connection (the tests' rolled-back
    # transaction) keeps that connection and its transaction.
    bind = session.bind
    autocommit = read and isinstance(bind, Engine) and bind.dialect.name == "postgresql"
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    try:
        return session.connection(execution_options=options).scalar(DATA_VERSION) or 0
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        session.rollback()
    return session.connection(execution_options=options).scalar(DATA_VERSION) or 0


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


READ_METHODS = ("GET", "HEAD")
# Bumped by every write; reads are tagged with it (see app/caching.py).
DATA_VERSION = select(DataVersion.version).where(DataVersion.id == 1)

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
