"""Aligning a table template to printed cells: which label is which row, which values it carries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import combinations

from app.catalog import Column
from app.parsing.normalize import has_numbering
from app.parsing.templates import RowTemplate, is_row_label, may_hold_row_label
from app.parsing.tokens import Token
from app.parsing.values import CellValue, read_value

# Short label fragments a broken row label may leave between its first line and its values.
_MAX_CONTINUATIONS = 3
_MAX_CONTINUATION_LENGTH = 24
# More surplus than this means the layout mixed rows together; no reading can be trusted.
_MAX_SURPLUS = 2


def align_rows(templates: tuple[RowTemplate, ...], tokens: list[Token]) -> dict[str, int]:
    """Row key → index of its label token: the most rows matched in printed order."""
    labels = [(i, token.folded) for i, token in enumerate(tokens) if token.kind == "label"]
    # Most labels match no row; one pass over the few that may saves a test per template.
    labels = [(i, folded) for i, folded in labels if may_hold_row_label(folded)]
    candidates = [[i for i, folded in labels if t.matches(folded)] for t in templates]

    @cache
    def best(row: int, start: int) -> tuple[int, tuple[int, ...]]:
        if row == len(templates):
            return 0, ()
        skip = best(row + 1, start)
        first = next((i for i in candidates[row] if i >= start), None)
        if first is None:
            return skip[0], (-1, *skip[1])
        taken = best(row + 1, first + 1)
        if taken[0] + 1 >= skip[0]:
            return taken[0] + 1, (first, *taken[1])
        return skip[0], (-1, *skip[1])

    _, picks = best(0, 0)
    return {t.key: i for t, i in zip(templates, picks, strict=True) if i >= 0}


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
