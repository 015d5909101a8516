"""What caches may keep: every read carries an ETag tied to the data version and answers
If-None-Match with 304 while nothing has been written since; every response says in
Cache-Control how long a browser and a shared cache (a CDN) may keep it.

Every ETag names the data version it was made at, and a write's answer carries one naming
the version it committed: sent back in If-None-Match, it keeps a read from being answered by a
replica that has not replayed that write yet (app/replica.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import READ_METHODS, SessionDep
from app.config import Settings
from app.replica import version_tag

# Errors, writes and what describes the live process (health, readiness, metrics): never kept.
NO_STORE = "no-store"
# A report's original bytes never change for its id: kept a year and never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
# Reads vary by media type (CSV or JSON) and by compression.
VARY = ("Accept", "Accept-Encoding")

_IMMUTABLE_MARK = "_gkstats_immutable_body"
F = TypeVar("F", bound=Callable[..., Any])


def read_cache_control(settings: Settings) -> str:
    """Cache-Control of a read.

    A browser (a dashboard) keeps the copy but revalidates it every time (max-age=0): the
    answer is a 304 of one indexed read, and a write shows at once. A shared cache serves its
    copy without asking for `cache_shared_max_age` seconds, so a CDN in front of the service
    takes the load of many dashboards at the cost of writes showing up to that much later;
    past it, stale-while-revalidate lets it answer from the old copy while it fetches the new
    one in the background, so no reader waits on the origin for a refresh.
    """
    if settings.cache_shared_max_age == 0:
        return "public, no-cache"
    return (
        f"public, max-age=0, s-maxage={settings.cache_shared_max_age}, "
        f"stale-while-revalidate={settings.cache_stale_while_revalidate}"
    )


def immutable_body(endpoint: F) -> F:
    """Marks a read whose body never changes for its URL (see IMMUTABLE)."""
    setattr(endpoint, _IMMUTABLE_MARK, True)
    return endpoint


class NotModified(Exception):
    def __init__(self, etag: str, cache_control: str) -> None:
        super().__init__(etag)
        self.etag = etag
        self.cache_control = cache_control


def _etag(version: int, request: Request) -> str:
    key = f"{version}|{request.url.path}?{request.url.query}|{request.headers.get('accept', '')}"
    return version_tag(version, hashlib.blake2b(key.encode(), digest_size=12).hexdigest())


def _matches(header: str, etag: str) -> bool:
    tags = {t.strip() for t in header.split(",")}
    return "*" in tags or etag in tags or etag.removeprefix("W/") in tags


async def conditional_read(request: Request, _session: SessionDep) -> None:
    """Tag the response with the data version; stop early with 304 when the client has it.

    The session's first read gives the data version (app/api/deps.py), so this needs no
    statement of its own.
    """
    if request.method not in READ_METHODS:
        return
    etag = _etag(request.state.data_version, request)
    request.state.etag = etag
    # Routing has chosen the endpoint before any dependency runs.
    immutable = getattr(request.scope.get("endpoint"), _IMMUTABLE_MARK, False)
    cache_control = IMMUTABLE if immutable else request.app.state.read_cache_control
    request.state.cache_control = cache_control
    if _matches(request.headers.get("if-none-match", ""), etag):
        raise NotModified(etag, cache_control)


async def not_modified_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    # A 304 repeats the caching headers of the 200: they refresh the copy a cache holds.
    headers = {"ETag": exc.etag, "Cache-Control": exc.cache_control, "Vary": ", ".join(VARY)}
    return Response(status_code=304, headers=headers)


class CacheHeadersMiddleware:
    """Sets Cache-Control on every response, and the ETag computed by `conditional_read` on
    successful reads, whatever their type. It sits outside compression, so that it sees and
    completes the Vary header the compression added."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read = scope["method"] in READ_METHODS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _set_headers(MutableHeaders(scope=message), message["status"], read, scope)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _set_headers(headers: MutableHeaders, status: int, read: bool, scope: Scope) -> None:
    state = scope.get("state", {})
    etag = state.get("etag")
    if read and status == 200 and etag:
        headers["etag"] = etag
        headers.setdefault("cache-control", state["cache_control"])
    elif status >= 400 or not read:
        headers["cache-control"] = NO_STORE
        if not read and status < 300 and (version := state.get("data_version")) is not None:
            # Names the data version the write committed: no representation of this URL.
            headers["etag"] = version_tag(version)
    elif "cache-control" not in headers and "etag" not in headers:
        # Health, readiness, metrics, the OpenAPI document: no data-version tag, and they
        # describe this moment of this process. Static files (with ETags of their own) and
        # 304s keep theirs.
        headers["cache-control"] = NO_STORE
    if read and status in (200, 304) and etag:
        present = {v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()}
        missing = [v for v in VARY if v.lower() not in present]
        if missing:
            headers["vary"] = ", ".join([*([headers["vary"]] if present else []), *missing])


NOT_MODIFIED_DOC: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match is still current"}
}


# The ETag header of a write's answer, for the OpenAPI description of the write's statuses.
WRITE_ETAG_HEADER: dict[str, Any] = {
    "ETag": {
        "description": "The data version this write committed (or found current), as "
        '`W/"v<version>"`. Send it in `If-None-Match` on the reads that follow: they are then '
        "answered from a copy of the database that holds the write, never an older replica. "
        "It never matches a read's own ETag, so such a read is answered 200.",
        "schema": {"type": "string", "example": 'W/"v42"'},
    }
}
