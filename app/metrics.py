"""What a metric is: a cell key (`table.row.col`) or a rate, and how each report's value is read.

A rate is a ratio of sums (`RATIOS`), never an average of rates. `report_measures()` reads a
report's values from its cells: cells are stored packed (app/cells.py), so sums over them are
taken in Python. The rollups (app/rollup.py) keep their sums current; the stats
(app/stats.py) read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.catalog import FORMATS, REQUEST_ROWS, TABLES, Format
from app.models import CellRow

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


Measure = tuple[str, float, float | None]  # metric, value, denominator


def report_measures(cells: Iterable[CellRow]) -> list[Measure]:
    """(metric, value, denominator): one per cell key with a value, and per rate whose every
    component has one.

    Bulk ingest computes them beside the parse, so storing a report need not read its cells
    back; the rollups and the stats read stored reports' values (`app.cells.load_values`)
    into `value_measures`.
    """
    return value_measures(
        {f"{c.table}.{c.row}.{c.col}": float(c.value) for c in cells if c.value is not None}
    )


# Each rate's numerator and denominator terms by metric name.
_RATIO_TERMS = tuple(
    (
        ratio.name,
        tuple(metric_name(key) for key in ratio.components),
        tuple((metric_name(key), sign) for key, sign in ratio.numerator),
        tuple((metric_name(key), sign) for key, sign in ratio.denominator),
    )
    for ratio in RATIOS.values()
)


def value_measures(values: Mapping[str, float]) -> list[Measure]:
    """`report_measures` of a report whose values are given by metric name."""
    found: list[Measure] = [(metric, value, None) for metric, value in values.items()]
    for name, components, numerator, denominator in _RATIO_TERMS:
        if all(key in values for key in components):
            top = sum(values[key] * sign for key, sign in numerator)
            bottom = sum(values[key] * sign for key, sign in denominator)
            found.append((name, float(top), float(bottom)))
    return found
