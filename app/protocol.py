"""uvicorn's HTTP protocol, answering a request it cannot parse with gkstats' JSON error.

uvicorn's parser refuses a request line that is not valid HTTP (most often a query written
with Chinese characters as raw UTF-8, as `curl 'host/api/v1/agencies?q=数据资源'` sends it)
before the app sees the request, and answers in plain text. Clients of gkstats parse one error
shape, so this answer has it too, and says what to do.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.errors import ErrorDetail, ErrorResponse

UNREADABLE_REQUEST = (
    "the request is not valid HTTP: a URL must be ASCII, so percent-encode Chinese characters "
    "in the query (e.g. curl -G --data-urlencode 'q=数据资源' …/api/v1/agencies)"
)


def unreadable_request_body() -> bytes:
    error = ErrorDetail(status=400, code="bad_request", message=UNREADABLE_REQUEST)
    return ErrorResponse(error=error).model_dump_json().encode()


class JsonErrorHttpProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        body = unreadable_request_body()
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"cache-control: no-store\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
