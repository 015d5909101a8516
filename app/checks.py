"""The report's own arithmetic (勾稽关系): every rule run per column or per row, with a stable name.

Pure: cells in, results out. Works on anything shaped like a cell (a ParsedCell, a stored row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal, Protocol

from app.catalog import (
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    Format,
    cell_keys,
)

# Rule names are part of the API: clients filter and count by them.
RULE_REQUESTS_BALANCE = "requests.balance"
RULE_REQUESTS_PROCESSED_TOTAL = "requests.processed_total"
RULE_REQUESTS_TOTAL_COLUMN = "requests.total_column"
RULE_REVIEWS_TOTAL = "reviews.total"
RULES: tuple[str, ...] = (
    RULE_REQUESTS_BALANCE,
    RULE_REQUESTS_PROCESSED_TOTAL,
    RULE_REQUESTS_TOTAL_COLUMN,
    RULE_REVIEWS_TOTAL,
)

CheckOutcome = Literal["pass", "fail", "not_assessable"]
CHECK_OUTCOMES: tuple[CheckOutcome, ...] = ("pass", "fail", "not_assessable")

Number = int | Decimal

# Only these statuses carry a value that may be added up; a blank is never read as 0.
_COUNTABLE_STATUSES = frozenset({"number", "inferred"})

_APPLICANT_COLUMNS = tuple(c.key for c in REQUEST_COLUMNS if c.key != "total")
_REQUEST_COLUMNS = tuple(c.key for c in REQUEST_COLUMNS)
_REVIEW_PARTS = tuple(c.key for c in REVIEW_COLUMNS if c.key != "total")
_OTHER_SUB_ROWS = tuple(r for r in OUTCOME_ROWS_2021 if r.startswith("other_"))


class CellLike(Protocol):
    """What a rule reads from a cell; read-only so frozen dataclasses and ORM rows both fit."""

    @property
    def table(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def col(self) -> str: ...
    @property
    def value(self) -> int | float | Decimal | None: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CheckResult:
    rule: str
    table: str
    # The column key (requests.balance, requests.processed_total) or row key (the others).
    scope: str
    result: CheckOutcome
    left: Number | None
    right: Number | None
    difference: Number | None  # left − right, only for a failure
    cells: tuple[str, ...]  # every table.row.col key the rule reads
    message: str


@dataclass(frozen=True, slots=True)
class _Term:
    """One side of an equation: named cells whose values are summed."""

    table: str
    keys: tuple[str, ...]  # table.row.col of each cell
    label: str


@dataclass(frozen=True, slots=True)
class _Equation:
    rule: str
    scope: str
    left: _Term
    right: _Term
    keys: tuple[str, ...]  # every cell the rule reads: the left side's, then the right's


def _as_number(value: int | float | Decimal) -> Number:
    # Floats may come from a database column; go through repr so 0.1 stays 0.1.
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _index(cells: Iterable[CellLike]) -> dict[str, CellLike]:
    # A key printed twice would be a parser fault; the last one read wins.
    return {f"{c.table}.{c.row}.{c.col}": c for c in cells}


def _evaluate(equation: _Equation, by_key: Mapping[str, CellLike]) -> CheckResult:
    left, right, keys = equation.left, equation.right, equation.keys
    rule, scope, table = equation.rule, equation.scope, left.table
    problems: list[str] = []
    values: dict[str, Number] = {}
    for key in keys:
        cell = by_key.get(key)
        if cell is None:
            problems.append(f"{key} is missing")
        elif cell.status not in _COUNTABLE_STATUSES:
            problems.append(f"{key} is {cell.status}")
        elif cell.value is None:
            problems.append(f"{key} has no value")
        else:
            values[key] = _as_number(cell.value)
    if problems:
        return CheckResult(
            rule=rule,
            table=table,
            scope=scope,
            result="not_assessable",
            left=None,
            right=None,
            difference=None,
            cells=keys,
            message="not assessable: " + ", ".join(problems),
        )
    left_value: Number = sum((values[k] for k in left.keys), start=0)
    right_value: Number = sum((values[k] for k in right.keys), start=0)
    if left_value == right_value:
        return CheckResult(
            rule=rule,
            table=table,
            scope=scope,
            result="pass",
            left=left_value,
            right=right_value,
            difference=None,
            cells=keys,
            message=f"{left.label} = {right.label} = {left_value}",
        )
    difference = left_value - right_value
    return CheckResult(
        rule=rule,
        table=table,
        scope=scope,
        result="fail",
        left=left_value,
        right=right_value,
        difference=difference,
        cells=keys,
        message=(
            f"{left.label} = {left_value} but {right.label} = {right_value}"
            f" (difference {difference})"
        ),
    )


def _term(table: str, refs: Sequence[tuple[str, str]], names: Sequence[str]) -> _Term:
    return _Term(table, tuple(f"{table}.{row}.{col}" for row, col in refs), " + ".join(names))


def _equation(rule: str, scope: str, left: _Term, right: _Term) -> _Equation:
    return _Equation(rule, scope, left, right, left.keys + right.keys)


def _outcome_rows(fmt: Format, by_key: Mapping[str, CellLike]) -> tuple[str, ...]:
    if fmt == "2019":
        return OUTCOME_ROWS_2019
    # Some 2021 reports keep the single （六）其他处理 row; the sub-rows win when both appear.
    printed_rows = {c.row for c in by_key.values() if c.table == "requests"}
    if "other" in printed_rows and not printed_rows.intersection(_OTHER_SUB_ROWS):
        return OUTCOME_ROWS_2019
    return OUTCOME_ROWS_2021


def _rows_of(table: str, fmt: Format, single_other: bool) -> tuple[str, ...]:
    rows: list[str] = []
    for t, row, _col in cell_keys(fmt, single_other=single_other):
        if t == table and row not in rows:
            rows.append(row)
    return tuple(rows)


def run_checks(cells: Iterable[CellLike], fmt: Format) -> list[CheckResult]:
    """Every rule of the format, one result per column or row, in a stable order."""
    by_key = _index(cells)
    outcomes = _outcome_rows(fmt, by_key)
    return [_evaluate(equation, by_key) for equation in _equations(fmt, outcomes)]


@lru_cache(maxsize=8)
def _equations(fmt: Format, outcomes: tuple[str, ...]) -> tuple[_Equation, ...]:
    """The rules of a format whose requests table has these outcome rows, built once."""
    single_other = fmt == "2021" and "other" in outcomes
    equations: list[_Equation] = []
    for col in _REQUEST_COLUMNS:
        equations.append(
            _equation(
                RULE_REQUESTS_BALANCE,
                col,
                _term("requests", [("new", col), ("carried_over", col)], ["new", "carried_over"]),
                _term(
                    "requests",
                    [("processed_total", col), ("carried_forward", col)],
                    ["processed_total", "carried_forward"],
                ),
            )
        )
    for col in _REQUEST_COLUMNS:
        equations.append(
            _equation(
                RULE_REQUESTS_PROCESSED_TOTAL,
                col,
                _term("requests", [("processed_total", col)], ["processed_total"]),
                _term("requests", [(row, col) for row in outcomes], outcomes),
            )
        )
    for row in _rows_of("requests", fmt, single_other):
        equations.append(
            _equation(
                RULE_REQUESTS_TOTAL_COLUMN,
                row,
                _term("requests", [(row, "total")], ["total"]),
                _term("requests", [(row, col) for col in _APPLICANT_COLUMNS], _APPLICANT_COLUMNS),
            )
        )
    for row in _rows_of("reviews", fmt, single_other):
        equations.append(
            _equation(
                RULE_REVIEWS_TOTAL,
                row,
                _term("reviews", [(row, "total")], ["total"]),
                _term("reviews", [(row, col) for col in _REVIEW_PARTS], _REVIEW_PARTS),
            )
        )
    return tuple(equations)


def summarize(results: Iterable[CheckResult]) -> dict[str, int]:
    """How many results passed, failed and could not be assessed (every outcome present)."""
    counts: dict[str, int] = dict.fromkeys(CHECK_OUTCOMES, 0)
    for result in results:
        counts[result.result] += 1
    return counts
