"""Admission to the database: no more requests hold a connection than the pool has.

A request waits its turn here, on the event loop without blocking it, for a bounded time; it
then checks a connection out of a pool that always has one free. Without this gate a request
waited inside the pool, blocking the thread or the event loop it ran on, while the connections
it waited for could only be given back by requests that needed that same event loop: past the
pool's size, a worker stopped answering altogether.

Three lanes, each with connections of its own: reads share the largest; writes (keyed, rare,
and on SQLite one at a time anyway) have a few, so that an upload never queues behind hundreds
of readers; the readiness probe has one, so that it answers within its bound under any load.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import anyio

from app.errors import ServiceBusy
from app.monitoring import GATE_REFUSED, GATE_WAITING

PROBE_WAIT_SECONDS = 1.0
# A busy service tells clients to come back soon: most waits clear within a second or two.
BUSY_RETRY_AFTER_SECONDS = 1


Lane = Literal["read", "write", "probe"]


class ConnectionGate:
    def __init__(self, connections: int, wait_seconds: float) -> None:
        if connections < 3:
            raise ValueError("the database pool needs at least three connections")
        self.connections = connections
        self.wait_seconds = wait_seconds
        writes = max(1, (connections - 1) // 4)
        sizes: dict[Lane, int] = {"read": connections - 1 - writes, "write": writes, "probe": 1}
        self._lanes = {lane: anyio.Semaphore(n, max_value=n) for lane, n in sizes.items()}
        self.refused = 0

    @property
    def in_use(self) -> int:
        """Connections admitted at this moment, in every lane."""
        return self.connections - sum(lane.value for lane in self._lanes.values())

    def size(self, lane: Lane) -> int:
        size = self._lanes[lane].max_value
        assert size is not None
        return size

    @asynccontextmanager
    async def admit(self, lane: Lane) -> AsyncIterator[None]:
        """Hold one of the lane's connections for the body of the `async with`, or raise
        ServiceBusy when none comes free in time."""
        semaphore = self._lanes[lane]
        wait = PROBE_WAIT_SECONDS if lane == "probe" else self.wait_seconds
        waiting = GATE_WAITING.labels(lane)
        waiting.inc()
        try:
            with anyio.fail_after(wait):
                await semaphore.acquire()
        except TimeoutError:
            GATE_REFUSED.labels(lane).inc()
            raise self._busy(wait) from None
        finally:
            waiting.dec()
        try:
            yield
        finally:
            semaphore.release()

    def _busy(self, waited: float) -> ServiceBusy:
        self.refused += 1
        return ServiceBusy(
            f"every database connection stayed in use for {waited:g} s; try again shortly",
            retry_after=BUSY_RETRY_AFTER_SECONDS,
        )
