"""Engines and session factories (the primary's, and a replica's for reads); the SQLite
connection pragmas live here and nowhere else."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, get_settings
from app.models import DataVersion


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy emits
    # BEGIN itself (see _sqlite_begin), so every ingest is one real transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers proceed while an ingest writes; busy_timeout waits out short write locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # 16 MiB of page cache per connection instead of 2: a batch of reports writes to index
    # pages all over the cell table, and keeping them cached saves about 5% of bulk ingest.
    cursor.execute("PRAGMA cache_size=-16384")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


# The API admits no more requests to the database than the pool holds (app/api/gate.py), so a
# checkout never waits for long; this bound only catches a connection held elsewhere.
POOL_TIMEOUT_SECONDS = 10


# A replica that does not answer must not hold a read for long: the read goes to the primary.
REPLICA_CONNECT_TIMEOUT_SECONDS = 2


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 10, **options: Any) -> Engine:
    pool = {
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_timeout": POOL_TIMEOUT_SECONDS,
        **options,
    }
    if make_url(url).get_backend_name() == "sqlite":
        _ensure_sqlite_folder(url)
        engine = create_engine(url, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pool_pre_ping: a request's first read checks its connection instead (see
    # app/api/deps.py), which saves a round trip per request.
    return create_engine(url, **pool)


def pool_capacity(engine: Engine) -> int:
    """Connections the engine's pool may hold at once."""
    size: int = engine.pool.size()  # type: ignore[attr-defined]
    overflow: int = engine.pool._max_overflow  # type: ignore[attr-defined]
    return size + max(overflow, 0)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def make_read_sessionmaker(settings: Settings) -> sessionmaker[Session] | None:
    """Sessions on the replica DATABASE_READ_URL names, or None without one.

    Its pool has the primary's size: the gate (app/api/gate.py) admits no more requests than
    the primary's pool holds, whichever copy they read, so neither pool is ever waited on.
    """
    if settings.database_read_url is None:
        return None
    engine = make_engine(
        settings.database_read_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        connect_args={"connect_timeout": REPLICA_CONNECT_TIMEOUT_SECONDS},
    )
    return sessionmaker(bind=engine, expire_on_commit=False)


# Bumped by every write; reads are tagged with it (see app/caching.py), and a replica's tells
# how far it has replayed the primary's writes (app/replica.py).
DATA_VERSION = select(DataVersion.version).where(DataVersion.id == 1)


def first_read(session: Session, read: bool) -> int:
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
