"""What a metric is: a cell key (`table.row.col`) or a rate, and how each report's value is read.

A rate is a ratio of sums (`RATIOS`), never an average of rates. `measures()` reads every
report's values in SQL; `report_measures()` reads the same from one report's cells in Python.
The rollups (app/rollup.py) keep their sums current; the stats (app/stats.py) read them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Double,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from app.catalog import FORMATS, REQUEST_ROWS, TABLES, Format
from app.models import Cell, CellRow

CellKey = tuple[str, str, str]


def metric_name(key: CellKey) -> str:
    return ".".join(key)


@dataclass(frozen=True, slots=True)
class Ratio:
    """A rate computed as Σ numerator / Σ denominator over reports where every component
    cell is readable; each term is a cell key with a sign."""

    name: str
    description: str
    numerator: tuple[tuple[CellKey, int], ...]
    denominator: tuple[tuple[CellKey, int], ...]

    @property
    def components(self) -> tuple[CellKey, ...]:
        return tuple(dict.fromkeys(key for key, _ in self.numerator + self.denominator))


def _review_terms(rows: Sequence[str]) -> tuple[tuple[tuple[CellKey, int], ...], ...]:
    corrected = tuple((("reviews", r, "corrected"), 1) for r in rows)
    decided = tuple(
        term
        for r in rows
        for term in ((("reviews", r, "total"), 1), (("reviews", r, "pending"), -1))
    )
    return corrected, decided


_PROCESSED = ((("requests", "processed_total", "total"), 1),)
_DENIED_ROWS = tuple(r.key for r in REQUEST_ROWS if r.key.startswith("denied_"))
_RECONSIDERATION = _review_terms(("reconsideration",))
_LITIGATION = _review_terms(("litigation_direct", "litigation_after_reconsideration"))

RATIOS: dict[str, Ratio] = {
    r.name: r
    for r in (
        Ratio(
            "disclosure_rate",
            "(granted + partially_granted) / processed_total, on the `total` column of 三",
            (
                (("requests", "granted", "total"), 1),
                (("requests", "partially_granted", "total"), 1),
            ),
            _PROCESSED,
        ),
        Ratio(
            "denial_rate",
            "the eight denied_* rows / processed_total, on the `total` column of 三",
            tuple((("requests", row, "total"), 1) for row in _DENIED_ROWS),
            _PROCESSED,
        ),
        Ratio(
            "reconsideration_correction_rate",
            "reviews.reconsideration: corrected / (total − pending)",
            *_RECONSIDERATION,
        ),
        Ratio(
            "litigation_correction_rate",
            "both litigation rows of 四 together: corrected / (total − pending)",
            *_LITIGATION,
        ),
    )
}


def _cell_metric_formats() -> dict[str, frozenset[Format]]:
    found: dict[str, set[Format]] = {}
    for table in TABLES.values():
        for row in table.rows:
            for fmt in row.formats:
                for col in table.columns_for(row, fmt):
                    found.setdefault(f"{table.key}.{row.key}.{col.key}", set()).add(fmt)
    return {key: frozenset(formats) for key, formats in found.items()}


# Every metric with the formats that print it; a ratio needs all its components.
METRIC_FORMATS: dict[str, frozenset[Format]] = _cell_metric_formats()
for _ratio in RATIOS.values():
    METRIC_FORMATS[_ratio.name] = frozenset(
        fmt
        for fmt in FORMATS
        if all(fmt in METRIC_FORMATS[metric_name(k)] for k in _ratio.components)
    )


def _matches(key: CellKey) -> ColumnElement[bool]:
    return and_(Cell.table_key == key[0], Cell.row_key == key[1], Cell.col_key == key[2])


def ratio_per_report(ratio: Ratio, reports: ColumnElement[bool] | None = None) -> Select[Any]:
    """(report_id, numerator, denominator) for the reports where every component is readable."""

    def weighted(terms: tuple[tuple[CellKey, int], ...]) -> ColumnElement[Any]:
        return func.sum(case(*((_matches(k), Cell.value * sign) for k, sign in terms)))

    components = ratio.components
    query = (
        select(
            Cell.report_id,
            weighted(ratio.numerator).label("numerator"),
            weighted(ratio.denominator).label("denominator"),
        )
        .where(or_(*(_matches(k) for k in components)))
        .group_by(Cell.report_id)
        .having(func.count(Cell.value) == len(components))
    )
    return query if reports is None else query.where(reports)


def measures(
    metrics: Collection[str] | None = None, reports: ColumnElement[bool] | None = None
) -> Any:
    """(report_id, metric, value, denominator): one row per report and metric with a value.

    `metrics` limits it to those names (all cell keys and ratios when None); `reports` limits
    the reports read.
    """
    wanted_keys: list[CellKey] = []
    for name in metrics or ():
        if name not in RATIOS:
            table, row, col = name.split(".")
            wanted_keys.append((table, row, col))
    cells = select(
        Cell.report_id,
        (Cell.table_key + "." + Cell.row_key + "." + Cell.col_key).label("metric"),
        Cell.value.label("value"),
        cast(null(), Double).label("denominator"),
    ).where(Cell.value.is_not(None))
    if metrics is not None:
        cells = cells.where(or_(*(_matches(k) for k in wanted_keys)) if wanted_keys else false())
    if reports is not None:
        cells = cells.where(reports)
    parts: list[Select[Any]] = [cells] if metrics is None or wanted_keys else []
    for ratio in RATIOS.values():
        if metrics is not None and ratio.name not in metrics:
            continue
        per_report = ratio_per_report(ratio, reports).subquery()
        parts.append(
            select(
                per_report.c.report_id,
                literal(ratio.name, String).label("metric"),
                per_report.c.numerator.label("value"),
                per_report.c.denominator.label("denominator"),
            )
        )
    if not parts:
        parts.append(cells)
    return union_all(*parts).subquery("measures") if len(parts) > 1 else parts[0].subquery()


Measure = tuple[str, float, float | None]  # metric, value, denominator


def report_measures(cells: Iterable[CellRow]) -> list[Measure]:
    """One report's rows of `measures()`, from its cells.

    The same definitions read in Python, for reports not yet in the database: bulk ingest
    computes them beside the parse, so storing a report need not read its cells back. A test
    holds the two readings equal (tests/test_metrics.py).
    """
    values = {(c.table, c.row, c.col): c.value for c in cells if c.value is not None}
    found: list[Measure] = [(metric_name(key), value, None) for key, value in values.items()]
    for ratio in RATIOS.values():
        if all(key in values for key in ratio.components):
            numerator = sum(values[key] * sign for key, sign in ratio.numerator)
            denominator = sum(values[key] * sign for key, sign in ratio.denominator)
            found.append((ratio.name, float(numerator), float(denominator)))
    return found
