"""HEAD on every GET route, in one place: the request is answered as a GET, and the body is
dropped on the way out, so the status and every header (Content-Length, ETag, Cache-Control)
are those of the GET.

Routes then declare GET alone, and the OpenAPI document lists no HEAD operations. This sits
outside compression, so a HEAD's Content-Length is that of the GET sent the same
Accept-Encoding.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # A copy: the server keeps its own scope, whose method HEAD tells it to send no body.
        await self.app({**scope, "method": "GET"}, receive, send_without_body)
