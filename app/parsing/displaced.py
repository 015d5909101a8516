"""Values printed away from their labels, as plain PDF-to-text extraction leaves them.

Without layout, pdftotext often prints a table's values in row order while its labels drift
elsewhere ("（一）予以公开" after the numbers of later rows), or prints a row's values just before
its label. Such values are placed only where the table's own arithmetic confirms the placing:
every row's total is the sum of its parts, and the column rules hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.catalog import Row
from app.parsing.align import Run
from app.parsing.run_tables import request_equations
from app.parsing.templates import REQUEST_TEMPLATES
from app.parsing.tokens import Token
from app.parsing.values import is_value_text

_WIDTH = 7
_REVIEW_GROUP = 5
_REVIEW_VALUES = 15


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


def rows_in_sequence(window: Sequence[Token], rows: Sequence[Row]) -> dict[str, Run] | None:
    """Every row from the region's values taken seven at a time in the template's order.

    Used only when every row's label is printed somewhere in the table, the count is exactly
    right and every row and column rule holds: bare numbers whose labels were lost are not
    placed by position.
    """
    labels = [t.folded for t in window if t.kind == "label"]
    templates = {t.key: t for t in REQUEST_TEMPLATES}
    if not all(any(templates[row.key].matches(f) for f in labels) for row in rows):
        return None
    values = [t for t in window if t.kind == "value"]
    if len(values) != _WIDTH * len(rows):
        return None
    numbers = _numbers(values)
    if numbers is None or not _row_adds_up(numbers, _WIDTH):
        return None
    keys = [row.key for row in rows]
    table = {key: numbers[i * _WIDTH : (i + 1) * _WIDTH] for i, key in enumerate(keys)}
    if not _columns_add_up(table, keys):
        return None
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


def reviews_in_sequence(window: Sequence[Token]) -> Run | None:
    """Table 四's fifteen values when header words fall between them but their order holds."""
    values = [t for t in window if t.kind == "value" and is_value_text(t.text)]
    if len(values) != _REVIEW_VALUES:
        return None
    numbers = _numbers(values)
    if numbers is None or not _row_adds_up(numbers, _REVIEW_GROUP):
        return None
    return Run(tuple(values), True)


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
