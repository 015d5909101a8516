"""Answers as spreadsheets: per answer type its columns, listed once, and two renderings of
them, CSV and XLSX; and the `.csv` and `.xlsx` operations that serve them."""

# No `from __future__ import annotations`: FastAPI reads the annotations of the routes made in
# `add_sheet_routes`, and a string could not name the dependency local to that call.

import csv
import io
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

import xlsxwriter
from fastapi import APIRouter, Depends, Query, Request, Response

from app.catalog import FORMATS
from app.errors import json_error_responses
from app.schemas import (
    AgencyName,
    CellComparison,
    CoverageItem,
    FlagItem,
    RankItem,
    RegionName,
    StatsGroup,
    StatsKey,
    TableOut,
    TableRowOut,
)
from app.stats import GEOGRAPHIC, GroupKey, RankBy

T = TypeVar("T")
M = TypeVar("M")

SheetFormat = Literal["csv", "xlsx"]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[SheetFormat, str] = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}

OutputName = Literal["json", "csv", "xlsx"]
# Kept for clients from before the `.csv` and `.xlsx` operations, and left out of the OpenAPI
# description: there the JSON operation answers JSON alone, which generated clients rely on.
Output = Annotated[OutputName | None, Query(include_in_schema=False)]


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    header: str
    # str stays text (codes keep their digits), int and float are numbers, None an empty cell.
    value: Callable[[T], object]


@dataclass(frozen=True, slots=True)
class Sheet(Generic[T]):
    name: str  # the file name without its extension: gkstats-aggregate, report-12-requests
    title: str  # the worksheet's name in an XLSX file (at most 31 characters)
    columns: Sequence[Column[T]]
    rows: Sequence[T]


@dataclass(frozen=True, slots=True)
class Answer(Generic[M, T]):
    """One answer, computed once: the JSON model, and the same answer as a sheet."""

    model: M
    sheet: Sheet[Any]


def csv_bytes(sheet: Sheet[T]) -> bytes:
    # The byte-order mark makes Excel read UTF-8; LibreOffice ignores it (see the README).
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow(["" if (v := c.value(row)) is None else v for c in sheet.columns])
    return ("\ufeff" + buffer.getvalue()).encode()


MAX_WIDTH = 60  # characters; longer text wraps out of sight rather than widening the column


FIXED_CREATED = datetime(2019, 1, 1, tzinfo=UTC)


def xlsx_bytes(sheet: Sheet[T]) -> bytes:
    output = io.BytesIO()
    # in_memory: no temporary files. Every cell is written with its type's own method, so no
    # text is ever taken for a number, a formula or a link.
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    # A fixed creation time: the same answer is the same bytes, so HEAD's Content-Length is
    # GET's and a cache never sees two versions of one answer.
    workbook.set_properties({"created": FIXED_CREATED})
    worksheet = workbook.add_worksheet(sheet.title)
    bold = workbook.add_format({"bold": True})
    widths = [_width(column.header) for column in sheet.columns]
    for col, column in enumerate(sheet.columns):
        worksheet.write_string(0, col, column.header, bold)
    for number, row in enumerate(sheet.rows, start=1):
        for col, column in enumerate(sheet.columns):
            value = column.value(row)
            if value is None or value == "":  # as in CSV, an empty text is an empty cell
                continue
            if isinstance(value, bool):
                worksheet.write_boolean(number, col, value)
            elif isinstance(value, int | float):
                worksheet.write_number(number, col, value)
            else:
                worksheet.write_string(number, col, str(value))
            widths[col] = max(widths[col], _width(str(value)))
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, len(sheet.rows), max(len(sheet.columns) - 1, 0))
    workbook.close()
    return output.getvalue()


def _width(text: str) -> int:
    """Columns a text takes: Chinese characters are twice as wide as Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_response(sheet: Sheet[T], fmt: SheetFormat) -> Response:
    body = csv_bytes(sheet) if fmt == "csv" else xlsx_bytes(sheet)
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{sheet.name}.{fmt}"'},
    )


def asked_format(request: Request, output: OutputName | None) -> SheetFormat | None:
    """A spreadsheet asked of a JSON operation (`output`, else `Accept`); None for JSON."""
    if output == "csv" or output == "xlsx":
        return output
    if output is not None:
        return None
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if XLSX_MEDIA_TYPE in accept:
        return "xlsx"
    return None


def negotiated(request: Request, output: OutputName | None, answer: Answer[M, Any]) -> M | Response:
    fmt = asked_format(request, output)
    return answer.model if fmt is None else sheet_response(answer.sheet, fmt)


SHEET_NOTE = (
    "The same answer as a spreadsheet, with the same parameters: `{path}.csv` (UTF-8 with a "
    "byte-order mark) and `{path}.xlsx`, one row per item."
)
OUTPUT_NOTE = (
    "For clients written before those paths, the JSON operation still answers `output=csv` or "
    "`output=xlsx`, and `Accept: text/csv`, with the spreadsheet."
)


def add_sheet_routes(
    router: APIRouter,
    path: str,
    answer: Callable[..., Answer[Any, Any] | Awaitable[Answer[Any, Any]]],
    *,
    name: str,
    summary: str,
    description: str,
    csv_example: str,
    errors: tuple[int, ...],
) -> None:
    """Serve `answer`'s sheet at `path.csv` and `path.xlsx`. Their parameters are `answer`'s,
    which the JSON operation at `path` takes too, so the three always agree.

    Add them before a route whose last path parameter would take `….csv` as its value."""
    Found = Annotated[Answer[Any, Any], Depends(answer)]

    def as_csv(found: Found) -> Response:
        return sheet_response(found.sheet, "csv")

    def as_xlsx(found: Found) -> Response:
        return sheet_response(found.sheet, "xlsx")

    schemas: dict[SheetFormat, dict[str, Any]] = {
        # Text, not binary: generated clients give text/* as str, and binary as a file.
        "csv": {"schema": {"type": "string"}, "example": csv_example},
        "xlsx": {"schema": {"type": "string", "format": "binary"}},
    }
    endpoints: dict[SheetFormat, Callable[[Answer[Any, Any]], Response]] = {
        "csv": as_csv,
        "xlsx": as_xlsx,
    }
    for fmt, endpoint in endpoints.items():
        router.add_api_route(
            f"{path}.{fmt}",
            endpoint,
            methods=["GET"],
            name=f"{name}_{fmt}",
            summary=f"{summary} ({fmt.upper()})",
            description=description,
            response_class=_responses[fmt],
            responses={
                200: {
                    "description": f"The answer as {fmt.upper()}",
                    "content": {MEDIA_TYPES[fmt]: schemas[fmt]},
                },
                # 503 too: the app declares it for every operation, in the route's media type.
                **json_error_responses(*errors, 503),
            },
        )


class CsvResponse(Response):
    media_type = CSV_MEDIA_TYPE


class XlsxResponse(Response):
    media_type = XLSX_MEDIA_TYPE


# The response class names the one media type FastAPI declares for the 200.
_responses: dict[SheetFormat, type[Response]] = {"csv": CsvResponse, "xlsx": XlsxResponse}


# The columns of each answer type.


def aggregate_columns(
    keys: Sequence[GroupKey], metrics: Sequence[str], compared: bool
) -> list[Column[StatsGroup]]:
    """The group keys (code and name for regions, id and name for agencies), `reports`, then
    per metric its value and `<metric>.missing`, and with a comparison the year before."""
    columns = [column for key in keys for column in _group_key_columns(key)]
    columns.append(Column("reports", lambda g: g.reports))
    for metric in metrics:
        columns += _metric_columns(metric, compared)
    return columns


def _group_key_columns(key: GroupKey) -> list[Column[StatsGroup]]:
    if key in GEOGRAPHIC:
        return _region_columns(key, lambda g: getattr(g, key))
    if key == "agency":
        return _agency_columns(lambda g: g.agency)
    return [Column(key, lambda g: getattr(g, key))]


def _metric_columns(metric: str, compared: bool) -> list[Column[StatsGroup]]:
    columns: list[Column[StatsGroup]] = [
        Column(metric, lambda g: g.values[metric]),
        Column(f"{metric}.missing", lambda g: g.missing[metric]),
    ]
    if compared:
        columns += [
            Column(f"{metric}.previous", lambda g: (g.previous or {}).get(metric)),
            Column(f"{metric}.change", lambda g: (g.change or {}).get(metric)),
            Column(f"{metric}.change_pct", lambda g: (g.change_pct or {}).get(metric)),
        ]
    return columns


def _region_columns(level: str, region: Callable[[T], RegionName | None]) -> list[Column[T]]:
    return [
        Column(f"{level}_code", lambda item: None if (r := region(item)) is None else r.code),
        Column(f"{level}_name", lambda item: None if (r := region(item)) is None else r.name),
    ]


def _agency_columns(agency: Callable[[T], AgencyName | None]) -> list[Column[T]]:
    return [
        Column("agency_id", lambda item: None if (a := agency(item)) is None else a.id),
        Column("agency_name", lambda item: None if (a := agency(item)) is None else a.name),
    ]


def rank_columns(metric: str, by: RankBy) -> list[Column[RankItem]]:
    return [
        Column("rank", lambda i: i.rank),
        *(
            _agency_columns(lambda i: i.agency)
            if by == "agency"
            else _region_columns(by, lambda i: i.region)
        ),
        Column(metric, lambda i: i.value),
        Column("reports", lambda i: i.reports),
        Column(f"{metric}.missing", lambda i: i.missing),
    ]


COVERAGE_COLUMNS: list[Column[CoverageItem]] = [
    *_region_columns("region", lambda i: i.region),
    Column("year", lambda i: i.year),
    Column("agencies", lambda i: i.agencies),
    Column("reports", lambda i: i.reports),
    Column("reports_failing", lambda i: i.reports_failing),
    Column("reports_flagged", lambda i: i.reports_flagged),
    Column("flags", lambda i: i.flags),
]

FLAG_COLUMNS: list[Column[FlagItem]] = [
    Column("report_id", lambda f: f.report_id),
    *_agency_columns(lambda f: f.agency),
    Column("year", lambda f: f.year),
    Column("previous_report_id", lambda f: f.previous_report_id),
    Column("previous_year", lambda f: f.previous_year),
    Column("rule", lambda f: f.rule),
    Column("key", lambda f: f.key),
    Column("expected", lambda f: f.expected),
    Column("found", lambda f: f.found),
    Column("sources", lambda f: " ".join(f.sources)),
    Column("message", lambda f: f.message),
]


def _years_column(fmt: str) -> Column[StatsKey]:
    return Column(f"years_{fmt}", lambda k: " ".join(map(str, k.years.get(fmt, []))))


KEY_COLUMNS: list[Column[StatsKey]] = [
    Column("key", lambda k: k.key),
    Column("kind", lambda k: k.kind),
    Column("formats", lambda k: " ".join(k.formats)),
    *(_years_column(fmt) for fmt in FORMATS),
    Column("reports", lambda k: k.reports),
]


def _field(name: str) -> Column[dict[str, Any]]:
    return Column(name, lambda item: item[name])


# A cell of a report, as /reports/{id}/cells gives it: a dict, for that route's speed.
CELL_COLUMNS: list[Column[dict[str, Any]]] = [
    Column("key", lambda c: f"{c['table']}.{c['row']}.{c['col']}"),
    *(
        _field(name)
        for name in ("table", "row", "col", "value", "raw", "status", "unit", "derived")
    ),
]


def table_columns(table: TableOut) -> list[Column[TableRowOut]]:
    """The table as printed: the row's key and label, then a column per printed column label
    (table 二 gives each group of rows its own columns: a row is empty under the others)."""
    labels = {c.key: c.label_zh for row in table.rows for c in row.columns}
    return [
        Column("row", lambda r: r.key),
        Column("label", lambda r: r.label_zh),
        *(_printed_column(key, label) for key, label in labels.items()),
    ]


def _printed_column(key: str, label: str) -> Column[TableRowOut]:
    def value(row: TableRowOut) -> object:
        for column, cell in zip(row.columns, row.cells, strict=True):
            if column.key == key:
                return None if cell is None else cell.value
        return None

    return Column(label, value)


def comparison_columns(before: int, after: int) -> list[Column[CellComparison]]:
    """A cell key per row: each year's value and status, the change and the % change."""
    return [
        Column("key", lambda c: c.key),
        Column(f"{before}.value", lambda c: c.before.value),
        Column(f"{before}.status", lambda c: c.before.status),
        Column(f"{after}.value", lambda c: c.after.value),
        Column(f"{after}.status", lambda c: c.after.status),
        Column("change", lambda c: c.change),
        Column("change_pct", lambda c: c.change_pct),
    ]
