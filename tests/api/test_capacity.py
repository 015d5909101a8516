"""More requests than database connections: each waits its turn or gets a 503 to retry.

Before the gate, a worker with more concurrent requests than pooled connections stopped
answering for minutes. These tests hold the gate's bounds directly, and then run a real
uvicorn with a three-connection pool (one for reads) under twenty concurrent clients.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx2
import pytest

from app.api.gate import ConnectionGate
from app.errors import ServiceBusy
from bench._server import uvicorn_server


def test_the_gate_admits_as_many_as_the_pool_holds_and_bounds_the_wait() -> None:
    async def scenario() -> None:
        gate = ConnectionGate(connections=5, wait_seconds=0.2)
        assert (gate.size("read"), gate.size("write"), gate.size("probe")) == (3, 1, 1)
        async with gate.admit("read"), gate.admit("read"), gate.admit("read"):
            assert gate.in_use == 3
            started = time.monotonic()
            with pytest.raises(ServiceBusy) as refused:
                async with gate.admit("read"):
                    pass
            assert 0.15 < time.monotonic() - started < 2
            assert refused.value.status == 503
            assert refused.value.headers == {"Retry-After": "1"}
            # Writes and the probe have connections of their own.
            async with gate.admit("write"), gate.admit("probe"):
                assert gate.in_use == 5
        assert gate.in_use == 0
        assert gate.refused == 1

    anyio.run(scenario)


def test_every_pool_size_leaves_each_lane_a_connection() -> None:
    for connections in range(3, 40):
        gate = ConnectionGate(connections=connections, wait_seconds=1)
        lanes = [gate.size("read"), gate.size("write"), gate.size("probe")]
        assert sum(lanes) == connections and min(lanes) >= 1


def test_a_waiting_request_is_admitted_when_a_connection_comes_free() -> None:
    async def scenario() -> None:
        gate = ConnectionGate(connections=3, wait_seconds=5)
        admitted: list[str] = []

        async def second() -> None:
            async with gate.admit("read"):
                admitted.append("second")

        async with anyio.create_task_group() as tasks, gate.admit("read"):
            tasks.start_soon(second)
            await anyio.sleep(0.1)
            assert admitted == []
            # Released: the waiter goes in.
        assert admitted == ["second"]

    anyio.run(scenario)


def test_connections_come_back_however_the_request_ends() -> None:
    async def scenario() -> None:
        gate = ConnectionGate(connections=3, wait_seconds=0.1)
        with pytest.raises(RuntimeError):
            async with gate.admit("read"):
                raise RuntimeError("the endpoint failed")
        with anyio.move_on_after(0.05):
            async with gate.admit("write"):
                await anyio.sleep(1)  # cancelled, like a client that went away
        assert gate.in_use == 0

    anyio.run(scenario)


@pytest.fixture
def small_pool_server(tmp_path: Path, db_url: str) -> str:
    if not db_url.startswith("sqlite"):
        pytest.skip("the server runs on its own SQLite file; the pool bound is the same")
    database = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    from alembic import command

    from app.db import make_engine
    from app.migrate import alembic_config

    engine = make_engine(database)
    with engine.connect() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
        conn.commit()
    engine.dispose()
    return database


def test_twenty_clients_on_a_two_connection_pool_never_wedge_the_worker(
    small_pool_server: str, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": small_pool_server,
        "DB_POOL_SIZE": "2",
        "DB_MAX_OVERFLOW": "1",
        "DB_WAIT_SECONDS": "2",
    }
    paths = [
        "/api/v1/reports",
        "/api/v1/stats/coverage",
        "/api/v1/regions/320000",
        "/api/v1/catalog",
    ]
    with uvicorn_server("app.main:app", env, "/api/v1/health", tmp_path / "server.log") as base:

        def client(i: int) -> list[tuple[int, str | None, float]]:
            seen = []
            with httpx2.Client(base_url=base, timeout=15) as http:
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:
                    started = time.monotonic()
                    response = http.get(paths[i % len(paths)])
                    took = time.monotonic() - started
                    seen.append((response.status_code, response.headers.get("retry-after"), took))
            return seen

        with ThreadPoolExecutor(max_workers=21) as pool:
            clients = [pool.submit(client, i) for i in range(20)]
            time.sleep(1)
            with httpx2.Client(base_url=base, timeout=5) as http:
                started = time.monotonic()
                assert http.get("/api/v1/health").status_code == 200
                health_during = time.monotonic() - started
            answers = [answer for c in clients for answer in c.result()]
        with httpx2.Client(base_url=base, timeout=5) as http:
            assert http.get("/api/v1/ready").status_code == 200

    statuses = {status for status, _, _ in answers}
    assert statuses <= {200, 503}, statuses
    assert all(retry == "1" for status, retry, _ in answers if status == 503)
    assert sum(status == 200 for status, _, _ in answers) > 100
    assert max(took for _, _, took in answers) < 10
    assert health_during < 1
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "QueuePool limit" not in log, log[-2000:]
