"""Answers as CSV: one writer, and per answer type the columns it writes, each a header and how
to read its value from an item of the answer."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Query, Request, Response

from app.catalog import FORMATS
from app.schemas import AgencyName, CoverageItem, RankItem, RegionName, StatsGroup, StatsKey
from app.stats import GEOGRAPHIC, GroupKey, RankBy

T = TypeVar("T")

CSV_NOTE = (
    "Answers in CSV with `output=csv` or `Accept: text/csv` (UTF-8 with a byte-order mark, "
    "so spreadsheet programs show the Chinese): one row per group."
)
CSV_ANSWER = "JSON, or CSV when asked for"  # the 200 answer's description
Output = Annotated[
    Literal["json", "csv"] | None,
    Query(description="`csv` for a spreadsheet; `Accept: text/csv` does the same."),
]


@dataclass(frozen=True, slots=True)
class CsvColumn(Generic[T]):
    header: str
    value: Callable[[T], object]  # None is written as an empty field


def wants_csv(request: Request, output: str | None) -> bool:
    if output is not None:
        return output == "csv"
    return "text/csv" in request.headers.get("accept", "")


def csv_response(columns: Sequence[CsvColumn[T]], items: Iterable[T], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    for item in items:
        writer.writerow(["" if (v := column.value(item)) is None else v for column in columns])
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def aggregate_columns(
    keys: Sequence[GroupKey], metrics: Sequence[str], compared: bool
) -> list[CsvColumn[StatsGroup]]:
    """The group keys (code and name for regions, id and name for agencies), `reports`, then
    per metric its value and `<metric>.missing`, and with a comparison the year before."""
    columns = [column for key in keys for column in _group_key_columns(key)]
    columns.append(CsvColumn("reports", lambda g: g.reports))
    for metric in metrics:
        columns += _metric_columns(metric, compared)
    return columns


def _group_key_columns(key: GroupKey) -> list[CsvColumn[StatsGroup]]:
    if key in GEOGRAPHIC:
        return _region_columns(key, lambda g: getattr(g, key))
    if key == "agency":
        return _agency_columns(lambda g: g.agency)
    return [CsvColumn(key, lambda g: getattr(g, key))]


def _metric_columns(metric: str, compared: bool) -> list[CsvColumn[StatsGroup]]:
    columns: list[CsvColumn[StatsGroup]] = [
        CsvColumn(metric, lambda g: g.values[metric]),
        CsvColumn(f"{metric}.missing", lambda g: g.missing[metric]),
    ]
    if compared:
        columns += [
            CsvColumn(f"{metric}.previous", lambda g: (g.previous or {}).get(metric)),
            CsvColumn(f"{metric}.change", lambda g: (g.change or {}).get(metric)),
            CsvColumn(f"{metric}.change_pct", lambda g: (g.change_pct or {}).get(metric)),
        ]
    return columns


def _region_columns(level: str, region: Callable[[T], RegionName | None]) -> list[CsvColumn[T]]:
    return [
        CsvColumn(f"{level}_code", lambda item: None if (r := region(item)) is None else r.code),
        CsvColumn(f"{level}_name", lambda item: None if (r := region(item)) is None else r.name),
    ]


def _agency_columns(agency: Callable[[T], AgencyName | None]) -> list[CsvColumn[T]]:
    return [
        CsvColumn("agency_id", lambda item: None if (a := agency(item)) is None else a.id),
        CsvColumn("agency_name", lambda item: None if (a := agency(item)) is None else a.name),
    ]


def rank_columns(metric: str, by: RankBy) -> list[CsvColumn[RankItem]]:
    return [
        CsvColumn("rank", lambda i: i.rank),
        *(
            _agency_columns(lambda i: i.agency)
            if by == "agency"
            else _region_columns(by, lambda i: i.region)
        ),
        CsvColumn(metric, lambda i: i.value),
        CsvColumn("reports", lambda i: i.reports),
        CsvColumn(f"{metric}.missing", lambda i: i.missing),
    ]


COVERAGE_COLUMNS: list[CsvColumn[CoverageItem]] = [
    *_region_columns("region", lambda i: i.region),
    CsvColumn("year", lambda i: i.year),
    CsvColumn("agencies", lambda i: i.agencies),
    CsvColumn("reports", lambda i: i.reports),
    CsvColumn("reports_failing", lambda i: i.reports_failing),
]


def _years_column(fmt: str) -> CsvColumn[StatsKey]:
    return CsvColumn(f"years_{fmt}", lambda k: " ".join(map(str, k.years.get(fmt, []))))


KEY_COLUMNS: list[CsvColumn[StatsKey]] = [
    CsvColumn("key", lambda k: k.key),
    CsvColumn("kind", lambda k: k.kind),
    CsvColumn("formats", lambda k: " ".join(k.formats)),
    *(_years_column(fmt) for fmt in FORMATS),
    CsvColumn("reports", lambda k: k.reports),
]
