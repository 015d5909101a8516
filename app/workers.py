"""Parsing uploaded documents in worker processes, bounded in time and in memory.

Parsing is CPU work that can take seconds for a large PDF, and a hostile document can make it
take far longer: run on the server's event loop, it would stall every other request. Each
server process keeps a small pool of parsing processes instead. A document that runs past the
time bound has its process killed; one that needs more memory than the bound fails there, not
in the server. Either way the upload is answered 422 and the pool carries on with a fresh
process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

import anyio
from pebble import ProcessExpired, ProcessFuture, ProcessPool

from app.errors import ServiceBusy, Unprocessable
from app.ingest import PreparedReport

T = TypeVar("T")

# A parsing process serves this many documents, then a fresh one takes over: whatever a
# document left behind in the allocator is given back.
TASKS_PER_PROCESS = 200


class ParseLimitExceeded(Unprocessable):
    code = "parse_limit_exceeded"


def prepare_document(
    data: bytes,
    media_type: str,
    agency: str | None,
    year: int | None,
    filename: str | None = None,
) -> PreparedReport:
    """Parse, check and lay out one document as the rows that store it (in a worker)."""
    from app.ingest import parse_for_ingest, prepare

    parsed = parse_for_ingest(data, media_type, agency=agency, year=year, filename=filename)
    return prepare(parsed)


def _limit_memory(max_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


class ParsePool:
    """The parsing processes of one server process, started on the first upload."""

    def __init__(self, workers: int, timeout_seconds: float, memory_mb: int) -> None:
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self._pool: ProcessPool | None = None
        self._slots = anyio.Semaphore(workers)
        self._starting = threading.Lock()

    def _schedule(self, function: Callable[..., T], args: tuple[Any, ...]) -> ProcessFuture[T]:
        with self._starting:
            pool = self._started()
        return pool.schedule(function, args=args, timeout=self.timeout_seconds)

    def _started(self) -> ProcessPool:
        if self._pool is None:
            # Not fork: the server process runs threads, and a forked copy of it could inherit
            # a lock some thread held. The fork server starts from a clean process with the
            # parser imported once.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["app.ingest"])
            self._pool = ProcessPool(
                max_workers=self.workers,
                max_tasks=TASKS_PER_PROCESS,
                initializer=_limit_memory,
                initargs=(self.memory_mb * 1024 * 1024,),
                context=context,
            )
        return self._pool

    async def prepare(
        self,
        data: bytes,
        media_type: str,
        agency: str | None,
        year: int | None,
        filename: str | None = None,
    ) -> PreparedReport:
        """The document's prepared report, or the ApiError saying why there is none."""
        return await self.run(prepare_document, data, media_type, agency, year, filename)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a parsing process, within the time and memory bounds."""
        try:
            with anyio.fail_after(self.timeout_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise ServiceBusy(
                f"every parsing process stayed busy for {self.timeout_seconds:g} s; "
                "try again shortly",
                retry_after=5,
            ) from None
        try:
            # Scheduling may start processes, which takes a second: a thread waits for that,
            # not the event loop.
            future = await anyio.to_thread.run_sync(self._schedule, function, args)
            try:
                return await asyncio.wrap_future(future)
            except asyncio.CancelledError:
                future.cancel()  # type: ignore[no-untyped-call]  # the client went away
                raise
        except FutureTimeout:
            raise ParseLimitExceeded(
                f"parsing took longer than {self.timeout_seconds:g} s and was stopped; "
                "an annual report parses in well under a second"
            ) from None
        except MemoryError:
            raise ParseLimitExceeded(
                f"parsing needed more than {self.memory_mb} MB of memory and was stopped; "
                "an annual report needs a small part of that"
            ) from None
        except ProcessExpired as exc:
            raise ParseLimitExceeded(
                f"the parsing process ended abnormally ({exc}); the document may be damaged "
                f"or need more than {self.memory_mb} MB of memory"
            ) from None
        finally:
            self._slots.release()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join(timeout=5)
            self._pool = None
