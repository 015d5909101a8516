"""Parsing processes: a document past the time or memory bound fails there, not in the server."""

from __future__ import annotations

import time

import anyio
import pytest

from app.workers import ParseLimitExceeded, ParsePool
from tests.conftest import EXAMPLES


def _run(pool: ParsePool, function: object, *args: object) -> object:
    async def call() -> object:
        return await pool.run(function, *args)  # type: ignore[arg-type]

    try:
        return anyio.run(call)
    finally:
        pool.close()


def test_a_document_is_prepared_in_a_worker_process() -> None:
    pool = ParsePool(workers=1, timeout_seconds=30, memory_mb=1024)
    data = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes()

    async def call() -> object:
        return await pool.prepare(data, "text/plain", None, None)

    try:
        prepared = anyio.run(call)
    finally:
        pool.close()
    assert prepared.header.year == 2020  # type: ignore[attr-defined]
    assert len(prepared.cells) > 100  # type: ignore[attr-defined]


def test_a_parse_past_the_time_bound_is_stopped() -> None:
    pool = ParsePool(workers=1, timeout_seconds=0.5, memory_mb=1024)
    started = time.monotonic()
    with pytest.raises(ParseLimitExceeded, match=r"longer than 0\.5 s"):
        _run(pool, time.sleep, 30)
    assert time.monotonic() - started < 15


def test_a_parse_past_the_memory_bound_is_stopped() -> None:
    pool = ParsePool(workers=1, timeout_seconds=30, memory_mb=512)
    with pytest.raises(ParseLimitExceeded, match="more than 512 MB"):
        _run(pool, bytearray, 2 * 1024**3)


def test_the_pool_carries_on_after_a_stopped_parse() -> None:
    pool = ParsePool(workers=1, timeout_seconds=0.5, memory_mb=1024)

    async def calls() -> object:
        with pytest.raises(ParseLimitExceeded):
            await pool.run(time.sleep, 30)
        return await pool.run(sum, [1, 2, 3])

    try:
        assert anyio.run(calls) == 6
    finally:
        pool.close()
