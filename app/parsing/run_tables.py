"""Tables whose cells ran together: split each row's digits where the arithmetic is certain."""

from __future__ import annotations

from collections.abc import Sequence

from app.catalog import REQUEST_COLUMNS, REVIEW_COLUMNS, Column, Row
from app.parsing.align import RowReading, Run
from app.parsing.runs import (
    Equation,
    Split,
    agreed,
    count_splits,
    propagate,
    split_digits,
    total_is_sum,
)
from app.parsing.values import CellValue, read_value

_OUTCOME_FIRST = "granted"
_OUTCOME_END = "processed_total"
_REQUEST_WIDTH = len(REQUEST_COLUMNS)
_REVIEW_GROUP = len(REVIEW_COLUMNS)


def is_glued(run: Run) -> bool:
    return any(token.glued for token in run.cells)


def run_text(run: Run) -> str:
    return " ".join(token.text for token in run.cells if token.text)


def _digits(run: Run) -> str | None:
    joined = "".join(token.text for token in run.cells)
    return joined if joined.isdigit() else None


def _reading(
    columns: Sequence[Column], run: Run, candidates: Sequence[Split], why: str
) -> RowReading:
    """Cells from the candidates: inferred where they agree, unreadable with the printed run."""
    values = agreed(candidates, len(columns))
    cells: dict[str, tuple[str, CellValue]] = {}
    for column, value in zip(columns, values, strict=True):
        if value is None:
            cells[column.key] = (run_text(run), CellValue(None, "unreadable"))
        else:
            cells[column.key] = (str(value), CellValue(value, "inferred"))
    unsure = [c.key for c, v in zip(columns, values, strict=True) if v is None]
    warning = None
    if unsure:
        warning = (
            f"the run {run_text(run)!r} splits into columns in {len(candidates)} ways {why}; "
            f"unreadable: {', '.join(unsure)}"
            if candidates
            else f"the run {run_text(run)!r} has no split {why}; the row could not be read"
        )
    return RowReading(cells, warning)


def read_glued_row(name: str, run: Run, columns: tuple[Column, ...]) -> RowReading:
    """A table 二 row: one column takes the printed text; more need a split every reading shares."""
    if len(columns) == 1:
        text = run_text(run).replace(" ", "")
        return RowReading({columns[0].key: (text, read_value(text, columns[0].kind))})
    digits = _digits(run)
    candidates = split_digits(digits, len(columns)) if digits else None
    if candidates is None:
        cells = {c.key: (run_text(run), CellValue(None, "unreadable")) for c in columns}
        return RowReading(cells, f"row {name}: cells ran together in {run_text(run)!r}")
    reading = _reading(columns, run, candidates, "with nothing to check them against")
    warning = f"row {name}: {reading.warning}" if reading.warning else None
    return RowReading(reading.cells, warning)


def read_glued_reviews(run: Run, columns: tuple[Column, ...]) -> RowReading:
    """Table 四's fifteen cells run together: each group's 总计 must equal its four parts."""
    digits = _digits(run)
    groups = len(columns) // _REVIEW_GROUP
    check = total_is_sum(groups, _REVIEW_GROUP)
    candidates = split_digits(digits, len(columns), check) if digits else None
    if candidates is None:
        cells = {c.key: (run_text(run), CellValue(None, "unreadable")) for c in columns}
        return RowReading(cells, f"cells ran together in {run_text(run)!r}; too many readings")
    return _reading(columns, run, candidates, "where each 总计 is the sum of its four results")


def request_equations(keys: Sequence[str]) -> list[Equation]:
    """The requests table's column rules over the rows it prints."""
    equations: list[Equation] = [(("new", "carried_over"), ("processed_total", "carried_forward"))]
    if _OUTCOME_FIRST in keys and _OUTCOME_END in keys:
        outcomes = keys[keys.index(_OUTCOME_FIRST) : keys.index(_OUTCOME_END)]
        equations.append(((_OUTCOME_END,), tuple(outcomes)))
    return equations


def read_glued_requests(
    rows: Sequence[Row], runs: dict[str, Run], columns: tuple[Column, ...]
) -> tuple[dict[str, RowReading], list[str]]:
    """Every requests row, with runs split by the row and column totals together."""
    check = total_is_sum(1, _REQUEST_WIDTH)
    warnings: list[str] = []
    candidates: dict[str, list[Split]] = {}
    too_many: set[str] = set()
    for row in rows:
        run = runs.get(row.key)
        if run is None or not run.cells:
            continue
        digits = _digits(run)
        if digits is None or count_splits(digits, len(columns)) == 0:
            too_many.add(row.key)
            continue
        found = split_digits(digits, len(columns), check)
        if found is None:
            too_many.add(row.key)
        else:
            candidates[row.key] = found
    solved = propagate(candidates, request_equations([r.key for r in rows]), len(columns))
    why = "consistent with the row and column totals"
    if solved is None:
        warnings.append(
            "requests: no reading of the run-together rows satisfies the column totals; "
            "only each row's own total was used"
        )
        solved, why = candidates, "consistent with the row's total"
    readings: dict[str, RowReading] = {}
    for row in rows:
        run = runs.get(row.key)
        if run is None:
            continue
        if not run.cells:
            readings[row.key] = RowReading({}, f"row {row.key}: no values printed")
            continue
        if row.key in too_many:
            cells = {c.key: (run_text(run), CellValue(None, "unreadable")) for c in columns}
            readings[row.key] = RowReading(
                cells, f"row {row.key}: cells ran together in {run_text(run)!r}; unreadable"
            )
            continue
        reading = _reading(columns, run, solved[row.key], why)
        warning = f"row {row.key}: {reading.warning}" if reading.warning else None
        readings[row.key] = RowReading(reading.cells, warning)
    return readings, warnings
