"""One exception tree, one handler, one JSON error shape for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

log = logging.getLogger(__name__)


# How long a client should wait before trying again when the database cannot answer.
RETRY_AFTER_SECONDS = 5


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status code, repeated for clients that log bodies.")
    code: str = Field(description="A stable machine-readable code, e.g. `not_found`.")
    message: str = Field(description="What went wrong and what to do about it.")
    details: list[dict[str, Any]] = Field(
        default_factory=list, description="Per-field problems, for validation errors."
    )


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "error": {
                        "status": 404,
                        "code": "not_found",
                        "message": "report 42 does not exist",
                        "details": [],
                    }
                }
            ]
        }
    }


class ApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str] | None:
        headers: dict[str, str] = {}
        if self.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers or None


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class AlreadyWithdrawn(Conflict):
    code = "already_withdrawn"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class DocumentTooLarge(PayloadTooLarge):
    """Within the byte limit, but far larger than any annual report (pages, lines, cells)."""

    code = "document_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(ApiError):
    status, code = 422, "unprocessable"


class NotAReport(Unprocessable):
    code = "not_a_report"


class EmptyQuery(Unprocessable):
    code = "empty_query"


class TooManyRequests(ApiError):
    status, code = 429, "too_many_requests"


class NotReady(ApiError):
    status, code = 503, "not_ready"

    def __init__(self, message: str) -> None:
        super().__init__(message, retry_after=RETRY_AFTER_SECONDS)


class ServiceBusy(ApiError):
    """Every database connection stayed in use for the whole wait: a condition that passes."""

    status, code = 503, "busy"


_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorDetail(status=status, code=code, message=message, details=details or [])
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    if exc.status >= 500:
        log.warning("%s %s: %s", exc.status, exc.code, exc.message)
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


def _allowed_methods(request: Request, named: str) -> str:
    # The router names the methods of the first route that matched the path; a path served by
    # several routes (GET and POST /reports) allows the methods of all of them, which the
    # OpenAPI document lists under its path template. Of two templates matching a path, the
    # one with fewer parameters is meant: /reports/fetch, not /reports/{report_id}.
    state = request.app.state
    if not hasattr(state, "methods_by_path"):
        paths = request.app.openapi()["paths"]
        state.methods_by_path = sorted(
            ((compile_path(path)[0], {m.upper() for m in item}) for path, item in paths.items()),
            key=lambda entry: entry[0].pattern.count("(?P<"),
        )
    methods = {m.strip() for m in named.split(",") if m.strip()}
    for pattern, allowed in state.methods_by_path:
        if pattern.match(request.url.path):
            methods = set(allowed)
            break
    if "GET" in methods:
        methods.add("HEAD")  # answered for every GET route (app/head.py)
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES_BY_STATUS.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request, headers.get("Allow", ""))
    return error_response(exc.status_code, code, message, headers=headers or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "location": [str(part) for part in err.get("loc", ())],
            "message": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    where = ", ".join(".".join(d["location"]) for d in details[:5])
    return error_response(422, "validation_error", f"invalid request: {where}", details)


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    # The server is down or restarting, refuses connections, or (SQLite) stays locked past the
    # busy timeout: a condition that passes, so the client is told to come back.
    log.warning("503 database_unavailable: %s", str(exc).splitlines()[0] if str(exc) else exc)
    message = "the database cannot be reached or is busy; try again in a few seconds"
    if "no such table" in str(exc):  # SQLite's word for a database never migrated
        message = "the database has not been set up: run `gkstats migrate` on the server"
    return error_response(
        503,
        "database_unavailable",
        message,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def unexpected_error_response(exc: BaseException) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error; the error was logged")


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    return unexpected_error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "A malformed request body, such as a broken multipart form",
        401: "Missing or wrong API key (writes only)",
        404: "No such resource",
        409: "The resource is not in a state that allows this, e.g. a revision already withdrawn",
        413: "Document larger than the configured byte limit (`payload_too_large`), or far "
        "larger than any annual report: pages, lines, table cells (`document_too_large`)",
        415: "Unsupported media type, or content that is not of the declared type",
        422: "Invalid parameters, or a document that is not a readable annual report",
        429: "Too many failed API keys from this client; retry after `Retry-After` seconds",
        503: "The database cannot be reached or every connection is in use; retry after "
        "`Retry-After` seconds",
    }.items()
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries for the given error statuses."""
    return {s: ERROR_RESPONSES[s] for s in statuses}


def json_error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The same entries for an operation whose 200 is not JSON (a spreadsheet): FastAPI would
    declare a model's errors in the operation's own media type, but errors are always JSON."""
    schema = {"$ref": "#/components/schemas/ErrorResponse"}
    return {
        s: {
            "description": ERROR_RESPONSES[s]["description"],
            "content": {"application/json": {"schema": schema}},
        }
        for s in statuses
    }
