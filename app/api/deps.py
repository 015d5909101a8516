"""Request dependencies: the database session, the write key, and lookups that 404."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, joinedload

from app.config import Settings, get_settings
from app.db import get_sessionmaker
from app.errors import NotFound, Unauthorized
from app.models import Agency, DataVersion, Report


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Async so that opening and closing the session does not take two trips through the
    # thread pool on every request. On SQLite the session connects lazily, in the endpoint; on
    # PostgreSQL it connects here, with the first read checking the connection.
    factory = getattr(request.app.state, "sessionmaker", None) or get_sessionmaker()
    session = factory()
    if _on_postgresql_engine(session):
        request.state.data_version = _first_read(session, request.method in READ_METHODS)
    try:
        yield session
    finally:
        session.close()


def _on_postgresql_engine(session: Session) -> bool:
    # Only a session on an engine: one bound to a caller's connection (the tests' rolled-back
    # transaction) keeps that connection and its transaction.
    return isinstance(session.bind, Engine) and session.bind.dialect.name == "postgresql"


def _first_read(session: Session, read: bool) -> int:
    """The data version, read on the connection the request will use, which that read checks.

    The pool does not ping a connection before handing it out: that is a round trip on every
    request. The data version, which every read is tagged with, is read first instead; when
    the database has dropped the connection (a restart), the pool is refreshed and the read
    is made once more on a new one. A read runs without a transaction, which saves the BEGIN
    and ROLLBACK round trips.
    """
    options = {"isolation_level": "AUTOCOMMIT"} if read else {}
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


def require_api_key(request: Request, settings: SettingsDep) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("writes need 'Authorization: Bearer <key>' with a key from API_KEYS")
    key = key.strip()
    if not any(secrets.compare_digest(key, allowed) for allowed in settings.api_keys):
        raise Unauthorized("the API key is not one of the configured API_KEYS")


WriteAccess = Depends(require_api_key)


# What serializing a report needs, loaded in the same query.
REPORT_LOAD = (
    joinedload(Report.agency).joinedload(Agency.region),
    joinedload(Report.document),
)


ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A report's id.")]


def valid_report(session: SessionDep, report_id: ReportId) -> Report:
    report = session.get(Report, report_id, options=REPORT_LOAD)
    if report is None:
        raise NotFound(f"report {report_id} does not exist")
    return report


ReportDep = Annotated[Report, Depends(valid_report)]
