"""The fastest answer FastAPI can give: the bytes of a cells payload, serialised beforehand.

Served under uvicorn beside the real API, it is the yardstick for the report-cells endpoint's
throughput. The payload is read from the file that BENCH_PAYLOAD_FILE names.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Response


def create_constant_app(payload: bytes) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/v1/health")
    def health() -> Response:
        return Response(content=b'{"status":"ok"}', media_type="application/json")

    @app.get("/api/v1/reports/{report_id}/cells")
    def cells(report_id: int) -> Response:
        return Response(content=payload, media_type="application/json")

    return app


app = create_constant_app(Path(os.environ.get("BENCH_PAYLOAD_FILE", os.devnull)).read_bytes())
