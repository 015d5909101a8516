"""Reports: ingest a document, list and read reports, their sections, cells, tables and checks."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from operator import itemgetter
from typing import Annotated, Any, cast

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.api import examples
from app.api.deps import (
    REPORT_LOAD,
    Id,
    Limit,
    Offset,
    RegionCode,
    ReportDep,
    ReportId,
    SessionDep,
    SettingsDep,
    WriteAccess,
    Year,
    database_session,
)
from app.api.regions import region_and_descendants
from app.api.serialize import (
    CELL_PLACES,
    UNKNOWN_PLACE,
    as_utc,
    cell_out,
    check_out,
    checks_summary,
    json_number,
    report_out,
)
from app.api.tabular import (
    CELL_COLUMNS,
    SHEET_NOTE,
    Answer,
    Sheet,
    add_sheet_routes,
    table_columns,
)
from app.caching import WRITE_ETAG_HEADER, immutable_body
from app.catalog import TABLES, Format, TableKey
from app.cells import load_cells
from app.checks import CheckOutcome
from app.config import Settings
from app.derived import derive_request_subtotals
from app.errors import (
    ApiError,
    BadRequest,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
    error_response,
    error_responses,
)
from app.fetch.client import Fetcher
from app.fetch.document import FetchedDocument, fetch_report, prepare_fetched
from app.fetch.store import store_fetched, stored_report
from app.ingest import NewDocument, find_by_content, sha256_hex, store_many
from app.models import (
    Agency,
    CellRow,
    Document,
    Report,
    ReportCheck,
    ReportReread,
    ReportTable,
    Section,
)
from app.monitoring import INGESTS
from app.parsing.document import SUPPORTED_MEDIA_TYPES, media_type_for
from app.schemas import (
    WITHDRAWN_REPORT_EXAMPLE,
    CellList,
    CellOut,
    CheckList,
    ColumnOut,
    FetchRequest,
    Page,
    ReportOut,
    RereadList,
    RereadOut,
    SectionList,
    SectionOut,
    TableOut,
    TableRowOut,
)
from app.withdraw import withdraw_report

router = APIRouter(prefix="/reports", tags=["reports"])
# Uploads hold no database connection while they parse, so they are routed apart from the
# reads, whose conditional-read dependency opens a session for the whole request.
upload_router = APIRouter(prefix="/reports", tags=["reports"])


_UPLOAD_BODY = {
    "required": True,
    "description": "The report document: raw bytes with their media type, or a multipart "
    "form with a `file` part. Text may be UTF-8 (with or without BOM) or GB18030/GBK.",
    "content": {
        **{
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in SUPPORTED_MEDIA_TYPES
        },
        "text/plain": {
            "schema": {"type": "string"},
            "example": (
                "# 青禾市云岭区数据资源管理局 2020 年 政府信息公开工作年度报告\n\n"
                "## 一、总体情况\n…"
            ),
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}

# Room for multipart boundaries and headers around a file at the size limit.
_MULTIPART_OVERHEAD = 64 * 1024


async def _read_body(request: Request, limit: int) -> bytes:
    ceiling = limit + _MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > ceiling:
        raise PayloadTooLarge(f"the document is larger than the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > ceiling:
            raise PayloadTooLarge(f"the document is larger than the {limit}-byte limit")
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette serves a cached body to the form parser instead of the consumed stream.
    request._body = body
    return body


async def _document_from(
    request: Request, limit: int, filename: str | None
) -> tuple[bytes, str, str | None]:
    body = await _read_body(request, limit)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=5)
        except Exception as exc:
            raise BadRequest(f"could not read the multipart form: {exc}") from exc
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Unprocessable("the multipart form needs a 'file' part holding the document")
            data = await upload.read()
        finally:
            await form.close()
        name = filename or upload.filename
        media = media_type_for(name, upload.content_type)
    else:
        data, name = body, filename
        media = media_type_for(name, content_type)
    if media is None:
        raise UnsupportedMediaType(
            "say what the document is with a Content-Type header or a file name ending in "
            ".txt, .md, .html, .pdf or .docx"
        )
    if len(data) > limit:
        raise PayloadTooLarge(f"the document is larger than the {limit}-byte limit")
    if not data.strip():
        raise Unprocessable("the document is empty")
    return data, media, name


@upload_router.post(
    "",
    summary="Ingest a report document",
    description="Parses the document, checks its arithmetic and stores it with the original "
    "bytes, all in one transaction. 201 with the new report; 200 with the stored report when "
    "the same bytes were ingested before. A different document for an agency and year already "
    "stored becomes a new revision.",
    status_code=201,
    response_model=ReportOut,
    dependencies=[WriteAccess],
    responses={
        200: {
            "model": ReportOut,
            "description": "The same document was already stored",
            "headers": WRITE_ETAG_HEADER,
        },
        201: {"headers": WRITE_ETAG_HEADER},
        **error_responses(400, 401, 413, 415, 422, 429),
    },
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def create_report(
    request: Request,
    response: Response,
    settings: SettingsDep,
    filename: Annotated[
        str | None, Query(max_length=500, description="File name to record for a raw body.")
    ] = None,
    region: Annotated[
        RegionCode | None,
        Query(description="GB/T 2260 code placing the agency explicitly."),
    ] = None,
    agency: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=200,
            description="The agency's name, for a document that does not print it "
            "(a page cut before its title). Overrides the printed name, with a warning.",
        ),
    ] = None,
    year: Annotated[
        Year | None, Query(description="The report year, for a document without one.")
    ] = None,
) -> ReportOut:
    try:
        report, created = await _ingest(
            request, settings.max_upload_bytes, filename, region, agency, year
        )
    except ApiError as exc:
        INGESTS.labels("rejected", exc.code).inc()
        raise
    INGESTS.labels("created" if created else "already_stored", "").inc()
    response.status_code = 201 if created else 200
    return report


async def _ingest(
    request: Request,
    limit: int,
    filename: str | None,
    region: str | None,
    agency: str | None,
    year: int | None,
) -> tuple[ReportOut, bool]:
    """The stored report, and whether this request created it."""
    # The database is held only around its two short uses, never while the document parses:
    # parsing runs in a worker process (app/workers.py) while this request waits.
    data, media_type, name = await _document_from(request, limit, filename)
    digest = sha256_hex(data)
    async with database_session(request) as session:
        stored = await run_in_threadpool(_stored_report, session, digest)
    if stored is not None:
        return stored, False
    prepared = await request.app.state.parse_pool.prepare(
        data, media_type, agency.strip() if agency else None, year, name
    )
    document = NewDocument(data, digest, media_type, prepared, name)
    async with database_session(request) as session:
        return await run_in_threadpool(_store_committed, session, document, region)


def _stored_report(session: Session, digest: str) -> ReportOut | None:
    report = find_by_content(session, digest)
    return None if report is None else _report_by_id(session, report.id)


def _store_committed(
    session: Session, document: NewDocument, region: str | None
) -> tuple[ReportOut, bool]:
    # The same bytes may have been stored while this copy was parsing, and a concurrent
    # ingest for the same agency may win the unique race: look again, once.
    for attempt in range(2):
        try:
            stored = find_by_content(session, document.digest)
            if stored is not None:
                return _report_by_id(session, stored.id), False
            (report_id,) = store_many(session, [document], region_code=region)
            session.commit()
            return _report_by_id(session, report_id), True
        except IntegrityError:
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _report_by_id(session: Session, report_id: int) -> ReportOut:
    report = session.get(Report, report_id, options=REPORT_LOAD, populate_existing=True)
    assert report is not None
    return report_out(report)


@upload_router.post(
    "/fetch",
    summary="Ingest a report from a web address",
    description="Fetches the address and ingests the report it holds: the page's own text, "
    "or the PDF, Word (DOCX, DOC) or WPS attachment it links as the annual report, the page "
    "supplying the title, agency and year where the document does not print them. The page's "
    "and the document's addresses are stored (`source_url`, `document_url`) with the time of "
    "the fetch. Only public addresses are fetched: 422 `fetch_refused` for any other, also "
    "after a redirect; 422 `fetch_failed` when the address cannot be fetched; 422 "
    "`scanned_document` for a PDF whose pages are pictures. 201 new, 200 already stored.",
    status_code=201,
    response_model=ReportOut,
    dependencies=[WriteAccess],
    responses={
        200: {
            "model": ReportOut,
            "description": "The same document was already stored",
            "headers": WRITE_ETAG_HEADER,
        },
        201: {"headers": WRITE_ETAG_HEADER},
        **error_responses(400, 401, 413, 415, 422, 429),
    },
)
async def fetch_report_from_web(
    request: Request, response: Response, settings: SettingsDep, body: FetchRequest
) -> ReportOut:
    try:
        report, created = await _fetch_and_ingest(request, settings, body)
    except ApiError as exc:
        INGESTS.labels("rejected", exc.code).inc()
        raise
    INGESTS.labels("created" if created else "already_stored", "").inc()
    response.status_code = 201 if created else 200
    return report


@router.api_route(
    "/fetch", methods=["GET", "HEAD", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
def fetch_is_post_only() -> JSONResponse:
    # Without this, GET /reports/fetch would reach GET /reports/{report_id} and be answered
    # 422 for a report id that is not a number.
    return error_response(
        405, "method_not_allowed", "Method Not Allowed", headers={"Allow": "POST"}
    )


def _fetch(settings: Settings, url: str) -> FetchedDocument:
    fetched = None
    with Fetcher(
        allowed_hosts=settings.fetch_allowed_hosts,
        max_bytes=settings.max_upload_bytes,
        timeout=settings.fetch_timeout_seconds,
    ) as fetcher:
        fetched = fetch_report(fetcher, url)
    assert fetched is not None  # asked without validators: never "not modified"
    return fetched


async def _fetch_and_ingest(
    request: Request, settings: Settings, body: FetchRequest
) -> tuple[ReportOut, bool]:
    # As for uploads, the database is held only to look the document up and to store it.
    document = await run_in_threadpool(_fetch, settings, body.url)
    async with database_session(request) as session:
        stored_id = await run_in_threadpool(stored_report, session, document)
        if stored_id is not None:
            return await run_in_threadpool(_report_by_id, session, stored_id), False
    agency = body.agency.strip() if body.agency else None
    prepared = await request.app.state.parse_pool.run(
        prepare_fetched, document.data, document.media_type, agency, body.year, document.hints
    )
    async with database_session(request) as session:
        report_id, created = await run_in_threadpool(
            store_fetched, session, document, prepared, body.region
        )
        return await run_in_threadpool(_report_by_id, session, report_id), created


@router.get(
    "",
    summary="List reports",
    description="Current reports (newest revision of each agency and year) unless "
    "`include_superseded` is set, newest year first.",
    response_model=Page[ReportOut],
    responses={**examples.ok(examples.REPORT_PAGE), **error_responses(422)},
)
def list_reports(
    session: SessionDep,
    agency_id: Id | None = None,
    year: Year | None = None,
    region: Annotated[
        RegionCode | None,
        Query(description="A region code; everything under it is included."),
    ] = None,
    format: Annotated[Format | None, Query()] = None,
    include_superseded: bool = False,
    synthetic: Annotated[
        bool | None,
        Query(description="`false`: documents only; `true`: synthetic reports only; unset: both."),
    ] = None,
    failing_checks: Annotated[
        bool, Query(description="Only reports with at least one failing arithmetic check.")
    ] = False,
    unreadable_cells: Annotated[
        bool, Query(description="Only reports with at least one cell that could not be read.")
    ] = False,
    limit: Annotated[Limit, Query(description="Page size (at most 1000).")] = 100,
    offset: Annotated[Offset, Query(description="Items to skip.")] = 0,
) -> Page[ReportOut]:
    query = select(Report)
    if synthetic is not None:
        query = query.where(Report.synthetic.is_(synthetic))
    if failing_checks:
        query = query.where(Report.checks_failed > 0)
    if unreadable_cells:
        unreadable = select(ReportTable.report_id).where(
            ReportTable.report_id == Report.id, ReportTable.unreadable > 0
        )
        query = query.where(unreadable.exists())
    if agency_id is not None:
        query = query.where(Report.agency_id == agency_id)
    if year is not None:
        query = query.where(Report.year == year)
    if format is not None:
        query = query.where(Report.format == format)
    if not include_superseded:
        query = query.where(Report.is_current.is_(True))
    if region is not None:
        codes = region_and_descendants(region)
        query = query.join(Agency, Report.agency_id == Agency.id).where(
            Agency.region_code.in_(select(codes.c.code))
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(*REPORT_LOAD)
        .order_by(Report.year.desc(), Report.id.desc())
        .limit(limit)
        .offset(offset)
    ).unique()
    return Page(items=[report_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/{report_id}",
    summary="Get a report",
    response_model=ReportOut,
    responses=error_responses(404, 422),
)
def get_report(report: ReportDep) -> ReportOut:
    return report_out(report)


@router.get(
    "/{report_id}/revisions",
    summary="List every revision of a report",
    description="All documents stored for this report's agency and year, newest first. "
    "A document read again by a newer parser stays the same revision; what the re-read "
    "changed is listed under `/reports/{id}/rereads`.",
    response_model=Page[ReportOut],
    responses={**examples.ok(examples.REPORT_PAGE), **error_responses(404, 422)},
)
def list_revisions(report: ReportDep, session: SessionDep) -> Page[ReportOut]:
    rows = list(
        session.scalars(
            select(Report)
            .where(Report.agency_id == report.agency_id, Report.year == report.year)
            .options(*REPORT_LOAD)
            .order_by(Report.revision.desc())
        ).unique()
    )
    return Page(items=[report_out(r) for r in rows], total=len(rows), limit=len(rows), offset=0)


@router.get(
    "/{report_id}/rereads",
    summary="List a report's re-reads",
    description="Each time `gkstats reparse` read this report's document again with a newer "
    "parser and the report changed (it is updated in place, keeping its id and revision), "
    "newest first, with what it said before.",
    response_model=RereadList,
    responses={**examples.ok(examples.REREADS), **error_responses(404, 422)},
)
def list_rereads(report: ReportDep, session: SessionDep) -> RereadList:
    rows = session.scalars(
        select(ReportReread)
        .where(ReportReread.report_id == report.id)
        .order_by(ReportReread.id.desc())
    )
    return RereadList(
        report_id=report.id,
        items=[
            RereadOut(
                reread_at=as_utc(r.reread_at),
                parser_before=r.parser_before,
                parser_after=r.parser_after,
                changes=r.changes,
            )
            for r in rows
        ],
    )


@router.get(
    "/{report_id}/document",
    summary="Download the original document",
    description="The bytes exactly as they were ingested, with their media type.",
    response_class=Response,
    responses={
        200: {
            "content": {
                m: {"schema": {"type": "string", "format": "binary"}} for m in SUPPORTED_MEDIA_TYPES
            },
            "description": "The document",
        },
        **error_responses(404, 422),
    },
)
@immutable_body
def get_document(report: ReportDep, session: SessionDep) -> Response:
    content = session.scalar(select(Document.content).where(Document.id == report.document_id))
    assert content is not None
    return Response(content, media_type=report.document.media_type)


@router.get(
    "/{report_id}/sections",
    summary="List a report's parts: its preamble (0), when it has one, and 一 to 六 (1 to 6)",
    response_model=SectionList,
    responses={**examples.ok(examples.SECTIONS), **error_responses(404, 422)},
)
def list_sections(report: ReportDep, session: SessionDep) -> SectionList:
    rows = session.scalars(
        select(Section).where(Section.report_id == report.id).order_by(Section.number)
    )
    return SectionList(
        report_id=report.id,
        items=[SectionOut(number=s.number, key=s.key, title=s.title, text=s.text) for s in rows],
    )


@router.get(
    "/{report_id}/sections/{number}",
    summary="Get one part of a report",
    response_model=SectionOut,
    responses=error_responses(404, 422),
)
def get_section(
    report: ReportDep,
    session: SessionDep,
    number: Annotated[
        int, Path(ge=0, le=6, description="1 to 6 (一 to 六), or 0 for the preamble")
    ],
) -> SectionOut:
    section = session.get(Section, (report.id, number))
    if section is None:
        raise NotFound(f"report {report.id} has no part {number}")
    return SectionOut(
        number=section.number, key=section.key, title=section.title, text=section.text
    )


async def cells_answer(
    session: SessionDep,
    report_id: ReportId,
    table: TableKey | None = None,
    row: Annotated[str | None, Query(max_length=40, examples=["new"])] = None,
    col: Annotated[str | None, Query(max_length=24, examples=["total"])] = None,
    include_derived: bool = False,
) -> Answer[dict[str, Any], dict[str, Any]]:
    # The hottest read: plain rows in, orjson out, no ORM objects or per-cell models. It runs
    # on the event loop: its indexed reads cost less than a trip through the thread pool.
    connection = session.connection()  # Core execution: no ORM bookkeeping for plain rows
    fmt = connection.scalar(_format_query(), {"report_id": report_id})
    if fmt is None:
        raise NotFound(f"report {report_id} does not exist")
    cells = load_cells(connection, [report_id], table).get(report_id, [])
    places = CELL_PLACES[cast(Format, fmt)]
    # Each cell's fields are unpacked into names rather than read as attributes: on this path
    # that would double the time spent in Python.
    placed = [
        (places.get((t, r, c), UNKNOWN_PLACE), t, r, c, value, raw, status, unit)
        for t, r, c, value, raw, status, unit in cells
    ]
    placed.sort(key=itemgetter(0))
    items: list[dict[str, Any]] = [
        {
            "table": t,
            "row": r,
            "col": c,
            "value": json_number(value, is_amount),
            "raw": raw,
            "status": status,
            "unit": unit,
            "derived": False,
        }
        for (_, is_amount), t, r, c, value, raw, status, unit in placed
        if (row is None or r == row) and (col is None or c == col)
    ]
    if include_derived and table in (None, "requests"):
        items.extend(
            d.model_dump()
            for d in _derived_cells(cells)
            if (row is None or d.row == row) and (col is None or d.col == col)
        )
    body = {"report_id": report_id, "format": fmt, "items": items, "total": len(items)}
    return Answer(body, Sheet(f"report-{report_id}-cells", "cells", CELL_COLUMNS, items))


_CELLS_SUMMARY = "List a report's table cells"
_CELLS_DESCRIPTION = (
    "Every printed cell in long form, in printed order. `include_derived` adds the subtotals "
    "the table does not print (group rows and the `legal_person` column), marked `derived`. "
    + SHEET_NOTE.format(path="/api/v1/reports/{report_id}/cells")
)


@router.get(
    "/{report_id}/cells",
    summary=_CELLS_SUMMARY,
    description=_CELLS_DESCRIPTION,
    response_model=CellList,
    responses={**examples.ok(examples.CELLS), **error_responses(404, 422)},
)
async def list_cells(
    answer: Annotated[Answer[dict[str, Any], dict[str, Any]], Depends(cells_answer)],
) -> Response:
    return Response(orjson.dumps(answer.model), media_type="application/json")


add_sheet_routes(
    router,
    "/{report_id}/cells",
    cells_answer,
    name="list_cells",
    summary=_CELLS_SUMMARY,
    description=_CELLS_DESCRIPTION,
    csv_example=examples.CELLS_CSV,
    errors=(404, 422),
)


@cache
def _format_query() -> Select[Any]:
    """The report's format, built once: building a statement per request cost more than
    running it."""
    return select(Report.format).where(Report.id == bindparam("report_id"))


def _derived_cells(cells: Iterable[CellRow]) -> list[CellOut]:
    requests = {(c.row, c.col): (c.value, c.status) for c in cells if c.table == "requests"}
    printed_rows = {row for row, _ in requests}
    return [
        CellOut(
            table=d.table,
            row=d.row,
            col=d.col,
            value=json_number(d.value, is_amount=False),
            raw="",
            status=cast(Any, d.status),
            derived=True,
        )
        for d in derive_request_subtotals(requests, printed_rows)
    ]


def table_answer(
    report: ReportDep, session: SessionDep, table: TableKey
) -> Answer[TableOut, TableRowOut]:
    spec = TABLES[table]
    fmt = cast(Format, report.format)
    cells = {
        (c.row, c.col): c
        for c in load_cells(session.connection(), [report.id], table).get(report.id, [])
    }
    single_other = fmt == "2021" and any(row == "other" for row, _ in cells)
    rows: list[TableRowOut] = []
    for row in spec.printed_rows(fmt, single_other=single_other):
        columns = spec.columns_for(row, fmt)
        rows.append(
            TableRowOut(
                key=row.key,
                label_zh=spec.label_for(row, fmt),
                label_en=row.label_en,
                columns=[
                    ColumnOut(key=c.key, label_zh=c.label_zh, label_en=c.label_en) for c in columns
                ],
                cells=[
                    cell_out(cells[(row.key, c.key)], fmt) if (row.key, c.key) in cells else None
                    for c in columns
                ],
            )
        )
    answer = TableOut(
        report_id=report.id,
        table=table,
        title_zh=spec.title_zh,
        title_en=spec.title_en,
        format=fmt,
        rows=rows,
    )
    name = f"report-{report.id}-{table}"
    return Answer(answer, Sheet(name, table, table_columns(answer), rows))


_TABLE_SUMMARY = "Get one table as printed"
_TABLE_DESCRIPTION = (
    "Rows × columns with their Chinese and English labels, in printed order. A cell the report "
    "did not print is null. "
    + SHEET_NOTE.format(path="/api/v1/reports/{report_id}/tables/{table}")
    + " A spreadsheet has a row per printed row (its key and label), a column per printed "
    "column label, and the values; a cell not printed is empty."
)

# Before /{report_id}/tables/{table}, which would otherwise take `requests.csv` for a table.
add_sheet_routes(
    router,
    "/{report_id}/tables/{table}",
    table_answer,
    name="get_table",
    summary=_TABLE_SUMMARY,
    description=_TABLE_DESCRIPTION,
    csv_example=examples.TABLE_CSV,
    errors=(404, 422),
)


@router.get(
    "/{report_id}/tables/{table}",
    summary=_TABLE_SUMMARY,
    description=_TABLE_DESCRIPTION,
    response_model=TableOut,
    responses={**examples.ok(examples.TABLE), **error_responses(404, 422)},
)
def get_table(
    answer: Annotated[Answer[TableOut, TableRowOut], Depends(table_answer)],
) -> TableOut:
    return answer.model


@router.get(
    "/{report_id}/checks",
    summary="List a report's arithmetic checks (勾稽关系)",
    response_model=CheckList,
    responses={**examples.ok(examples.CHECKS), **error_responses(404, 422)},
)
def list_checks(
    report: ReportDep,
    session: SessionDep,
    result: CheckOutcome | None = None,
) -> CheckList:
    query = select(ReportCheck).where(ReportCheck.report_id == report.id)
    if result is not None:
        query = query.where(ReportCheck.result == result)
    checks = session.scalars(query.order_by(ReportCheck.rule, ReportCheck.scope))
    return CheckList(
        report_id=report.id,
        summary=checks_summary(report),
        items=[check_out(c) for c in checks],
    )


@router.delete(
    "/{report_id}",
    summary="Withdraw a revision",
    description="For a document that should not have been stored: another agency's report, "
    "the wrong year, a hostile upload. The revision stops being served: when it was the "
    "current one, the newest earlier revision of the same agency and year that is not "
    "withdrawn is served again (or none), and the stats follow at once. Nothing is deleted: "
    "the report, its cells and its document stay readable, marked with `withdrawn_at` and "
    "`withdrawal_reason`, and posting the same bytes again returns it, still withdrawn. "
    "Needs an API key.",
    response_model=ReportOut,
    dependencies=[WriteAccess],
    responses={
        200: {
            "description": "The revision, now withdrawn",
            "content": {"application/json": {"example": WITHDRAWN_REPORT_EXAMPLE}},
            "headers": WRITE_ETAG_HEADER,
        },
        **error_responses(401, 404, 409, 422, 429),
    },
)
def withdraw_revision(
    report: ReportDep,
    session: SessionDep,
    reason: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Why it is withdrawn, kept with the report.",
            examples=["another agency's report, uploaded under this one by mistake"],
        ),
    ] = None,
) -> ReportOut:
    withdraw_report(session, report, (reason or "").strip() or None)
    session.commit()
    withdrawn = session.get(Report, report.id, options=REPORT_LOAD, populate_existing=True)
    assert withdrawn is not None
    return report_out(withdrawn)
