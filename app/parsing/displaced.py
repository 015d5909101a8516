"""Values printed away from their labels, as plain PDF-to-text extraction leaves them.

Without layout, pdftotext often prints a table's values in row order while its labels drift
elsewhere ("（一）予以公开" after the numbers of later rows), or prints a row's values just before
its label. Such values are placed only where the table's own arithmetic confirms the placing:
every row's total is the sum of its parts, and the column rules hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

from app.catalog import Row
from app.parsing.align import Run
from app.parsing.run_tables import request_equations
from app.parsing.templates import REQUEST_TEMPLATES
from app.parsing.tokens import Token
from app.parsing.values import is_value_text

_WIDTH = 7
_REVIEW_GROUP = 5
_REVIEW_VALUES = 15
# Seven runs are 5,040 orders; a table broken into more pieces is not read this way.
_MAX_REVIEW_RUNS = 7


def _count(token: Token) -> int | None:
    text = token.text.strip()
    return int(text) if text.isdigit() and (text == "0" or text[0] != "0") else None


def _numbers(tokens: Sequence[Token]) -> list[int] | None:
    numbers = [_count(t) for t in tokens]
    return None if any(n is None for n in numbers) else [n for n in numbers if n is not None]


def _row_adds_up(numbers: Sequence[int], size: int) -> bool:
    return all(
        sum(numbers[i : i + size - 1]) == numbers[i + size - 1]
        for i in range(0, len(numbers), size)
    )


def _columns_add_up(table: dict[str, list[int]], keys: Sequence[str]) -> bool:
    for plus, minus in request_equations(keys):
        if not all(k in table for k in (*plus, *minus)):
            continue
        for column in range(_WIDTH):
            left = sum(table[k][column] for k in plus)
            if left != sum(table[k][column] for k in minus):
                return False
    return True


def _blocks(window: Sequence[Token]) -> list[list[Token]]:
    """Values grouped as plain pdftotext prints a table column: one per line, no blank between."""
    per_line: dict[int, int] = {}
    for token in window:
        if token.kind == "value":
            per_line[token.line] = per_line.get(token.line, 0) + 1
    blocks: list[list[Token]] = []
    previous: Token | None = None
    for token in window:
        if token.kind != "value":
            previous = None
            continue
        chained = (
            previous is not None
            and token.line == previous.line + 1
            and per_line[token.line] == per_line[previous.line] == 1
        )
        if chained:
            blocks[-1].append(token)
        else:
            blocks.append([token])
        previous = token
    return blocks


def _row_major(window: Sequence[Token]) -> list[Token] | None:
    """The region's values in row order, with column blocks turned back into rows.

    A page's rows may come out column by column: seven blocks of n lines each, the first holding
    the first column of n rows. Any other shape (a block that is not one of seven alike, blocks
    starting mid-row) is no such layout.
    """
    blocks = _blocks(window)
    ordered: list[Token] = []
    index = 0
    while index < len(blocks):
        size = len(blocks[index])
        if size == 1:
            ordered.extend(blocks[index])
            index += 1
            continue
        group = blocks[index : index + _WIDTH]
        if len(ordered) % _WIDTH or len(group) != _WIDTH or any(len(b) != size for b in group):
            return None
        ordered.extend(group[column][row] for row in range(size) for column in range(_WIDTH))
        index += _WIDTH
    return ordered


def _table_in_sequence(values: Sequence[Token], keys: Sequence[str]) -> list[int] | None:
    """The numbers, when taken seven at a time as `keys` every row and column rule holds."""
    numbers = _numbers(values)
    if numbers is None or len(numbers) != _WIDTH * len(keys):
        return None
    if not _row_adds_up(numbers, _WIDTH):
        return None
    table = {key: numbers[i * _WIDTH : (i + 1) * _WIDTH] for i, key in enumerate(keys)}
    return numbers if _columns_add_up(table, keys) else None


def rows_in_sequence(window: Sequence[Token], rows: Sequence[Row]) -> dict[str, Run] | None:
    """Every row from the region's values taken seven at a time in the template's order.

    Used only when every row's label is printed somewhere in the table, the count is exactly
    right and every row and column rule holds: bare numbers whose labels were lost are not
    placed by position. The values are read as printed and, when pages came out column by
    column, with those columns turned back into rows; readings that both hold must agree.
    """
    labels = [t.folded for t in window if t.kind == "label"]
    templates = {t.key: t for t in REQUEST_TEMPLATES}
    if not all(any(templates[row.key].matches(f) for f in labels) for row in rows):
        return None
    keys = [row.key for row in rows]
    printed = [t for t in window if t.kind == "value"]
    orders = [printed]
    transposed = _row_major(window)
    if transposed is not None and transposed != printed:
        orders.append(transposed)
    holding = [(order, n) for order in orders if (n := _table_in_sequence(order, keys))]
    if not holding or any(n != holding[0][1] for _, n in holding):
        return None
    values = holding[0][0]
    return {
        key: Run(tuple(values[i * _WIDTH : (i + 1) * _WIDTH]), True) for i, key in enumerate(keys)
    }


def row_before_label(
    window: Sequence[Token], picks: dict[str, int], rows: Sequence[Row], empty: set[str]
) -> dict[str, Run]:
    """Rows whose seven values stand just before the next row's label, not after their own."""
    found: dict[str, Run] = {}
    keys = [row.key for row in rows]
    for position in range(1, len(keys)):
        key, following = keys[position - 1], keys[position]
        if key not in empty or following not in picks:
            continue
        end = picks[following]
        start = end
        while start > 0 and window[start - 1].kind == "value":
            start -= 1
        run = window[start:end]
        if start == 0 or start - 1 in picks.values() or len(run) != _WIDTH:
            continue
        numbers = _numbers(run)
        if numbers is not None and _row_adds_up(numbers, _WIDTH):
            found[key] = Run(tuple(run), True)
    return found


def _review_runs(window: Sequence[Token]) -> list[list[Token]]:
    runs: list[list[Token]] = [[]]
    for token in window:
        if token.kind == "value" and is_value_text(token.text):
            runs[-1].append(token)
        elif token.kind == "label" and runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def reviews_from_runs(window: Sequence[Token]) -> list[Token | None] | None:
    """Table 四's fifteen cells when header words break its one printed row into runs.

    Plain PDF text keeps each run's order but may print the runs in any order (a row's total
    after the next row's values). Every order of the runs is a reading; the arithmetic keeps
    those whose row totals hold, or all of them when none does (a table that contradicts
    itself). A cell is placed only when every kept reading puts the same number there.
    """
    runs = _review_runs(window)
    if sum(len(run) for run in runs) != _REVIEW_VALUES or len(runs) > _MAX_REVIEW_RUNS:
        return None
    numbers = [_numbers(run) for run in runs]
    if any(n is None for n in numbers):
        return None
    readings: dict[tuple[int, ...], list[Token]] = {}
    for order in permutations(range(len(runs))):
        reading = tuple(n for i in order for n in numbers[i] or ())
        readings.setdefault(reading, [t for i in order for t in runs[i]])
    kept = [r for r in readings if _row_adds_up(r, _REVIEW_GROUP)] or list(readings)
    first = readings[kept[0]]
    return [
        first[position] if len({r[position] for r in kept}) == 1 else None
        for position in range(_REVIEW_VALUES)
    ]


def row_after_values(
    window: Sequence[Token], runs: dict[str, Run], rows: Sequence[Row], empty: set[str]
) -> dict[str, Run]:
    """Rows whose seven values stand on their own line right under the previous row's values.

    Converted PDFs print a row's numbers under the row above and its label further down. The
    label must be printed somewhere: bare rows with no labels at all are not placed by position.
    """
    positions = {id(token): index for index, token in enumerate(window)}
    found: dict[str, Run] = {}
    keys = [row.key for row in rows]
    for position in range(1, len(keys)):
        key, previous = keys[position], keys[position - 1]
        run = runs.get(previous)
        if key not in empty or key not in runs or run is None or not run.cells:
            continue
        start = positions[id(run.cells[-1])] + 1
        end = start
        while end < len(window) and window[end].kind == "value":
            end += 1
        values = window[start:end]
        if len(values) != _WIDTH or values[0].line == run.cells[-1].line:
            continue
        numbers = _numbers(values)
        if numbers is not None and _row_adds_up(numbers, _WIDTH):
            found[key] = Run(tuple(values), True)
    return found
