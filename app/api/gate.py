"""Admission to the database: no more requests hold a connection than the pool has.

A request waits its turn here, on the event loop without blocking it, for a bounded time; it
then checks a connection out of a pool that always has one free. Without this gate a request
waited inside the pool, blocking the thread or the event loop it ran on, while the connections
it waited for could only be given back by requests that needed that same event loop: past the
pool's size, a worker stopped answering altogether.

Two lanes: requests share the main one; the readiness probe keeps a connection of its own, so
that it answers within its bound under any load.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from app.errors import ServiceBusy

PROBE_WAIT_SECONDS = 1.0
# A busy service tells clients to come back soon: most waits clear within a second or two.
BUSY_RETRY_AFTER_SECONDS = 1


class ConnectionGate:
    def __init__(self, connections: int, wait_seconds: float) -> None:
        if connections < 2:
            raise ValueError("the database pool needs at least two connections")
        self.connections = connections
        self.wait_seconds = wait_seconds
        self._requests = anyio.Semaphore(connections - 1)
        self._probe = anyio.Semaphore(1)
        self.refused = 0

    @property
    def in_use(self) -> int:
        """Connections admitted at this moment, the probe's included."""
        return self.connections - self._requests.value - self._probe.value

    @asynccontextmanager
    async def admit(self, *, probe: bool = False) -> AsyncIterator[None]:
        """Hold one of the pool's connections for the body of the `async with`, or raise
        ServiceBusy when none comes free in time."""
        lane = self._probe if probe else self._requests
        wait = PROBE_WAIT_SECONDS if probe else self.wait_seconds
        try:
            with anyio.fail_after(wait):
                await lane.acquire()
        except TimeoutError:
            raise self._busy(wait) from None
        try:
            yield
        finally:
            lane.release()

    def _busy(self, waited: float) -> ServiceBusy:
        self.refused += 1
        return ServiceBusy(
            f"every database connection stayed in use for {waited:g} s; try again shortly",
            retry_after=BUSY_RETRY_AFTER_SECONDS,
        )
