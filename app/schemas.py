"""Pydantic shapes of the API: what goes in and what comes out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.catalog import Format, ValueKind
from app.checks import CheckOutcome
from app.parsing.model import CellStatus, Source
from app.regions.data import REGION_CODE_PATTERN, RegionLevel
from app.regions.placing import AgencyKind
from app.stats import RankBy, RankOrder, StatsValue

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many items match, across all pages.")
    limit: int
    offset: int


class RegionRef(BaseModel):
    code: str = Field(examples=["230811"])
    name: str = Field(examples=["前进区"])
    level: RegionLevel


class RegionOut(RegionRef):
    parent_code: str | None = Field(examples=["230800"])
    former_names: list[str] = Field(default_factory=list)


class RegionDetail(RegionOut):
    path: list[RegionRef] = Field(description="Ancestors from the province down, then itself.")
    children: list[RegionRef]


class AgencyRef(BaseModel):
    id: int
    name: str = Field(examples=["青禾市云岭区数据资源管理局"])
    region: RegionRef | None = None


class AgencyOut(AgencyRef):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "name": "淮安市洪泽区人民政府",
                    "region": {"code": "320813", "name": "洪泽区", "level": "county"},
                    "kind": "people_government",
                    "region_candidates": [],
                    "years": [2023, 2024],
                }
            ]
        }
    )

    kind: str | None = Field(
        default=None,
        description="people_government, government_office, department, township_street or other.",
    )
    region_candidates: list[str] = Field(
        default_factory=list,
        description="Region codes the name could denote while the agency is not placed.",
    )
    years: list[int] = Field(default_factory=list, description="Years with a current report.")


class SourceOut(BaseModel):
    filename: str | None = Field(examples=["2020-annual-report.txt"])
    media_type: str = Field(examples=["text/plain"])
    sha256: str
    size: int = Field(description="Bytes as received.")


class ChecksSummary(BaseModel):
    passed: int
    failed: int
    not_assessable: int


class ProvenanceOut(BaseModel):
    """Where the agency and the year were read, most trusted first: given (agency=/year= of
    the upload), title, period (the statistics period), prose (a sentence such as
    '由XX编制'), metadata (PDF/Word properties, the HTML title), filename."""

    agency: Source | None
    year: Source | None


REPORT_EXAMPLE: dict[str, Any] = {
    "id": 1,
    "agency": {"id": 1, "name": "青禾市云岭区数据资源管理局", "region": None},
    "year": 2020,
    "format": "2019",
    "period_start": "2020-01-01",
    "period_end": "2020-12-31",
    "title": "青禾市云岭区数据资源管理局 2020 年 政府信息公开工作年度报告",
    "publisher": None,
    "contact_phone": "0000-5550123",
    "source_url": None,
    "revision": 1,
    "is_current": True,
    "ingested_at": "2026-01-15T08:30:00Z",
    "parser_version": "1",
    "source": {
        "filename": "2020-qinghe-yunling-data-bureau.txt",
        "media_type": "text/plain",
        "sha256": "9f2c…",
        "size": 9312,
    },
    "warnings": [],
    "provenance": {"agency": "title", "year": "title"},
    "checks": {"passed": 38, "failed": 0, "not_assessable": 0},
    "synthetic": False,
    "withdrawn_at": None,
    "withdrawal_reason": None,
    "document_url": None,
    "fetched_at": None,
}
WITHDRAWN_REPORT_EXAMPLE = {
    **REPORT_EXAMPLE,
    "id": 2,
    "revision": 2,
    "is_current": False,
    "ingested_at": "2026-02-03T09:12:00Z",
    "source": {**REPORT_EXAMPLE["source"], "sha256": "4be1…", "size": 8876},
    "withdrawn_at": "2026-02-03T10:05:00Z",
    "withdrawal_reason": "another agency's report, uploaded under this one by mistake",
}


class ReportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})

    id: int
    agency: AgencyRef
    year: int
    format: Format = Field(
        description="The table layout printed: 2019 (国办公开办函〔2019〕60号) "
        "or 2021 (〔2021〕30号)."
    )
    period_start: date | None
    period_end: date | None
    title: str | None
    publisher: str | None
    contact_phone: str | None
    source_url: str | None
    revision: int = Field(description="1 for the first document of this agency and year.")
    is_current: bool = Field(
        description="Whether this is the revision served: the newest one not withdrawn."
    )
    ingested_at: datetime
    parser_version: str
    source: SourceOut
    warnings: list[str]
    provenance: ProvenanceOut | None = Field(
        description="Where the agency and year were read; null for reports stored before "
        "this was recorded."
    )
    checks: ChecksSummary
    synthetic: bool = Field(
        default=False, description="Generated for benchmarks (`gkstats synth`); not real data."
    )
    withdrawn_at: datetime | None = Field(
        description="When this revision was withdrawn (`DELETE /reports/{id}`), or null. A "
        "withdrawn revision is never current and stats leave it out; it stays readable, with "
        "its document, and posting the same bytes again returns it still withdrawn."
    )
    withdrawal_reason: str | None = Field(description="The reason given when it was withdrawn.")
    document_url: str | None = Field(
        default=None,
        description="For a report fetched from the web: the address of its document, an "
        "attachment of the page at `source_url` or that page itself.",
    )
    fetched_at: datetime | None = Field(
        default=None, description="When the document was fetched from `document_url`."
    )


class FetchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://www.example.gov.cn/zfxxgk/ndbg/2023/t20240115_1.html"}]
        },
    )

    url: str = Field(
        max_length=2000,
        pattern=r"^[hH][tT][tT][pP][sS]?://",
        description="The page holding the report, or linking it as a PDF, Word or WPS "
        "attachment; or the document's own address.",
    )
    region: str | None = Field(
        default=None,
        pattern=r"^\d{6}$",
        description="GB/T 2260 code placing the agency explicitly.",
    )
    agency: str | None = Field(
        default=None,
        min_length=2,
        max_length=200,
        description="The agency's name, for a document that does not print it. Overrides the "
        "printed name, with a warning.",
    )
    year: int | None = Field(
        default=None, ge=1990, le=2100, description="The report year, for a document without one."
    )


class SearchSection(BaseModel):
    number: int = Field(description="0 for the preamble, 1 to 6 for 一 to 六.")
    key: str = Field(examples=["problems"])
    title: str = Field(examples=["五、存在的主要问题及改进情况"])


class SearchHit(BaseModel):
    """One part of a current report that matches the query."""

    report_id: int
    agency: AgencyName
    year: int
    report_title: str | None
    section: SearchSection
    snippet: str = Field(
        description="Plain text around the first match (line breaks as spaces), with `…` where "
        "the part goes on. Never markup: show it as text."
    )
    highlights: list[tuple[int, int]] = Field(
        description="Where the query's words are in `snippet`: [start, end) offsets in Unicode "
        "code points (a JavaScript string indexes UTF-16 units: use Array.from(snippet) for "
        "characters outside the Basic Multilingual Plane)."
    )
    rank: float = Field(
        description="Relevance, higher first: the engine's own measure (FTS5 bm25 on SQLite, "
        "ts_rank_cd on PostgreSQL), comparable within one answer only."
    )


class SectionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": 5,
                    "key": "problems",
                    "title": "五、存在的主要问题及改进情况",
                    "text": "一是公开内容的解读还不够通俗。下一步将……",
                }
            ]
        }
    )

    number: int = Field(
        ge=0,
        le=6,
        examples=[1],
        description="1 to 6 for the parts 一 to 六; 0 for the preamble, the text before 一.",
    )
    key: str = Field(examples=["overview"], description="The catalog's key: preamble, overview, …")
    title: str = Field(
        examples=["一、总体情况"], description="As printed; empty for the preamble, which has none."
    )
    text: str


class SectionList(BaseModel):
    report_id: int
    items: list[SectionOut]


class RereadOut(BaseModel):
    """The report's document read again by a newer parser, and what that changed."""

    reread_at: datetime
    parser_before: str
    parser_after: str
    changes: dict[str, Any] = Field(
        description="`fields`: name → [before, after] (agency, year, title, warnings, …); "
        "`cells`: [key, before, after], each [value, status, raw, unit] or null where the cell "
        "was absent; `sections`: the numbers of the parts whose text changed; `checks`: "
        "[before, after] counts passed, failed and not assessable, or null."
    )


class RereadList(BaseModel):
    report_id: int
    items: list[RereadOut]


class CellOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "table": "requests",
                    "row": "new",
                    "col": "total",
                    "value": 57,
                    "raw": "57",
                    "status": "number",
                    "unit": None,
                    "derived": False,
                },
                {
                    "table": "proactive",
                    "row": "procurement",
                    "col": "amount",
                    "value": 126.5,
                    "raw": "126.5万元",
                    "status": "number",
                    "unit": "万元",
                    "derived": False,
                },
            ]
        }
    )

    table: str = Field(examples=["requests"])
    row: str = Field(examples=["new"])
    col: str = Field(examples=["total"])
    value: int | float | None = Field(
        examples=[12],
        description="A number (integer for counts), or null when blank, not applicable or "
        "unreadable. A blank is never 0.",
    )
    raw: str = Field(examples=["12"], description="The text as printed.")
    status: CellStatus
    unit: str | None = Field(default=None, description="A unit written in the cell: 元 or 万元.")
    derived: bool = Field(default=False, description="True for subtotals the table does not print.")


class CellList(BaseModel):
    report_id: int
    format: Format
    items: list[CellOut]
    total: int


class ColumnOut(BaseModel):
    key: str
    label_zh: str
    label_en: str


class TableRowOut(BaseModel):
    key: str
    label_zh: str
    label_en: str
    columns: list[ColumnOut]
    cells: list[CellOut | None] = Field(
        description="One per column, in column order; null where the report printed nothing."
    )


class TableOut(BaseModel):
    report_id: int
    table: str
    title_zh: str
    title_en: str
    format: Format
    rows: list[TableRowOut]


class CheckOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rule": "requests.balance",
                    "table": "requests",
                    "scope": "total",
                    "result": "fail",
                    "left": 62,
                    "right": 57,
                    "difference": 5,
                    "cells": [
                        "requests.new.total",
                        "requests.carried_over.total",
                        "requests.processed_total.total",
                        "requests.carried_forward.total",
                    ],
                    "message": "new + carried_over = 62 but processed_total + carried_forward "
                    "= 57 (difference 5)",
                }
            ]
        }
    )

    rule: str = Field(examples=["requests.balance"])
    table: str = Field(examples=["requests"])
    scope: str = Field(examples=["total"], description="The column or row the rule was applied to.")
    result: CheckOutcome
    left: float | None = None
    right: float | None = None
    difference: float | None = None
    cells: list[str] = Field(description="The table.row.col keys involved.")
    message: str


class CheckList(BaseModel):
    report_id: int
    summary: ChecksSummary
    items: list[CheckOut]


class CatalogColumn(ColumnOut):
    kind: ValueKind


class CatalogRow(BaseModel):
    key: str
    label_zh: str
    label_en: str
    formats: list[Format]
    columns: dict[str, list[CatalogColumn]] = Field(
        description="The row's columns in each format that has it."
    )


class CatalogTable(BaseModel):
    key: str
    part: int
    title_zh: str
    title_en: str
    rows: list[CatalogRow]


class CatalogSection(BaseModel):
    number: int
    key: str
    title_zh: str
    title_en: str


class Catalog(BaseModel):
    tables: list[CatalogTable]
    sections: list[CatalogSection]
    cell_statuses: list[str]
    formats: list[str]


class Health(BaseModel):
    status: Literal["ok"]
    database: str = Field(description="The kind of database configured: sqlite or postgresql.")


class ReplicaReadiness(BaseModel):
    status: Literal["available", "unavailable"] = Field(
        description="`unavailable`: the replica did not answer (now or within the last "
        "REPLICA_RETRY_SECONDS), and every read goes to the primary until it does."
    )
    data_version: int | None = Field(
        description="The data version the replica has replayed; null when unavailable."
    )
    lag_versions: int | None = Field(
        description="Writes the primary has committed that the replica has not replayed yet; "
        "null when unavailable."
    )


class Readiness(BaseModel):
    status: Literal["ready"]
    database: str
    revision: str = Field(description="The database's migration revision, the head.")
    reports: int = Field(description="Reports stored, every revision counted.")
    data_version: int = Field(description="The primary's data version: writes committed.")
    reads: Literal["primary", "replica"] = Field(
        description="Where reads go now: `replica` when DATABASE_READ_URL names one that "
        "answers (a read whose If-None-Match names a newer version than it has replayed still "
        "goes to the primary), `primary` otherwise."
    )
    replica: ReplicaReadiness | None = Field(
        default=None, description="The replica DATABASE_READ_URL names; null without one."
    )


# Stats: aggregation across regions and years.


class RegionName(BaseModel):
    code: str = Field(examples=["230811"])
    name: str = Field(examples=["前进区"])


class AgencyName(BaseModel):
    id: int
    name: str = Field(examples=["佳木斯市前进区人民政府"])


class StatsGroup(BaseModel):
    """One group. Only the keys named in `group_by` appear; a region key that is null holds
    agencies not placed at that level (unplaced, or placed above it)."""

    year: int | None = None
    province: RegionName | None = None
    city: RegionName | None = None
    county: RegionName | None = None
    agency: AgencyName | None = None
    agency_kind: str | None = None
    format: Format | None = None
    values: dict[str, StatsValue] = Field(
        description="Per metric: the sum over reports that gave a number, or the ratio of sums; "
        "null when no report gave one or a ratio's denominator is 0."
    )
    reports: int = Field(description="Current reports in the group.")
    missing: dict[str, int] = Field(
        description="Per metric: reports whose format has the metric but that gave no number "
        "for it (blank, not applicable, unreadable or not printed); for a ratio, reports "
        "lacking any of its components."
    )
    previous: dict[str, StatsValue] | None = Field(
        default=None, description="With compare=previous_year: the same group a year earlier."
    )
    change: dict[str, StatsValue] | None = Field(
        default=None, description="With compare=previous_year: value − previous."
    )
    change_pct: dict[str, StatsValue] | None = Field(
        default=None,
        description="With compare=previous_year: 100 × change / previous; null when previous "
        "is null or 0.",
    )


class StatsTotals(BaseModel):
    values: dict[str, StatsValue]
    reports: int
    missing: dict[str, int]


class StatsAggregate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "year": 2020,
                            "county": {"code": "230803", "name": "向阳区"},
                            "values": {"requests.new.total": 123, "disclosure_rate": 0.61},
                            "reports": 17,
                            "missing": {"requests.new.total": 1, "disclosure_rate": 2},
                        },
                        {
                            "year": 2020,
                            "county": {"code": "230804", "name": "前进区"},
                            "values": {"requests.new.total": 88, "disclosure_rate": 0.57},
                            "reports": 12,
                            "missing": {"requests.new.total": 0, "disclosure_rate": 0},
                        },
                    ],
                    "total": 2,
                    "limit": 100,
                    "offset": 0,
                    "metrics": ["requests.new.total", "disclosure_rate"],
                    "group_by": ["year", "county"],
                    "totals": {
                        "values": {"requests.new.total": 211, "disclosure_rate": 0.594},
                        "reports": 29,
                        "missing": {"requests.new.total": 1, "disclosure_rate": 2},
                    },
                }
            ]
        }
    )

    items: list[StatsGroup]
    total: int = Field(description="How many groups there are, across all pages.")
    limit: int
    offset: int
    metrics: list[str]
    group_by: list[str]
    totals: StatsTotals = Field(description="Over every group, not only this page.")


class RankItem(BaseModel):
    rank: int = Field(examples=[1])
    agency: AgencyName | None = Field(default=None, description="With by=agency.")
    region: RegionName | None = Field(default=None, description="With by=province|city|county.")
    value: int | float
    reports: int
    missing: int


class StatsRank(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "rank": 1,
                            "region": {"code": "230803", "name": "向阳区"},
                            "value": 123,
                            "reports": 17,
                            "missing": 1,
                        }
                    ],
                    "total": 7,
                    "metric": "requests.new.total",
                    "year": 2020,
                    "by": "county",
                    "order": "desc",
                }
            ]
        }
    )

    items: list[RankItem]
    total: int = Field(description="How many agencies or regions have a value to rank.")
    metric: str
    year: int
    by: RankBy
    order: RankOrder


class CoverageItem(BaseModel):
    region: RegionName | None = Field(
        description="Null: agencies not placed at this level (unplaced, or placed above it)."
    )
    year: int
    agencies: int = Field(description="Agencies known in the region (for every year alike).")
    reports: int = Field(description="Current reports for the year.")
    reports_failing: int = Field(description="Of those, reports with a failing check.")
    reports_flagged: int = Field(
        description="Of those, reports with a plausibility flag against the year before "
        "(`/api/v1/flags`)."
    )
    flags: int = Field(description="The flags of those reports.")


class StatsCoverage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "region": {"code": "230803", "name": "向阳区"},
                            "year": 2020,
                            "agencies": 21,
                            "reports": 17,
                            "reports_failing": 2,
                            "reports_flagged": 3,
                            "flags": 4,
                        }
                    ],
                    "total": 1,
                    "limit": 100,
                    "offset": 0,
                    "level": "county",
                }
            ]
        }
    )

    items: list[CoverageItem]
    total: int
    limit: int
    offset: int
    level: RegionLevel


class StatsKey(BaseModel):
    key: str = Field(examples=["requests.new.total"])
    kind: Literal["cell", "ratio"]
    formats: list[Format] = Field(description="Report formats that have it.")
    years: dict[str, list[int]] = Field(
        description="Per format, the years in which at least one current report gives a "
        "value; empty when no data has it yet.",
        examples=[{"2019": [2019, 2020], "2021": [2021, 2022]}],
    )
    reports: int = Field(description="Current reports that give a value, all years together.")
    description: str | None = Field(default=None, description="How a ratio is computed.")


class StatsKeyList(BaseModel):
    items: list[StatsKey]
    total: int


class AgencyPatch(BaseModel):
    """Fields to set; those left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"region_code": "230804", "kind": "people_government"}]},
    )

    region_code: str | None = Field(
        default=None,
        pattern=REGION_CODE_PATTERN,
        description="A GB/T 2260 code from /regions; null removes the placement.",
    )
    kind: AgencyKind | None = None


# An agency against itself (GET /agencies/{id}/compare).


class ComparedReport(BaseModel):
    id: int
    year: int
    format: Format


class CellSide(BaseModel):
    value: int | float | None = Field(description="Null unless the cell is a number: never 0.")
    raw: str | None = Field(description="As printed; null when the report did not print the cell.")
    status: CellStatus | None = Field(description="Null when the report did not print the cell.")


class CellComparison(BaseModel):
    key: str = Field(examples=["requests.new.total"])
    before: CellSide = Field(description="The earlier year's cell.")
    after: CellSide = Field(description="The later year's cell.")
    change: int | float | None = Field(description="after − before; null unless both are numbers.")
    change_pct: float | None = Field(
        description="The change in % of before; null when before is 0."
    )


class OneFormatCell(BaseModel):
    key: str = Field(examples=["proactive.procurement.amount"])
    year: int
    format: Format
    value: int | float | None
    raw: str
    status: CellStatus


class RateComparison(BaseModel):
    name: str = Field(examples=["disclosure_rate"])
    before: float | None
    after: float | None
    change: float | None


class DiffPieceOut(BaseModel):
    op: Literal["equal", "delete", "insert"]
    text: str


class SectionComparison(BaseModel):
    number: int
    title_before: str | None
    title_after: str | None
    before: str | None
    after: str | None
    diff: list[DiffPieceOut] = Field(
        description="Word by word (jieba): equal and delete pieces join into `before`, equal "
        "and insert pieces into `after`."
    )


class CheckSideOut(BaseModel):
    result: CheckOutcome
    left: float | None
    right: float | None


class CheckComparison(BaseModel):
    rule: str
    scope: str
    table: str
    before: CheckSideOut
    after: CheckSideOut


class AgencyComparison(BaseModel):
    agency: AgencyRef
    reports: list[ComparedReport] = Field(description="The earlier report, then the later.")
    cells: list[CellComparison] = Field(
        description="Every key printed in both reports' formats and present in either report."
    )
    one_format_only: list[OneFormatCell] = Field(
        description="Cells whose key only one of the two formats prints (across 2020 → 2021)."
    )
    rates: list[RateComparison]
    sections: list[SectionComparison]
    checks: list[CheckComparison] = Field(
        description="Checks that passed in one year and failed in the other."
    )


# Plausibility across years (GET /reports/{id}/flags).


class FlagOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rule": "requests.carried_over",
                    "key": "requests.carried_over.total",
                    "expected": 15,
                    "found": 12,
                    "sources": ["previous:requests.carried_forward.total"],
                    "message": "carried over 12 but the year before carried forward 15",
                }
            ]
        }
    )

    rule: str = Field(
        description="`requests.carried_over`, `proactive.in_force`, "
        "`proactive.prev_items` or `jump`."
    )
    key: str = Field(description="The cell of this report the flag is about.")
    expected: int | float = Field(
        description="What the year before (with this year's own cells, for "
        "a running count) leads one to expect; for `jump`, the year before's value."
    )
    found: int | float = Field(description="What this report says.")
    sources: list[str] = Field(
        description="The cells `expected` comes from; `previous:` marks the year before's."
    )
    message: str


class ReportFlags(BaseModel):
    report_id: int
    year: int
    previous_report_id: int | None = Field(
        description="The agency's current report of the year before; null when there is none, "
        "and then there is nothing to flag."
    )
    items: list[FlagOut]


class FlagItem(FlagOut):
    """A flag of a current report, with the report and the one of the year before it is
    checked against."""

    report_id: int
    agency: AgencyName
    year: int
    previous_report_id: int
    previous_year: int
