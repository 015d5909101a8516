"""The report's own arithmetic: every rule passing, failing and not assessable, in both formats."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.catalog import REQUEST_COLUMNS, Format, cell_keys
from app.checks import (
    RULE_REQUESTS_BALANCE,
    RULE_REQUESTS_PROCESSED_TOTAL,
    RULE_REQUESTS_TOTAL_COLUMN,
    RULE_REVIEWS_TOTAL,
    RULES,
    CheckResult,
    run_checks,
    summarize,
)
from app.parsing.model import CellStatus, ParsedCell

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_2019 = EXAMPLES / "2020-qinghe-yunling-data-bureau.expected.json"
EXAMPLE_2021 = EXAMPLES / "2023-qinghe-yunling-data-bureau.expected.json"
REQUEST_COLUMN_KEYS = [c.key for c in REQUEST_COLUMNS]
OTHER_SUB_ROWS = ("other_no_correction", "other_no_fee", "other_misc")


@dataclass(frozen=True)
class StoredCell:
    """A cell as a database row would hold it: the checks need nothing more."""

    table: str
    row: str
    col: str
    value: int | Decimal | None
    status: str


def load_expected(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return data


def parsed_cells(values: dict[str, int | Decimal]) -> dict[str, ParsedCell]:
    cells: dict[str, ParsedCell] = {}
    for key, value in values.items():
        table, row, col = key.split(".")
        cells[key] = ParsedCell(table, row, col, value, str(value), "number")
    return cells


def example_cells(fmt: Format) -> dict[str, ParsedCell]:
    path = EXAMPLE_2019 if fmt == "2019" else EXAMPLE_2021
    return parsed_cells(load_expected(path)["values"])


def single_other_cells() -> dict[str, ParsedCell]:
    """The 2021 example as a report that kept the single （六）其他处理 row would print it."""
    cells = example_cells("2021")
    for col in REQUEST_COLUMN_KEYS:
        merged = 0
        for sub in OTHER_SUB_ROWS:
            cell = cells.pop(f"requests.{sub}.{col}")
            assert isinstance(cell.value, int)
            merged += cell.value
        cells[f"requests.other.{col}"] = ParsedCell(
            "requests", "other", col, merged, str(merged), "number"
        )
    return cells


def with_value(cells: dict[str, ParsedCell], key: str, delta: int) -> dict[str, ParsedCell]:
    cell = cells[key]
    assert isinstance(cell.value, int)
    return {**cells, key: replace(cell, value=cell.value + delta, raw=str(cell.value + delta))}


def with_status(
    cells: dict[str, ParsedCell], key: str, status: CellStatus, raw: str = ""
) -> dict[str, ParsedCell]:
    return {**cells, key: replace(cells[key], value=None, raw=raw, status=status)}


def find(results: list[CheckResult], rule: str, scope: str) -> CheckResult:
    matches = [r for r in results if r.rule == rule and r.scope == scope]
    assert len(matches) == 1, (rule, scope, matches)
    return matches[0]


def failures(results: list[CheckResult]) -> set[tuple[str, str]]:
    return {(r.rule, r.scope) for r in results if r.result == "fail"}


# --- the examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "fmt"), [(EXAMPLE_2019, "2019"), (EXAMPLE_2021, "2021")])
def test_example_expected_values_cover_every_cell_key(path: Path, fmt: Format) -> None:
    expected = load_expected(path)
    assert expected["format"] == fmt
    assert set(expected["values"]) == {".".join(k) for k in cell_keys(fmt)}
    assert all(isinstance(v, int | Decimal) for v in expected["values"].values())


@pytest.mark.parametrize(("path", "fmt"), [(EXAMPLE_2019, "2019"), (EXAMPLE_2021, "2021")])
def test_example_expected_values_pass_every_check(path: Path, fmt: Format) -> None:
    values = load_expected(path)["values"]
    cells = []
    for key, value in values.items():
        table, row, col = key.split(".")
        cells.append(StoredCell(table, row, col, value, "number"))
    results = run_checks(cells, fmt)
    assert [r for r in results if r.result != "pass"] == []
    assert {r.rule for r in results} == set(RULES)


def test_result_order_and_scopes_are_stable() -> None:
    results = run_checks(example_cells("2019").values(), "2019")
    balance = [r.scope for r in results if r.rule == RULE_REQUESTS_BALANCE]
    processed = [r.scope for r in results if r.rule == RULE_REQUESTS_PROCESSED_TOTAL]
    total_column = [r.scope for r in results if r.rule == RULE_REQUESTS_TOTAL_COLUMN]
    reviews = [r.scope for r in results if r.rule == RULE_REVIEWS_TOTAL]
    assert balance == processed == REQUEST_COLUMN_KEYS
    request_rows = [r for t, r, _ in cell_keys("2019") if t == "requests"]
    assert total_column == list(dict.fromkeys(request_rows))
    assert reviews == ["reconsideration", "litigation_direct", "litigation_after_reconsideration"]
    # A report stores one result per rule and scope.
    assert len({(r.rule, r.scope) for r in results}) == len(results)
    assert [r.rule for r in results] == (
        [RULE_REQUESTS_BALANCE] * 7
        + [RULE_REQUESTS_PROCESSED_TOTAL] * 7
        + [RULE_REQUESTS_TOTAL_COLUMN] * 23
        + [RULE_REVIEWS_TOTAL] * 3
    )


def test_pass_reports_both_sides() -> None:
    cells = example_cells("2019")
    result = find(run_checks(cells.values(), "2019"), RULE_REQUESTS_BALANCE, "total")
    new = cells["requests.new.total"].value
    carried_over = cells["requests.carried_over.total"].value
    assert isinstance(new, int) and isinstance(carried_over, int)
    assert result.result == "pass"
    assert result.left == result.right == new + carried_over
    assert result.difference is None
    assert result.table == "requests"
    assert result.cells == (
        "requests.new.total",
        "requests.carried_over.total",
        "requests.processed_total.total",
        "requests.carried_forward.total",
    )


# --- requests.balance -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_balance_fails_when_a_column_does_not_add_up(fmt: Format) -> None:
    cells = with_value(example_cells(fmt), "requests.carried_forward.research", -1)
    results = run_checks(cells.values(), fmt)
    result = find(results, RULE_REQUESTS_BALANCE, "research")
    left = cells["requests.new.research"].value
    right = cells["requests.processed_total.research"].value
    carried_over = cells["requests.carried_over.research"].value
    carried_forward = cells["requests.carried_forward.research"].value
    assert isinstance(left, int) and isinstance(carried_over, int)
    assert isinstance(right, int) and isinstance(carried_forward, int)
    assert result.result == "fail"
    assert result.left == left + carried_over
    assert result.right == right + carried_forward
    assert result.difference == 1
    assert result.message == (
        f"new + carried_over = {left + carried_over} but processed_total + carried_forward"
        f" = {right + carried_forward} (difference 1)"
    )
    # The same cell also breaks its row's 总计, and nothing else.
    assert failures(results) == {
        (RULE_REQUESTS_BALANCE, "research"),
        (RULE_REQUESTS_TOTAL_COLUMN, "carried_forward"),
    }


# --- requests.processed_total ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "outcome_row"),
    [("2019", "denied_inquiry"), ("2019", "other"), ("2021", "other_no_fee")],
)
def test_processed_total_fails_when_an_outcome_row_is_off(fmt: Format, outcome_row: str) -> None:
    cells = with_value(example_cells(fmt), f"requests.{outcome_row}.commercial", 2)
    results = run_checks(cells.values(), fmt)
    result = find(results, RULE_REQUESTS_PROCESSED_TOTAL, "commercial")
    assert result.result == "fail"
    assert result.left == cells["requests.processed_total.commercial"].value
    assert result.difference == -2
    assert result.message.startswith("processed_total = ")
    assert f"requests.{outcome_row}.commercial" in result.cells
    assert failures(results) == {
        (RULE_REQUESTS_PROCESSED_TOTAL, "commercial"),
        (RULE_REQUESTS_TOTAL_COLUMN, outcome_row),
    }


def test_processed_total_2021_sums_the_three_other_sub_rows() -> None:
    results = run_checks(example_cells("2021").values(), "2021")
    result = find(results, RULE_REQUESTS_PROCESSED_TOTAL, "total")
    assert result.result == "pass"
    assert {f"requests.{sub}.total" for sub in OTHER_SUB_ROWS} <= set(result.cells)
    assert "requests.other.total" not in result.cells
    assert len(result.cells) == 1 + 21


def test_2021_report_with_the_single_other_row() -> None:
    cells = single_other_cells()
    results = run_checks(cells.values(), "2021")
    assert [r for r in results if r.result != "pass"] == []
    processed = find(results, RULE_REQUESTS_PROCESSED_TOTAL, "natural_person")
    assert "requests.other.natural_person" in processed.cells
    assert not any(sub in key for key in processed.cells for sub in OTHER_SUB_ROWS)
    row_scopes = [r.scope for r in results if r.rule == RULE_REQUESTS_TOTAL_COLUMN]
    assert "other" in row_scopes
    assert not set(OTHER_SUB_ROWS) & set(row_scopes)
    assert len(row_scopes) == 23

    broken = with_value(cells, "requests.other.legal_service", 1)
    assert failures(run_checks(broken.values(), "2021")) == {
        (RULE_REQUESTS_PROCESSED_TOTAL, "legal_service"),
        (RULE_REQUESTS_TOTAL_COLUMN, "other"),
    }


def test_2021_report_missing_every_other_row_names_the_sub_rows() -> None:
    cells = {k: c for k, c in example_cells("2021").items() if c.row not in OTHER_SUB_ROWS}
    result = find(run_checks(cells.values(), "2021"), RULE_REQUESTS_PROCESSED_TOTAL, "total")
    assert result.result == "not_assessable"
    for sub in OTHER_SUB_ROWS:
        assert f"requests.{sub}.total is missing" in result.message


def test_2019_format_ignores_2021_sub_rows() -> None:
    result = find(
        run_checks(example_cells("2019").values(), "2019"), RULE_REQUESTS_PROCESSED_TOTAL, "total"
    )
    assert "requests.other.total" in result.cells
    assert len(result.cells) == 1 + 19


# --- requests.total_column ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_total_column_fails_when_a_row_total_is_off(fmt: Format) -> None:
    cells = with_value(example_cells(fmt), "requests.granted.total", 3)
    results = run_checks(cells.values(), fmt)
    result = find(results, RULE_REQUESTS_TOTAL_COLUMN, "granted")
    parts = [cells[f"requests.granted.{c}"].value for c in REQUEST_COLUMN_KEYS[:-1]]
    assert all(isinstance(p, int) for p in parts)
    expected_right = sum(p for p in parts if isinstance(p, int))
    assert result.result == "fail"
    assert (result.left, result.right, result.difference) == (
        expected_right + 3,
        expected_right,
        3,
    )
    assert result.message == (
        f"total = {expected_right + 3} but natural_person + commercial + research + social_org"
        f" + legal_service + other_org = {expected_right} (difference 3)"
    )
    assert result.cells[0] == "requests.granted.total"
    assert failures(results) == {
        (RULE_REQUESTS_TOTAL_COLUMN, "granted"),
        (RULE_REQUESTS_PROCESSED_TOTAL, "total"),
    }


# --- reviews.total --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_reviews_total_fails_when_a_result_is_off(fmt: Format) -> None:
    cells = with_value(example_cells(fmt), "reviews.litigation_direct.pending", 1)
    results = run_checks(cells.values(), fmt)
    result = find(results, RULE_REVIEWS_TOTAL, "litigation_direct")
    assert result.result == "fail"
    assert result.table == "reviews"
    assert result.difference == -1
    assert result.message.startswith("total = ")
    assert "upheld + corrected + other + pending" in result.message
    assert result.cells == tuple(
        f"reviews.litigation_direct.{c}"
        for c in ("total", "upheld", "corrected", "other", "pending")
    )
    assert failures(results) == {(RULE_REVIEWS_TOTAL, "litigation_direct")}


def test_reviews_total_passes_on_a_zero_row() -> None:
    cells = example_cells("2019")
    for col in ("upheld", "corrected", "other", "pending", "total"):
        key = f"reviews.reconsideration.{col}"
        cells[key] = replace(cells[key], value=0, raw="0")
    result = find(run_checks(cells.values(), "2019"), RULE_REVIEWS_TOTAL, "reconsideration")
    assert (result.result, result.left, result.right) == ("pass", 0, 0)


# --- not assessable -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "raw"), [("blank", ""), ("unreadable", "1 2"), ("not_applicable", "/")]
)
def test_a_cell_without_a_value_makes_its_rules_not_assessable(
    status: CellStatus, raw: str
) -> None:
    cells = with_status(example_cells("2019"), "requests.new.social_org", status, raw)
    results = run_checks(cells.values(), "2019")
    balance = find(results, RULE_REQUESTS_BALANCE, "social_org")
    row_total = find(results, RULE_REQUESTS_TOTAL_COLUMN, "new")
    for result in (balance, row_total):
        assert result.result == "not_assessable"
        assert (result.left, result.right, result.difference) == (None, None, None)
        assert f"requests.new.social_org is {status}" in result.message
    assert "requests.new.social_org" in balance.cells
    # A blank is never read as 0: nothing fails, the rest still passes.
    assert summarize(results) == {"pass": 38, "fail": 0, "not_assessable": 2}


def test_a_missing_cell_makes_its_rules_not_assessable() -> None:
    cells = example_cells("2021")
    del cells["reviews.litigation_after_reconsideration.total"]
    del cells["requests.carried_over.total"]
    results = run_checks(cells.values(), "2021")
    review = find(results, RULE_REVIEWS_TOTAL, "litigation_after_reconsideration")
    assert review.result == "not_assessable"
    assert review.message == (
        "not assessable: reviews.litigation_after_reconsideration.total is missing"
    )
    balance = find(results, RULE_REQUESTS_BALANCE, "total")
    assert balance.result == "not_assessable"
    assert "requests.carried_over.total is missing" in balance.message
    assert find(results, RULE_REQUESTS_TOTAL_COLUMN, "carried_over").result == "not_assessable"


def test_every_missing_cell_is_named() -> None:
    cells = with_status(example_cells("2019"), "requests.granted.total", "blank")
    cells = with_status(cells, "requests.other.total", "unreadable", "1O")
    result = find(run_checks(cells.values(), "2019"), RULE_REQUESTS_PROCESSED_TOTAL, "total")
    assert result.message == (
        "not assessable: requests.granted.total is blank, requests.other.total is unreadable"
    )


def test_a_number_status_without_a_value_is_not_counted() -> None:
    cells = example_cells("2019")
    key = "reviews.reconsideration.upheld"
    cells[key] = replace(cells[key], value=None)
    result = find(run_checks(cells.values(), "2019"), RULE_REVIEWS_TOTAL, "reconsideration")
    assert result.result == "not_assessable"
    assert f"{key} has no value" in result.message


def test_no_cells_at_all_gives_only_not_assessable() -> None:
    results = run_checks([], "2021")
    assert summarize(results) == {"pass": 0, "fail": 0, "not_assessable": 42}


# --- values -----------------------------------------------------------------------------------


def test_inferred_cells_count() -> None:
    cells = example_cells("2019")
    key = "requests.processed_total.natural_person"
    cells[key] = replace(cells[key], raw="1841", status="inferred")
    results = run_checks(cells.values(), "2019")
    assert find(results, RULE_REQUESTS_BALANCE, "natural_person").result == "pass"
    assert find(results, RULE_REQUESTS_PROCESSED_TOTAL, "natural_person").result == "pass"


def test_decimal_and_float_values_compare_exactly() -> None:
    cells = [
        StoredCell("reviews", "reconsideration", "upheld", Decimal("1"), "number"),
        StoredCell("reviews", "reconsideration", "corrected", Decimal("2"), "number"),
        StoredCell("reviews", "reconsideration", "other", 0, "number"),
        StoredCell("reviews", "reconsideration", "pending", 0, "number"),
        StoredCell("reviews", "reconsideration", "total", Decimal("3.5"), "number"),
    ]

    @dataclass(frozen=True)
    class FloatCell:
        table: str
        row: str
        col: str
        value: float | None
        status: str

    float_cells = [
        FloatCell("reviews", "litigation_direct", "upheld", 0.1, "number"),
        FloatCell("reviews", "litigation_direct", "corrected", 0.2, "number"),
        FloatCell("reviews", "litigation_direct", "other", 0.0, "number"),
        FloatCell("reviews", "litigation_direct", "pending", 0.0, "number"),
        FloatCell("reviews", "litigation_direct", "total", 0.3, "number"),
    ]
    results = run_checks([*cells, *float_cells], "2019")
    failed = find(results, RULE_REVIEWS_TOTAL, "reconsideration")
    assert (failed.result, failed.difference) == ("fail", Decimal("0.5"))
    # 0.1 + 0.2 is 0.3 when read as written, not as binary floats.
    assert find(results, RULE_REVIEWS_TOTAL, "litigation_direct").result == "pass"


# --- summarize ------------------------------------------------------------------------------


def test_summarize_counts_every_outcome() -> None:
    cells = with_value(example_cells("2021"), "reviews.reconsideration.total", 1)
    cells = with_status(cells, "requests.new.other_org", "blank")
    assert summarize(run_checks(cells.values(), "2021")) == {
        "pass": 39,
        "fail": 1,
        "not_assessable": 2,
    }
    assert summarize([]) == {"pass": 0, "fail": 0, "not_assessable": 0}
