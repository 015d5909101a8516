"""Table cells with row and column spans laid out on a grid: one tab-separated line per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from app.parsing.limits import GRID_CELLS

# HTML caps colspan at 1000 and rowspan at 65534; reports need a few dozen. The grid bound
# (limits.GRID_CELLS) keeps a hostile table from allocating millions of cells.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534


class Cell(NamedTuple):
    text: str
    colspan: int = 1
    rowspan: int = 1


def expand_spans(rows: Sequence[Sequence[Cell]]) -> list[list[str]]:
    """Place cells on a grid: a spanning cell's text in its first slot, "" in the slots it covers.

    Rows come out padded to the widest row, so every line of one table has the same cell count.
    A rowspan reaching past the last row is cut at the table's end.
    """
    grid: list[list[str]] = []
    covered_by_row: dict[int, set[int]] = {}
    cells_placed = 0
    for row_index, row in enumerate(rows):
        covered = covered_by_row.pop(row_index, set())
        line: list[str] = []
        for text, colspan, rowspan in row:
            while len(line) in covered:
                line.append("")
            if colspan != 1 or rowspan != 1:  # most cells span nothing
                colspan = min(max(colspan, 1), MAX_COLSPAN)
                rowspan = min(max(rowspan, 1), MAX_ROWSPAN, len(rows) - row_index)
            cells_placed += colspan * rowspan
            if cells_placed > GRID_CELLS.limit:
                GRID_CELLS.check(cells_placed, "a table", at_least=True)
            first = len(line)
            line.append(text)
            if colspan > 1:
                line.extend([""] * (colspan - 1))
            for below in range(row_index + 1, row_index + rowspan):
                covered_by_row.setdefault(below, set()).update(range(first, first + colspan))
        if covered:
            # Slots covered from above may lie beyond this row's own cells.
            line.extend([""] * (max(covered) + 1 - len(line)))
        grid.append(line)
    width = max((len(line) for line in grid), default=0)
    GRID_CELLS.check(width * len(grid), "a table")
    for line in grid:
        line.extend([""] * (width - len(line)))
    return grid


def grid_lines(grid: Sequence[Sequence[str]]) -> list[str]:
    """Tab-joined rows, leaving out rows whose cells are all empty."""
    return ["\t".join(row) for row in grid if any(row)]
