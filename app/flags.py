"""What does not add up over time: plausibility flags between an agency's reports of two
consecutive years.

A flag is for a person to look at, never a correction: no stored value changes. Each flag names
its rule, what was expected from the year before and what the report says. A rule is skipped
where a value it needs is not a number (blank, not applicable, unreadable or not printed):
a blank is never read as 0.

The rules:

* `requests.carried_over`: 上年结转 (carried over) of each applicant column equals the year
  before's 结转下年度继续办理 (carried forward).
* `proactive.in_force` (2021 format, both years): 现行有效件数 = the year before's 现行有效件数
  + this year's 本年制发件数 − 本年废止件数, for 规章 and 规范性文件.
* `proactive.prev_items` (2019 format, both years): 上一年项目数量 = the year before's
  上一年项目数量 + its 本年增/减, for each row that prints them.
* `jump`: a headline count at least JUMP_FACTOR times larger or smaller than the year before,
  when the larger of the two is at least JUMP_FLOOR (small counts swing by nature).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from app.catalog import REQUEST_COLUMNS
from app.models import CellRow

JUMP_FACTOR = 10.0
JUMP_FLOOR = 100.0
JUMP_KEYS = (
    "requests.new.total",
    "requests.processed_total.total",
    "reviews.reconsideration.total",
    "reviews.litigation_direct.total",
    "reviews.litigation_after_reconsideration.total",
)
IN_FORCE_ROWS = ("rules", "normative_docs")
PREV_ITEMS_ROWS = ("licensing", "other_services", "penalties", "enforcement", "fees")

Cells = Mapping[str, CellRow]  # by table.row.col


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str
    key: str  # the cell of this year's report the flag is about
    expected: float  # from the year before (and this year's own cells, for running counts)
    found: float
    sources: tuple[str, ...]  # the cells `expected` was computed from, `previous:` for last year
    message: str


def plausibility_flags(previous: Cells, current: Cells) -> list[Flag]:
    return [
        *_carried_over(previous, current),
        *_in_force(previous, current),
        *_prev_items(previous, current),
        *_jumps(previous, current),
    ]


def _number(cells: Cells, key: str) -> float | None:
    cell = cells.get(key)
    return cell.value if cell is not None and cell.status in ("number", "inferred") else None


def _carried_over(previous: Cells, current: Cells) -> Iterator[Flag]:
    for column in REQUEST_COLUMNS:
        key = f"requests.carried_over.{column.key}"
        before_key = f"requests.carried_forward.{column.key}"
        found, expected = _number(current, key), _number(previous, before_key)
        if found is None or expected is None or found == expected:
            continue
        yield Flag(
            "requests.carried_over",
            key,
            expected,
            found,
            (f"previous:{before_key}",),
            f"carried over {_show(found)} but the year before carried forward {_show(expected)}",
        )


def _in_force(previous: Cells, current: Cells) -> Iterator[Flag]:
    for row in IN_FORCE_ROWS:
        key = f"proactive.{row}.in_force"
        issued, repealed = f"proactive.{row}.issued", f"proactive.{row}.repealed"
        found, before = _number(current, key), _number(previous, key)
        made, dropped = _number(current, issued), _number(current, repealed)
        if found is None or before is None or made is None or dropped is None:
            continue
        expected = before + made - dropped
        if found == expected:
            continue
        yield Flag(
            "proactive.in_force",
            key,
            expected,
            found,
            (f"previous:{key}", issued, repealed),
            f"in force {_show(found)}, but the year before's {_show(before)} + {_show(made)} "
            f"issued − {_show(dropped)} repealed = {_show(expected)}",
        )


def _prev_items(previous: Cells, current: Cells) -> Iterator[Flag]:
    for row in PREV_ITEMS_ROWS:
        key, change = f"proactive.{row}.prev_items", f"proactive.{row}.change"
        found, before, moved = (
            _number(current, key),
            _number(previous, key),
            _number(previous, change),
        )
        if found is None or before is None or moved is None:
            continue
        expected = before + moved
        if found == expected:
            continue
        yield Flag(
            "proactive.prev_items",
            key,
            expected,
            found,
            (f"previous:{key}", f"previous:{change}"),
            f"items last year {_show(found)}, but the year before's {_show(before)} with its "
            f"change {_show(moved, signed=True)} = {_show(expected)}",
        )


def _jumps(previous: Cells, current: Cells) -> Iterator[Flag]:
    for key in JUMP_KEYS:
        found, before = _number(current, key), _number(previous, key)
        if found is None or before is None or max(found, before) < JUMP_FLOOR:
            continue
        low, high = sorted((found, before))
        if low > 0 and high / low < JUMP_FACTOR:
            continue
        yield Flag(
            "jump",
            key,
            before,
            found,
            (f"previous:{key}",),
            f"{_show(found)} against {_show(before)} the year before: a change of "
            f"{JUMP_FACTOR:g} times or more",
        )


def _show(value: float, *, signed: bool = False) -> str:
    text = f"{value:g}"
    return f"+{text}" if signed and value > 0 else text
