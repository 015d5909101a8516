"""Hostile uploads against a real server: each is refused within its bounds, nothing is stored,
and the worker that received it keeps answering /health in under a second throughout."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from bench._server import uvicorn_server
from tests import hostile
from tests.conftest import API_KEY

# The server's own bound is 30 s of parsing; an answer must come well within it plus the upload.
ANSWER_WITHIN_SECONDS = 40
HEALTH_WITHIN_SECONDS = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from alembic import command

    from app.db import make_engine
    from app.migrate import alembic_config

    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'hostile.sqlite3'}"
    engine = make_engine(url)
    with engine.connect() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
        conn.commit()
    engine.dispose()
    env = {"DATABASE_URL": url, "API_KEYS": API_KEY}
    with uvicorn_server("app.main:app", env, "/api/v1/health", folder / "server.log") as base:
        yield base


def _post_while_probing(
    base: str, data: bytes, media_type: str
) -> tuple[httpx2.Response, float, float]:
    """Post the document; probe /health every 0.1 s meanwhile. The answer, its time, and the
    slowest probe."""
    probes: list[float] = []
    done = threading.Event()

    def probe() -> None:
        with httpx2.Client(base_url=base, timeout=10) as http:
            while True:  # at least once, however quickly the upload is answered
                started = time.monotonic()
                http.get("/api/v1/health").raise_for_status()
                probes.append(time.monotonic() - started)
                if done.wait(0.1):
                    break

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with httpx2.Client(base_url=base, timeout=ANSWER_WITHIN_SECONDS + 20) as http:
            started = time.monotonic()
            response = http.post(
                "/api/v1/reports",
                content=data,
                headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": media_type},
            )
            took = time.monotonic() - started
    finally:
        done.set()
        prober.join()
    return response, took, max(probes)


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "a million table rows of text": (hostile.million_row_text, "text/plain"),
    "a 200-page PDF full of table rows": (hostile.many_page_pdf, "application/pdf"),
    "a DOCX of 100,000 table cells": (hostile.huge_docx, hostile.DOCX_MEDIA_TYPE),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_document_is_refused_and_the_worker_keeps_answering(
    server: str, name: str
) -> None:
    make, media_type = HOSTILE[name]
    response, took, slowest_probe = _post_while_probing(server, make(), media_type)
    assert response.status_code in (413, 422), response.text
    error = response.json()["error"]
    assert error["code"] in {"document_too_large", "parse_limit_exceeded"}, error
    assert "annual report" in error["message"]
    assert took < ANSWER_WITHIN_SECONDS, f"{name} took {took:.1f} s"
    assert slowest_probe < HEALTH_WITHIN_SECONDS, f"/health took {slowest_probe:.2f} s"
    with httpx2.Client(base_url=server, timeout=10) as http:
        assert http.get("/api/v1/reports").json()["total"] == 0


def test_server_log_has_no_traceback(server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    logs = list(Path(tmp_path_factory.getbasetemp()).glob("hostile*/server.log"))
    assert logs and all("Traceback" not in log.read_text() for log in logs)
