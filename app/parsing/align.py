"""Aligning a table template to printed cells: which label is which row, which values it carries."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import combinations

from app.catalog import Column
from app.parsing.normalize import has_numbering
from app.parsing.templates import RowTemplate, is_row_label, row_matcher
from app.parsing.tokens import Token
from app.parsing.values import CellValue, read_value

# Short label fragments a broken row label may leave between its first line and its values.
_MAX_CONTINUATIONS = 3
_MAX_CONTINUATION_LENGTH = 24
# More surplus than this means the layout mixed rows together; no reading can be trusted.
_MAX_SURPLUS = 2


def align_rows(templates: tuple[RowTemplate, ...], tokens: list[Token]) -> dict[str, int]:
    """Row key → index of its label token: the most rows matched in printed order.

    Rows are taken in template order, each at its first candidate label after the previous
    row's; a row may be left out when that lets more of the rows after it match. On a tie a
    row takes its label.
    """
    candidates = _candidates(templates, tokens)
    # later[row]: the candidate labels of that row and the rows after it, ascending.
    later: list[list[int]] = [[] for _ in range(len(candidates) + 1)]
    for row in reversed(range(len(candidates))):
        later[row] = sorted(later[row + 1] + candidates[row])

    memo: dict[tuple[int, int], int] = {}

    def most(row: int, start: int) -> int:
        """The most rows from `row` on that can take labels at or after token `start`."""
        # Starts that leave these rows the same labels have the same answer: memoising on the
        # first label left keeps the search linear in the rows when labels come in order.
        first = _first_at(later[row], start)
        if first is None:
            return 0
        key = (row, first)
        if key not in memo:
            skip = most(row + 1, first)
            label = _first_at(candidates[row], first)
            memo[key] = skip if label is None else max(most(row + 1, label + 1) + 1, skip)
        return memo[key]

    picks: dict[str, int] = {}
    start = 0
    for row, labels in enumerate(candidates):
        label = _first_at(labels, start)
        if label is not None and most(row + 1, label + 1) + 1 >= most(row + 1, start):
            picks[templates[row].key] = label
            start = label + 1
    return picks


def _candidates(templates: tuple[RowTemplate, ...], tokens: list[Token]) -> list[list[int]]:
    """Per template: the indices of the labels that row may be, ascending."""
    rows_matching = row_matcher(templates)
    candidates: list[list[int]] = [[] for _ in templates]
    for i, token in enumerate(tokens):
        if token.kind == "label":
            for row in rows_matching(token.folded):
                candidates[row].append(i)
    return candidates


def _first_at(labels: list[int], start: int) -> int | None:
    """The first of the ascending label indices at or after token `start`."""
    position = bisect_left(labels, start)
    return labels[position] if position < len(labels) else None


@dataclass(frozen=True, slots=True)
class Run:
    cells: tuple[Token, ...]  # value and empty tokens, in printed order
    closed: bool  # something follows the run, so the row was not cut off


def _is_continuation(token: Token) -> bool:
    return (
        token.kind == "label"
        and len(token.folded) <= _MAX_CONTINUATION_LENGTH
        and not has_numbering(token.folded)
        and not is_row_label(token.folded)
        and "第二十条" not in token.folded
        and "信息内容" not in token.folded
    )


def row_run(tokens: list[Token], label_index: int, end: int) -> Run:
    """The values printed for the row whose label is at label_index (tokens before `end`)."""
    label = tokens[label_index]
    same_line: list[Token] = []
    i = label_index + 1
    while i < end and tokens[i].line == label.line and tokens[i].kind in ("value", "empty"):
        same_line.append(tokens[i])
        i += 1
    if any(t.kind == "value" for t in same_line):
        return Run(tuple(same_line), True)
    i = label_index + 1
    skipped = 0
    while i < end and skipped < _MAX_CONTINUATIONS and _is_continuation(tokens[i]):
        i += 1
        skipped += 1
    cells: list[Token] = []
    while i < end and tokens[i].kind in ("value", "empty"):
        cells.append(tokens[i])
        i += 1
    return Run(tuple(cells), i < end)


@dataclass(frozen=True, slots=True)
class RowReading:
    cells: dict[str, tuple[str, CellValue]]  # column key → (raw, value)
    warning: str | None = None


def _trim(cells: list[Token], width: int) -> list[Token]:
    while cells and cells[-1].kind == "empty":
        cells.pop()
    while len(cells) > width and cells[0].kind == "empty":
        cells.pop(0)
    return cells


def read_row(name: str, run: Run, columns: tuple[Column, ...], *, total_last: bool) -> RowReading:
    """Assign a run of printed values to columns, keeping only what every reading agrees on."""
    cells = _trim(list(run.cells), len(columns))
    width = len(columns)
    if not cells:
        return RowReading({}, f"row {name}: no values printed")
    if len(cells) == width:
        return RowReading(
            {
                c.key: (t.text, read_value(t.text, c.kind))
                for c, t in zip(columns, cells, strict=True)
            }
        )
    if len(cells) > width:
        return _read_surplus(name, cells, columns)
    if not run.closed:
        return RowReading({}, f"row {name}: cut off after {len(cells)} of {width} values")
    return _read_shortfall(name, cells, columns, total_last=total_last)


def _read_surplus(name: str, cells: list[Token], columns: tuple[Column, ...]) -> RowReading:
    width = len(columns)
    warning = f"row {name}: {len(cells)} values printed for {width} columns"
    if len(cells) - width > _MAX_SURPLUS:
        return RowReading(_unreadable(columns, cells), warning + "; the row could not be read")
    readings = [[cells[i] for i in kept] for kept in combinations(range(len(cells)), width)]
    result: dict[str, tuple[str, CellValue]] = {}
    for position, column in enumerate(columns):
        seen = {(t.text, read_value(t.text, column.kind)) for t in (r[position] for r in readings)}
        values = {v for _, v in seen}
        if len(values) == 1:
            result[column.key] = (min(raw for raw, _ in seen), values.pop())
        else:
            result[column.key] = (_printed(cells), CellValue(None, "unreadable"))
    return RowReading(result, warning + "; kept the values every reading agrees on")


def _read_shortfall(
    name: str, cells: list[Token], columns: tuple[Column, ...], *, total_last: bool
) -> RowReading:
    """Fewer values than columns: positions are lost, except a last value that is their sum."""
    result = _unreadable(columns, cells)
    warning = f"row {name}: {len(cells)} values printed for {len(columns)} columns"
    if total_last and all(t.kind == "value" for t in cells):
        read = [read_value(t.text, columns[-1].kind) for t in cells]
        numbers = [r.value for r in read if r.status == "number" and isinstance(r.value, int)]
        if len(numbers) == len(read) and numbers[-1] == sum(numbers[:-1]):
            total = columns[-1]
            result[total.key] = (cells[-1].text, CellValue(numbers[-1], "inferred"))
            return RowReading(result, warning + "; only the total is certain")
    return RowReading(result, warning + "; the row could not be read")


def _printed(cells: list[Token]) -> str:
    """The row's printed values, kept as the raw text of cells that could not be placed."""
    return " | ".join(t.text for t in cells)


def _unreadable(
    columns: tuple[Column, ...], cells: list[Token]
) -> dict[str, tuple[str, CellValue]]:
    raw = _printed(cells)
    return {c.key: (raw, CellValue(None, "unreadable")) for c in columns}
