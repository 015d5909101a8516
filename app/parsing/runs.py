"""Digit runs split into cells, kept only where the table's own arithmetic makes a split certain.

A row printed as "801000081" for seven columns could be 80|1|0|0|0|0|81 or many other things.
Each candidate split must be non-negative integers without leading zeros; the checks a table
carries (a row's total is the sum of its parts; in each column, new + carried over = processed +
carried forward, and processed = the sum of the outcome rows) rule candidates out. A cell is
known only when every surviving candidate gives it the same value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import comb

Split = tuple[int, ...]
RowCheck = Callable[[Split], bool]

# Beyond this many ways of cutting a run, the run is reported unreadable instead of enumerated.
MAX_SPLITS = 5_000
# Beyond this many partial sums, a column equation is not used to rule candidates out.
_MAX_SUMS = 50_000
_MAX_ROUNDS = 12


def count_splits(digits: str, width: int) -> int:
    """How many ways a run of digits can be cut into `width` non-empty pieces (an upper bound)."""
    if width <= 0 or len(digits) < width:
        return 0
    return comb(len(digits) - 1, width - 1)


def split_digits(digits: str, width: int, check: RowCheck | None = None) -> list[Split] | None:
    """Every split of `digits` into `width` numbers passing `check`; None when there are too many.

    A piece may not start with 0 unless it is "0" itself.
    """
    if not digits.isdigit() or count_splits(digits, width) > MAX_SPLITS:
        return None
    found: list[Split] = []
    pieces: list[int] = []

    def walk(start: int, left: int) -> None:
        if left == 1:
            tail = digits[start:]
            if len(tail) > 1 and tail[0] == "0":
                return
            candidate = (*pieces, int(tail))
            if check is None or check(candidate):
                found.append(candidate)
            return
        longest = len(digits) - start - (left - 1)
        for length in range(1, (1 if digits[start] == "0" else longest) + 1):
            pieces.append(int(digits[start : start + length]))
            walk(start + length, left - 1)
            pieces.pop()

    walk(0, width)
    return found


def total_is_sum(groups: int, size: int) -> RowCheck:
    """A check for `groups` blocks of `size` numbers, each ending with the sum of the others."""

    def check(split: Split) -> bool:
        for g in range(groups):
            block = split[g * size : (g + 1) * size]
            if sum(block[:-1]) != block[-1]:
                return False
        return True

    return check


def agreed(candidates: Sequence[Split], width: int) -> list[int | None]:
    """Per column: the value every candidate gives, or None where they differ or none exist."""
    if not candidates:
        return [None] * width
    first = candidates[0]
    return [
        first[c] if all(candidate[c] == first[c] for candidate in candidates) else None
        for c in range(width)
    ]


# An equation over rows: sum of `plus` rows equals sum of `minus` rows, column by column.
Equation = tuple[tuple[str, ...], tuple[str, ...]]


def _sums(value_sets: list[set[int]]) -> set[int] | None:
    sums = {0}
    for values in value_sets:
        if len(sums) * len(values) > _MAX_SUMS:
            return None
        sums = {s + v for s in sums for v in values}
    return sums


def _filter_column(rows: dict[str, list[Split]], equation: Equation, column: int) -> bool:
    """Drop candidates that no choice of the other rows satisfies; True when any was dropped."""
    plus, minus = equation
    signed = [(key, 1) for key in plus] + [(key, -1) for key in minus]
    if all(len({split[column] for split in rows[key]}) == 1 for key, _ in signed):
        # Every row already agrees on this column: the rule holds or rules them all out.
        if sum(sign * rows[key][0][column] for key, sign in signed) == 0:
            return False
        for key, _ in signed:
            rows[key] = []
        return True
    changed = False
    for index, (key, sign) in enumerate(signed):
        others = signed[:index] + signed[index + 1 :]
        sets = [{sgn * split[column] for split in rows[k]} for k, sgn in others]
        sums = _sums(sets)
        if sums is None:
            continue
        kept = [split for split in rows[key] if -sign * split[column] in sums]
        if len(kept) != len(rows[key]):
            rows[key] = kept
            changed = True
    return changed


def propagate(
    rows: dict[str, list[Split]], equations: Sequence[Equation], width: int
) -> dict[str, list[Split]] | None:
    """Candidates that survive every column equation; None when the equations rule out all.

    Only candidates that cannot take part in any solution are removed, so whatever the
    surviving candidates agree on holds in every consistent reading of the table.
    """
    rows = {key: list(candidates) for key, candidates in rows.items()}
    usable = [eq for eq in equations if all(k in rows for k in (*eq[0], *eq[1]))]
    for _ in range(_MAX_ROUNDS):
        changed = False
        for equation in usable:
            for column in range(width):
                changed |= _filter_column(rows, equation, column)
        if any(not candidates for candidates in rows.values()):
            return None
        if not changed:
            break
    return rows
