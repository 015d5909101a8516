"""One line per request on the `app.access` logger, the request's id, and its metrics.

The line is key=value: `request_id=… method=GET route=/api/v1/reports/{report_id}
status=200 ms=3.1`. It names the route template, never the raw path or query: a query may
carry anything a client put there, a key included, and headers are never logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import unexpected_error_response
from app.monitoring import LATENCY, METRICS_PATH, REQUESTS, RouteTemplates

log = logging.getLogger("app.access")

REQUEST_ID_HEADER = "x-request-id"
# A proxy's or client's id is kept when it is a plain token: it goes into a log line and a
# response header, so nothing that could forge a line or a header is taken.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def request_id(headers: Headers) -> str:
    incoming = headers.get(REQUEST_ID_HEADER, "")
    return incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


class AccessMiddleware:
    """The outermost of the app's own middleware, so its time covers the others too."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.routes = RouteTemplates(fastapi_app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = request_id(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = rid
        status = 500  # what the client gets if the app raises before it answers
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if started:
                raise
            # Starlette answers an unhandled error from outside every middleware, where the
            # request's id is unknown: answered here, the 500 names the id its log line has.
            await unexpected_error_response(exc)(scope, receive, send_with_id)
        finally:
            self._record(scope, rid, status, time.perf_counter() - start)

    def _record(self, scope: Scope, rid: str, status: int, seconds: float) -> None:
        method, route = scope["method"], self.routes(scope["path"])
        log.info(
            "request_id=%s method=%s route=%s status=%d ms=%.1f",
            rid,
            method,
            route,
            status,
            seconds * 1000,
        )
        if route != METRICS_PATH:  # a scrape every few seconds would drown the rest
            labels = (method, route, str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(seconds)
