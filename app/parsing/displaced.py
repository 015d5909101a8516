"""Values printed away from their labels, as plain PDF-to-text extraction leaves them.

Without layout, pdftotext often prints a table's values in row order while its labels drift
elsewhere ("（一）予以公开" after the numbers of later rows), or prints a row's values just before
its label. Such values are placed only where the table's own arithmetic confirms the placing:
every row's total is the sum of its parts, and the column rules hold. When it leaves table 四's
pieces in several orders, the report's own evidence (the figures its prose states, then the
group title printed just before a piece) may choose among those orders, never add to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import permutations

from app.catalog import REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ROWS, Row
from app.parsing.align import Run
from app.parsing.prose_figures import StatedReviews
from app.parsing.run_tables import request_equations
from app.parsing.templates import REQUEST_TEMPLATES
from app.parsing.tokens import Token
from app.parsing.values import is_value_text

_WIDTH = len(REQUEST_COLUMNS)  # a row of table 三: the applicants and 总计
_REVIEW_GROUP = len(REVIEW_COLUMNS)  # a group of table 四: the outcomes and 总计
_REVIEW_VALUES = len(REVIEW_ROWS) * _REVIEW_GROUP
# Each group of table 四 in catalog order, with the words that name it in the header. 行政诉讼
# heads the last two together, and 复议后起诉 must not be taken for 行政复议.
_GROUP_TITLES = (
    ("行政复议", ("行政复议",)),
    ("未经复议直接起诉", ("未经复议", "直接起诉")),
    ("复议后起诉", ("复议后起诉",)),
)
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


def _groups_named(folded: str) -> set[int]:
    # The table's own title ("政府信息公开行政复议、行政诉讼情况") heads every group at once.
    if "行政复议" in folded and "行政诉讼" in folded:
        return set(range(len(_GROUP_TITLES)))
    return {g for g, (_, words) in enumerate(_GROUP_TITLES) if any(w in folded for w in words)}


def _review_runs(window: Sequence[Token]) -> list[tuple[list[Token], set[int]]]:
    """Runs of values with the groups named by the header words printed just before each."""
    runs: list[tuple[list[Token], set[int]]] = []
    named: set[int] = set()
    in_run = False
    for token in window:
        if token.kind == "value" and is_value_text(token.text):
            if not in_run:
                runs.append(([], named))
                named = set()
                in_run = True
            runs[-1][0].append(token)
        elif token.kind == "label":
            in_run = False
            named |= _groups_named(token.folded)
    return runs


@dataclass(frozen=True, slots=True)
class ReviewRun:
    tokens: tuple[Token, ...]
    numbers: tuple[int, ...]
    titled: int | None  # the one group the header words just before the run name, if any


@dataclass(frozen=True, slots=True)
class ReviewReadings:
    """The orders of table 四's runs that its arithmetic keeps, each with its fifteen numbers.

    `adds_up` is False when no order makes every row total the sum of its parts: then every
    order is kept (a table that contradicts itself), and nothing else may narrow them.
    """

    runs: tuple[ReviewRun, ...]
    readings: dict[tuple[int, ...], tuple[int, ...]]
    adds_up: bool

    def distinct(self, orders: Iterable[tuple[int, ...]]) -> set[tuple[int, ...]]:
        return {self.readings[order] for order in orders}

    def cells(self, orders: Sequence[tuple[int, ...]]) -> list[Token | None]:
        """The tokens every given order puts in the same cell; None where they differ."""
        first = [t for i in orders[0] for t in self.runs[i].tokens]
        return [
            first[position] if len({self.readings[o][position] for o in orders}) == 1 else None
            for position in range(_REVIEW_VALUES)
        ]


def review_readings(window: Sequence[Token]) -> ReviewReadings | None:
    """Every order of table 四's runs when header words break its one printed row into runs.

    Plain PDF text keeps each run's order but may print the runs in any order (a row's total
    after the next row's values). Every order is a reading; the arithmetic keeps those whose
    row totals hold.
    """
    pieces = _review_runs(window)
    if sum(len(run) for run, _ in pieces) != _REVIEW_VALUES or len(pieces) > _MAX_REVIEW_RUNS:
        return None
    runs: list[ReviewRun] = []
    for tokens, named in pieces:
        numbers = _numbers(tokens)
        if numbers is None:
            return None
        titled = next(iter(named)) if len(named) == 1 else None
        runs.append(ReviewRun(tuple(tokens), tuple(numbers), titled))
    readings = {
        order: tuple(n for i in order for n in runs[i].numbers)
        for order in permutations(range(len(runs)))
    }
    kept = {o: r for o, r in readings.items() if _row_adds_up(r, _REVIEW_GROUP)}
    return ReviewReadings(tuple(runs), kept or readings, bool(kept))


def settle_readings(
    found: ReviewReadings, stated: Callable[[], StatedReviews]
) -> tuple[list[tuple[int, ...]], list[str]]:
    """The orders left once the report's own evidence has chosen among the arithmetic's.

    First the figures the prose states (asked for only when the readings disagree), then, as
    the last tie-break, the group titles printed just before runs. Neither is used when the
    table contradicts itself, and neither ever adds a reading the arithmetic rejected.
    """
    orders = list(found.readings)
    if not found.adds_up or len(found.distinct(orders)) == 1:
        return orders, []
    notes: list[str] = []
    evidence: list[str] = []
    figures = stated()
    if figures.states_anything:
        fitting = [o for o in orders if figures.allows(found.readings[o])]
        if not fitting:
            notes.append(
                f"the prose states {figures.describe()}, which fits no reading of table 四's "
                "values; the prose was not used"
            )
        elif len(found.distinct(fitting)) < len(found.distinct(orders)):
            orders = fitting
            evidence.append(f"the figures the prose states ({figures.describe()})")
    if len(found.distinct(orders)) > 1 and (titled := _placed_by_titles(found, orders)):
        orders, named = titled
        evidence.extend(named)
    if evidence:
        notes.append(
            "table 四's values are printed out of order; read by their row totals and "
            + " and ".join(evidence)
        )
    return orders, notes


def _placed_by_titles(
    found: ReviewReadings, orders: list[tuple[int, ...]]
) -> tuple[list[tuple[int, ...]], list[str]] | None:
    """The orders that put each titled run in its group, when just one reading is left."""
    titled = [(i, g) for i, run in enumerate(found.runs) if (g := run.titled) is not None]
    if not titled:
        return None
    placing = [o for o in orders if all(_in_group(found, o, i, g) for i, g in titled)]
    if len(found.distinct(placing)) != 1:
        return None
    return placing, [
        f"the title {_GROUP_TITLES[g][0]} printed before "
        + " ".join(t.text for t in found.runs[i].tokens)
        for i, g in titled
    ]


def _in_group(found: ReviewReadings, order: tuple[int, ...], run: int, group: int) -> bool:
    start = 0
    for i in order:
        if i == run:
            break
        start += len(found.runs[i].tokens)
    end = start + len(found.runs[run].tokens) - 1
    return start // _REVIEW_GROUP == end // _REVIEW_GROUP == group


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
