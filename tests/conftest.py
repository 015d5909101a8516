"""Test fixtures: a real database built by the migrations, one rolled-back transaction per test.

The database is SQLite by default; set TEST_DATABASE_URL (a postgresql+psycopg:// URL) to run
the same suite on PostgreSQL. That database is wiped and rebuilt at the start of the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_engine
from app.migrate import alembic_config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
API_KEY = "test-key"


SHARED_ABSENT = f"{SHARED} is absent: the real corpus and seed lie beside a checkout, not in it"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `shared` read ../shared: without that folder they skip, for that one reason."""
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason=SHARED_ABSENT)
    for item in items:
        if item.get_closest_marker("shared") is not None:
            item.add_marker(skip, append=False)  # before an empty parameter set's own skip


def shared_path(*parts: str) -> Path:
    """A path under ../shared, for tests marked `shared`; a file missing there is a failure."""
    return SHARED.joinpath(*parts)


def database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite3'}"


def reset_database(engine: Engine) -> None:
    """Start from an empty database, so the migrations build everything the tests see."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        database = make_url(str(engine.url)).database
        engine.dispose()
        if database and Path(database).exists():
            Path(database).unlink()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    reset_database(engine)
    with engine.connect() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
        conn.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the code under test release a savepoint; the test's outer transaction
    # is rolled back afterwards, so every test starts from the migrated, empty database.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, api_keys=frozenset({API_KEY}))


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    from app.main import create_app  # the parser tests run without the web stack loaded

    return create_app(settings, session_factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}"}


def post_document(
    client: TestClient | httpx2.Client,
    data: bytes,
    media_type: str = "text/plain",
    headers: dict[str, str] | None = None,
    **params: str,
) -> httpx2.Response:
    all_headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": media_type}
    all_headers.update(headers or {})
    return client.post("/api/v1/reports", content=data, headers=all_headers, params=params)


@contextmanager
def own_database(folder: Path) -> Iterator[str]:
    """A migrated database of its own, for servers and subprocesses that commit: a SQLite file
    in `folder`, or a schema made in the TEST_DATABASE_URL database and dropped afterwards."""
    from app.migrate import upgrade

    base = os.environ.get("TEST_DATABASE_URL")
    if not base or make_url(base).get_backend_name() != "postgresql":
        sqlite_url = f"sqlite:///{folder / 'own.sqlite3'}"
        upgrade(sqlite_url)
        yield sqlite_url
        return
    schema = f"own_{uuid.uuid4().hex[:12]}"
    engine = make_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def own_database_url(tmp_path: Path) -> Iterator[str]:
    with own_database(tmp_path) as url:
        yield url
