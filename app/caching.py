"""Conditional reads: every read carries an ETag tied to the data version and answers
If-None-Match with 304 while nothing has been written since."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import READ_METHODS, SessionDep

# Clients and proxies may keep a copy but must revalidate it; a 304 costs one indexed read.
CACHE_CONTROL = "public, no-cache"


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def _etag(version: int, request: Request) -> str:
    key = f"{version}|{request.url.path}?{request.url.query}|{request.headers.get('accept', '')}"
    return 'W/"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'


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
    if _matches(request.headers.get("if-none-match", ""), etag):
        raise NotModified(etag)


async def not_modified_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return Response(status_code=304, headers={"ETag": exc.etag, "Cache-Control": CACHE_CONTROL})


class CacheHeadersMiddleware:
    """Adds the ETag computed by `conditional_read` to successful reads, whatever their type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READ_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                etag = scope.get("state", {}).get("etag")
                if etag:
                    headers: list[Any] = list(message.get("headers", []))
                    headers.append((b"etag", etag.encode()))
                    headers.append((b"cache-control", CACHE_CONTROL.encode()))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


NOT_MODIFIED_DOC: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match is still current"}
}
