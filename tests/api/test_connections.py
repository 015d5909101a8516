"""A pooled PostgreSQL connection the database has dropped costs no request an error.

The pool does not ping connections before use; each request's first read checks its own and,
when the server has closed it (a restart, an administrator), the request carries on with a
new one. This only happens on a server database, so these tests run on PostgreSQL alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from app.config import Settings
from app.db import make_engine
from tests.conftest import API_KEY

AUTH_TEXT = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "text/plain"}


@pytest.fixture
def pg_engine(db_url: str, engine: Engine) -> Iterator[Engine]:
    # The suite's tables come from the session's `engine` fixture; this one is the app's own.
    if engine.dialect.name != "postgresql":
        pytest.skip("dropped server connections only happen on PostgreSQL (set TEST_DATABASE_URL)")
    own = make_engine(db_url)
    yield own
    own.dispose()


def _drop_pooled_connections(admin: Engine, app_engine: Engine) -> int:
    with app_engine.connect() as conn:
        pids: set[int] = {conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()}
    with admin.connect() as conn:
        dropped: int = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
            {"pids": list(pids)},
        ).scalar_one()
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM unnest(:pids) AS pid"),
            {"pids": list(pids)},
        )
    return int(dropped)


def test_reads_and_writes_survive_a_dropped_connection(
    pg_engine: Engine, engine: Engine, settings: Settings
) -> None:
    from app.main import create_app

    app = create_app(settings, sessionmaker(bind=pg_engine, expire_on_commit=False))
    with TestClient(app) as client:
        assert client.get("/api/v1/catalog").status_code == 200
        assert _drop_pooled_connections(engine, pg_engine) == 1
        read = client.get("/api/v1/reports", params={"limit": 1})
        assert read.status_code == 200 and "etag" in read.headers

        assert _drop_pooled_connections(engine, pg_engine) == 1
        # A write that fails validation: it reaches the database, and commits nothing the
        # other tests would see.
        empty = client.post("/api/v1/reports", content=b"", headers=AUTH_TEXT)
        assert empty.status_code == 422, empty.text
        assert empty.json()["error"]["status"] == 422
